"""Strict and non-strict saddles with an exact stable manifold (docs/theory.md §5)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, householder


@dataclass(frozen=True, repr=False)
class SaddleFamily(Family):
    """f(x) = φ(y₁) + Σ_{i≥2} λᵢyᵢ²/2 with y = Qx, Q a product of Householder reflections,
    λᵢ ∈ [0.1, 10]. ``rotated=False`` keeps Q = I, so the stable manifold y₁ = 0 is exact in
    every precision.

    ``strict=True``: φ(s) = −γs²/2 + s⁴/4, γ ∈ [0.1, 10]: a strict saddle at 0 with
    λ_min = −γ, minima at y₁ = ±√γ, f* = −γ²/4. ``strict=False``: φ(s) = s³/3, a saddle
    that is not strict (γ = 0): GD from y₁ ∈ (0, ½] converges to it.

    Constants hold on the region |y₁| ≤ 2√γ (|y₁| ≤ 1 for the cubic), which GD with
    η ≤ 1/L never leaves once in it (on y₁ ≥ 0 its map is increasing there with fixed
    points 0 and √γ): smoothness L = max(11γ, λ_max) (cubic: max(2, λ_max)),
    Hessian Lipschitz constant ρ = 12√γ (cubic: 2), escape radius ½√γ (cubic: ½).
    ``lambdas[0]`` is 0: the first coordinate carries φ.
    """

    strict: bool = True
    rotated: bool = True
    name: str = ""
    min_dim: int = 2

    def __post_init__(self):
        kind = "quartic-saddle" if self.strict else "cubic-saddle"
        object.__setattr__(self, "name", kind + ("" if self.rotated else "-axis"))
        provides = {"smoothness", "gamma", "lambda_min", "hessian_lipschitz", "escape_radius"}
        object.__setattr__(self, "provides", frozenset(provides | ({"f_star"} if self.strict else set())))

    def strategy(self, d):
        log_range = math.log(10.0)
        reflector_count = st.integers(0, min(d, 3)) if self.rotated else st.just(0)
        return st.fixed_dictionaries({"log_gamma": float_arrays(1, -log_range, log_range),
                                      "log_lambdas": float_arrays(d, -log_range, log_range)}).flatmap(
            lambda raw: reflector_count.flatmap(
                lambda k: float_arrays((k, d), -1.0, 1.0).map(lambda v: {**raw, "reflectors": v})))

    def _first(self, x, xp):
        """e₁ as a (d,) array of the namespace."""
        e1 = np.zeros(np.shape(x)[-1])
        e1[0] = 1.0
        return xp.asarray(e1)

    def constrain(self, raw, xp):
        log_range = math.log(10.0)
        lambdas = xp.exp(xp.clip(raw["log_lambdas"], -log_range, log_range))
        gamma = xp.exp(xp.clip(raw["log_gamma"], -log_range, log_range))
        return {"gamma": gamma if self.strict else 0 * gamma,
                "lambdas": lambdas * (1 - self._first(lambdas, xp)), "reflectors": raw["reflectors"]}

    def _phi(self, p, s, order: int):
        """φ and its first two derivatives at s."""
        if self.strict:
            gamma = p["gamma"][:, 0]
            return (-gamma * s * s / 2 + s ** 4 / 4, -gamma * s + s ** 3, -gamma + 3 * s * s)[order]
        return (s ** 3 / 3, s * s, 2 * s)[order]

    def escape_coordinate(self, p, x, xp):
        """y₁ = (Qx)₁, the coordinate along the escape direction of the saddle."""
        return householder(xp, p["reflectors"], x)[:, 0]

    def place(self, p, x, delta, xp):
        """x with its escape coordinate set to ``delta`` (B,) and the others kept."""
        e1 = self._first(x, xp)
        y = householder(xp, p["reflectors"], x)
        return householder(xp, p["reflectors"], y * (1 - e1) + delta[:, None] * e1, reverse=True)

    def value(self, p, x, xp):
        y = householder(xp, p["reflectors"], x)
        return self._phi(p, y[:, 0], 0) + 0.5 * xp.sum(p["lambdas"] * y * y)

    def grad(self, p, x, xp):
        y = householder(xp, p["reflectors"], x)
        gy = p["lambdas"] * y + self._phi(p, y[:, 0], 1)[:, None] * self._first(x, xp)
        return householder(xp, p["reflectors"], gy, reverse=True)

    def hessian_min_eigenvalue(self, p, x, xp):
        """λ_min(∇²f(x)) = min(φ''(y₁), λ₂, …): the Hessian is diagonal in y."""
        rest = xp.min(p["lambdas"] + self._first(x, xp) * (xp.max(p["lambdas"]) + 1)[:, None])
        return xp.minimum(self._phi(p, self.escape_coordinate(p, x, xp), 2), rest)

    def constants(self, p, xp):
        gamma, top = p["gamma"][:, 0], xp.max(p["lambdas"])
        root = xp.sqrt(gamma)
        out = {"gamma": gamma, "lambda_min": -gamma}
        if self.strict:
            out.update(smoothness=xp.maximum(11 * gamma, top), hessian_lipschitz=12 * root,
                       escape_radius=root / 2, f_star=-gamma * gamma / 4)
        else:
            out.update(smoothness=xp.maximum(2 + 0 * gamma, top), hessian_lipschitz=2 + 0 * gamma,
                       escape_radius=0.5 + 0 * gamma)
        return out
