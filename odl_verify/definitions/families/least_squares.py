"""Least squares ‖Xx − y‖²/(2n) (docs/theory.md §1)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays, matvec, rmatvec, top_gram_eigenvalue


@dataclass(frozen=True, repr=False)
class LeastSquares(Family):
    """f(x) = ‖Xx − y‖²/(2n), β = λ_max(XᵀX)/n."""

    max_rows: int = 6
    name: str = "least-squares"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(
            lambda n: st.fixed_dictionaries({"X": float_arrays((n, d)), "y": float_arrays(n)}))

    def _residual(self, p, x, xp):
        return matvec(xp, p["X"], x) - p["y"]

    def value(self, p, x, xp):
        r = self._residual(p, x, xp)
        return xp.sum(r * r) / (2 * p["y"].shape[-1])

    def grad(self, p, x, xp):
        return rmatvec(xp, p["X"], self._residual(p, x, xp)) / p["y"].shape[-1]

    def constants(self, p, xp):
        return {"smoothness": top_gram_eigenvalue(xp, p["X"]) / p["y"].shape[-1]}
