"""Wrong variants of the strict-saddle theorems (docs/theory.md §5), each of which must be falsified.

``odl-verify check tests/variants/strict_saddle_wrong.py``.
"""
import sympy as sp

from odl_verify.theorems.strict_saddle import (ESCAPE_AT_LEAST, ESCAPE_NOT_FASTER, ON_MANIFOLD, STABLE_MANIFOLD, STRICT, R,
                                              delta_0)

#: Dropping strictness: on f = x²/2 + y³/3 GD from y₀ ∈ (0, ½] moves toward the saddle, never away.
WITHOUT_STRICTNESS = ESCAPE_AT_LEAST.variant("without-strictness", drop=[STRICT])

#: "GD never escapes" is a statement about the stable manifold only: from y₁ = δ > 0 it does.
OFF_THE_MANIFOLD = STABLE_MANIFOLD.variant("started-off-the-manifold", replace={ON_MANIFOLD: sp.Le(delta_0, R)})

#: "No faster than (1 + ηγ)^N" 1 % too strong: one step from δ → 0 grows by 1 + ηγ − ηδ², within 1 % of it.
ESCAPE_ONE_PERCENT_TOO_STRONG = ESCAPE_NOT_FASTER.stronger("1-percent-too-strong", by=0.01)

CLAIMS = [WITHOUT_STRICTNESS, OFF_THE_MANIFOLD, ESCAPE_ONE_PERCENT_TOO_STRONG]
