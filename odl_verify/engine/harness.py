"""The one harness every search runs in: Hypothesis settings, seeding, the failure budget.

Claims, statistical draws and gates all go through :func:`run_search`, so one seed gives
the same draws from the CLI, under pytest or from another directory, and a failure is
shrunk within a bounded, deterministic number of calls.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Sequence

import torch
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

#: the phases of a falsification search (targeting steers draws toward small slack)
SEARCH_PHASES = (Phase.generate, Phase.target, Phase.shrink)


@contextlib.contextmanager
def seed_only():
    """Hypothesis mixes literals from whichever local modules happen to be imported (the user's
    file, theorems/, the current directory's code) into its draws, so one seed would draw
    differently from the CLI, under pytest or from another directory. Inside this context it
    draws from its global constants only; the cache of permitted constants is dropped on the way
    in and out so that neither side sees the other's pool."""
    saved = providers._get_local_constants
    providers.CONSTANTS_CACHE.cache.clear()
    providers._get_local_constants = providers.Constants
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def run_search(strategy: st.SearchStrategy, attempt: Callable, *, examples: int, seed_value: int,
               phases: Sequence[Phase] = SEARCH_PHASES) -> None:
    """Call ``attempt(example)`` on ``examples`` Hypothesis draws of ``strategy`` from ``seed_value``:
    no database, no deadline, quiet; the first exception ``attempt`` raises is shrunk and re-raised.
    torch's global generator is restored afterwards, so a check leaves no trace on the caller's."""

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False,
              print_blob=False, phases=tuple(phases))
    @seed(seed_value)
    @given(strategy)
    def search(example):
        attempt(example)

    with torch.random.fork_rng(devices=[]), seed_only():
        search()


def draw(strategy: st.SearchStrategy, count: int, seed_value: int) -> list:
    """``count`` examples drawn by Hypothesis from a seed, with no feedback from the tests
    (no targeting, no shrinking): the draws never depend on the data, so stated levels hold."""
    drawn: list = []
    run_search(strategy, drawn.append, examples=count, seed_value=seed_value, phases=(Phase.generate,))
    return drawn


class FailureBudget:
    """Shrinking a failure calls the user's code again and again: after the first failure
    at most ``calls`` more attempts run; past that every attempt passes without running,
    so Hypothesis ends with the smallest failure found so far."""

    def __init__(self, calls: int):
        self.calls, self.used, self.failures = calls, 0, []

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def allows_another(self) -> bool:
        """Whether the next attempt may run (counting it against the budget once a failure is in)."""
        if not self.failures:
            return True
        if self.used >= self.calls:
            return False
        self.used += 1
        return True

    def record(self, failure: BaseException) -> None:
        self.failures.append(failure)

    @property
    def smallest(self) -> BaseException | None:
        """The last failure recorded: Hypothesis only moves on to a failure smaller than the last."""
        return self.failures[-1] if self.failures else None
