"""softplus(w·x) (docs/theory.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class Softplus(Family):
    """f(x) = log(1 + exp(w·x)), β = ‖w‖²/4."""

    name: str = "softplus"

    def strategy(self, d):
        return st.fixed_dictionaries({"w": float_arrays(d)})

    def value(self, p, x, xp):
        return xp.softplus(xp.sum(p["w"] * x))

    def grad(self, p, x, xp):
        return xp.sigmoid(xp.sum(p["w"] * x))[:, None] * p["w"]

    def constants(self, p, xp):
        return {"smoothness": xp.sum(p["w"] * p["w"]) / 4}
