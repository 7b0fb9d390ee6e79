"""The wrong variants of the descent lemma in docs/theory.md §1, each derived in one line.

Run them with ``odl-verify check tests/variants/descent_lemma_wrong.py``: each must be
falsified with a counterexample confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, SMOOTHNESS, beta, eta, f_next, f_t, grad_sq

#: "f(x) − f(x⁺) ≥ ‖g‖²/β" at the slides' η = 1/β (η ≥ 1/β and η ≤ 1/β pin it): fails on
#: f = x²/2, x = 1, η = 1.
WRONG_CONSTANT = DESCENT_LEMMA.variant(
    "wrong-constant", conclusion=sp.Ge(f_t - f_next, grad_sq / beta), add=[sp.Ge(eta, 1 / beta), sp.Le(eta, 1 / beta)])

#: "≥ (η/2)‖g‖² for every η < 2/β": fails at β = 1, η = 1.5.
HALF_STEP_TO_2_OVER_BETA = DESCENT_LEMMA.variant(
    "half-eta-up-to-2-over-beta", conclusion=sp.Ge(f_t - f_next, eta / 2 * grad_sq), add=[sp.Lt(eta, 2 / beta)])

#: Dropping smoothness: β may be below the true curvature.
NO_SMOOTHNESS = DESCENT_LEMMA.variant("without-smoothness", drop=[SMOOTHNESS])
