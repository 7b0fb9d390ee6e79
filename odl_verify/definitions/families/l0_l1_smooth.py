"""Separable sums of x⁴, cosh, exp and softplus, rotated: (L₀, L₁)-smooth with certified
constants (docs/theory.md §10)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import float_arrays
from .separable import Separable

_DECADE = math.log(10.0)
#: the one-dimensional pieces φ with constants (A, B), |φ″| ≤ A + B|φ′|; the quartic's are (16/b², b) for its b
PIECES = ("quartic", "cosh", "exp", "softplus (0, 1)", "softplus (1/4, 0)")


@dataclass(frozen=True, repr=False)
class L0L1Smooth(Separable):
    """f(x) = Σᵢ wᵢφᵢ(τᵢyᵢ), y = Q(x − c), each φᵢ one of :data:`PIECES` (drawn per coordinate).

    (L₀, L₁)-smoothness (Zhang, He, Sra, Jadbabaie 2020): ‖∇²f(x)‖ ≤ L₀ + L₁‖∇f(x)‖ for every x.
    A piece with |φ″| ≤ A + B|φ′| gives wφ(τs) the constants (wAτ², B|τ|); x⁴ is (16/b², b) for
    every b > 0 (12u² ≤ 16/b² + 4b|u|³ is (b|u| − 2)²(b|u| + 1) ≥ 0), cosh (1, 1), exp (0, 1)
    (τ < 0 gives e^{−x}), softplus (0, 1) and (1/4, 0). The Hessian is Qᵀdiag(ψᵢ″)Q and
    |ψᵢ′| ≤ ‖∇f‖, so the sum is (max L₀ᵢ, max L₁ᵢ)-smooth, rotated or not. Certified: ``L0``,
    ``L1``. wᵢ, b ∈ [0.1, 10], τᵢ ∈ [−3, 3].
    """

    name: str = "l0-l1-smooth"
    provides: frozenset[str] = frozenset({"L0", "L1"})

    def pieces_strategy(self, d):
        return st.fixed_dictionaries({
            "kind": st.lists(st.integers(0, len(PIECES) - 1), min_size=d, max_size=d).map(
                lambda kinds: [k + 0.5 for k in kinds]),
            "log_weight": float_arrays(d, -_DECADE, _DECADE), "rate": float_arrays(d),
            "log_quartic": float_arrays(d, -_DECADE, _DECADE)})

    def constrain_pieces(self, raw, xp):
        kind = xp.floor(xp.clip(raw["kind"], 0, len(PIECES) - 0.5))
        return {"kind": kind, "weight": xp.exp(xp.clip(raw["log_weight"], -_DECADE, _DECADE)),
                "rate": xp.clip(raw["rate"], -3.0, 3.0),
                "quartic": xp.exp(xp.clip(raw["log_quartic"], -_DECADE, _DECADE))}

    def pieces(self, p, y, order, xp):
        kind, w, tau = p["kind"], p["weight"], p["rate"]
        u = tau * y
        # each kind is evaluated only where it is chosen (at 0 elsewhere), so an unchosen cosh never overflows
        value = xp.where(kind == 0, self._quartic(u, order),
                         xp.where(kind == 1, self._cosh(xp.where(kind == 1, u, 0 * u), order, xp),
                                  xp.where(kind == 2, self._exp(xp.where(kind == 2, u, 0 * u), order, xp),
                                           self._softplus(xp.where(kind >= 3, u, 0 * u), order, xp))))
        return w * tau ** order * value

    @staticmethod
    def _quartic(u, order):
        return (u ** 4, 4 * u ** 3, 12 * u * u)[order]

    @staticmethod
    def _cosh(u, order, xp):
        grow, decay = xp.exp(u) / 2, xp.exp(-u) / 2
        return grow - decay if order == 1 else grow + decay

    @staticmethod
    def _exp(u, order, xp):
        return xp.exp(u)

    @staticmethod
    def _softplus(u, order, xp):
        if order == 0:
            return xp.softplus(u)
        s = xp.sigmoid(u)
        return s if order == 1 else s * (1 - s)

    def constants(self, p, xp):
        kind, w, tau, b = p["kind"], p["weight"], p["rate"], p["quartic"]
        one, zero = 1 + 0 * w, 0 * w
        # (A, B) of each piece, by kind
        a = xp.where(kind == 0, 16 / (b * b), xp.where(kind == 1, one, xp.where(kind == 4, one / 4, zero)))
        b_ = xp.where(kind == 0, b, xp.where(kind == 4, zero, one))
        return {"L0": xp.max(w * a * tau * tau), "L1": xp.max(b_ * xp.abs(tau))}
