"""Pseudo-Huber functions: strictly convex, where pure Newton diverges from far away (docs/theory.md §8)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import float_arrays
from .separable import Separable

_DECADE = math.log(10.0)


@dataclass(frozen=True, repr=False)
class PseudoHuber(Separable):
    """f(x) = Σᵢ cᵢ(√(δᵢ² + yᵢ²) − δᵢ), y = Q(x − x*): strictly convex, minimized at x*, with
    φ″(s) = cδ²/(δ² + s²)^{3/2} → 0 far away. In one dimension pure Newton maps s ↦ −s³/δ².

    Certified: hessian_lipschitz max cᵢ·48/(25√5)/δᵢ² (|φ‴| peaks at |s| = δ/2), f_star 0,
    minimizer x*. cᵢ, δᵢ ∈ [0.1, 10].
    """

    name: str = "pseudo-huber"
    provides: frozenset[str] = frozenset({"hessian_lipschitz", "f_star", "minimizer"})

    def pieces_strategy(self, d):
        return st.fixed_dictionaries({"log_weight": float_arrays(d, -_DECADE, _DECADE),
                                      "log_width": float_arrays(d, -_DECADE, _DECADE)})

    def constrain_pieces(self, raw, xp):
        return {"weight": xp.exp(xp.clip(raw["log_weight"], -_DECADE, _DECADE)),
                "width": xp.exp(xp.clip(raw["log_width"], -_DECADE, _DECADE))}

    def pieces(self, p, y, order, xp):
        c, delta = p["weight"], p["width"]
        root = xp.sqrt(delta * delta + y * y)
        return (c * (root - delta), c * y / root, c * delta * delta / root ** 3)[order]

    def constants(self, p, xp):
        c, delta = p["weight"], p["width"]
        peak = 48 / (25 * xp.sqrt(5 + 0 * c))  # max |φ‴| for c = δ = 1, computed in the namespace's precision
        return {"hessian_lipschitz": xp.max(c * peak / (delta * delta)), "f_star": 0 * xp.max(c)}
