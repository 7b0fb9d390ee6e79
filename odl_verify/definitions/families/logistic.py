"""Logistic regression losses (docs/theory.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays, matvec, rmatvec, top_gram_eigenvalue


@dataclass(frozen=True, repr=False)
class Logistic(Family):
    """f(x) = (1/n) Σᵢ log(1 + exp(−yᵢ zᵢ·x)), labels folded into the rows aᵢ = −yᵢzᵢ;
    β = λ_max(AᵀA)/(4n)."""

    max_rows: int = 6
    name: str = "logistic"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(lambda n: st.fixed_dictionaries({"A": float_arrays((n, d))}))

    def value(self, p, x, xp):
        return xp.sum(xp.softplus(matvec(xp, p["A"], x))) / p["A"].shape[-2]

    def grad(self, p, x, xp):
        return rmatvec(xp, p["A"], xp.sigmoid(matvec(xp, p["A"], x))) / p["A"].shape[-2]

    def constants(self, p, xp):
        return {"smoothness": top_gram_eigenvalue(xp, p["A"]) / (4 * p["A"].shape[-2])}
