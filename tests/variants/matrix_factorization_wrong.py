"""Wrong variants of the matrix-factorization theorem (docs/theory.md §5), each of which must be falsified.

``odl-verify check tests/variants/matrix_factorization_wrong.py``.
"""
import sympy as sp

from odl_verify.theorems.matrix_factorization import MATRIX_FACTORIZATION, NOT_GLOBAL, hessian_min, sigma_r

#: Twice the constant: leaving out only the σ_r direction gives λ_min = −4σ_r exactly
#: (d = r = 1: f = (u² − σ)², f''(0) = −4σ).
CONSTANT_8 = MATRIX_FACTORIZATION.variant("constant-8", conclusion=sp.Ge(-hessian_min, 8 * sigma_r))

#: "Every critical point is a strict saddle": the global minima U = V diag(√σ) R are critical too,
#: with λ_min ≥ 0 (0 along the rotations U ↦ UR when d > r).
AT_EVERY_CRITICAL_POINT = MATRIX_FACTORIZATION.variant("at-every-critical-point", drop=[NOT_GLOBAL])

#: The convex intuition, "every critical point is a minimum": U = 0 has λ_min = −4σ₁.
CRITICAL_POINTS_ARE_MINIMA = MATRIX_FACTORIZATION.variant("critical-points-are-minima",
                                                          conclusion=sp.Ge(hessian_min, 0))

#: −4σ_r 1 % too strong: leaving out only σ_r's direction gives λ_min = −4σ_r exactly.
ONE_PERCENT_TOO_STRONG = MATRIX_FACTORIZATION.stronger("1-percent-too-strong", by=0.01)

CLAIMS = [CONSTANT_8, AT_EVERY_CRITICAL_POINT, CRITICAL_POINTS_ARE_MINIMA, ONE_PERCENT_TOO_STRONG]
