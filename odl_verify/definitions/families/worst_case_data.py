"""Data of gradient descent's worst cases on L-smooth functions, and what interpolates them.

*Data* are what a performance-estimation problem's primal solution holds: the points x_k gradient
descent visits, the gradients g_k and values f_k there. The two closed forms below are the PEP
solutions for min_{0≤k≤N}‖g_k‖² against f(x₀) − f(x_N) (PEPit, L = 1; their ratio to the
Abbaszadehpeivasti–de Klerk–Zamani bound is 1 to 1e-9 at h ∈ {0.5, 1, 1.5}, N ∈ {1, 2, 5, 10, 20};
``tests/test_worst_cases.py`` compares them with the cached solutions):

* :func:`tooth_staircase`, rank 1, the worst case for h = Lη ≤ 1: ‖g_k‖ = 1 and f drops by
  h(1 − h/4) per step, which a 1-D f′ of slope ±L between the points (a "tooth") realises;
* :func:`zigzag`, rank 2, the worst case for 1 ≤ h < √3: ‖g_k‖ = 1, consecutive gradients at
  cos ∠ = 1 − h²/2 (so ‖g_{k+1} − g_k‖ = L‖x_{k+1} − x_k‖), f drops by h − h³/4 per step. No
  1-D function reaches it (the best one reaches (4 − h²)/(4 − h) of the bound).

:func:`smooth_interpolation_constant` is the smallest L for which data are interpolated by an
L-smooth function (the pairwise condition of Taylor's thesis, Thm 3.10, solved for L), in closed
form and in any array namespace, so a family whose parameters are data certifies its constant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from .base import Family, floats


def tooth_staircase(h: float, steps: int) -> dict[str, np.ndarray]:
    """1-D data: x_k = k·h, g_k = −1, f_k = −k·h(1 − h/4), k = 0…N (L = 1)."""
    k = np.arange(steps + 1, dtype=np.float64)
    return {"x": (k * h)[:, None], "g": -np.ones((steps + 1, 1)), "f": -k * h * (1 - h / 4)}


def zigzag(h: float, steps: int) -> dict[str, np.ndarray]:
    """2-D data: g_k alternates between (−c, s) and (−c, −s) with s = h/2, c = √(1 − h²/4)
    (unit vectors at cos ∠ = 1 − h²/2), x_{k+1} = x_k − h·g_k from 0, f_k = −k(h − h³/4) (L = 1)."""
    if not 0 < h < 2:
        raise ValueError(f"the zigzag needs 0 < h < 2, not {h}")
    s, c = h / 2, math.sqrt(1 - h * h / 4)
    g = np.array([[-c, s if k % 2 == 0 else -s] for k in range(steps + 1)])
    x = np.vstack([np.zeros((1, 2)), -h * np.cumsum(g[:-1], axis=0)])
    return {"x": x, "g": g, "f": -np.arange(steps + 1) * (h - h ** 3 / 4)}


def smooth_interpolation_constant(x, g, f, xp):
    """The smallest L ≥ 0 for which the data (x (B, n, r), g (B, n, r), f (B, n)) are interpolated
    by an L-smooth function: over ordered pairs, a·L − c/L ≥ e with a = ‖Δx‖²/4, c = ‖Δg‖²/4,
    e = ½⟨g_i + g_j, x_i − x_j⟩ − (f_i − f_j), i.e. L ≥ (e + √(e² + 4ac))/(2a). Pairs at the same
    point need g_i = g_j and f_i = f_j (or no finite L): they are skipped here, so callers keep
    distinct points."""
    dx = x[:, :, None, :] - x[:, None, :, :]
    dg = g[:, :, None, :] - g[:, None, :, :]
    a = xp.sum(dx * dx) / 4
    c = xp.sum(dg * dg) / 4
    e = xp.sum((g[:, :, None, :] + g[:, None, :, :]) * dx) / 2 - (f[:, :, None] - f[:, None, :])
    apart = a > 0
    one = 1 + 0 * a
    root = xp.sqrt(xp.maximum(e * e + 4 * a * c, 0 * a))
    need = xp.where(apart, (e + root) / (2 * xp.where(apart, a, one)), 0 * a)
    return xp.max(xp.max(need))


@dataclass(frozen=True, repr=False)
class DesignedWorstCase(Family):
    """What the families built through worst-case data share: ``designer(h, N)`` gives the data
    for the step h = Lη and N steps (h kept in (0, 2), where the closed forms are defined); on
    their own they draw h and N, and a claim with a PEP link asks for its drawn h and N."""

    designer: Callable[[float, int], dict] = tooth_staircase
    max_steps: int = 12
    provides: frozenset[str] = frozenset({"smoothness", "f_star"})
    directions: tuple[str, ...] = ("origin",)
    design_roles: frozenset[str] = frozenset({"steps", "step"})

    def strategy(self, d, design=None):
        if design is not None:
            return st.just(self.designed(design, d))
        return st.tuples(floats(0.05, 1.95), st.integers(1, self.max_steps)).map(
            lambda hn: self.designed({"step": hn[0], "steps": hn[1]}, d))

    def data(self, design) -> dict[str, np.ndarray]:
        return self.designer(min(max(design.get("step", 1.0), 1e-3), 1.99), int(design["steps"]))
