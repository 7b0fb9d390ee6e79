"""Sweeps that keep a representative in the default suite and run whole in the thorough profile."""
import pytest


def quick_first(default: set, cases, ids=None) -> list:
    """A sweep's cases as ``pytest.param``s: those whose id is in ``default`` run in every run, the
    others only in the thorough profile (the default suite keeps a representative of each kind of
    case within its time budget; the thorough one runs the whole sweep)."""
    cases = list(cases)
    ids = list(ids) if ids is not None else [c if isinstance(c, str) else "-".join(map(str, c)) for c in cases]
    unknown = default - set(ids)
    assert not unknown, f"quick_first names cases the sweep does not have: {sorted(unknown)}"
    return [pytest.param(*(c if isinstance(c, tuple) else (c,)), id=i,
                         marks=() if i in default else pytest.mark.thorough) for c, i in zip(cases, ids)]
