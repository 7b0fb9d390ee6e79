"""Wrong variants of Adam's step bound and of Reddi et al.'s problem (docs/theory.md §9).

``odl-verify check tests/variants/adam_wrong.py`` must falsify each with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.adam import (ADAM_WORST_POINT, AMSGRAD_OPTIMUM, PUBLISHED_BOUND, STEP_BOUND, beta1, beta2,
                                      reddi_gap, step, t)

#: Kingma & Ba 2015, §2.1: |Δ_t| ≤ α(1 − β₁)/√(1 − β₂) if 1 − β₁ > √(1 − β₂), else α. Over every β.
PUBLISHED = STEP_BOUND.variant("published-bound", conclusion=sp.Le(step, PUBLISHED_BOUND))


def pinned(name, b1, b2, steps):
    """The published bound at one (β₁, β₂), steps t up to ``steps`` in every profile."""
    b1, b2 = sp.Rational(b1), sp.Rational(b2)
    return STEP_BOUND.variant(name, conclusion=sp.Le(step, PUBLISHED_BOUND),
                              replace={sp.Lt(beta1, 1): sp.Le(beta1, b1), sp.Lt(beta2, 1): sp.Le(beta2, b2)},
                              add=[sp.Ge(beta1, b1), sp.Ge(beta2, b2)], integers={t: (1, steps)}, quick_integers={})


#: the "otherwise" case at β = (0.5, 0.75): t = 2, g = (1, 1.5) gives |Δ₂| = 1.018α > α.
PUBLISHED_AT_HALF = pinned("published-bound-at-0.5-0.75", "1/2", "3/4", 10)

#: at the defaults (0.9, 0.999) the claimed 3.1623α is first exceeded at t = 210 (S(210) = 3.1649α).
PUBLISHED_AT_DEFAULTS = pinned("published-bound-at-defaults", "9/10", "999/1000", 400)

#: "Adam converges on Reddi et al.'s problem" (AMSGrad's bound, for Adam): it ends at the worst point.
ADAM_CONVERGES = AMSGRAD_OPTIMUM.variant("adam", measure=reddi_gap(amsgrad=False))

#: "AMSGrad also ends at the worst point": it ends next to the optimum.
AMSGRAD_WORST_POINT = ADAM_WORST_POINT.variant("amsgrad", measure=reddi_gap(amsgrad=True))

CLAIMS = [PUBLISHED, PUBLISHED_AT_HALF, PUBLISHED_AT_DEFAULTS, ADAM_CONVERGES, AMSGRAD_WORST_POINT]
