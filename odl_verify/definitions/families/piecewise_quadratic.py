"""One-dimensional functions with a piecewise-linear derivative, built through worst-case data.

f′ is piecewise linear with knots t₀ < … < t_K and slopes s₁ … s_K, zero left of t₀, and the last
slope is whatever brings f′ back to zero at t_K, so f′ = 0 right of t_K too. Then f is smooth
with certified constant max|s_i| and bounded below with f* = its minimum over the knots and the
points where f′ crosses zero upward (closed form), both computed from the parameters in the
namespace the check runs in. :meth:`PiecewiseQuadratic.designed` threads it through 1-D data
(x_k, g_k, f_k) of a worst case: between consecutive points f′ is the convex combination of the
lowest and the highest L-Lipschitz derivative with the right end values whose integral is
f_{k+1} − f_k (both are "V" shapes), so |s| ≤ L; outside the data f′ returns to 0 with slope ±L.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import concatenate
from .worst_case_data import DesignedWorstCase


def _travel(t, y, xp):
    """(u, past, width) per piece for points y (B, M): the distance travelled in each piece and beyond it."""
    low, high = t[:, None, :-1], t[:, None, 1:]
    width = high - low
    u = xp.minimum(xp.maximum(y[..., None] - low, 0 * low), width)
    return u, xp.maximum(y[..., None] - high, 0 * high), width


def through_data(x, g, f, L: float = 1.0) -> dict[str, np.ndarray]:
    """Knots, slopes and f(t₀) (float64, one instance) of a function with |f″| ≤ L through 1-D data
    (distinct points, pairwise L-interpolable, in any order)."""
    x, g, f = (np.asarray(v, dtype=np.float64).ravel() for v in (x, g, f))
    order = np.argsort(x, kind="stable")
    x, g, f = x[order], g[order], f[order]
    knots, slopes = [x[0] - abs(g[0]) / L], [math.copysign(L, g[0]) if g[0] else 0.0]
    for i in range(len(x) - 1):
        a, b, dx = g[i], g[i + 1], x[i + 1] - x[i]
        lowest = (a + b) * dx / 2 - L * dx * dx / 4 + (b - a) ** 2 / (4 * L)
        highest = (a + b) * dx / 2 + L * dx * dx / 4 - (b - a) ** 2 / (4 * L)
        theta = 0.5 if highest <= lowest else min(1.0, max(0.0, (f[i + 1] - f[i] - lowest) / (highest - lowest)))
        dip = min(dx, max(0.0, (a - b + L * dx) / (2 * L)))    # the lowest f′ falls until here, then rises
        peak = min(dx, max(0.0, (b - a + L * dx) / (2 * L)))   # the highest f′ rises until here, then falls
        cuts = sorted({0.0, dip, peak, dx})
        for c0, c1 in zip(cuts[:-1], cuts[1:]):
            middle = (c0 + c1) / 2
            knots.append(x[i] + c0)
            slopes.append((1 - theta) * (-L if middle < dip else L) + theta * (L if middle < peak else -L))
    knots += [x[-1], x[-1] + abs(g[-1]) / L]
    slopes.append(-math.copysign(L, g[-1]) if g[-1] else 0.0)
    t, s = np.array(knots), np.array(slopes)
    # f(t₀) so that f(x₀) = f₀: the left tail's integral from t₀ to x₀
    width = t[1] - t[0]
    return {"knots": t, "slopes": s, "value": np.array([f[0] - s[0] * width * width / 2])}


@dataclass(frozen=True, repr=False)
class PiecewiseQuadratic(DesignedWorstCase):
    """f: ℝᵈ → ℝ acting on x₁ (module docstring), through the 1-D data of ``designer`` (by
    default the tooth staircase, gradient descent's worst case for h ≤ 1)."""

    name: str = "piecewise-quadratic"

    def designed(self, design, d):
        data = self.data(design)
        built = through_data(np.asarray(data["x"])[:, 0], np.asarray(data["g"])[:, 0], data["f"])
        t = built["knots"]
        return {"start": t[:1], "widths": np.diff(t), "slopes": built["slopes"][:-1], "value": built["value"]}

    def constrain(self, raw, xp):
        widths = xp.abs(raw["widths"])  # sorted knots; the last piece of positive width (its slope divides by it)
        widths = concatenate(xp, [widths[:, :-1], xp.maximum(widths[:, -1:], 1e-12 + 0 * widths[:, -1:])])
        count = widths.shape[-1]
        knots = concatenate(xp, [raw["start"], raw["start"] + widths @ xp.asarray(np.triu(np.ones((count, count))))])
        # the last slope brings f′ back to 0 at t_K, so f is constant right of the knots
        last = -xp.sum(raw["slopes"] * widths[:, :-1]) / widths[:, -1]
        return {"knots": knots, "slopes": concatenate(xp, [raw["slopes"], last[:, None]]), "value": raw["value"]}

    def _integral(self, p, y, xp):
        """f at points y (B, M) and f′ there."""
        u, past, width = _travel(p["knots"], y, xp)
        s = p["slopes"][:, None, :]
        return p["value"] + xp.sum(s * (u * u / 2 + width * past)), xp.sum(s * u)

    def value(self, p, x, xp):
        return self._integral(p, x[:, :1], xp)[0][:, 0]

    def grad(self, p, x, xp):
        slope = self._integral(p, x[:, :1], xp)[1]
        return slope * xp.asarray(np.eye(1, x.shape[-1]))

    def constants(self, p, xp):
        t, s = p["knots"], p["slopes"]
        at_knots, derivative = self._integral(p, t, xp)
        start, width = derivative[:, :-1], t[:, 1:] - t[:, :-1]
        # an interior minimum where f′ crosses 0 upward inside a piece: f drops by f′²/(2s) more
        upward = (s > 0) & (start < 0) & (start + s * width > 0)
        safe = xp.where(upward, s, 1 + 0 * s)
        inside = xp.where(upward, at_knots[:, :-1] - start * start / (2 * safe), at_knots[:, :-1])
        return {"smoothness": xp.max(xp.abs(s)), "f_star": xp.minimum(xp.min(at_knots), xp.min(inside))}

    def direction(self, name, p, xp):
        """The origin, where the designed data start (a (B, 1) zero that broadcasts)."""
        if name != "origin":
            raise KeyError(name)
        return 0 * p["value"]

