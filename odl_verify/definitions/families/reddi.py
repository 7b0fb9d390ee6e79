"""Reddi, Kale and Kumar's online problem, where Adam converges to the worst point (docs/theory.md §9)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .online_linear import OnlineLinear


@dataclass(frozen=True, repr=False)
class ReddiProblem(OnlineLinear):
    """f_t(x) = Cx for t ≡ 1 (mod 3), −x otherwise, on K = [−1, 1] (Reddi, Kale, Kumar, ICLR 2018,
    Thm 1): the period (C, −1, −1) of :class:`OnlineLinear`, unscaled. For C > 2 the sum over a
    period is (C − 2)x, so the optimum is x* = −1 and the worst point +1. Certified: ``C``,
    drawn in [2.5, 20].
    """

    name: str = "reddi-online"
    provides: frozenset[str] = frozenset({"C"})
    #: the drawn range of C
    low: float = 2.5
    high: float = 20.0

    def strategy(self, d):
        return st.fixed_dictionaries({"C": st.floats(self.low, self.high).map(lambda c: np.array([c]))})

    def constrain(self, raw, xp):
        c = xp.clip(raw["C"], self.low, self.high)
        first = xp.asarray(np.array([[[1.0], [0.0], [0.0]]]))
        one = 1 + 0 * c
        return {"C": c, "period": c[:, :, None] * first + (first - 1), "log_ratio": 0 * c, "lower": -one, "upper": one}

    def constants(self, p, xp):
        return {"C": p["C"][:, 0]}
