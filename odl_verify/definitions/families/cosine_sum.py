"""Sums of cosines plus a quadratic: nonconvex with certified smoothness (docs/theory.md §1)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays, matvec, rmatvec


@dataclass(frozen=True, repr=False)
class CosineSum(Family):
    """f(x) = Σᵢ aᵢ cos(wᵢ·x + bᵢ) + (c/2)‖x‖², β = Σ|aᵢ|‖wᵢ‖² + |c| (nonconvex when c < 0)."""

    max_terms: int = 4
    name: str = "cosine-sum"

    def strategy(self, d):
        return st.integers(1, self.max_terms).flatmap(lambda m: st.fixed_dictionaries({
            "a": float_arrays(m), "w": float_arrays((m, d)), "b": float_arrays(m, -math.pi, math.pi),
            "c": float_arrays(1)}))

    def _phase(self, p, x, xp):
        return matvec(xp, p["w"], x) + p["b"]

    def value(self, p, x, xp):
        return xp.sum(p["a"] * xp.cos(self._phase(p, x, xp))) + 0.5 * p["c"][:, 0] * xp.sum(x * x)

    def grad(self, p, x, xp):
        return rmatvec(xp, p["w"], -p["a"] * xp.sin(self._phase(p, x, xp))) + p["c"] * x

    def constants(self, p, xp):
        return {"smoothness": xp.sum(xp.abs(p["a"]) * xp.sum(p["w"] * p["w"])) + xp.abs(p["c"][:, 0])}
