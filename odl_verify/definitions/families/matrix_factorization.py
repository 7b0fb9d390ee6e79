"""Matrix factorization ‖UUᵀ − M‖²_F with named critical points (docs/theory.md §5)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, floats, householder


@dataclass(frozen=True, repr=False)
class MatrixFactorization(Family):
    """f(U) = ‖UUᵀ − M‖²_F over U ∈ ℝ^{d×r} (x is U row by row, length d·r), M = V diag(σ) Vᵀ
    PSD of rank r: the rows of Vᵀ are e₁…e_r reflected by one to three Householder reflections
    (orthonormal in exact arithmetic), σ ∈ [0.1, 10] random, repeated (ties at σ_r) or two-valued.

    The parameters also name a critical point: U = V_S diag(√σ_S) R, S the eigen-directions
    whose ``keep`` is ≥ ½ (zero columns elsewhere), R an r×r product of reflections. ∇f(U) =
    4(UUᵀ − M)U = 0 exactly, and U is a global minimum iff S holds all r directions.
    Certified: ``sigma_r`` = σ_r(M) = min σ, ``left_out`` = r − |S|.
    """

    max_rank: int = 3
    name: str = "matrix-factorization"
    provides: frozenset[str] = frozenset({"sigma_r", "left_out"})

    def strategy(self, d):
        log_range = math.log(10.0)

        @st.composite
        def spectrum(draw, r):
            kind = draw(st.sampled_from(("random", "repeated", "two-valued")))
            if kind == "random":
                return draw(float_arrays(r, -log_range, log_range))
            a, b = draw(floats(-log_range, log_range)), draw(floats(-log_range, log_range))
            return np.full(r, a) if kind == "repeated" else np.where(np.arange(r) == r - 1, b, a)

        def parts(r):
            return st.fixed_dictionaries({
                "log_sigma": spectrum(r), "keep": float_arrays(r, 0.0, 1.0),
                # at least one reflector: its length is d, which a case replayed from JSON keeps only
                # in a nonempty array (a reflector shorter than 1e-6 is the identity)
                "reflectors": st.integers(1, min(d, 3)).flatmap(lambda k: float_arrays((k, d), -1.0, 1.0)),
                "rotation": st.integers(0, min(r, 2) if r > 1 else 0).flatmap(lambda k: float_arrays((k, r), -1.0, 1.0))})

        return st.integers(1, min(d, self.max_rank)).flatmap(parts)

    def constrain(self, raw, xp):
        log_range = math.log(10.0)
        sigma = xp.exp(xp.clip(raw["log_sigma"], -log_range, log_range))
        count, r = np.shape(sigma)
        d = np.shape(raw["reflectors"])[-1]
        basis = xp.asarray(np.broadcast_to(np.eye(d)[:r], (count, r, d)).copy())
        return {"sigma": sigma, "keep": xp.where(raw["keep"] >= 0.5, 1 + 0 * sigma, 0 * sigma),
                "vt": householder(xp, raw["reflectors"], basis, reverse=True), "rotation": raw["rotation"]}

    @staticmethod
    def _target(p, xp):
        """M = V diag(σ) Vᵀ, (B, d, d)."""
        return xp.transpose(p["vt"]) @ (p["sigma"][..., None] * p["vt"])

    @staticmethod
    def _matrix(p, x):
        count, r, d = np.shape(p["vt"])
        return x.reshape(count, d, r)

    def _residual(self, p, u, xp):
        return u @ xp.transpose(u) - self._target(p, xp)

    def value(self, p, x, xp):
        e = self._residual(p, self._matrix(p, x), xp)
        return xp.sum(xp.sum(e * e))

    def grad(self, p, x, xp):
        u = self._matrix(p, x)
        return (4 * self._residual(p, u, xp) @ u).reshape(np.shape(x))

    def critical_point(self, p, xp):
        """U = V_S diag(√σ_S) R, row by row (B, d·r)."""
        count, r, d = np.shape(p["vt"])
        u = xp.transpose(p["vt"]) * xp.sqrt(p["sigma"] * p["keep"])[:, None, :]
        return householder(xp, p["rotation"], u).reshape(count, d * r)

    def hessian(self, p, x, xp):
        """∇²f(U)[(i,a),(j,b)] = 4(δᵢⱼ(UᵀU)_ab + U_ib U_ja + (UUᵀ − M)ᵢⱼ δ_ab), (B, d·r, d·r)."""
        u = self._matrix(p, x)
        count, d, r = np.shape(u)
        eye_d, eye_r = xp.asarray(np.eye(d)), xp.asarray(np.eye(r))
        gram, e = xp.transpose(u) @ u, self._residual(p, u, xp)
        blocks = (eye_d[None, :, None, :, None] * gram[:, None, :, None, :]
                  + u[:, :, None, None, :] * xp.transpose(u)[:, None, :, :, None]
                  + e[:, :, None, :, None] * eye_r[None, None, :, None, :])
        return 4 * blocks.reshape(count, d * r, d * r)

    def hessian_min_eigenvalue(self, p, x, xp):
        return xp.min(xp.eigvalsh(self.hessian(p, x, xp)))

    def constants(self, p, xp):
        r = np.shape(p["sigma"])[-1]
        return {"sigma_r": xp.min(p["sigma"]), "left_out": r - xp.sum(p["keep"])}
