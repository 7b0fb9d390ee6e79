"""Wrong variants of the stationarity theorems in docs/theory.md §2, each derived in one line.

``odl-verify check tests/variants/stationarity_wrong.py`` must falsify each with a
counterexample confirmed in high precision.
"""
import sympy as sp

from odl_verify.definitions.families import STAIRCASES
from odl_verify.theorems.stationarity import (EXACT_SHORT_STEP, TEXTBOOK, T, beta, eta, f_0, f_T, grad_sq_T,
                                   min_grad_sq)

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

CLAIMS = [BETA_INSTEAD_OF_2_BETA, RATE_IGNORES_STEP, EXACT_CONSTANT_LOWERED]
