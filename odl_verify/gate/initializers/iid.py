"""Gates of the initializers with i.i.d. entries: kaiming_normal, kaiming_uniform, xavier_normal,
xavier_uniform, normal, uniform, trunc_normal.

Per case (the table's sentinels, then Hypothesis-drawn cases) the target fills whole tensors
until the case has its entries; every exact test of :func:`~odl_verify.engine.exact_tests.iid_tests`
runs on them (mean, χ² variance, max|z|, tail counts, KS, Anderson–Darling, adjacent entries and
rows, support). The normal scores of all cases are one i.i.d. N(0, 1) sample, so the same tests
run pooled, with exact laws too. Then the generator contract and the networks built with the
target (networks.py).

The plan is sized by the power functions, at the level Holm gives a run of PLANNED_TESTS tests:
the sentinels together hold enough entries that the pooled χ² detects a variance off by
VARIANCE_ERROR (either way) and the pooled max|z| any truncation or clamping at TRUNCATION_SD
sd, each with probability ≥ 0.999; for uniform laws each sentinel alone detects a bound too
wide or too short for a variance off by VARIANCE_ERROR (support and max|z|). The verdict says
whether each requirement is met at the run's own level.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special

from ...core.config import CheckConfig
from ...engine.exact_tests import (chi2_ratio_bounds, iid_tests, sample_tests, samples_for_tail_mass,
                                   samples_for_variance_ratio)
from ...engine.laws import Law, Normal, Uniform
from ...engine.statistical import FALSE_ALARM
from ...engine.statistics import POWER_MISS
from . import sampling
from .networks import network_tests
from .table import Case, Initializer
from .verdicts import Outcome, Requirement, cases_for, run_cases

#: what every run detects with probability ≥ 1 − POWER_MISS: a variance off by this fraction ...
VARIANCE_ERROR = 0.01
#: ... and a normal law clamped or truncated at this many sd (or closer)
TRUNCATION_SD = 3.0
#: the plan is sized for runs of at most this many tests (with 40 drawn cases a run holds ~700)
PLANNED_TESTS = 1000
#: drawn cases per run (at most; half the examples) and the entries each gets (at most MAX_CALLS calls)
DRAWN_CASES, DRAWN_ENTRIES, MAX_CALLS = 40, 2**14, 256

DESCRIPTION = ("exact tests of the law on normal scores z = Phi^-1(F(w)) (mean, chi2, max |z|, tail counts, KS, "
               "Anderson-Darling, t tests of independence) and the support, per case and pooled; the generator "
               "contract; networks built with the target; Holm at 1e-6")


def truncated_mass() -> float:
    """The null probability beyond TRUNCATION_SD sd, which such a truncation removes."""
    return float(special.erfc(TRUNCATION_SD / math.sqrt(2)))


@functools.cache
def planned_entries() -> int:
    """Entries the sentinels hold together: what the pooled χ² and max|z| need at the planned level."""
    level = FALSE_ALARM / PLANNED_TESTS
    return max(samples_for_variance_ratio(VARIANCE_ERROR, level), samples_for_tail_mass(truncated_mass(), level))


def case_sample(initializer: Initializer, target, c: Case, label: str, seeds, timeout: float):
    """The tests of one case on the calls ``seeds``, its normal scores (for pooling) and a summary
    of the entries (for a person replaying it)."""
    arrays = [t.numpy() for t in sampling.draw(target, c, seeds, timeout)]
    tests, scores = iid_tests(label, initializer.law(c), arrays)
    w = np.concatenate([x.ravel() for x in arrays])
    summary = {"mean": float(w.mean()), "variance": float(w.var()), "min": float(w.min()), "max": float(w.max()),
               "max |z|": float(np.abs(scores).max())}
    return tests, scores, summary


def requirements(law: Law, pooled: str, first: str, pooled_n: int, first_n: int) -> list[Requirement]:
    def variance_met(level):
        up, down = chi2_ratio_bounds(pooled_n, level)
        return up <= 1 + VARIANCE_ERROR and down >= 1 - VARIANCE_ERROR

    def tail_met(mass, n):
        return lambda level: -math.expm1(math.log(level / 2) / n) <= mass

    if isinstance(law, Uniform):
        wider, shorter = math.sqrt(1 + VARIANCE_ERROR) - 1, 1 - math.sqrt(1 - VARIANCE_ERROR)
        return [Requirement(f"variance {100 * VARIANCE_ERROR:g}% high (bound {100 * wider:.2g}% wide) on one case",
                            f"{first}: support", lambda level: first_n >= math.log(1 / POWER_MISS) / math.log1p(wider)),
                Requirement(f"variance {100 * VARIANCE_ERROR:g}% low (bound {100 * shorter:.2g}% short) on one case",
                            f"{first}: max |z|", tail_met(shorter, first_n))]
    scale = "variance" if isinstance(law, Normal) else "variance of the normal scores"
    return [Requirement(f"{scale} off by {100 * VARIANCE_ERROR:g}% (either way)", f"{pooled}: variance", variance_met),
            Requirement(f"truncation or clamping at {TRUNCATION_SD:g} sd or closer "
                        f"(outer {truncated_mass():.3g} missing)", f"{pooled}: max |z|",
                        tail_met(truncated_mass(), pooled_n))]


def experiment(initializer: Initializer):
    def run(target, config: CheckConfig, device) -> Outcome:
        sampling.check_signature(target, initializer)
        cases = cases_for(initializer, config, DRAWN_CASES)
        drawn = cases[len(initializer.sentinels):]
        per_sentinel = math.ceil(planned_entries() / len(initializer.sentinels))

        def calls_of(index: int, c: Case) -> int:
            if index < len(initializer.sentinels):
                return math.ceil(per_sentinel / math.prod(c.shape))
            return min(MAX_CALLS, math.ceil(DRAWN_ENTRIES / math.prod(c.shape)))

        outcome = Outcome([], examples=len(cases))
        scores, _ = run_cases(outcome, cases, calls_of, lambda c, label, seeds: case_sample(
            initializer, target, c, label, seeds, config.timeout), config.seed)
        sizes = [s.size for s in scores]
        laws = [initializer.law(c) for c in cases]
        pooled_law = laws[0] if all(type(law) is type(laws[0]) for law in laws) else Law()
        pooled = f"pooled over {len(cases)} cases"
        outcome.tests += sample_tests(pooled, np.concatenate(scores), pooled_law)
        outcome.requirements = requirements(laws[0], pooled, f"case 0 {cases[0].label()}", sum(sizes), sizes[0])
        outcome.tests += sampling.generator_tests(target, cases[0], laws[0], config.seed, config.timeout)
        outcome.tests += network_tests(initializer, target, config.seed, config.timeout, device)
        outcome.notes.append(f"{len(cases)} cases ({len(initializer.sentinels)} fixed with {per_sentinel} entries or "
                             f"more each, {len(drawn)} drawn with up to {DRAWN_ENTRIES}); {sum(sizes)} entries in all")
        return outcome
    return run
