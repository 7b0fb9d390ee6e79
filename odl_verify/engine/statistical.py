"""Claims about expectations, checked by Monte Carlo at a stated false-alarm probability.

A :class:`StatisticalClaim` runs its experiment (``experiment(config, device, verdict)``
returns the tests and records the measurements to keep) and corrects all its tests together with Holm–Bonferroni,
so a true claim is falsified with probability at most ``alpha`` per check, whatever the
number of tests the run held. Falsified means some test rejected; the verdict carries
every test, observed beside expected, with its power.
"""
from __future__ import annotations

import time

import torch

from ..core.config import CheckConfig
from ..core.verdict import ERROR, FALSIFIED, HELD, Verdict, open_verdict
from ..definitions.backend import resolve_device
from ..definitions.claims import Checkable
from ..errors import UsageError
from .statistics import Test, holm

#: default false-alarm probability of one check (all of its tests together)
FALSE_ALARM = 1e-6


class StatisticalClaim(Checkable):
    kind = "statistical"
    alpha: float = FALSE_ALARM

    def experiment(self, config: CheckConfig, device: torch.device, verdict: Verdict) -> list[Test]:
        """Run the experiment, record measurements on ``verdict``, return the tests (uncorrected)."""
        raise NotImplementedError

    def verify(self, config: CheckConfig) -> Verdict:
        """Run the experiment and correct its tests together."""
        device = resolve_device(config.device)
        verdict = open_verdict(self, seed=config.seed, device=device)
        start = time.perf_counter()
        try:
            with torch.random.fork_rng(devices=[]):
                tests = holm(self.experiment(config, device, verdict), self.alpha)
        except UsageError:
            raise
        except Exception as exc:  # the experiment's own code: an error verdict, never a traceback
            verdict.status, verdict.error = ERROR, f"{self.name}: {type(exc).__name__}: {exc}"
            verdict.seconds = time.perf_counter() - start
            return verdict
        verdict.seconds = time.perf_counter() - start
        rejected = [t for t in tests if t.rejected]
        verdict.status = FALSIFIED if rejected else HELD
        verdict.details["false_alarm"] = self.alpha
        verdict.details["tests"] = [t.to_dict() for t in tests]
        worst = min(tests, key=lambda t: t.p_value) if tests else None
        notes = verdict.details.setdefault("notes", [])
        notes.append(f"{len(tests)} tests, Holm-corrected: P(false alarm) <= {self.alpha:g} for this check")
        if worst is not None:
            notes.append(f"{'rejected' if worst.rejected else 'closest'}: {describe(worst)}")
        return verdict


def describe(test: Test) -> str:
    if test.exactness == "deterministic" or (test.variance != test.variance and not test.exactness):
        return f"{test.name}: bound {test.expected:.6g}, observed {test.observed:.6g} ({test.method})"
    if test.variance != test.variance:  # a test with an exact null law: its p-value, level and power
        return (f"{test.name}: expected {test.expected:.6g}, observed {test.observed:.6g} (p = {test.p_value:.3g}, "
                f"level {test.level:.3g}; {test.method}, {test.exactness}; detects {test.power}; "
                f"{test.samples} samples)")
    return (f"{test.name}: expected {test.expected:.6g}, observed {test.observed:.6g} "
            f"(p <= {test.p_value:.3g}; rejects beyond ±{test.critical:.3g}, detects ±{test.detectable:.3g}; "
            f"{test.samples} samples)")

