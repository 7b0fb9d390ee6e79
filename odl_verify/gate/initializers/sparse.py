"""Gate of sparse_: the exact count of zeros per column, their positions, the law of the rest,
and the generator contract, with torch 2.13's own deviation declared.

Per case (rows × cols, sparsity, std):

* zeros: exactly ceil(sparsity·rows) in every column of every call (SPARSE_ZEROS, a float64
  product: 0.07·100 → 8), deterministic;
* positions: the zeros of a column are a uniform subset of its rows, so row r is zero in a column
  with probability k/rows, independently across columns and calls: each row's count is
  Bin(columns·calls, k/rows) exactly; the test takes the smallest p over rows times rows;
* values: the nonzero entries are i.i.d. N(0, std²): the exact tests of iid.py, per case and pooled
  (the plan is iid.py's: a std off by VARIANCE_ERROR or a truncation at 3 sd is detected).

Generator: the same generator seed under another global RNG state gives the same values where
both tensors are nonzero and the same zero positions; another seed gives other values and other
positions; repeated calls differ. torch 2.13's sparse_ draws the zero positions with
``torch.randperm(rows)`` without the generator, so for torch.nn.init.sparse_ itself the two
position tests are waived (declared in QUIRKS, listed in the verdict with what they observed);
the values still must follow the generator, so a sparse_ that ignores it altogether fails.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from ...core.config import CheckConfig
from ...engine.exact_tests import binomial_counts_test, deterministic_test, iid_tests, sample_tests
from ...engine.statistics import Test
from . import sampling
from .iid import DRAWN_CASES, DRAWN_ENTRIES, MAX_CALLS, planned_entries, requirements
from .table import Case, Initializer, sparse_zeros
from .verdicts import Outcome, cases_for, run_cases

DESCRIPTION = ("exact count of zeros per column; their rows (exact binomial counts); exact tests of the nonzero "
               "entries' law on normal scores; the generator contract (values and positions); Holm at 1e-6")
POSITIONS_FOLLOW, POSITIONS_DEPEND = "positions follow the generator", "positions depend on the generator seed"


@dataclasses.dataclass(frozen=True)
class Quirk:
    """A known deviation of torch's own initializer: the tests it waives for that function only."""

    target: object
    waives: tuple[str, ...]
    reason: str
    reproduction: str


QUIRKS = (Quirk(torch.nn.init.sparse_, (POSITIONS_FOLLOW, POSITIONS_DEPEND),
                "torch 2.13's sparse_ draws the zero positions with torch.randperm(rows) without the generator "
                "(the values do follow it)",
                "python -c \"import torch; f = lambda s: (torch.manual_seed(s), torch.nn.init.sparse_("
                "torch.empty(6, 4), 0.5, generator=torch.Generator().manual_seed(0)))[1]; "
                "print(torch.equal(f(1), f(2)))\"  # False"),)


def case_sample(initializer: Initializer, target, c: Case, label: str, seeds, timeout: float):
    """The tests of one case, the normal scores of its nonzero entries and a summary."""
    rows, cols = c.shape
    zeros = sparse_zeros(c)
    drawn = [t.numpy() for t in sampling.draw(target, c, seeds, timeout)]
    is_zero = np.stack([d == 0 for d in drawn])
    wrong = int(np.count_nonzero(is_zero.sum(axis=1) != zeros))
    law = initializer.law(c)
    # column-major: the entries of one column, then the next (the zeros are placed per column)
    values = [d.T[~z.T] for d, z in zip(drawn, is_zero, strict=True)]
    tests = [deterministic_test(f"{label}: exactly {zeros} zeros in every column", wrong == 0, wrong, 0,
                                "count of columns with another number of zeros"),
             binomial_counts_test(f"{label}: zero positions uniform over rows", is_zero.sum(axis=(0, 2)),
                                  len(drawn) * cols, zeros / rows, "P(row zero)")]
    value_tests, scores = iid_tests(f"{label}: nonzero entries", law, values)
    w = np.concatenate(values)
    summary = {"zeros per column (law)": zeros, "columns with another count": wrong, "mean": float(w.mean()),
               "variance": float(w.var()), "max |z|": float(np.abs(scores).max())}
    return tests + value_tests, scores, summary


