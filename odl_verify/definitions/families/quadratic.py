"""Quadratics ½xᵀQᵀdiag(λ)Qx with exact spectra (docs/theory.md §1, §3)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, floats, householder, rotated_diagonal


@dataclass(frozen=True, repr=False)
class Quadratic(Family):
    """f(x) = ½ xᵀQᵀdiag(λ)Qx, Q a product of Householder reflections.

    ``definite=False`` draws λ ∈ [−10, 10] (nonconvex allowed); ``definite=True``
    draws log λ so that the condition number is at most ``max_condition``. Spectra
    are random, repeated, clustered, or two-valued extremes; ``isotropic=True`` (definite)
    keeps only the first eigenvalue, repeated: f = (μ/2)‖x‖².
    """

    definite: bool = False
    isotropic: bool = False
    max_condition: float = 1e6
    name: str = "quadratic"
    directions: tuple[str, ...] = ("top-eigenvector", "bottom-eigenvector")

    def __post_init__(self):
        if self.isotropic:
            object.__setattr__(self, "definite", True)
        object.__setattr__(self, "name", "quadratic-isotropic" if self.isotropic else
                           "quadratic-pd" if self.definite else "quadratic")
        provides = {"smoothness", "lambda_min", "lambda_max"}
        if self.definite:
            provides |= {"f_star", "minimizer", "strong_convexity"}
        object.__setattr__(self, "provides", frozenset(provides))

    @property
    def _half_log_range(self) -> float:
        return math.log(self.max_condition) / 2

    def strategy(self, d):
        h = self._half_log_range
        low, high = (-h, h) if self.definite else (-10.0, 10.0)

        @st.composite
        def spectrum(draw):
            kind = draw(st.sampled_from(("random", "repeated", "clustered", "extremes")))
            if kind == "random":
                return draw(float_arrays(d, low, high))
            a, b = draw(floats(low, high)), draw(floats(low, high))
            if kind == "repeated":
                return np.full(d, a)
            if kind == "extremes":
                return np.where(np.arange(d) % 2 == 0, low if self.definite else -high, high)
            spread = draw(floats(0.0, 1e-3))
            return np.where(np.arange(d) < d // 2, a, b) + spread * np.linspace(-1, 1, d)

        reflector_count = st.integers(0, min(d, 3)) if d > 1 else st.just(0)
        return st.fixed_dictionaries({"spectrum": spectrum()}).flatmap(
            lambda raw: reflector_count.flatmap(
                lambda k: float_arrays((k, d), -1.0, 1.0).map(lambda v: {**raw, "reflectors": v})))

    def constrain(self, raw, xp):
        s = raw["spectrum"]
        if self.isotropic:  # one eigenvalue, repeated exactly whatever the other entries became
            s = s[:, :1] + 0 * s
        if self.definite:
            h = self._half_log_range
            s = xp.exp(xp.clip(s, -h, h))
        return {"eigenvalues": s, "reflectors": raw["reflectors"]}

    def _rotate(self, p, x, xp, reverse=False):
        return householder(xp, p["reflectors"], x, reverse)

    def value(self, p, x, xp):
        y = self._rotate(p, x, xp)
        return 0.5 * xp.sum(p["eigenvalues"] * y * y)

    def grad(self, p, x, xp):
        return self._rotate(p, p["eigenvalues"] * self._rotate(p, x, xp), xp, reverse=True)

    def constants(self, p, xp):
        lam = p["eigenvalues"]
        out = {"smoothness": xp.max(xp.abs(lam)), "lambda_min": xp.min(lam), "lambda_max": xp.max(lam)}
        if self.definite:
            out.update(f_star=0 * out["lambda_min"], strong_convexity=out["lambda_min"])
        return out

    def minimizer(self, p, xp):
        if not self.definite:
            raise NotImplementedError(f"{self.name} certifies no minimizer")
        return 0 * p["eigenvalues"]

    def hessian(self, p, x, xp):
        return rotated_diagonal(xp, p["reflectors"], p["eigenvalues"]) + 0 * x[:, :, None]

    def direction(self, name, p, xp):
        lam = p["eigenvalues"]
        index = xp.argmax(xp.abs(lam) if name == "top-eigenvector" else -lam)
        return self._rotate(p, xp.one_hot(index, lam.shape[-1], lam), xp, reverse=True)


#: Positive definite quadratics with condition numbers up to 10⁶.
DEFINITE_QUADRATICS: tuple[Family, ...] = (Quadratic(definite=True),)
