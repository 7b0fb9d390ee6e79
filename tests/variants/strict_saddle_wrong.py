"""Wrong variants of the strict-saddle theorems (THEORY.md §5), each of which must be falsified.

``odl-verify check tests/variants/strict_saddle_wrong.py``.
"""
import sympy as sp

from odl_verify.theorems.strict_saddle import (ESCAPE_AT_LEAST, MATRIX_FACTORIZATION, NOT_GLOBAL, ON_MANIFOLD, STABLE_MANIFOLD,
                                    STRICT, PerturbedGDReachesSecondOrder, R, delta_0, hessian_min, sigma_r)

#: Dropping strictness: on f = x²/2 + y³/3 GD from y₀ ∈ (0, ½] moves toward the saddle, never away.
WITHOUT_STRICTNESS = ESCAPE_AT_LEAST.variant("without-strictness", drop=[STRICT])

#: "GD never escapes" is a statement about the stable manifold only: from y₁ = δ > 0 it does.
OFF_THE_MANIFOLD = STABLE_MANIFOLD.variant("started-off-the-manifold", replace={ON_MANIFOLD: sp.Le(delta_0, R)})

#: Perturbed GD without its perturbation is GD: started at the saddle it returns the saddle.
WITHOUT_PERTURBATION = PerturbedGDReachesSecondOrder("perturbed-gd-second-order~without-perturbation",
                                                     radius_scale=0.0)

#: Matrix factorization, twice the constant: leaving out only the σ_r direction gives λ_min = −4σ_r
#: exactly (d = r = 1: f = (u² − σ)², f''(0) = −4σ).
CONSTANT_8 = MATRIX_FACTORIZATION.variant("constant-8", conclusion=sp.Ge(-hessian_min, 8 * sigma_r))

#: "Every critical point is a strict saddle": the global minima U = V diag(√σ) R are critical too,
#: with λ_min ≥ 0 (0 along the rotations U ↦ UR when d > r).
AT_EVERY_CRITICAL_POINT = MATRIX_FACTORIZATION.variant("at-every-critical-point", drop=[NOT_GLOBAL])

#: The convex intuition, "every critical point is a minimum": U = 0 has λ_min = −4σ₁.
CRITICAL_POINTS_ARE_MINIMA = MATRIX_FACTORIZATION.variant("critical-points-are-minima",
                                                          conclusion=sp.Ge(hessian_min, 0))

CLAIMS = [WITHOUT_STRICTNESS, OFF_THE_MANIFOLD, WITHOUT_PERTURBATION, CONSTANT_8, AT_EVERY_CRITICAL_POINT,
          CRITICAL_POINTS_ARE_MINIMA]
