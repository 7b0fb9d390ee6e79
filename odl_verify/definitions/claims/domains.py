"""Reading hypotheses as domains: ``eta > 0, eta <= 1/beta`` gives η ∈ (0, 1/β]."""
from __future__ import annotations

import dataclasses
import functools

import sympy as sp

from ...errors import UsageError


@dataclasses.dataclass(frozen=True)
class Bound:
    expr: sp.Expr
    closed: bool


def orient(relation: sp.Basic) -> tuple[sp.Expr, sp.Expr]:
    """Return (small, big) for a relation meaning small <= big."""
    if isinstance(relation, (sp.GreaterThan, sp.StrictGreaterThan)):
        return relation.rhs, relation.lhs
    if isinstance(relation, (sp.LessThan, sp.StrictLessThan)):
        return relation.lhs, relation.rhs
    raise UsageError(f"a claim relation must be <=, <, >= or >, not {relation!r}")


@functools.lru_cache(maxsize=None)
def as_bound(relation, symbol) -> tuple[str, Bound] | None:
    """Read ``relation`` as a lower or upper bound on ``symbol`` when it is linear in it.

    Cached: domains and side conditions read each hypothesis twice, and a variant re-reads
    its parent's hypotheses. cancel, not simplify: a linear relation needs only its rational
    form, at a tenth of the cost (this runs at import for every claim and variant)."""
    small, big = orient(relation)
    expr = big - small  # relation: expr >= 0
    coefficient = sp.cancel(sp.diff(expr, symbol))
    if coefficient == 0 or coefficient.has(symbol):
        return None
    rest = sp.cancel(expr - coefficient * symbol)
    closed = not isinstance(relation, (sp.StrictGreaterThan, sp.StrictLessThan))
    bound = Bound(sp.cancel(-rest / coefficient), closed)
    if coefficient.is_positive:
        return "lower", bound
    if coefficient.is_negative:
        return "upper", bound
    return None


@dataclasses.dataclass(frozen=True)
class Domain:
    """Where a free symbol lives, read from the hypotheses."""

    symbol: sp.Symbol
    lower: tuple[Bound, ...]
    upper: tuple[Bound, ...]

    def depends_on(self) -> set[sp.Symbol]:
        return set().union(*(b.expr.free_symbols for b in self.lower + self.upper))

    def describe(self, names=None) -> str:
        """``η ∈ (0, 1/β]``, in Unicode with the claim's display ``names``."""
        from .unicode import to_unicode
        low = to_unicode(sp.Max(*[b.expr for b in self.lower]), names) if self.lower else "−∞"
        high = to_unicode(sp.Min(*[b.expr for b in self.upper]), names) if self.upper else "∞"
        left = "[" if any(b.closed for b in self.lower) else "("
        right = "]" if any(b.closed for b in self.upper) else ")"
        return f"{to_unicode(self.symbol, names)} ∈ {left}{low}, {high}{right}"

