"""One entry point for every kind of statement: ``check(statement, config)`` → a Verdict;
``check_guarded`` runs it in a watched worker (:mod:`.calls`), as the CLI and pytest do."""
from __future__ import annotations

import time

from ..core.config import CheckConfig
from ..core.text import user_code_error_text
from ..core.verdict import Verdict, error_verdict
from ..definitions.backend import resolve_device
from ..definitions.claims import Checkable, Claim
from ..errors import UsageError, UserCodeError
from .calls import run_guarded
from .search import falsify


def check(statement: Checkable, config: CheckConfig | None = None, **options) -> Verdict:
    """Try to break ``statement``: a sympy claim is searched (:func:`~.search.falsify`), a
    statistical claim runs its experiment, a sympy finding is proved. ``options`` build the
    config when none is given (``check(CLAIM, seed=3)``)."""
    if config is None:
        config = CheckConfig(**options)
    elif options:
        raise UsageError("pass either a CheckConfig or its options, not both")
    if isinstance(statement, Claim):
        return falsify(statement, config)
    verify = getattr(statement, "verify", None)
    if verify is None:
        raise UsageError(f"{statement!r} is not a statement odl-verify can check (a Claim, a StatisticalClaim "
                         "or a SymbolicFinding)")
    return verify(config)


def check_guarded(statement: Checkable, config: CheckConfig, *, limit: float | None = None) -> Verdict:
    """:func:`check` in a forked worker: a call of the claim's measure past ``config.timeout``
    seconds, or the whole check past ``limit``, is stopped (C code included) and becomes an
    error verdict naming the case it was on."""
    device, start = resolve_device(config.device), time.perf_counter()
    try:
        return run_guarded(lambda: check(statement, config), limit=limit, call_timeout=config.timeout,
                           device=str(device))
    except UserCodeError as exc:
        return error_verdict(statement.name, statement.title, f"{statement.name}: {user_code_error_text(exc)}",
                             seed=config.seed, device=str(device), kind=statement.kind,
                             seconds=time.perf_counter() - start,
                             details={"case": exc.case} if exc.case is not None else {})
