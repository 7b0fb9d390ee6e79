"""Nonnegative combinations of families: smoothness constants add (docs/theory.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class Combination(Family):
    """Σₖ exp(sₖ)·fₖ: nonnegative weights, so smoothness constants add."""

    parts: tuple[Family, ...] = ()
    name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "name", "+".join(part.name for part in self.parts))
        shared = frozenset.intersection(*(part.provides for part in self.parts)) & {"smoothness"}
        object.__setattr__(self, "provides", shared)

    def strategy(self, d):
        return st.fixed_dictionaries({
            **{f"part{k}": part.strategy(d) for k, part in enumerate(self.parts)},
            "log_weight": float_arrays(len(self.parts), -2.0, 2.0)})

    def constrain(self, raw, xp):
        out = {f"part{k}": part.constrain(raw[f"part{k}"], xp) for k, part in enumerate(self.parts)}
        out["weight"] = xp.exp(raw["log_weight"])
        return out

    def value(self, p, x, xp):
        return sum(p["weight"][:, k] * part.value(p[f"part{k}"], x, xp) for k, part in enumerate(self.parts))

    def grad(self, p, x, xp):
        return sum(p["weight"][:, k, None] * part.grad(p[f"part{k}"], x, xp)
                   for k, part in enumerate(self.parts))

    def constants(self, p, xp):
        return {"smoothness": sum(p["weight"][:, k] * part.constants(p[f"part{k}"], xp)["smoothness"]
                                  for k, part in enumerate(self.parts))}
