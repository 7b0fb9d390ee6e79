"""Hypothesis runs whose draws depend on the seed alone."""
from __future__ import annotations

import contextlib

from hypothesis.internal.conjecture import providers


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

