"""Sharpness is not a property of the function a network computes: it depends on the parametrization.

Method: the Hessian of the depth-L linear network f(w) = ½(w₁⋯w_L − y)² (``DeepLinear``) at global
minima, diagonalized by ``eigvalsh`` (in torch, and in mpmath to confirm).

Theorem (Dinh, Pascanu, Bengio, Bengio, ICML 2017; docs/theory.md §16): every global minimum
computes the same function (w₁⋯w_L = y), and there the Hessian is ∇p∇pᵀ, so its largest
eigenvalue is λ_max = y²Σᵢ1/wᵢ², which depends on how the product is split: rescaling
(w₁, w₂) → (αw₁, w₂/α) keeps the function and changes λ_max without bound (at L = 2, y = 1:
(1, 1) gives 2, (2, ½) gives 17/4, (10, 1/10) gives 10001/100). The same holds for ReLU networks
under (αW₁, W₂/α), which this module does not simulate.

Hypotheses as checked: global minima of depth 1 to 8, weights within e^{±3} of each other,
y ∈ [e^{−1.5}, e^{1.5}], random and balanced.

Exact: the claim is an identity, checked to a tolerance derived from the computation.

Wrong variants (tests/variants/sharpness_reparametrization_wrong.py): "λ_max at a minimum is a
property of the function computed" (every minimum as sharp as the balanced one, L·y^{2−2/L}).
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families.deep_linear import DeepLinear

L = sp.Symbol("L", positive=True, integer=True)
y = sp.Symbol("y", real=True)
#: measured: λ_max(∇²f) and Σᵢ 1/wᵢ² at the minimum
lambda_max, inverse_sq_sum = sp.symbols("lambda_max inverse_sq_sum", real=True)


def measure_minimum(instance, x0, values, xp):
    """λ_max of the Hessian at the minimum the parameters name, and Σᵢ 1/wᵢ² there."""
    family, p = instance.family, instance.params
    w = p["weights"]
    return {"lambda_max": xp.max(xp.eigvalsh(family.hessian_at_minimum(p, xp))), "inverse_sq_sum": xp.sum(1 / (w * w))}


SHARPNESS_DEPENDS_ON_PARAMETERS = Claim(
    "sharpness-depends-on-parametrization", title="At a global minimum λ_max = y²Σ1/w_i²: the parametrization sets it",
    hypotheses=[sp.Gt(y, 0)], conclusion=sp.Eq(lambda_max, y**2 * inverse_sq_sum), measure=measure_minimum,
    families=[DeepLinear(at_minimum=True)], certified={L: "depth", y: "target"},
    reference="Dinh, Pascanu, Bengio, Bengio 2017; docs/theory.md §16",
    method="eigvalsh of the Hessian at w_i = exp(a_i - mean(a) + log(y)/L)", dimensions=(1, 8),
    latex_names={lambda_max: r"\lambda_{\max}(\nabla^2 f)", inverse_sq_sum: r"\sum_i w_i^{-2}"})

CLAIMS = [SHARPNESS_DEPENDS_ON_PARAMETERS]
