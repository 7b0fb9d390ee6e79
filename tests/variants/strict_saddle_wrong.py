"""Wrong variants of the strict-saddle theorems (docs/theory.md §5), each of which must be falsified.

``odl-verify check tests/variants/strict_saddle_wrong.py``.
"""
import sympy as sp

from odl_verify.theorems.strict_saddle import ESCAPE_AT_LEAST, ON_MANIFOLD, STABLE_MANIFOLD, STRICT, R, delta_0

#: Dropping strictness: on f = x²/2 + y³/3 GD from y₀ ∈ (0, ½] moves toward the saddle, never away.
WITHOUT_STRICTNESS = ESCAPE_AT_LEAST.variant("without-strictness", drop=[STRICT])

#: "GD never escapes" is a statement about the stable manifold only: from y₁ = δ > 0 it does.
OFF_THE_MANIFOLD = STABLE_MANIFOLD.variant("started-off-the-manifold", replace={ON_MANIFOLD: sp.Le(delta_0, R)})

CLAIMS = [WITHOUT_STRICTNESS, OFF_THE_MANIFOLD]
