"""Wrong variants of the stationarity theorems in docs/theory.md §2, each derived in one line.

``odl-verify check tests/variants/stationarity_wrong.py`` must falsify each with a
counterexample confirmed in high precision.
"""
import sympy as sp

from odl_verify.definitions.families import STAIRCASES
from odl_verify.theorems.stationarity import (EXACT_F_STAR, EXACT_LONG_STEP, EXACT_SHORT_STEP, STEP_AT_LEAST_1_OVER_BETA,
                                              STEP_AT_MOST_1_OVER_BETA, STEP_BELOW_SQRT_3_OVER_BETA, TEXTBOOK, T, beta,
                                              eta, f_0, f_T, grad_sq_T, min_grad_sq)

#: constant β instead of 2β at η = 1/β (η ≥ 1/β pins it): fails at T = 1, f = x²/2, x₀ = 1.
BETA_INSTEAD_OF_2_BETA = TEXTBOOK.variant(
    "beta-instead-of-2-beta", conclusion=sp.Le(min_grad_sq, beta * (f_0 - f_T) / T), add=[sp.Ge(eta, 1 / beta)])

#: the η = 1/β rate claimed for every η ≤ 1/β: a linear function has f₀ − f_T = Tη‖g‖², so it fails for η < 1/(2β).
RATE_IGNORES_STEP = TEXTBOOK.variant("rate-ignores-step", conclusion=sp.Le(min_grad_sq, 2 * beta * (f_0 - f_T) / T))

#: the exact constant c(1) = 4/3 lowered to 1.3: only the staircase worst case breaks it (ratio 4/3 ÷ 1.3 > 1),
#: so this falsification shows the search reaches the tight instance.
EXACT_CONSTANT_LOWERED = EXACT_SHORT_STEP.variant(
    "constant-below-4-over-3", conclusion=sp.Le(sp.Min(min_grad_sq, grad_sq_T), 1.3 * beta * (f_0 - f_T) / T),
    add=[sp.Ge(eta, 1 / beta)], families=STAIRCASES)

#: The exact constants 1 % too strong: the tooth staircase (h ≤ 1), the zigzag (h > 1) and the staircase
#: of length N against f* attain them.
SHORT_STEP_ONE_PERCENT_TOO_STRONG = EXACT_SHORT_STEP.stronger("1-percent-too-strong", by=0.01)
LONG_STEP_ONE_PERCENT_TOO_STRONG = EXACT_LONG_STEP.stronger("1-percent-too-strong", by=0.01)
F_STAR_ONE_PERCENT_TOO_STRONG = EXACT_F_STAR.stronger("1-percent-too-strong", by=0.01)

#: Each step range 5 % too wide. h ≤ 1.05 with 4/(h(4 − h)): only the 2-D zigzag exceeds it (by 1.8 % at
#: h = 1.05; no 1-D function does). h < 1.05√3 with 4/(h(4 − h²)): above √3 even f = x²/2 at N = 1 does
#: (by 2 % at h = 1.74). h ≥ 0.95 with it: below 1 the tooth staircase reaches 4/(h(4 − h)), larger. Against
#: f* from h = 0.95: the tooth staircase of length N reaches β(f₀ − f*)/(N h(4 − h)/4 + 1/2), larger.
#: Each is certified where it fails too: the PEP's worst case exceeds its bound there.
SHORT_STEP_5_PERCENT_WIDER = EXACT_SHORT_STEP.variant(
    "step-5-percent-too-wide", replace={STEP_AT_MOST_1_OVER_BETA: sp.Le(eta, sp.Rational(105, 100) / beta)},
    worst_case=EXACT_SHORT_STEP.worst_case.at(eta=(1.0, 1.05)))
LONG_STEP_5_PERCENT_WIDER = EXACT_LONG_STEP.variant(
    "step-5-percent-too-wide", replace={STEP_BELOW_SQRT_3_OVER_BETA: sp.Lt(eta, sp.Rational(105, 100) * sp.sqrt(3) / beta)},
    worst_case=EXACT_LONG_STEP.worst_case.at(eta=(1.5, 1.8)))
LONG_STEP_5_PERCENT_LOWER = EXACT_LONG_STEP.variant(
    "step-5-percent-too-low", replace={STEP_AT_LEAST_1_OVER_BETA: sp.Ge(eta, sp.Rational(95, 100) / beta)},
    worst_case=EXACT_LONG_STEP.worst_case.at(eta=(0.95, 1.0)))
F_STAR_5_PERCENT_LOWER = EXACT_F_STAR.variant(
    "step-5-percent-too-low", replace={STEP_AT_LEAST_1_OVER_BETA: sp.Ge(eta, sp.Rational(95, 100) / beta)},
    worst_case=EXACT_F_STAR.worst_case.at(eta=(0.95, 1.0)))

CLAIMS = [BETA_INSTEAD_OF_2_BETA, RATE_IGNORES_STEP, EXACT_CONSTANT_LOWERED, SHORT_STEP_ONE_PERCENT_TOO_STRONG,
          LONG_STEP_ONE_PERCENT_TOO_STRONG, F_STAR_ONE_PERCENT_TOO_STRONG, SHORT_STEP_5_PERCENT_WIDER,
          LONG_STEP_5_PERCENT_WIDER, LONG_STEP_5_PERCENT_LOWER, F_STAR_5_PERCENT_LOWER]
