"""Separable Huber functions, plain (convex) or plus a ridge (strongly convex), with a known
minimizer (docs/theory.md §7)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import float_arrays
from .separable import Separable

_DECADE = math.log(10.0)


@dataclass(frozen=True, repr=False)
class Huber(Separable):
    """f(x) = Σᵢ aᵢ·h_{δᵢ}(yᵢ) + (mᵢ/2)yᵢ², y = Q(x − x*), with h_δ(s) = s²/2 for |s| ≤ δ and
    δ|s| − δ²/2 beyond: convex, minimized at x* with f* = 0.

    Certified: smoothness max(aᵢ + mᵢ) (h_δ″ ∈ {0, 1}), strong_convexity min mᵢ, f_star 0 and
    the minimizer x*. ``strongly_convex=False`` has m = 0: the one-dimensional h_δ from x₀ = 1 is
    the worst case of Nesterov's accelerated method that the performance-estimation problem
    finds (docs/theory.md §7); aᵢ ∈ [0.1, 10], δᵢ ∈ [10⁻³, 10], mᵢ ∈ [10⁻³, 10].
    """

    strongly_convex: bool = False
    name: str = ""
    provides: frozenset[str] = frozenset({"smoothness", "strong_convexity", "f_star", "minimizer"})

    def __post_init__(self):
        object.__setattr__(self, "name", "huber-ridge" if self.strongly_convex else "huber")

    def pieces_strategy(self, d):
        ridge = float_arrays(d, -3 * _DECADE, _DECADE) if self.strongly_convex else st.just(None)
        return st.fixed_dictionaries({"log_weight": float_arrays(d, -_DECADE, _DECADE),
                                      "log_width": float_arrays(d, -3 * _DECADE, _DECADE)}).flatmap(
            lambda raw: ridge.map(lambda r: raw if r is None else {**raw, "log_ridge": r}))

    def constrain_pieces(self, raw, xp):
        weight = xp.exp(xp.clip(raw["log_weight"], -_DECADE, _DECADE))
        out = {"weight": weight, "width": xp.exp(xp.clip(raw["log_width"], -3 * _DECADE, _DECADE))}
        out["ridge"] = xp.exp(xp.clip(raw["log_ridge"], -3 * _DECADE, _DECADE)) if self.strongly_convex else 0 * weight
        return out

    def pieces(self, p, y, order, xp):
        a, delta, m = p["weight"], p["width"], p["ridge"]
        inside = xp.abs(y) <= delta
        if order == 0:
            return a * xp.where(inside, y * y / 2, delta * xp.abs(y) - delta * delta / 2) + m * y * y / 2
        if order == 1:
            return a * xp.minimum(xp.maximum(y, -delta), delta) + m * y
        return a * xp.where(inside, 1 + 0 * y, 0 * y) + m

    def constants(self, p, xp):
        ridge = p["ridge"]
        return {"smoothness": xp.max(p["weight"] + ridge), "strong_convexity": xp.min(ridge),
                "f_star": 0 * xp.min(ridge)}
