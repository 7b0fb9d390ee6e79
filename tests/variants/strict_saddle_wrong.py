"""Wrong variants of the strict-saddle theorems (THEORY.md §5), each of which must be falsified.

``odl-verify check tests/variants/strict_saddle_wrong.py``.
"""
import sympy as sp

from theorems.strict_saddle import (ESCAPE_AT_LEAST, ON_MANIFOLD, STABLE_MANIFOLD, STRICT, PerturbedGDReachesSecondOrder,
                                    R, delta_0)

#: Dropping strictness: on f = x²/2 + y³/3 GD from y₀ ∈ (0, ½] moves toward the saddle, never away.
WITHOUT_STRICTNESS = ESCAPE_AT_LEAST.variant("without-strictness", drop=[STRICT])

#: "GD never escapes" is a statement about the stable manifold only: from y₁ = δ > 0 it does.
OFF_THE_MANIFOLD = STABLE_MANIFOLD.variant("started-off-the-manifold", replace={ON_MANIFOLD: sp.Le(delta_0, R)})

#: Perturbed GD without its perturbation is GD: started at the saddle it returns the saddle.
WITHOUT_PERTURBATION = PerturbedGDReachesSecondOrder("perturbed-gd-second-order~without-perturbation",
                                                     radius_scale=0.0)

CLAIMS = [WITHOUT_STRICTNESS, OFF_THE_MANIFOLD, WITHOUT_PERTURBATION]
