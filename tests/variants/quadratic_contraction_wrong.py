"""Wrong variants of GD contraction on quadratics (docs/theory.md §3), each derived in one line.

``odl-verify check tests/variants/quadratic_contraction_wrong.py`` must falsify each with a
counterexample confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.quadratic_contraction import (GENERAL_STEP, SHORT_STEP, STEP_AT_MOST_1_OVER_LAMBDA_MAX,
                                            STEP_BELOW_2_OVER_LAMBDA_MAX, eta, lambda_max, lambda_min, norm_0,
                                            norm_t, t)

#: "(1 − ηλ_min)ᵗ for all η < 2/λ_max": A = diag(1, 10), η = 0.19, x₀ = e₂, t = 1 gives 0.9 > 0.81.
SHORT_STEP_RATE_UP_TO_2_OVER_LAMBDA_MAX = SHORT_STEP.variant(
    "short-step-rate-up-to-2-over-lambda-max",
    replace={STEP_AT_MOST_1_OVER_LAMBDA_MAX: sp.Lt(eta, 2 / lambda_max)})

#: "η = 2/λ_max converges" at the rate of the slow mode, |1 − ηλ_min| < 1: along the top
#: eigenvector x_t = (−1)ᵗx₀, so ‖x_t‖ stays ‖x₀‖.
CONVERGES_AT_2_OVER_LAMBDA_MAX = GENERAL_STEP.variant(
    "converges-at-2-over-lambda-max",
    replace={STEP_BELOW_2_OVER_LAMBDA_MAX: sp.Le(eta, 2 / lambda_max)}, add=[sp.Ge(eta, 2 / lambda_max)],
    conclusion=sp.Le(norm_t, sp.Abs(1 - eta * lambda_min) ** t * norm_0))

#: Both rates 1 % too strong: along the bottom (or top) eigenvector ‖x_t‖ equals the bound.
SHORT_STEP_ONE_PERCENT_TOO_STRONG = SHORT_STEP.stronger("1-percent-too-strong", by=0.01)
GENERAL_STEP_ONE_PERCENT_TOO_STRONG = GENERAL_STEP.stronger("1-percent-too-strong", by=0.01)

#: The short step up to 1.05/λ_max: with λ_min = λ_max = λ and ηλ ∈ (1, 1.05], 1 − ηλ_min < 0 and the
#: bound is negative at odd t. (The general step's bound holds for every η: widening it is no error.)
SHORT_STEP_5_PERCENT_WIDER = SHORT_STEP.variant(
    "step-5-percent-too-wide", replace={STEP_AT_MOST_1_OVER_LAMBDA_MAX: sp.Le(eta, sp.Rational(105, 100) / lambda_max)})

CLAIMS = [SHORT_STEP_RATE_UP_TO_2_OVER_LAMBDA_MAX, CONVERGES_AT_2_OVER_LAMBDA_MAX, SHORT_STEP_ONE_PERCENT_TOO_STRONG,
          GENERAL_STEP_ONE_PERCENT_TOO_STRONG, SHORT_STEP_5_PERCENT_WIDER]
