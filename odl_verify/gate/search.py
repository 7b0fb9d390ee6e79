"""The search loop every gate of this package shares: Hypothesis draws cases (generation only) until one
fails, and a greedy shrink over the gate's own simplifications of that case.

A gate's cases carry everything to replay them (``to_json``); ``examine(case)`` returns what is wrong
(a truthy finding) or None, and may raise :class:`UserCodeTimeout` (recorded as the failure: a hung
target is not run again). Hypothesis shrinks through its choice sequence, which here costs target runs
for candidates that are mostly rejected draws; the gates shrink in their cases' terms instead."""
from __future__ import annotations

import json
from typing import Callable, Iterable

from hypothesis import Phase

from ..core.config import CheckConfig
from ..engine.harness import FailureBudget, run_search
from ..errors import UserCodeTimeout


class _Stop(Exception):
    """Ends the search at the first failing case (recorded beside it)."""


def first_failure(strategy, examine: Callable, config: CheckConfig, passed: Callable = lambda case: None,
                  prepare: Callable = lambda case, turn: case):
    """(case, finding) of the first failing draw, or None; ``passed(case)`` tallies the others and
    ``prepare(case, turn)`` may adjust the ``turn``-th distinct case before it runs."""
    budget, outcomes = FailureBudget(0), {}

    def attempt(drawn):
        case = prepare(drawn, len(outcomes))
        key = json.dumps(case.to_json() if hasattr(case, "to_json") else repr(case), sort_keys=True)
        if key in outcomes:  # Hypothesis replays the failing case at the end: the same outcome
            if outcomes[key]:
                raise _Stop()
            return
        if not budget.allows_another():
            return
        try:
            found = examine(case)
        except UserCodeTimeout as error:
            found = error
        outcomes[key] = found is not None
        if found is not None:
            budget.record((case, found))
            raise _Stop()
        passed(case)

    try:
        run_search(strategy, attempt, examples=config.example_count(), seed_value=config.seed,
                   phases=(Phase.generate,))
    except Exception:  # ours, or Hypothesis's Flaky around ours on a nondeterministic target
        if not budget.failed:
            raise
    return budget.smallest


def greedy_shrink(case, found, candidates: Callable[[object, object], Iterable], fails: Callable,
                  valid: Callable = lambda case: True, budget: int = 40):
    """The simplest case found that still fails like ``found``: the first of ``candidates(case, found)``
    that ``fails`` (returning its finding) replaces the case, until none does or ``budget`` calls ran."""
    calls, improved = 0, True
    while improved and calls < budget:
        improved = False
        for candidate in candidates(case, found):
            if not valid(candidate):
                continue
            if calls >= budget:
                break
            calls += 1
            outcome = fails(candidate)
            if outcome is not None:
                case, found, improved = candidate, outcome, True
                break
    return case, found
