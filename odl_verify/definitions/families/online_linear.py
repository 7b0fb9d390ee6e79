"""Online linear losses over a box: the gradient sequences that adaptive methods are analysed on
(docs/theory.md §9)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, floats

#: largest |log q| of the drawn growth ratio q, and how far the adversary may move it
_MAX_LOG_RATIO, _LOG_RATIO_LIMIT = 0.5, 3.0


@dataclass(frozen=True, repr=False)
class OnlineLinear(Family):
    """Losses f_t(x) = ⟨g_t, x⟩ on the box K = Πᵢ[loᵢ, hiᵢ], t = 1, 2, …, with

        g_t = q^{t−1}·p_{(t−1) mod P},

    a period p₁…p_P of vectors (P ≤ ``max_period``) times a geometric factor q > 0: constant,
    periodic, growing and decaying sequences, and any sequence of length ≤ P exactly. The factor
    is normalized so its largest term is 1 (|g_t| never overflows, for any length); every claim on
    these sequences is invariant to that common scale or states it. q is 1 for a third of the draws.
    Nothing is certified: the sequence is the instance, and :meth:`gradients` gives any prefix.
    """

    max_period: int = 4
    name: str = "online-linear"
    provides: frozenset[str] = frozenset()

    def strategy(self, d):
        ratio = st.one_of(st.just(np.zeros(1)), floats(-_MAX_LOG_RATIO, _MAX_LOG_RATIO).map(lambda v: np.array([v])))
        return st.integers(1, self.max_period).flatmap(lambda period: st.fixed_dictionaries({
            "period": float_arrays((period, d)), "log_ratio": ratio, "lower": float_arrays(d),
            "log_width": float_arrays(d, -math.log(10.0), math.log(10.0))}))

    def constrain(self, raw, xp):
        return {"period": raw["period"], "log_ratio": xp.clip(raw["log_ratio"], -_LOG_RATIO_LIMIT, _LOG_RATIO_LIMIT),
                "lower": raw["lower"], "upper": raw["lower"] + xp.exp(raw["log_width"])}

    def gradients(self, p, length: int, xp):
        """g_1 … g_length, (B, length, d)."""
        period = p["period"]
        steps = np.arange(length)
        exponent = p["log_ratio"] * xp.asarray(steps.astype(float))  # (B, length)
        exponent = exponent - xp.maximum(0 * p["log_ratio"], p["log_ratio"] * (length - 1))
        return xp.exp(exponent)[:, :, None] * period[:, steps % np.shape(period)[1], :]

    def box(self, p, xp):
        """(lo, hi), each (B, d)."""
        return p["lower"], p["upper"]

    def constants(self, p, xp):
        return {}
