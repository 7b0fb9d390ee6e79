"""Pairs of distributions on k points, for the GAN objective (docs/theory.md §14)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class DistributionPair(Family):
    """The data distribution p and the generator's q on k = d points, p = softmax(a), q = softmax(b)
    with a, b ∈ [−5, 5]^k (every point has positive mass under both). ``x`` is a discriminator:
    D = sigmoid(x + log(p/q)), so x = 0 is the optimal discriminator D* = p/(p + q) (the ``optimal``
    direction) and every D ∈ (0, 1)^k is some x. Nothing is certified: the claims measure."""

    name: str = "distribution-pair"
    provides: frozenset[str] = frozenset()
    directions: tuple[str, ...] = ("optimal",)

    def strategy(self, d):
        return st.fixed_dictionaries({"data": float_arrays(d, -5.0, 5.0), "generator": float_arrays(d, -5.0, 5.0)})

    def constrain(self, raw, xp):
        return {"p": xp.softmax(raw["data"]), "q": xp.softmax(raw["generator"])}

    def discriminator(self, p, x, xp):
        """D = sigmoid(x + log(p/q)) ∈ (0, 1)^k."""
        return xp.sigmoid(x + xp.log(p["p"] / p["q"]))

    def direction(self, name, p, xp):
        if name != "optimal":
            raise KeyError(name)
        return 0 * p["p"]

    def constants(self, p, xp):
        return {}
