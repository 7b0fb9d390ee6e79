"""log Σ exp(aᵢ·x) (docs/theory.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays, matvec, rmatvec, top_gram_eigenvalue


@dataclass(frozen=True, repr=False)
class LogSumExp(Family):
    """f(x) = log Σᵢ exp(aᵢ·x), β = ‖A‖₂² (an upper bound: the exact constant is smaller)."""

    max_rows: int = 5
    name: str = "log-sum-exp"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(lambda m: st.fixed_dictionaries({"A": float_arrays((m, d))}))

    def value(self, p, x, xp):
        return xp.logsumexp(matvec(xp, p["A"], x))

    def grad(self, p, x, xp):
        return rmatvec(xp, p["A"], xp.softmax(matvec(xp, p["A"], x)))

    def constants(self, p, xp):
        return {"smoothness": top_gram_eigenvalue(xp, p["A"])}
