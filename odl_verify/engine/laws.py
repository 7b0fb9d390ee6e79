"""Fully specified continuous laws and their normal scores, the input of :mod:`.exact_tests`.

A gate's null hypothesis is "the entries are i.i.d. with law F", F known in full. The normal
scores z = Φ⁻¹(F(w)) are then i.i.d. N(0, 1) *exactly*, whatever F is, so one set of exact
tests serves every law. F is evaluated from the side of its small tail (F or 1 − F, whichever
is smaller, each computed without cancellation), so the scores keep full relative accuracy in
both tails, where clamping and truncation show. A value outside the support gets the score
±SCORE_LIMIT (finite, so sums stay numbers; the support test names it).

Arrays are numpy float64 on the CPU: scipy.special has the accurate tails (torch.special.ndtr
returns 0 at −30 and 6.11e-16 for 6.22e-16 at −8).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

#: the smallest positive tail probability a score is computed from: |z| ≤ 37.5
_TINY = np.finfo(np.float64).tiny
SCORE_LIMIT = float(-special.ndtri(_TINY))


def _from_tails(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Φ⁻¹ of a probability given as (F, 1 − F), from whichever is smaller."""
    lower, upper = np.maximum(lower, _TINY), np.maximum(upper, _TINY)
    return np.where(lower <= upper, special.ndtri(lower), -special.ndtri(upper))


def normal_mass(lo, hi) -> np.ndarray:
    """Φ(hi) − Φ(lo) for lo ≤ hi, without cancellation in either tail."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    return np.where(lo >= 0, special.ndtr(-lo) - special.ndtr(-hi),
                    np.where(hi <= 0, special.ndtr(hi) - special.ndtr(lo),
                             1.0 - special.ndtr(lo) - special.ndtr(-hi)))


class Law:
    """A continuous law on [lower, upper] with a CDF accurate in both tails."""

    lower, upper = -math.inf, math.inf
    #: the scores are (w − mean)/std, so a statement about their variance is one about w's
    standardized = False

    def tails(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(F(w), 1 − F(w)), each accurate where it is small."""
        raise NotImplementedError

    def scores(self, w: np.ndarray) -> np.ndarray:
        """Φ⁻¹(F(w)): i.i.d. N(0, 1) under the law."""
        return _from_tails(*self.tails(np.asarray(w, dtype=np.float64)))

    def tail_meaning(self, mass: float) -> str:
        """What "no mass in the outer tails of null probability ``mass``" means for this law."""
        return "its tails cut off"

    def describe(self) -> str:
        raise NotImplementedError


class Normal(Law):
    standardized = True

    def __init__(self, mean: float, std: float):
        if not std > 0:
            raise ValueError(f"a normal law needs a positive standard deviation, not {std}")
        self.mean, self.std = float(mean), float(std)

    def scores(self, w):
        return np.clip((np.asarray(w, dtype=np.float64) - self.mean) / self.std, -SCORE_LIMIT, SCORE_LIMIT)

    def tails(self, w):
        z = (np.asarray(w, dtype=np.float64) - self.mean) / self.std
        return special.ndtr(z), special.ndtr(-z)

    def tail_meaning(self, mass):
        return f"clamped or truncated at {float(-special.ndtri(mass / 2)):.3f} sd or closer"

    def describe(self):
        return f"N({self.mean:.6g}, {self.std:.6g}^2)"


class Uniform(Law):
    def __init__(self, lower: float, upper: float):
        if not upper > lower:
            raise ValueError(f"a uniform law needs lower < upper, not [{lower}, {upper}]")
        self.lower, self.upper = float(lower), float(upper)

    def tails(self, w):
        width = self.upper - self.lower
        return (np.clip((w - self.lower) / width, 0.0, 1.0), np.clip((self.upper - w) / width, 0.0, 1.0))

    def tail_meaning(self, mass):
        # each bound loses mass/2 of the width, that is mass of the half-width
        return f"the bounds drawn in by {100 * mass:.2g}% of the half-width"

    def describe(self):
        return f"U({self.lower:.6g}, {self.upper:.6g})"


class TruncatedNormal(Law):
    """N(mean, std²) conditioned on [lower, upper] (absolute bounds, as torch.nn.init.trunc_normal_)."""

    def __init__(self, mean: float, std: float, lower: float, upper: float):
        if not (std > 0 and upper > lower):
            raise ValueError(f"a truncated normal needs std > 0 and lower < upper, not {std}, [{lower}, {upper}]")
        self.mean, self.std, self.lower, self.upper = float(mean), float(std), float(lower), float(upper)
        self.alpha, self.beta = (self.lower - self.mean) / self.std, (self.upper - self.mean) / self.std
        self.mass = float(normal_mass(self.alpha, self.beta))
        if not self.mass > 0:
            raise ValueError(f"[{lower}, {upper}] holds no mass of N({mean}, {std}^2) in float64")

    def tails(self, w):
        # a value outside [lower, upper] is clipped onto the bound: a tail of 0, the score ±SCORE_LIMIT
        z = np.clip((np.asarray(w, dtype=np.float64) - self.mean) / self.std, self.alpha, self.beta)
        return normal_mass(self.alpha, z) / self.mass, normal_mass(z, self.beta) / self.mass

    def tail_meaning(self, mass):
        return "the bounds drawn in, or clamped"

    def describe(self):
        return f"N({self.mean:.6g}, {self.std:.6g}^2) on [{self.lower:.6g}, {self.upper:.6g}]"


class HaarEntry(Law):
    """One entry of gain·Q, Q uniform (Haar) with orthonormal columns of length ``length``: Q_ij² ~
    Beta(1/2, (length − 1)/2), sign fair, so P(|Q_ij| > q) = I_{1−q²}((length − 1)/2, 1/2)."""

    def __init__(self, length: int, gain: float = 1.0):
        if length < 2:
            raise ValueError("an entry of a unit vector of length 1 is ±1: no continuous law")
        self.length, self.gain = int(length), float(gain)
        self.lower, self.upper = -abs(self.gain), abs(self.gain)

    def tails(self, w):
        q = np.asarray(w, dtype=np.float64) / self.gain
        beyond = 0.5 * special.betaincc(0.5, (self.length - 1) / 2, np.minimum(q * q, 1.0))
        return np.where(q < 0, beyond, 1.0 - beyond), np.where(q < 0, 1.0 - beyond, beyond)

    def describe(self):
        return f"entry of {self.gain:.6g} x Haar, unit columns of length {self.length}"
