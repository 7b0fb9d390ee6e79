"""One entry point for every kind of statement: ``check(statement, config)`` → a Verdict."""
from __future__ import annotations

from ..core.config import CheckConfig
from ..core.verdict import Verdict
from ..definitions.claims import Checkable, Claim
from ..errors import UsageError
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
