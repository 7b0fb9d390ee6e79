"""Regression gates: check a user's optimizer, lr scheduler, gradient clipping or initializer
against the mathematics.

A gate is registered under a method name (``sgd``, ``adam``, ``step_lr``, ``clip_grad_norm``,
``kaiming_normal``, ...) with :func:`register`; ``odl-verify gate METHOD TARGET`` and
:func:`check` run it on a target (an object, or ``module:attr`` / ``file.py:attr``). A gate
returns a :class:`~odl_verify.Verdict`: ``held`` when the target computes the method,
``falsified`` with a shrunk case when it does not, ``error`` when the target raises (with the
case) or hangs. This layer sits above the theorems: a gate checks a target with the catalog's
rules and the theorems' own claims, never a restated formula.
"""
from __future__ import annotations

import time

import dataclasses
from typing import Callable

from ..core.config import CheckConfig
from ..core.loading import load_object
from ..core.text import format_verdict, user_code_error_text
from ..core.verdict import HELD, Verdict, error_verdict
from ..definitions.backend import resolve_device
from ..definitions.claims import Checkable
from ..engine.calls import run_guarded
from ..errors import UsageError, UserCodeError


class GateStatement(Checkable):
    """What one gate run claims of its target, named ``gate:METHOD`` in verdicts and reports."""

    kind = "gate"

    def __init__(self, method: str, *, title: str, statement: str, reference: str, description: str,
                 tight: bool = False):
        self.name, self.title, self.reference, self.method = f"gate:{method}", title, reference, description
        self._statement, self.tight = statement, tight

    def statement(self) -> str:
        return self._statement


@dataclasses.dataclass(frozen=True)
class Gate:
    name: str
    description: str
    run: Callable[[object, str, CheckConfig], Verdict]


GATES: dict[str, Gate] = {}


def register(name: str, description: str):
    """Decorator: ``@register("adam", "torch.optim.Adam semantics")`` on ``run(target, spec, config)``."""
    def decorate(run):
        GATES[name] = Gate(name, description, run)
        return run
    return decorate


def _load_gates() -> None:
    """Import the modules that register gates (kept lazy: torch.optim code is not needed for check)."""
    from . import clipping, initializers, optimizers, schedulers  # noqa: F401  (registering is their side effect)


def check(method: str, target, config: CheckConfig | None = None, **options) -> Verdict:
    """Run the gate for ``method`` on ``target`` (an object, or a ``module:attr`` / ``file.py:attr`` spec);
    ``options`` (examples, seed, device, timeout) build the config when none is given."""
    _load_gates()
    if method not in GATES:
        known = ", ".join(sorted(GATES)) or "none"
        raise UsageError(f"unknown gate method {method!r}; known: {known}")
    config = config or CheckConfig(**options)
    spec = target if isinstance(target, str) else target_spec(target)
    obj = load_object(target) if isinstance(target, str) else target
    # in a watched worker: a target stuck past config.timeout, even inside C code, is killed there
    device, start = str(resolve_device(config.device)), time.perf_counter()
    try:
        return run_guarded(lambda: GATES[method].run(obj, spec, config), call_timeout=config.timeout, device=device)
    except UserCodeError as exc:
        return error_verdict(f"gate:{method}", spec, f"{spec}: {user_code_error_text(exc)}", seed=config.seed,
                             device=device, kind="gate", seconds=time.perf_counter() - start,
                             details={"case": exc.case} if exc.case is not None else {})


def target_spec(target) -> str:
    """How a printed line names an object passed in: ``package.module:attr`` for a module inside a
    package, ``path/to/file.py:attr`` (relative to the working directory when under it) for one
    imported from a file (a test module, a script), so the replay line loads it again."""
    import inspect
    import os
    qualname = getattr(target, "__qualname__", None)
    module = getattr(target, "__module__", None)
    if qualname is None or module is None or "<locals>" in qualname:
        return repr(target)
    if "." in module:
        return f"{module}:{qualname}"
    try:
        path = inspect.getsourcefile(target) or ""
    except TypeError:
        return f"{module}:{qualname}"
    relative = os.path.relpath(path)
    return f"{relative if not relative.startswith('..') else path}:{qualname}"


def assert_passes(method: str, target, **options) -> Verdict:
    """One line in a user's pytest file: fails with the formatted verdict unless the target passes."""
    verdict = check(method, target, **options)
    assert verdict.status == HELD, format_verdict(verdict)
    return verdict
