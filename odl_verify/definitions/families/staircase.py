"""The staircase worst case of gradient descent at η = 1/β (docs/theory.md §2)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class Staircase(Family):
    """f(x) = Σᵢ φ_{mᵢ}(xᵢ): the worst case of gradient descent at η = 1/β (docs/theory.md §2).

    φ_m′(x) = −1 + dist(x, ℤ) on [0, m], rises with slope 1 to 0 on [m, m + 1], is 0
    after and −1 for x < 0 (φ_m(0) = 0), m a nonnegative integer. From the origin with
    η = 1, GD visits x_k = k·𝟙 with ‖∇f‖² = d while k ≤ min mᵢ, and f(x₀) − f(x_N) = 3Nd/4:
    the exact constant 4/3 of Abbaszadehpeivasti, de Klerk and Zamani (2022) is attained.
    Certified: smoothness 1 (each φ′ is 1-Lipschitz), f* = −Σ(3mᵢ + 2)/4 (φ is
    nonincreasing and constant from m + 1 on).
    """

    max_length: int = 24
    name: str = "staircase"
    provides: frozenset[str] = frozenset({"smoothness", "f_star"})
    #: the zero "direction" puts the start at the origin: the search scales directions by ‖x₀‖
    directions: tuple[str, ...] = ("origin",)
    #: N steps from the origin at h = 1 stay on a staircase of length N and end where the ramp begins
    design_roles: frozenset[str] = frozenset({"steps"})

    def strategy(self, d, design=None):
        equal = st.integers(0, self.max_length).map(lambda m: np.full(d, float(m)))
        return st.fixed_dictionaries({"length": st.one_of(equal, float_arrays(d, 0.0, self.max_length))})

    def designed(self, design, d):
        """Length N in every coordinate: GD from the origin at h = 1 visits k·𝟙 for k ≤ N, and
        f(x_N) − f* = ‖g_N‖²/2 (the final ramp), so the bound against f* is attained too."""
        return {"length": np.full(d, float(min(design["steps"], self.max_length)))}

    def constrain(self, raw, xp):
        return {"length": xp.floor(xp.abs(raw["length"]))}

    @staticmethod
    def _pieces(p, x, xp):
        """x clipped to the staircase [0, m], and how far x has climbed the final ramp [m, m + 1]."""
        m = p["length"]
        on_stairs = xp.minimum(xp.maximum(x, 0 * x), m + 0 * x)
        on_ramp = xp.minimum(xp.maximum(x - m, 0 * x), 0 * x + 1)
        return on_stairs, on_ramp

    def value(self, p, x, xp):
        y, z = self._pieces(p, x, xp)
        whole = xp.floor(y)
        s = y - whole
        # ∫₀ʸ dist(u, ℤ) du: 1/4 per whole step, then the rising or falling half of the last tooth
        teeth = whole / 4 + xp.where(s <= 0.5, s * s / 2, 0.25 - (1 - s) * (1 - s) / 2)
        below = xp.minimum(x, 0 * x)
        return xp.sum(-below - y + teeth - z + z * z / 2)

    def grad(self, p, x, xp):
        y, z = self._pieces(p, x, xp)
        return -1 + xp.abs(y - xp.floor(y + 0.5)) + z

    def constants(self, p, xp):
        m = p["length"]
        return {"smoothness": 0 * xp.sum(m) + 1, "f_star": -xp.sum(3 * m + 2) / 4}

    def direction(self, name, p, xp):
        if name != "origin":
            raise KeyError(name)
        return 0 * p["length"]
