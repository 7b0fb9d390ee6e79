"""Functions whose curvature has a kink: the tight instance of Newton's local rate (docs/theory.md §8)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import float_arrays
from .separable import Separable

_DECADE = math.log(10.0)


@dataclass(frozen=True, repr=False)
class CurvatureKink(Separable):
    """f(x) = Σᵢ φᵢ(yᵢ), y = Q(x − x*), with φᵢ″(s) = μᵢ + Mᵢ|s − aᵢ| and φᵢ(0) = φᵢ′(0) = 0:
    φ(s) = μs²/2 + M((|s − a|³ − |a|³)/6 + a|a|s/2), strongly convex, minimized at x*.

    Certified: hessian_lipschitz max Mᵢ (each φᵢ″ is Mᵢ-Lipschitz and the Hessian is
    Qᵀdiag(φᵢ″)Q), strong_convexity min μᵢ, f_star 0, minimizer x*. On a segment from 0 that
    does not cross aᵢ the curvature is affine with slope ±Mᵢ, so Newton's local bound is
    attained there (docs/theory.md §8). μᵢ, Mᵢ ∈ [0.1, 10], aᵢ ∈ [−3, 3].
    """

    name: str = "curvature-kink"
    provides: frozenset[str] = frozenset({"hessian_lipschitz", "strong_convexity", "f_star", "minimizer"})

    def pieces_strategy(self, d):
        return st.fixed_dictionaries({"log_mu": float_arrays(d, -_DECADE, _DECADE),
                                      "log_lipschitz": float_arrays(d, -_DECADE, _DECADE), "kink": float_arrays(d)})

    def constrain_pieces(self, raw, xp):
        return {"mu": xp.exp(xp.clip(raw["log_mu"], -_DECADE, _DECADE)),
                "lipschitz": xp.exp(xp.clip(raw["log_lipschitz"], -_DECADE, _DECADE)), "kink": raw["kink"]}

    def pieces(self, p, y, order, xp):
        mu, m, a = p["mu"], p["lipschitz"], p["kink"]
        offset = xp.abs(y - a)
        if order == 2:
            return mu + m * offset
        if order == 1:
            return mu * y + m * ((y - a) * offset + a * xp.abs(a)) / 2
        return mu * y * y / 2 + m * ((offset ** 3 - xp.abs(a) ** 3) / 6 + a * xp.abs(a) * y / 2)

    def constants(self, p, xp):
        return {"hessian_lipschitz": xp.max(p["lipschitz"]), "strong_convexity": xp.min(p["mu"]),
                "f_star": 0 * xp.min(p["mu"])}
