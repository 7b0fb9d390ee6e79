"""Exact tests of an i.i.d. sample whose law is fully specified, each with its power function.

Under the null the normal scores z = Φ⁻¹(F(w)) (:mod:`.laws`) are i.i.d. N(0, 1), so:

* mean: Σz/√n ~ N(0, 1); variance: Σz² ~ χ²_n (and under a normal law with the wrong scale,
  ρ·χ²_n exactly, which makes the power exact);
* extremes: P(max|z| ≤ m) = (1 − 2Φ(−m))ⁿ. A law with no mass in the outer tails of null
  probability s (a clamp or truncation, a uniform bound too short) gives p ≤ 2(1 − s)ⁿ with
  probability 1, far sooner than any moment test sees it;
* tail counts: #{|z| > k} ~ Bin(n, 2Φ(−k));
* correlation of disjoint pairs: with r = Σxy/√(Σx²Σy²), t = r√(m − 1)/√(1 − r²) ~ t_{m−1}
  exactly whenever y ~ N(0, I) is independent of x (the projection of y on x/‖x‖ is N(0, 1),
  independent of the χ²_{m−1} residual);
* support: every entry within the bounds (deterministic: a correct target never fails it);
* KS and Anderson–Darling of the shape (:mod:`.edf`).

Each test's ``power_at(level)`` states the smallest deviation it detects with probability
≥ 1 − POWER_MISS at the level Holm gives it (:func:`.statistics.holm`); the sample sizes a
plan needs follow from the same functions (:func:`samples_for_variance_ratio`,
:func:`samples_for_tail_mass`). Two-sided p-values are 2·min(lower, upper): exact for the
continuous laws, conservative for the discrete ones.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from .edf import edf_tests
from .laws import Law
from .statistics import POWER_MISS, Test

#: the normal quantile of the power statements: a deviation detected with probability 1 − POWER_MISS
Z_MISS = float(-special.ndtri(POWER_MISS))
#: tail counts beyond |z| > k
TAIL_POINTS = (2.0, 3.0)
#: pairs below which a correlation test is not run (t_{m−1} needs m ≥ 2; a few more to see anything)
MIN_PAIRS = 8
#: relative slack on support bounds: a bound computed in float64 is off by a rounding or two
SUPPORT_ROUNDING = 1e-12


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    """Σxy without BLAS: numpy's BLAS dot waits ~30 ms for its threads once torch's are running."""
    return float(np.einsum("i,i->", x, y))


def _two_sided(lower: float, upper: float) -> float:
    return float(min(1.0, 2.0 * min(lower, upper)))


def deterministic_test(name: str, holds: bool, observed: float, expected: float, method: str) -> Test:
    """A property a correct target never violates (up to stated rounding): p = 1 or 0, any violation caught."""
    return Test(name, float(expected), float(observed), math.nan, 1, 1, 1.0 if holds else 0.0, method=method,
                exactness="deterministic", power_at=lambda level: "any violation (probability 1)")


def normal_mean_test(name: str, z: np.ndarray, standardized: bool) -> Test:
    """Σz/√n ~ N(0, 1). ``standardized``: the scores are (w − mean)/std (a shift in sd of w)."""
    n = z.size
    statistic = float(np.sum(z) / math.sqrt(n))
    unit = "sd" if standardized else "sd of the scores"

    def power(level: float) -> str:
        return f"|mean shift| >= {(-special.ndtri(level / 2) + Z_MISS) / math.sqrt(n):.3g} {unit}"

    return Test(name, 0.0, statistic / math.sqrt(n), math.nan, n, 1, float(special.erfc(abs(statistic) / math.sqrt(2))),
                method="sum z / sqrt(n) ~ N(0, 1)", exactness="exact", power_at=power)


def chi2_ratio_bounds(n: int, level: float) -> tuple[float, float]:
    """Variance ratios ρ > 1 and < 1 that ρ·χ²_n puts in the level-ℓ rejection region w.p. 1 − POWER_MISS."""
    up = special.chdtri(n, level / 2) / special.chdtri(n, 1 - POWER_MISS)  # chdtri: the upper-tail quantile
    down = special.chdtri(n, 1 - level / 2) / special.chdtri(n, POWER_MISS)
    return float(up), float(down)


def chi2_variance_test(name: str, z: np.ndarray, standardized: bool) -> Test:
    """Σz² ~ χ²_n. ``standardized``: the scores are (w − mean)/std, so the power is a statement
    about the variance of w itself."""
    n = z.size
    total = _dot(z, z)
    what = "variance ratio" if standardized else "variance ratio of the scores"

    def power(level: float) -> str:
        up, down = chi2_ratio_bounds(n, level)
        return f"{what} >= {up:.5f} or <= {down:.5f} (+{100 * (up - 1):.2f}% / -{100 * (1 - down):.2f}%, exact)"

    p_value = _two_sided(float(special.chdtr(n, total)), float(special.chdtrc(n, total)))
    return Test(name, 1.0, total / n, math.nan, n, 1, p_value, method="sum z^2 ~ chi2_n", exactness="exact",
                power_at=power)


def smallest_sample(enough) -> int:
    """The smallest n ≥ 1 with ``enough(n)``, for a property that, once true, stays true as n grows."""
    low, high = 0, 1
    while not enough(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def samples_for_variance_ratio(delta: float, level: float) -> int:
    """The smallest n whose χ² test detects a variance ratio 1 + δ and 1 − δ, each w.p. 1 − POWER_MISS."""
    def enough(n: int) -> bool:
        up, down = chi2_ratio_bounds(n, level)
        return up <= 1 + delta and down >= 1 - delta
    return smallest_sample(enough)


def extreme_test(name: str, z: np.ndarray, law: Law) -> Test:
    """max|z| against its exact law: lower tail (tails too light), upper tail (too heavy)."""
    n = z.size
    largest = float(np.max(np.abs(z)))
    beyond = float(special.erfc(largest / math.sqrt(2)))  # 2Φ(−max|z|)
    log_below = n * math.log1p(-beyond) if beyond < 1 else -math.inf
    p_value = _two_sided(math.exp(log_below), -math.expm1(log_below))
    median = float(-special.ndtri(-math.expm1(math.log(0.5) / n) / 2))

    def power(level: float) -> str:
        mass = -math.expm1(math.log(level / 2) / n)
        return f"no mass in the outer {mass:.3g} ({law.tail_meaning(mass)}): probability 1"

    return Test(name, median, largest, math.nan, n, 1, p_value, method="max |z|: P(max <= m) = (1 - 2 Phi(-m))^n",
                exactness="exact", power_at=power)


def samples_for_tail_mass(mass: float, level: float) -> int:
    """The smallest n at which a law with no mass in the outer tails of null probability ``mass``
    is rejected by :func:`extreme_test` with probability 1."""
    return math.ceil(math.log(level / 2) / math.log1p(-mass))


def binomial_power(n: int, q: float, level: float) -> tuple[float, float]:
    """Success probabilities below / above q that Bin(n, ·) puts in the two-sided level-ℓ
    rejection region of Bin(n, q) w.p. 1 − POWER_MISS (exact binomial quantiles)."""
    lowest = int(special.bdtrik(level / 2, n, q))  # about the largest k with P(X ≤ k) ≤ ℓ/2
    while lowest >= 0 and special.bdtr(lowest, n, q) > level / 2:
        lowest -= 1
    highest = int(math.ceil(n - special.bdtrik(level / 2, n, 1 - q)))  # about the smallest k with P(X ≥ k) ≤ ℓ/2
    while highest <= n and special.bdtrc(highest - 1, n, q) > level / 2:
        highest += 1
    below = float(special.bdtri(lowest, n, 1 - POWER_MISS)) if lowest >= 0 else 0.0
    above = float(special.bdtri(highest - 1, n, POWER_MISS)) if highest <= n else 1.0
    return below, above


def samples_for_binomial(q: float, delta: float, level: float) -> int:
    """The smallest n whose two-sided binomial test of q detects q − δ and q + δ, each w.p. 1 − POWER_MISS."""
    def enough(n: int) -> bool:
        below, above = binomial_power(n, q, level)
        return below >= q - delta and above <= q + delta
    return smallest_sample(enough)


def binomial_count_test(name: str, count: int, n: int, q: float, what: str) -> Test:
    """count ~ Bin(n, q), two-sided; ``what`` names the success probability in the power statement."""
    lower = float(special.bdtr(count, n, q)) if count < n else 1.0
    upper = float(special.bdtrc(count - 1, n, q)) if count > 0 else 1.0

    def power(level: float) -> str:
        below, above = binomial_power(n, q, level)
        return f"{what} <= {below:.4g} or >= {above:.4g} (null {q:.4g}, exact)"

    return Test(name, n * q, float(count), math.nan, n, 1, _two_sided(lower, upper),
                method=f"count ~ Bin({n}, {q:.4g})", exactness="exact", power_at=power)


def binomial_counts_test(name: str, counts: np.ndarray, n: int, q: float, what: str) -> Test:
    """Several counts, each ~ Bin(n, q), dependent or not: the smallest two-sided p-value times
    their number (Bonferroni). ``what`` names one success probability in the power statement."""
    counts = np.asarray(counts, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # the branches np.where discards
        lower = np.where(counts < n, special.bdtr(counts, n, q), 1.0)
        upper = np.where(counts > 0, special.bdtrc(counts - 1, n, q), 1.0)
    each = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    worst = int(np.argmin(each))

    def power(level: float) -> str:
        below, above = binomial_power(n, q, level / counts.size)
        return f"{what} <= {below:.4g} or >= {above:.4g} for one of {counts.size} (null {q:.4g}, exact, Bonferroni)"

    p_value = min(1.0, counts.size * float(each[worst]))
    return Test(name, n * q, float(counts[worst]), math.nan, n * counts.size, 1, p_value,
                method=f"{counts.size} counts ~ Bin({n}, {q:.4g}), smallest p x {counts.size}", exactness="exact",
                power_at=power)


def tail_count_test(name: str, z: np.ndarray, point: float) -> Test:
    q = float(special.erfc(point / math.sqrt(2)))
    return binomial_count_test(name, int(np.count_nonzero(np.abs(z) > point)), z.size, q, f"P(|z| > {point:g})")


def correlation_test(name: str, x: np.ndarray, y: np.ndarray) -> Test:
    """x, y paired normal scores, independent under the null: the exact t test of the uncentred r."""
    m = x.size
    r = _dot(x, y) / math.sqrt(_dot(x, x) * _dot(y, y))
    if abs(r) >= 1.0:
        p_value = 0.0
    else:
        p_value = float(2 * special.stdtr(m - 1, -abs(r) * math.sqrt((m - 1) / (1 - r * r))))

    def power(level: float) -> str:
        return f"|correlation| >= {(-special.stdtrit(m - 1, level / 2) + Z_MISS) / math.sqrt(m):.3g} (normal scores)"

    return Test(name, 0.0, r, math.nan, m, 1, p_value, method="uncentred r, t_{m-1}", exactness="exact", power_at=power)


def support_test(name: str, w: np.ndarray, lower: float, upper: float) -> Test:
    """Every entry within [lower, upper], widened by SUPPORT_ROUNDING for the rounding of the bounds."""
    slack = SUPPORT_ROUNDING * max(abs(lower), abs(upper))
    low, high = float(np.min(w)), float(np.max(w))
    excess = max(lower - low, high - upper, 0.0)
    n = w.size

    def power(level: float) -> str:
        # a law reaching a factor 1 + e beyond a bound puts no entry there w.p. (1 + e)^{-n} (uniform)
        wider = math.expm1(math.log(1 / POWER_MISS) / n)
        return f"a uniform bound too wide by >= {100 * wider:.2g}% (or any mass outside)"

    return Test(name, 0.0, excess, math.nan, n, 1, 1.0 if excess <= slack else 0.0,
                method=f"min and max within [{lower:.6g}, {upper:.6g}]", exactness="deterministic", power_at=power)


def iid_tests(label: str, law: Law, draws: list[np.ndarray]) -> tuple[list[Test], np.ndarray]:
    """Every test of one case: ``draws`` are the arrays of independent calls (a sample of i.i.d.
    entries, rows along the first axis). Returns the tests and the normal scores, for pooling."""
    w = np.concatenate([d.ravel() for d in draws])
    scores = law.scores(w)
    tests = sample_tests(label, scores, law)
    if math.isfinite(law.lower) or math.isfinite(law.upper):
        tests.append(support_test(f"{label}: support", w, law.lower, law.upper))
    pairs, rows = [], []
    start = 0
    for d in draws:
        z = scores[start:start + d.size].reshape(d.shape)
        start += d.size
        flat = z.ravel()[: d.size // 2 * 2]
        pairs.append(flat.reshape(-1, 2))
        if d.ndim >= 2 and d.shape[0] >= 2:
            matrix = z.reshape(d.shape[0], -1)[: d.shape[0] // 2 * 2]
            rows.append(np.stack([matrix[0::2].ravel(), matrix[1::2].ravel()], axis=1))
    for name, paired in (("adjacent entries", pairs), ("adjacent rows", rows)):
        paired = np.concatenate(paired) if paired else np.empty((0, 2))
        if len(paired) >= MIN_PAIRS:
            tests.append(correlation_test(f"{label}: {name} independent", paired[:, 0], paired[:, 1]))
    return tests, scores


def sample_tests(label: str, scores: np.ndarray, law: Law) -> list[Test]:
    """The tests of an i.i.d. N(0, 1) sample of scores: mean, variance, extremes, tails, shape."""
    tests = [normal_mean_test(f"{label}: mean", scores, law.standardized),
             chi2_variance_test(f"{label}: variance", scores, law.standardized),
             extreme_test(f"{label}: max |z|", scores, law)]
    tests += [tail_count_test(f"{label}: count |z| > {point:g}", scores, point) for point in TAIL_POINTS]
    return tests + edf_tests(label, scores)