def generator_tests(target, c: Case, seed: int, timeout: float) -> list[Test]:
    (g, s), (other, _) = sampling.call_seeds(seed, 999_983, 2)
    first, same = sampling.draw(target, c, [(g, s), (g, other)], timeout)
    different = sampling.draw(target, c, [(g + 1, s)], timeout)[0]
    repeated = sampling.draw_repeated(target, c, g, s, 2, timeout)
    both = (first != 0) & (same != 0)
    prefix = f"generator on {c.label()}"
    zeros = lambda tensor: tensor == 0  # noqa: E731
    return [deterministic_test(f"{prefix}: same seed, other global RNG state -> same values",
                               torch.equal(first[both], same[both]), float((first[both] - same[both]).abs().max()), 0.0,
                               "equal where both are nonzero"),
            deterministic_test(f"{prefix}: {POSITIONS_FOLLOW}", torch.equal(zeros(first), zeros(same)),
                               int((zeros(first) != zeros(same)).sum()), 0,
                               "same seed, other global RNG state: same zeros"),
            deterministic_test(f"{prefix}: different seeds -> different values", not torch.equal(first, different),
                               float((first - different).abs().max()), 0.0, "not torch.equal"),
            deterministic_test(f"{prefix}: {POSITIONS_DEPEND}", not torch.equal(zeros(first), zeros(different)),
                               int((zeros(first) != zeros(different)).sum()), 0,
                               "other seed, same global state: other zeros"),
            deterministic_test(f"{prefix}: repeated calls with one generator -> different tensors",
                               not torch.equal(repeated[0], repeated[1]),
                               float((repeated[0] - repeated[1]).abs().max()), 0.0, "not torch.equal")]


def waive(target, tests: list[Test], outcome: Outcome) -> list[Test]:
    """The tests a declared quirk of ``target`` waives move to the verdict's ``waived`` list."""
    for quirk in QUIRKS:
        if target is not quirk.target:
            continue
        waived = [t for t in tests if t.name.endswith(quirk.waives)]
        tests = [t for t in tests if t not in waived]
        for test in waived:
            outcome.waived.append({**test.to_dict(), "reason": quirk.reason, "reproduction": quirk.reproduction})
        violated = [t.name for t in waived if t.p_value == 0]
        seen = "violated: " + "; ".join(violated) if violated else "none violated: the quirk is gone"
        outcome.notes.append(f"declared quirk of torch.nn.init.sparse_: {quirk.reason}; waived {len(waived)} tests "
                             f"({seen}); reproduce: {quirk.reproduction}")
    return tests


def experiment(initializer: Initializer):
    def run(target, config: CheckConfig, device) -> Outcome:
        sampling.check_signature(target, initializer)
        cases = cases_for(initializer, config, DRAWN_CASES)
        drawn = cases[len(initializer.sentinels):]
        nonzero = [(c.shape[0] - sparse_zeros(c)) * c.shape[1] for c in cases]
        # as many calls of each sentinel (sparse_ costs a randperm per column, whatever its length)
        sentinel_calls = math.ceil(planned_entries() / sum(nonzero[:len(initializer.sentinels)]))
        outcome = Outcome([], examples=len(cases))
        scores, _ = run_cases(
            outcome, cases, lambda index, c: (sentinel_calls if index < len(initializer.sentinels)
                                              else min(MAX_CALLS, math.ceil(DRAWN_ENTRIES / nonzero[index]))),
            lambda c, label, seeds: case_sample(initializer, target, c, label, seeds, config.timeout), config.seed)
        pooled = f"pooled over {len(cases)} cases: nonzero entries"
        outcome.tests += sample_tests(pooled, np.concatenate(scores), initializer.law(cases[0]))
        first = f"case 0 {cases[0].label()}: nonzero entries"
        outcome.requirements = requirements(initializer.law(cases[0]), pooled, first, sum(s.size for s in scores),
                                            scores[0].size)
        outcome.tests += waive(target, generator_tests(target, cases[0], config.seed, config.timeout), outcome)
        outcome.notes.append(f"{len(cases)} cases ({len(initializer.sentinels)} fixed, {sentinel_calls} calls each, "
                             f"{len(drawn)} drawn); {sum(s.size for s in scores)} nonzero entries in all")
        return outcome
    return run
