"""Linear functions: curvature 0 (docs/theory.md §1, §2)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class Linear(Family):
    """f(x) = w·x + b: curvature 0, so every declared β ≥ 0 is valid."""

    name: str = "linear"

    def strategy(self, d):
        return st.fixed_dictionaries({"w": float_arrays(d), "b": float_arrays(1)})

    def value(self, p, x, xp):
        return xp.sum(p["w"] * x) + p["b"][:, 0]

    def grad(self, p, x, xp):
        return p["w"] + 0 * x

    def constants(self, p, xp):
        return {"smoothness": 0 * p["b"][:, 0]}
