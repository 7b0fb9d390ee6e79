"""Distribution tests on normal scores: Kolmogorov–Smirnov and Anderson–Darling.

Both compare the empirical CDF of u = Φ(z) with U(0, 1), z the normal scores of a fully
specified law (:mod:`.laws`).

* **KS**: D = sup|F_n − u|, p = min(1, 2·exp(−2nD²)), the Dvoretzky–Kiefer–Wolfowitz bound
  with Massart's constant: valid for every n, so a rigorous bound (1.007× the exact tail at
  n = 10⁵, 1.10× at n = 10³ near p = 3e-8). scipy's exact law takes seconds at n = 10⁶.
* **AD**: A² = −n − Σ(2i − 1)[ln u_(i) + ln(1 − u_(n+1−i))]/n, whose limiting law is
  Σ_j Z_j²/(j(j + 1)). Its upper tail is computed by Smirnov's formula (below) to ~1e-10
  relative; the finite-n error is O(1/n), so the test is applied from AD_MIN_SAMPLES entries
  on. scipy has no Anderson–Darling test of a fully specified law, and its Cramér–von Mises
  tail is wrong below ~1e-7 (a series cut at absolute 1e-7: 16× too large at W² = 5), so
  Cramér–von Mises, which adds nothing here over AD, is not used.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from scipy import integrate, special

from .statistics import POWER_MISS, Test

#: entries from which the asymptotic AD law is used (its relative error is O(1/n))
AD_MIN_SAMPLES = 10_000
#: Π_{j≥2}(1 − λ_j/λ₁)^{−1/2} for λ_j = 1/(j(j + 1)): Π(j − 1)(j + 2)/(j(j + 1)) telescopes to 1/3
_AD_TAIL_CONSTANT = math.sqrt(3.0)


def edf_tests(label: str, z: np.ndarray) -> list[Test]:
    """KS, and Anderson-Darling from AD_MIN_SAMPLES entries on, of the scores z (one sort for both)."""
    z = np.sort(np.asarray(z, dtype=np.float64))
    tests = [ks_test(f"{label}: KS", z)]
    if z.size >= AD_MIN_SAMPLES:
        tests.append(anderson_darling_test(f"{label}: Anderson-Darling", z))
    return tests


def ks_test(name: str, z_sorted: np.ndarray) -> Test:
    u = special.ndtr(z_sorted)
    n = u.size
    i = np.arange(1, n + 1, dtype=np.float64)
    distance = float(max(np.max(i / n - u), np.max(u - (i - 1) / n)))
    p_value = min(1.0, 2.0 * math.exp(-2.0 * n * distance * distance))
    margin = math.sqrt(math.log(2 / POWER_MISS) / (2 * n))  # sup|F_n − G| stays below it w.p. 0.999 (DKW)

    def power(level: float) -> str:
        critical = math.sqrt(math.log(2 / level) / (2 * n))
        return f"any law with sup |G - F| >= {critical + margin:.3g} (rigorous)"

    return Test(name, 0.0, distance, math.nan, n, 1, p_value, method="Kolmogorov-Smirnov sup |F_n - F|",
                exactness="rigorous bound (Dvoretzky-Kiefer-Wolfowitz-Massart)", power_at=power)


def anderson_darling_test(name: str, z_sorted: np.ndarray) -> Test:
    # ln u and ln(1 − u) from log Φ(±z), each accurate in its own tail
    log_u, log_v = special.log_ndtr(z_sorted), special.log_ndtr(-z_sorted)
    n = log_u.size
    weights = 2 * np.arange(1, n + 1, dtype=np.float64) - 1
    statistic = float(-n - np.sum(weights * (log_u + log_v[::-1])) / n)

    def power(level: float) -> str:
        distance = (math.sqrt(ad_critical(level)) + math.sqrt(ad_critical(POWER_MISS))) ** 2 / n
        return f"int (G - u)^2 / (u (1 - u)) du >= {distance:.3g} (asymptotic, laws near F)"

    return Test(name, 1.0, statistic, math.nan, n, 1, ad_sf(statistic), method="Anderson-Darling A^2",
                exactness="asymptotic law (Smirnov's formula), relative error O(1/n)", power_at=power)


def _negative_determinant(u: float) -> float:
    """−D(u), D(u) = Π_j(1 − u/(j(j + 1))) = −cos(π√(1 + 4u)/2)/(πu): AD's Fredholm determinant."""
    return math.cos(math.pi * math.sqrt(1 + 4 * u) / 2) / (math.pi * u)


def ad_sf(x: float) -> float:
    """P(A² > x) under the limiting law, by Smirnov's formula (1937)

        (1/π) Σ_k (−1)^{k+1} ∫_{1/λ_{2k−1}}^{1/λ_{2k}} e^{−xu/2} / (u √(−D(u))) du,  λ_j = 1/(j(j+1)).

    The k-th term carries e^{−x/(2λ_{2k−1})}, so in the upper tail the terms fall fast and the
    quadrature's relative accuracy is the p-value's. The endpoint singularities 1/√(u − a) go
    away with u = (a + b)/2 − (b − a)/2·cos θ."""
    if not x > 0:
        return 1.0
    first = 2.0  # 1/λ₁
    if x > 300:
        # p < 1e-130: the leading term C·P(Z² > x/λ₁) (relative error O(1/x)) is all that matters
        return _AD_TAIL_CONSTANT * float(special.erfc(math.sqrt(x * first / 2)))
    total, k = 0.0, 1
    while True:
        a, b = (2 * k - 1) * 2 * k, 2 * k * (2 * k + 1)

        def integrand(theta, a=a, b=b):
            u = (a + b) / 2 - (b - a) / 2 * math.cos(theta)
            negative = _negative_determinant(u)
            if negative <= 0:  # rounding at the endpoints, where the integrand vanishes
                return 0.0
            return math.exp(-x * (u - first) / 2) / (u * math.sqrt(negative)) * (b - a) / 2 * math.sin(theta)

        term, _ = integrate.quad(integrand, 0.0, math.pi, epsabs=0.0, epsrel=1e-11, limit=200)
        total += term if k % 2 else -term
        if term <= 1e-17 * abs(total) or k >= 400:
            break
        k += 1
    return min(1.0, max(0.0, total / math.pi * math.exp(-x * first / 2)))


@functools.lru_cache(maxsize=64)
def ad_critical(level: float) -> float:
    """c with P(A² > c) = level under the limiting law."""
    from scipy.optimize import brentq
    return float(brentq(lambda x: math.log(max(ad_sf(x), 1e-300)) - math.log(level), 0.05, 700.0, xtol=1e-12))
