"""Matrix factorization: every critical point that is not a global minimum is a strict saddle.

Method: the Hessian of f(U) = ‖UUᵀ − M‖²_F at a critical point U, built batched and
diagonalized by ``eigvalsh`` (in torch, and in mpmath to confirm).

Theorem (Ge, Jin, Zheng 2017; docs/theory.md §5): for M = V diag(σ) Vᵀ PSD of rank r and
every critical point U = V_S diag(√σ_S) R that is not a global minimum (S leaves out an
eigen-direction j), λ_min(∇²f(U)) ≤ −4σ_r: the direction v_j e_cᵀ, c a zero column, has
curvature −4σ_j.

Hypotheses as checked: ``MatrixFactorization`` instances (d ≤ 4, r ≤ 3, σ in [0.1, 10] random,
repeated or two-valued, V from Householder reflections, R a product of reflections), every
critical point the parameters name that leaves out at least one direction.

Tight: λ_min = −4σ_r exactly when only σ_r's direction is left out (d = 4, r = 2, σ = (3, 1)).

Wrong variants (tests/variants/matrix_factorization_wrong.py): the constant −8σ_r, "every
critical point is a strict saddle" (the global minima are critical too) and "every critical
point is a minimum".
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import MATRIX_FACTORIZATIONS

#: certified: σ_r(M), and how many of M's r eigen-directions the critical point leaves out
sigma_r = sp.Symbol("sigma_r", positive=True)
left_out = sp.Symbol("left_out", integer=True, nonnegative=True)
#: measured: λ_min(∇²f(U)) at the critical point
hessian_min = sp.Symbol("lambda_min_hessian", real=True)
NOT_GLOBAL = sp.Ge(left_out, 1)


def measure_critical_point(instance, x0, values, xp):
    """λ_min of the Hessian at the critical point the parameters name (x₀ is not used)."""
    family, p = instance.family, instance.params
    return {"lambda_min_hessian": family.hessian_min_eigenvalue(p, family.critical_point(p, xp), xp)}


MATRIX_FACTORIZATION = Claim(
    "matrix-factorization-strict-saddle",
    title="Matrix factorization: every critical point that is not a global minimum is a strict saddle",
    hypotheses=[NOT_GLOBAL], conclusion=sp.Ge(-hessian_min, 4 * sigma_r), measure=measure_critical_point,
    families=MATRIX_FACTORIZATIONS, certified={sigma_r: "sigma_r", left_out: "left_out"}, tight=True,
    reference="Ge, Jin, Zheng 2017; docs/theory.md §5 (tight at d = 4, r = 2, sigma = (3, 1))",
    method="Hessian of ||UU^T - M||_F^2 at U = V_S diag(sqrt(sigma_S)) R, smallest eigenvalue", dimensions=(1, 4),
    latex_names={sigma_r: r"\sigma_r", left_out: r"r - |S|", hessian_min: r"\lambda_{\min}(\nabla^2 f(U))"})

CLAIMS = [MATRIX_FACTORIZATION]
