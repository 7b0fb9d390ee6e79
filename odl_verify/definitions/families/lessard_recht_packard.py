"""Lessard, Recht and Packard's piecewise quadratic, on which heavy ball at Polyak's parameters
cycles (docs/theory.md §7)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import float_arrays
from .separable import Separable

_DECADE = math.log(10.0)
#: the condition number of the instance: curvature κ outside [1, 2), 1 inside (μ = 1, L = 25)
KAPPA = 25


@dataclass(frozen=True, repr=False)
class LessardRechtPackard(Separable):
    """f(x) = c·s²·Σᵢ φ(yᵢ/s), y = Qx, with φ′(u) = κu for u < 1, u + κ − 1 on [1, 2) and
    κu − (κ − 1) from 2 on, κ = 25 (Lessard, Recht, Packard 2016): convex, minimized at 0.

    Certified: φ″ ∈ {1, κ}, so every Hessian eigenvalue lies in [c, κc] everywhere:
    lambda_min = strong_convexity = c, lambda_max = smoothness = κc (the bounds of the spectrum
    over all x, which is what heavy ball's parameters are tuned to) and f_star 0. c, s ∈ [0.1, 10].
    Unshifted: the minimizer is 0, so ‖x‖ is the distance to it.
    """

    shifted: bool = False
    name: str = "lessard-recht-packard"
    provides: frozenset[str] = frozenset({"smoothness", "strong_convexity", "lambda_min", "lambda_max", "f_star"})

    def pieces_strategy(self, d):
        return st.fixed_dictionaries({"log_curvature": float_arrays(1, -_DECADE, _DECADE),
                                      "log_length": float_arrays(1, -_DECADE, _DECADE)})

    def constrain_pieces(self, raw, xp):
        return {"curvature": xp.exp(xp.clip(raw["log_curvature"], -_DECADE, _DECADE)),
                "length": xp.exp(xp.clip(raw["log_length"], -_DECADE, _DECADE))}

    def pieces(self, p, y, order, xp):
        c, s = p["curvature"], p["length"]
        u = y / s
        low, middle = u < 1, u < 2
        if order == 2:
            return c * xp.where(low, KAPPA + 0 * u, xp.where(middle, 1 + 0 * u, KAPPA + 0 * u))
        if order == 1:
            slope = xp.where(low, KAPPA * u, xp.where(middle, u + KAPPA - 1, KAPPA * u - (KAPPA - 1)))
            return c * s * slope
        at_2 = (3 * KAPPA + 1) / 2
        value = xp.where(low, KAPPA * u * u / 2,
                         xp.where(middle, KAPPA / 2 + (u * u - 1) / 2 + (KAPPA - 1) * (u - 1),
                                  at_2 + KAPPA * (u * u - 4) / 2 - (KAPPA - 1) * (u - 2)))
        return c * s * s * value

    def constants(self, p, xp):
        c = p["curvature"][:, 0]
        return {"smoothness": KAPPA * c, "lambda_max": KAPPA * c, "lambda_min": c, "strong_convexity": c,
                "f_star": 0 * c}
