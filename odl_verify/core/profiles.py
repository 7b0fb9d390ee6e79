"""Hypothesis profiles: ``quick`` for every commit, ``thorough`` for a deep run.

Hypothesis loads its own ``ci`` profile when CI is set; we register ``ci`` as the
quick budget, derandomized, so CI gets the same verdicts as a developer's default run.
"""
from __future__ import annotations

import os

from hypothesis import settings

QUICK_EXAMPLES = 20
THOROUGH_FACTOR = 30

PROFILES = {
    "quick": dict(max_examples=QUICK_EXAMPLES, deadline=None),
    "thorough": dict(max_examples=QUICK_EXAMPLES * THOROUGH_FACTOR, deadline=None),
    "ci": dict(max_examples=QUICK_EXAMPLES, deadline=None, derandomize=True, database=None),
}

for _name, _options in PROFILES.items():
    settings.register_profile(_name, **_options)


def full_size(examples: int) -> bool:
    """Whether a run of ``examples`` per claim runs experiments at full size: above the quick
    budget (thorough, or ``--examples`` beyond quick's). At or below it a claim may use fewer
    steps or smaller dimensions, so that checking every shipped claim stays a matter of seconds."""
    return examples > QUICK_EXAMPLES


def default_profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "quick")


def load(name: str | None = None) -> None:
    settings.load_profile(name or default_profile())


load()
