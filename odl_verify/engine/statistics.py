"""Statistical tests whose false-alarm probability is provable, not asymptotic.

Every test here is a **median-of-means** (MoM) test of a claimed mean μ from independent
samples whose variance under the claim is known exactly (the theorem module derives it in
sympy). Its level needs only Chebyshev and a binomial tail, no CLT:

* split the n samples into k blocks of b = ⌊n/k⌋ (k odd, fixed by α and n, never by the data);
* a block mean deviates from μ by ≥ d with probability ≤ p(d) = V/(b d²) (Chebyshev);
* the median deviates by ≥ d only if ≥ (k+1)/2 blocks do, so
  P(|MoM − μ| ≥ d) ≤ P(Bin(k, p(d)) ≥ (k+1)/2), the test's p-value.

Blocks may mix samples of different laws as long as they are independent with the stated
mean and their variances add up to at most what is passed (``variance`` per sample).

A run holds many tests; :func:`holm` corrects them (Holm–Bonferroni), so the stated α is the
probability that *any* test of the run rejects a true claim. :attr:`Test.detectable` is the
power statement: a true mean that far from μ (same variance) is rejected with probability
≥ 1 − ``POWER_MISS`` at the Bonferroni level. Tests with an exact null law
(:mod:`.exact_tests`) carry their own power function, which :func:`holm` evaluates at the
same level: every test of a run states its power the same way, in :attr:`Test.power`.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable

import torch
from scipy import special

from ..errors import UsageError

#: the miss probability at which :attr:`Test.detectable` is stated
POWER_MISS = 1e-3


def binomial_tail(at_least: int, n: int, p: float) -> float:
    """P(Bin(n, p) ≥ at_least), from scipy.special (scipy.stats costs a second of every start-up)."""
    return float(special.bdtrc(at_least - 1, n, p)) if at_least > 0 else 1.0


@functools.cache
def _block_probability(k: int, alpha: float) -> float:
    """Largest per-block deviation probability p with P(Bin(k, p) ≥ (k+1)/2) ≤ alpha."""
    from scipy.optimize import brentq  # only statistical checks need it, not every start-up
    tail = lambda log_p: binomial_tail((k + 1) // 2, k, math.exp(log_p)) - alpha
    if tail(math.log(0.5)) <= 0:
        return 0.5
    return math.exp(brentq(tail, -700.0, math.log(0.5), xtol=1e-12))


@functools.cache
def block_count(n: int, alpha: float) -> int:
    """The odd k minimising the critical deviation sqrt(V/(⌊n/k⌋·p_k)) at level alpha."""
    return min(range(1, min(n, 301) + 1, 2), key=lambda k: 1 / ((n // k) * _block_probability(k, alpha)))


def deviation_at(n: int, k: int, variance: float, level: float) -> float:
    """The |MoM − μ| that k blocks of ⌊n/k⌋ samples exceed with probability at most ``level``."""
    return math.sqrt(variance / ((n // k) * _block_probability(k, level)))


@dataclasses.dataclass
class Test:
    """One test of ``E[X] = expected``: what was observed beside what the claim says."""

    name: str
    expected: float
    observed: float
    #: variance of one sample under the claim (exact, from the theorem)
    variance: float
    samples: int
    blocks: int
    p_value: float
    #: the deviation this test rejects at the Bonferroni level of its run
    critical: float = math.nan
    #: a true mean this far away is rejected with probability ≥ 1 − POWER_MISS
    detectable: float = math.nan
    rejected: bool = False
    method: str = "median of means (Chebyshev + binomial tail)"
    #: how far the p-value can be trusted: exact, a rigorous bound, asymptotic (with its error), deterministic
    exactness: str = ""
    #: the Bonferroni level α/m of the run, where :attr:`power` is stated (a p-value below it is rejected by Holm)
    level: float = math.nan
    #: the smallest deviation detected with probability ≥ 1 − POWER_MISS at :attr:`level`, in words
    power: str = ""
    #: level → :attr:`power`, for tests whose power is not the median-of-means one
    power_at: Callable[[float], str] | None = dataclasses.field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "power_at"}


def mom_test(name: str, samples: torch.Tensor, expected: float, variance: float) -> Test:
    """Median-of-means test of E[samples] = expected given the per-sample variance under the claim.

    The block count depends on n only (through a reference level), so it is fixed before
    the data are seen; the p-value is valid for any level it is later compared with.
    """
    samples = samples.detach().flatten().double()
    n = samples.numel()
    if n < 1:
        raise UsageError(f"test {name!r} has no samples")
    if not variance > 0:
        raise UsageError(f"test {name!r}: the variance under the claim must be positive, not {variance}")
    k = block_count(n, REFERENCE_ALPHA)
    b = n // k
    means = samples[: k * b].reshape(k, b).mean(dim=1)
    observed = float(means.median()) if k > 1 else float(means[0])
    deviation = abs(observed - expected)
    p_block = 1.0 if deviation == 0 else min(1.0, variance / (b * deviation * deviation))
    p_value = binomial_tail((k + 1) // 2, k, p_block) if math.isfinite(deviation) else 0.0
    return Test(name, float(expected), observed, float(variance), n, k, p_value,
                exactness="distribution-free (Chebyshev + binomial tail)")


#: the level the block count is tuned for (a run's Bonferroni level is of this order)
REFERENCE_ALPHA = 1e-8


def holm(tests: list[Test], alpha: float) -> list[Test]:
    """Holm–Bonferroni at family-wise level alpha; sets ``rejected``, ``level`` and the power
    (``power``; ``critical`` and ``detectable`` for median-of-means tests). The power is stated at
    the Bonferroni level α/m: a p-value below it makes Holm reject, so it bounds Holm's power."""
    if not 0 < alpha < 1:
        raise UsageError(f"the false-alarm probability must be in (0, 1), not {alpha}")
    m = len(tests)
    for rank, test in enumerate(sorted(tests, key=lambda t: t.p_value)):
        if test.p_value > alpha / (m - rank):
            break
        test.rejected = True
    for test in tests:
        test.level = alpha / m
        if test.power_at is not None:
            test.power = test.power_at(test.level)
        elif math.isfinite(test.variance):
            test.critical = deviation_at(test.samples, test.blocks, test.variance, alpha / m)
            test.detectable = test.critical + deviation_at(test.samples, test.blocks, test.variance, POWER_MISS)
            test.power = f"|mean - {test.expected:.6g}| >= {test.detectable:.3g}"
    return tests


def binomial_test(name: str, failures: int, runs: int, claimed_rate: float) -> Test:
    """Exact one-sided test of P(failure) ≤ claimed_rate: p = P(Bin(runs, rate) ≥ failures)."""
    p_value = binomial_tail(failures, runs, claimed_rate)
    return Test(name, claimed_rate, failures / runs, math.nan, runs, 1, p_value,
                method="exact binomial tail", exactness="exact")
