"""The wrong variants of the descent lemma in docs/theory.md §1, each derived in one line.

Run them with ``odl-verify check tests/variants/descent_lemma_wrong.py``: each must be
falsified with a counterexample confirmed in high precision. The last two show the search reaches
the tight instances and the domain's edge: the constant 1 % too strong, and β allowed 5 % below
the smoothness (the step size has no upper end to widen: the lemma holds for every η > 0).
"""
import sympy as sp

from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, SMOOTHNESS, L, beta, eta, f_next, f_t, grad_sq

#: "f(x) − f(x⁺) ≥ ‖g‖²/β" at the slides' η = 1/β (η ≥ 1/β and η ≤ 1/β pin it): fails on
#: f = x²/2, x = 1, η = 1.
WRONG_CONSTANT = DESCENT_LEMMA.variant(
    "wrong-constant", conclusion=sp.Ge(f_t - f_next, grad_sq / beta), add=[sp.Ge(eta, 1 / beta), sp.Le(eta, 1 / beta)])

#: "≥ (η/2)‖g‖² for every η < 2/β": fails at β = 1, η = 1.5.
HALF_STEP_TO_2_OVER_BETA = DESCENT_LEMMA.variant(
    "half-eta-up-to-2-over-beta", conclusion=sp.Ge(f_t - f_next, eta / 2 * grad_sq), add=[sp.Lt(eta, 2 / beta)])

#: Dropping smoothness: β may be below the true curvature.
NO_SMOOTHNESS = DESCENT_LEMMA.variant("without-smoothness", drop=[SMOOTHNESS])

#: η(1 − βη/2) raised by 1 %: equality holds on f = (β/2)x² for every η, so it fails wherever η < 2/β.
ONE_PERCENT_TOO_STRONG = DESCENT_LEMMA.stronger("1-percent-too-strong", by=0.01)

#: β allowed down to 0.95 L: on f = (L/2)x² the true decrease η(1 − Lη/2)‖g‖² is below η(1 − βη/2)‖g‖².
SMOOTHNESS_5_PERCENT_LOW = DESCENT_LEMMA.variant("beta-5-percent-below-smoothness",
                                                 replace={SMOOTHNESS: sp.Ge(beta, sp.Rational(95, 100) * L)})
