"""Regression gate: check a user's optimizer or initializer against the mathematics.

A gate is registered under a method name (``sgd``, ``adam``, ``kaiming_normal``, ...)
with :func:`register`; ``odl-verify gate METHOD TARGET`` and :func:`check` run it on
a target loaded by :func:`load_target`. A gate returns a :class:`~odl_verify.Verdict`:
``held`` when the target computes the method, ``falsified`` with the first
difference when it does not, ``error`` when the target raises, hangs or returns NaN.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from ..errors import UsageError
from ..verdict import HELD, Verdict
from .target import load_target


@dataclasses.dataclass(frozen=True)
class GateConfig:
    """How hard a gate searches. ``examples=None`` takes the Hypothesis profile's."""

    examples: int | None = None
    seed: int = 0
    device: str = "auto"
    #: seconds one call of the target may take before it counts as hung
    timeout: float = 10.0


@dataclasses.dataclass(frozen=True)
class Gate:
    name: str
    description: str
    run: Callable[[object, str, GateConfig], Verdict]


GATES: dict[str, Gate] = {}


def register(name: str, description: str):
    """Decorator: ``@register("adam", "torch.optim.Adam semantics")`` on ``run(target, spec, config)``."""
    def decorate(run):
        GATES[name] = Gate(name, description, run)
        return run
    return decorate


def _load_gates() -> None:
    """Import the modules that register gates (kept lazy: torch.optim code is not needed for check)."""
    import importlib
    import pkgutil
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "target":
            importlib.import_module(f"{__name__}.{info.name}")


def check(method: str, target, config: GateConfig | None = None) -> Verdict:
    """Run the gate for ``method`` on ``target`` (an object, or a ``module:attr`` / ``file.py:attr`` spec)."""
    _load_gates()
    if method not in GATES:
        known = ", ".join(sorted(GATES)) or "none"
        raise UsageError(f"unknown gate method {method!r}; known: {known}")
    spec = target if isinstance(target, str) else getattr(target, "__qualname__", repr(target))
    obj = load_target(target) if isinstance(target, str) else target
    return GATES[method].run(obj, spec, config or GateConfig())


def assert_passes(method: str, target, **options) -> Verdict:
    """One line in a user's pytest file: fails with the formatted verdict unless the target passes."""
    from ..output import format_verdict
    verdict = check(method, target, GateConfig(**options))
    assert verdict.status == HELD, format_verdict(verdict)
    return verdict
