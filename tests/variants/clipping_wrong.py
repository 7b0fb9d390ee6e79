"""The wrong variant of clipping under (L₀, L₁)-smoothness (docs/theory.md §10), derived in one line.

``odl-verify check tests/variants/clipping_wrong.py`` must falsify it with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.definitions.methods import GradientDescent, per_instance
from odl_verify.theorems.clipping import CLIPPED_DESCENT, L0, before_and_after, ell0, f_next, f_x

eta = sp.Symbol("eta", positive=True)


def plain_step(instance, x0, values, xp):
    """One unclipped gradient step of length η."""
    return before_and_after(instance, x0, GradientDescent(lr=per_instance(values["eta"])), xp)


#: "gradient descent with η = 1/L₀ decreases f", the smooth rule with L₀ in place of the smoothness, false
#: in one dimension: on x⁴ with (L₀, L₁) = (16, 1), η = 1/16, from x₀ = 3 it steps to −3.75 and
#: f grows from 81 to 197.75.
PLAIN_GD_DECREASES = CLIPPED_DESCENT.variant(
    "plain-gd-step-1-over-L0", conclusion=sp.Ge(f_x, f_next), measure=plain_step,
    add=[sp.Le(ell0, L0), sp.Le(eta, 1 / ell0), sp.Ge(eta, 1 / ell0)], dimensions=(1, 1))

CLAIMS = [PLAIN_GD_DECREASES]
