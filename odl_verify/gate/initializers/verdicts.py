"""One initializer gate run: the verdict, Holm over every test, the power and requirements stated,
and for a failure the case with a replay line.

An experiment (iid.py, orthogonal.py, sparse.py, deterministic.py) returns an :class:`Outcome`:
its tests uncorrected, where each per-case test came from (to replay it), what it covered and
the requirements its plan was sized for. Every test of the run is Holm-corrected together at
FALSE_ALARM (1e-6), so a correct initializer fails a gate run with probability ≤ 1e-6; each
test's power is stated at the Bonferroni level α/m, a lower bound for Holm's.
"""
from __future__ import annotations

import dataclasses
import json
import math
import shlex
import time
from typing import Callable

from ...core.config import CheckConfig
from ...core.verdict import ERROR, FALSIFIED, Counterexample, Verdict, open_verdict
from ...definitions.backend import resolve_device
from ...engine.harness import draw
from ...engine.statistical import FALSE_ALARM, describe
from ...engine.statistics import POWER_MISS, Test, holm
from ...errors import UserCodeError
from .. import GateStatement
from .sampling import call_seeds
from .table import Case, Initializer, expected_moments


@dataclasses.dataclass(frozen=True)
class Requirement:
    """What the plan was sized to detect with probability ≥ 1 − POWER_MISS, and by which test."""

    text: str
    test: str
    #: level → whether the test detects it at that level
    met: Callable[[float], bool]


@dataclasses.dataclass
class Source:
    """Where a per-case test's data came from: enough to draw it again."""

    case: Case
    stream: int
    calls: int


@dataclasses.dataclass
class Outcome:
    tests: list[Test]
    sources: dict[str, Source] = dataclasses.field(default_factory=dict)
    coverage: dict[str, list] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    requirements: list[Requirement] = dataclasses.field(default_factory=list)
    #: tests of a declared quirk of the target: listed, not counted (see sparse.py)
    waived: list[dict] = dataclasses.field(default_factory=list)
    examples: int = 0
    #: entries (or values) the target produced for the per-case tests
    instances: int = 0


def cases_for(initializer: Initializer, config: CheckConfig, most: int) -> list[Case]:
    """The sentinels, then up to ``most`` cases (half the examples) drawn by Hypothesis from the run's seed."""
    count = min(most, max(1, config.example_count() // 2))
    return list(initializer.sentinels) + ([] if initializer.drawn is None else draw(initializer.drawn(), count,
                                                                                     config.seed))


def run_cases(outcome: Outcome, cases: list[Case], calls_of: Callable[[int, Case], int], sample, seed: int):
    """Each case's tests into ``outcome`` (with their source and coverage): ``sample(case, label, seeds)``
    returns (tests, scores, summary) on the calls ``seeds``; returns the scores and the summaries."""
    scores, summaries = [], []
    for index, c in enumerate(cases):
        calls = calls_of(index, c)
        tests, case_scores, summary = sample(c, f"case {index} {c.label()}", call_seeds(seed, index, calls))
        outcome.tests += tests
        outcome.sources.update({t.name: Source(c, index, calls) for t in tests})
        outcome.instances += calls * math.prod(c.shape)
        outcome.coverage.setdefault("shape", []).append(list(c.shape))
        for key, value in c.arguments:
            outcome.coverage.setdefault(key, []).append(value)
        scores.append(case_scores)
        summaries.append(summary)
    return scores, summaries


def run_gate(initializer: Initializer, target, spec: str, config: CheckConfig,
             experiment: Callable[[object, CheckConfig, object], Outcome], description: str) -> Verdict:
    """``experiment(target, config, device)`` on ``target``; ``description`` says how it checks."""
    device = resolve_device(config.device)
    statement = GateStatement(initializer.method, title=f"{spec} against {initializer.reference}",
                              statement=initializer.statement, reference="torch.nn.init; docs/theory.md §4, §13",
                              description=description, tight=True)
    verdict = open_verdict(statement, seed=config.seed, device=device)
    start = time.perf_counter()
    try:
        outcome = experiment(target, config, device)
    except UserCodeError as exc:
        verdict.status, verdict.error = ERROR, f"gate:{initializer.method} {spec}: {exc}"
        verdict.seconds = time.perf_counter() - start
        return verdict
    tests = holm(outcome.tests, FALSE_ALARM)
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances = outcome.examples, outcome.instances
    verdict.coverage = outcome.coverage
    verdict.details.update(tests=[t.to_dict() for t in tests], false_alarm=FALSE_ALARM, waived=outcome.waived)
    level = FALSE_ALARM / len(tests)
    notes = outcome.notes + [
        f"{len(tests)} tests, Holm-corrected: P(false alarm) <= {FALSE_ALARM:g} per gate run; each test's power is "
        f"stated at level {level:.3g}: the smallest deviation it detects with probability {1 - POWER_MISS:g}"]
    notes += [f"requirement: {r.text}: {'met' if r.met(level) else 'NOT met'} by '{r.test}' "
              f"({next(t.power for t in tests if t.name == r.test)})" for r in outcome.requirements]
    notes += [f"power of {t.name}: {t.power}" for t in tests if t.name.startswith("pooled")]
    rejected = sorted((t for t in tests if t.rejected), key=lambda t: t.p_value)
    if rejected:
        verdict.status = FALSIFIED
        first = rejected[0]
        notes.append(f"falsified ({len(rejected)} tests rejected), first: {describe(first)}")
        verdict.counterexample = counterexample(initializer, spec, config, first, outcome.sources.get(first.name))
    verdict.details["notes"] = notes
    return verdict


def counterexample(initializer: Initializer, spec: str, config: CheckConfig, test: Test,
                   source: Source | None) -> Counterexample:
    cli = f"odl-verify gate {initializer.method} {spec} --seed {config.seed}"
    if config.examples is not None:
        cli += f" --examples {config.examples}"
    shown = {"test": test.name, "p-value": test.p_value, "level (Holm's first)": test.level,
             "observed": test.observed, "expected": test.expected, "method": test.method,
             "exactness": test.exactness, "power": test.power}
    case, dimension = {"method": initializer.method, "test": test.name}, 0
    if source is not None:
        case.update(case=source.case.to_json(), seed=config.seed, stream=source.stream, calls=source.calls,
                    level=test.level)
        if initializer.law is not None:
            shown["law"] = initializer.law(source.case).describe()
            shown.update({f"law's {k}": v for k, v in expected_moments(initializer, source.case).items()})
        payload = json.dumps({k: case[k] for k in ("case", "seed", "stream", "calls", "level")})
        arguments = ", ".join(json.dumps(a) for a in (initializer.method, spec, payload))  # Python literals too
        code = f"from odl_verify.gate.initializers import replay; replay({arguments})"
        shown["replay (this case)"] = f"python -c {shlex.quote(code)}"
        dimension = math.prod(source.case.shape)
    return Counterexample(family=f"initializer:{initializer.method}", dimension=dimension, case=case, shown=shown,
                          reproduce=cli, confirmation=f"rejected by Holm at {FALSE_ALARM:g} over the run's tests")


def print_tests(tests: list[Test], level: float) -> None:
    """The tests of a replayed case, each against the level at which the gate rejected."""
    for test in tests:
        flag = "REJECTED" if test.p_value <= level else "passes"
        print(f"  {flag:8s} {test.name}: p = {test.p_value:.3g}, observed {test.observed:.6g}, "
              f"expected {test.expected:.6g} ({test.method})")
