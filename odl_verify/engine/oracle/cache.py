"""Solved PEPs, cached as JSON in the package: checks read them and never solve an SDP.

One file, ``cache/pep.json``: {problem key: entry}, the key a hash of the normalised problem
(:class:`~.problem.Problem`: method and its numeric hyperparameters, class, μ, N, performance,
normalised constraint), the entry its optimal value, solver, versions, accuracy and worst case.
``python -m odl_verify.engine.oracle`` regenerates the entries the shipped claims need.
"""
from __future__ import annotations

import functools
import json
import os

CACHE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache", "pep.json")


@functools.cache
def entries(path: str = CACHE_FILE) -> dict:
    """Every cached solution by problem key (read once per process)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write(new: dict, path: str = CACHE_FILE) -> None:
    """Add or replace entries, keeping the file sorted so that a regeneration diffs cleanly."""
    merged = {**entries(path), **new}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(merged, handle, indent=1, sort_keys=True, allow_nan=True)
        handle.write("\n")
    entries.cache_clear()


def prune(keep: set[str], path: str = CACHE_FILE) -> list[str]:
    """Drop the entries whose key is not in ``keep`` (grid points no claim has any more); returns them."""
    current = entries(path)
    dropped = sorted(set(current) - keep)
    if dropped:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({k: v for k, v in current.items() if k in keep}, handle, indent=1, sort_keys=True)
            handle.write("\n")
        entries.cache_clear()
    return dropped
