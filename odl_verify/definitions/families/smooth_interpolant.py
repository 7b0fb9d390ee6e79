"""An L-smooth function through worst-case data in any dimension (Taylor–Hendrickx–Glineur 2017).

Parameters are the *data* of a worst case (gradients g_k, values f_k, and the design step η_d:
the points are x₀ = 0, x_{k+1} = x_k − η_d g_k, where gradient descent at η_d goes). The function:

    f(y) = H(y) − (L/2)‖y‖²,   H = (max_i q_i)*,   q_i(w) = e_i + ⟨b_i, w⟩ + ‖w‖²/(2L̃),

with L̃ = 2L, g̃_i = g_i + L x_i, h_i = f_i + (L/2)‖x_i‖², b_i = x_i − g̃_i/L̃, e_i = −h_i + ‖g̃_i‖²/(2L̃):
H is the conjugate of a max of (1/L̃)-strongly convex quadratics, hence convex and L̃-smooth for
ANY parameters, so f is L-smooth by construction (f L-smooth ⇔ f + (L/2)‖·‖² convex and
2L-smooth). It passes through the data exactly when they are L-smooth interpolable, and L is
certified as max(1, the data's interpolation constant) in closed form, so after any jitter the
constant stays true and gradient descent at η_d still lands on the points. Its infimum is, in
closed form, f* = min_i (f_i − ‖g_i‖²/(2L)) (a concave minimisation over the simplex, attained at
a vertex): certified too.

Evaluation: H(y) = (L̃/2)‖y‖² − max_{α∈Δ} [Σα_i(e_i + L̃⟨b_i, y⟩) − (L̃/2)‖Σα_i b_i‖²]; an optimal
α has at most r + 1 nonzeros (r the data's dimension; Carathéodory on the linear program at fixed
Σα_i b_i), so the max is over supports of size ≤ r + 1 of the closed-form stationary point on each
face, kept when it lies inside the simplex: array operations only, batched in torch (and
differentiable), object arrays in mpmath. Rank r ≤ 2 here (supports up to triples).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .base import concatenate
from .worst_case_data import DesignedWorstCase, smooth_interpolation_constant, zigzag


def _best_support(c, b, kappa, xp):
    """(value, Σα*b) of max_{α∈Δ} Σα_i c_i − (κ/2)‖Σα_i b_i‖² over supports of size ≤ r + 1:
    c (B, n), b (B, n, r), κ (B, 1). Every candidate α lies in the simplex, so each is a lower
    bound and the max over them is the max over Δ."""
    n, r = b.shape[1], b.shape[2]
    values, slopes = [c - kappa * xp.sum(b * b) / 2], [b]
    one = 1 + 0 * c[:, :1]
    pairs = np.array(list(itertools.combinations(range(n), 2)), dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        bi, bj, ci, cj = b[:, pairs[:, 0]], b[:, pairs[:, 1]], c[:, pairs[:, 0]], c[:, pairs[:, 1]]
        d = bi - bj
        dd = xp.sum(d * d)
        t = ((ci - cj) / kappa - xp.sum(bj * d)) / xp.where(dd > 0, dd, one)
        inside = (dd > 0) & (t > 0) & (t < 1)
        t = xp.where(inside, t, 0 * t)
        mean = bj + t[..., None] * d
        value = t * ci + (1 - t) * cj - kappa * xp.sum(mean * mean) / 2
        values.append(xp.where(inside, value, values[0][:, pairs[:, 1]]))
        slopes.append(xp.where(inside[..., None], mean, bj))
    if n >= 3 and r >= 2:
        triples = np.array(list(itertools.combinations(range(n), 3)), dtype=np.int64)
        i, j, k = triples[:, 0], triples[:, 1], triples[:, 2]
        u, v, bk = b[:, i] - b[:, k], b[:, j] - b[:, k], b[:, k]
        ck = c[:, k]
        uu, uv, vv = xp.sum(u * u), xp.sum(u * v), xp.sum(v * v)
        r1 = (c[:, i] - ck) / kappa - xp.sum(u * bk)
        r2 = (c[:, j] - ck) / kappa - xp.sum(v * bk)
        det = uu * vv - uv * uv
        safe = xp.where(det > 0, det, one)
        p, q = (vv * r1 - uv * r2) / safe, (uu * r2 - uv * r1) / safe
        inside = (det > 0) & (p > 0) & (q > 0) & (p + q < 1)
        p, q = xp.where(inside, p, 0 * p), xp.where(inside, q, 0 * q)
        mean = bk + p[..., None] * u + q[..., None] * v
        value = ck + p * (c[:, i] - ck) + q * (c[:, j] - ck) - kappa * xp.sum(mean * mean) / 2
        values.append(xp.where(inside, value, values[0][:, k]))
        slopes.append(xp.where(inside[..., None], mean, bk))
    values, slopes = concatenate(xp, values, 1), concatenate(xp, slopes, 1)
    pick = xp.one_hot(xp.argmax(values), values.shape[-1], values)
    return xp.max(values), xp.sum(pick[..., None] * slopes, axis=1)


@dataclass(frozen=True, repr=False)
class SmoothInterpolant(DesignedWorstCase):
    """The Moreau-envelope interpolant (module docstring) of the data of ``designer`` (by default
    the zigzag, gradient descent's rank-2 worst case for 1 ≤ h < √3), of rank ``rank`` ≤ 2."""

    designer: Callable[[float, int], dict] = zigzag
    rank: int = 2
    name: str = "smooth-interpolant"

    def __post_init__(self):
        object.__setattr__(self, "min_dim", self.rank)

    def designed(self, design, d):
        data = self.data(design)
        return {"g": data["g"], "f": data["f"], "step": np.array([design.get("step", 1.0)])}

    def constrain(self, raw, xp):
        g, f, step = raw["g"], raw["f"], raw["step"]
        n = g.shape[1]
        before = xp.asarray(np.tril(np.ones((n, n)), -1))
        x = -step[:, :, None] * (before @ g)  # x_k = −η_d Σ_{m<k} g_m, step (B, 1)
        smoothness = xp.maximum(smooth_interpolation_constant(x, g, f, xp), 1 + 0 * f[:, 0])
        return {"x": x, "g": g, "f": f, "L": smoothness}

    def _transformed(self, p, xp):
        """(e, b, L̃) of the module docstring."""
        L = p["L"][:, None]
        lifted = p["g"] + L[..., None] * p["x"]
        shifted = p["f"] + L * xp.sum(p["x"] * p["x"]) / 2
        b = p["x"] - lifted / (2 * L[..., None])
        return -shifted + xp.sum(lifted * lifted) / (4 * L), b, 2 * L

    def _value_and_grad(self, p, x, xp):
        r = p["g"].shape[-1]
        y = x[:, :r]
        e, b, curvature = self._transformed(p, xp)
        z = curvature * y
        envelope, mean = _best_support(e + xp.sum(b * z[:, None, :]), b, curvature, xp)
        L = p["L"][:, None]
        value = L[:, 0] * xp.sum(y * y) / 2 - envelope
        grad = L * y - curvature * mean
        return value, grad

    def value(self, p, x, xp):
        return self._value_and_grad(p, x, xp)[0]

    def grad(self, p, x, xp):
        grad = self._value_and_grad(p, x, xp)[1]
        r, d = grad.shape[-1], x.shape[-1]
        return grad if r == d else grad @ xp.asarray(np.eye(r, d))

    def constants(self, p, xp):
        L = p["L"]
        return {"smoothness": L, "f_star": xp.min(p["f"] - xp.sum(p["g"] * p["g"]) / (2 * L[:, None]))}

    def direction(self, name, p, xp):
        """The origin, where the data start (a (B, 1) zero that broadcasts to any dimension)."""
        if name != "origin":
            raise KeyError(name)
        return 0 * p["L"][:, None]
