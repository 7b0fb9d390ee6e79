"""Gradient descent on a deep linear network from a balanced start (docs/theory.md §12)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, floats

MAX_DEPTH = 16


@dataclass(frozen=True, repr=False)
class BalancedRun(Family):
    """A run of gradient descent on f(w) = ½(w₁⋯w_L − 1)² from the balanced start wᵢ = w₀, until
    every weight reaches w₁: on a balanced point all coordinates move alike, so the run is the
    scalar recursion w ← w + η(1 − w^L)w^{L−1}, batched.

    Parameters (``x`` is not used): the depth L ∈ {3, …, 16}, the level to reach w₁ ∈ [10⁻³, 0.999],
    the start w₀ = r·w₁ with r ∈ [10⁻³, 0.999], and the step η = 10^k, k ∈ [−4, 2]. Besides uniform
    draws the strategy draws two kinds of special points: docs/theory.md's runs (w₀ = ½, w₁ = ¾,
    η = 2/L, L from 3 to 13) and slow runs near the origin, where every step of GD moves w as
    gradient flow does and a lower bound on the step count can be attained (L = 4, w₀ = 0.05,
    w₁ = 0.075, η = 0.1, and nearby).

    Certified: ``depth``, ``start`` w₀, ``reach`` w₁ and ``step`` η.
    """

    name: str = "balanced-deep-linear-run"
    provides: frozenset[str] = frozenset({"depth", "start", "reach", "step"})

    def strategy(self, d):
        array = lambda value: np.array([float(value)])
        uniform = st.fixed_dictionaries({"depth": floats(3, MAX_DEPTH).map(array), "reach": floats(1e-3, 0.999).map(array),
                                         "ratio": floats(1e-3, 0.999).map(array), "log_step": floats(-4, 2).map(array)})
        theory = st.integers(3, 13).map(lambda depth: {"depth": array(depth), "reach": array(0.75),
                                                       "ratio": array(2 / 3), "log_step": array(np.log10(2 / depth))})
        slow = st.just({"depth": array(4), "reach": array(0.075), "ratio": array(2 / 3), "log_step": array(-1)})
        # the slow run first: a Hypothesis run opens with the simplest choice, its first branch, so
        # every seed tries the instance where the bound is attained before drawing elsewhere
        return st.one_of(slow, theory, uniform)

    def constrain(self, raw, xp):
        reach = xp.clip(raw["reach"], 1e-3, 0.999)
        return {"depth": xp.floor(xp.clip(raw["depth"], 3, MAX_DEPTH)), "reach": reach,
                "start": reach * xp.clip(raw["ratio"], 1e-3, 0.999), "step": 10 ** xp.clip(raw["log_step"], -4, 2)}

    def constants(self, p, xp):
        return {name: p[name][:, 0] for name in ("depth", "start", "reach", "step")}
