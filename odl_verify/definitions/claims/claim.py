"""Claims stated in sympy and compiled into the checks that run.

A :class:`Claim` is hypotheses and a conclusion: sympy relations over named
quantities. Its symbols fall in four kinds:

* **certified**: constants an instance family guarantees by construction
  (``smoothness``, ``lambda_min``, ...), mapped from symbol to constant name;
* **free**: hyperparameters the search chooses; their domain is read off the
  hypotheses (``eta > 0``, ``eta <= 1/beta`` gives η ∈ (0, 1/β]);
* **integers**: step counts drawn by Hypothesis, held fixed while refining;
* **measured**: everything else, returned by the claim's ``measure`` function
  (the method run on the instance).

The conclusion ``a >= b`` (or ``b <= a``) is compiled once into a batched torch
function and once into an mpmath function; the scale-aware slack
``(a − b)/(|a| + |b|)`` and the tightness ``b/a`` are computed from those, never
from a hand-written copy of the formula.
"""
from __future__ import annotations

import functools
from typing import Callable, Mapping, Sequence

import mpmath
import sympy as sp

from ...core.profiles import full_size
from ...errors import UsageError
from ..families import Family, Instance
from .checkable import Checkable, defining_file
from .compile import compile_mp, compile_numpy, compile_torch, first
from .domains import Bound, Domain, as_bound, orient

_TINY = 1e-300


#: measure(instance, x0, values, xp) -> {measured symbol name: array (B,)}
Measure = Callable[[Instance, object, Mapping[str, object], object], Mapping[str, object]]


class Claim(Checkable):
    """A theorem as sympy relations plus the experiment that measures its quantities."""

    def __init__(self, name: str, *, hypotheses: Sequence[sp.Basic], conclusion: sp.Basic,
                 measure: Measure, families: Sequence[Family], certified: Mapping[sp.Symbol, str],
                 integers: Mapping[sp.Symbol, tuple[int, int]] | None = None,
                 quick_integers: Mapping[sp.Symbol, tuple[int, int]] | None = None,
                 title: str = "", reference: str = "", tight: bool = False, method: str = "",
                 dimensions: tuple[int, int] = (1, 32), parent: "Claim | None" = None,
                 latex_names: Mapping[sp.Symbol, str] | None = None,
                 illustrate: Callable | None = None):
        self.name = name
        self.title = title or name
        if any(h == sp.false for h in hypotheses):
            raise UsageError(f"claim {name!r}: a hypothesis simplifies to False, so nothing satisfies it")
        # sympy already decides relations implied by symbol assumptions (eta > 0 for a positive eta)
        self.hypotheses = tuple(h for h in hypotheses if h != sp.true)
        self.conclusion = conclusion
        self.measure = measure
        self.certified = dict(certified)
        self.integers = dict(integers or {})
        #: smaller ranges for the quick budget (see ``profiles.full_size``); ``integers`` above it
        self.quick_integers = dict(quick_integers or {})
        if not set(self.quick_integers) <= set(self.integers):
            raise UsageError(f"claim {name!r}: quick_integers names symbols that are not integers")
        self.reference, self.tight, self.method = reference, tight, method
        self.dimensions = dimensions
        self.parent = parent
        self.latex_names = dict(latex_names or {})
        #: illustrate(verdict) adds plots or notes to a verdict after the search (the tight instance, say);
        #: a variant does not inherit it, since it illustrates this claim's bound
        self.illustrate = illustrate
        self.origin = defining_file()
        self.small, self.big = orient(conclusion)
        #: conclusions are written "measured OP bound": which of (small, big) is the measured side
        self._measured_is_small = isinstance(conclusion, (sp.LessThan, sp.StrictLessThan))

        needed = {constant for constant in self.certified.values()}
        self.families = tuple(f for f in families if needed <= f.provides)
        if not self.families:
            raise UsageError(f"claim {name!r}: no instance family certifies {sorted(needed)}")
        symbols = set(conclusion.free_symbols).union(*(h.free_symbols for h in self.hypotheses))
        self.domains = self._domains(symbols - set(self.certified) - set(self.integers))
        self.free = tuple(d.symbol for d in self.domains)
        self.measured = tuple(sorted(symbols - set(self.certified) - set(self.integers) - set(self.free),
                                     key=str))
        self.arguments = (tuple(self.certified) + tuple(self.integers) + self.free + self.measured)
        self._side_conditions = tuple(h for h in self.hypotheses if not self._is_bound(h))

    # ------------------------------------------------------------ domain
    def _domains(self, candidates: set[sp.Symbol]) -> tuple[Domain, ...]:
        """Free symbols are those bounded by some hypothesis, ordered so bounds come first."""
        domains = {}
        for symbol in sorted(candidates, key=str):
            lower, upper = [], []
            for h in self.hypotheses:
                if symbol in h.free_symbols:
                    read = as_bound(h, symbol)
                    if read is not None and not (read[1].expr.free_symbols & self._measured_like(candidates)):
                        (lower if read[0] == "lower" else upper).append(read[1])
            if symbol.is_nonnegative:
                lower.append(Bound(sp.Integer(0), closed=not symbol.is_positive))
            if lower or upper:
                domains[symbol] = Domain(symbol, tuple(lower), tuple(upper))
        ordered, seen = [], set(self.certified) | set(self.integers)
        while domains:
            ready = sorted((s for s, d in domains.items() if d.depends_on() - {s} <= seen), key=str)
            if not ready:
                raise UsageError(f"claim {self.name!r}: hypotheses bound {sorted(map(str, domains))} "
                                 "in a cycle; state each bound in terms of earlier symbols")
            for s in ready:
                ordered.append(domains.pop(s))
                seen.add(s)
        return tuple(ordered)

    def _measured_like(self, candidates):
        """Symbols that appear only in the conclusion are measured, never free."""
        in_hypotheses = set().union(*(h.free_symbols for h in self.hypotheses))
        return {s for s in candidates if s not in in_hypotheses}

    def _is_bound(self, relation) -> bool:
        for domain in self.domains:
            for bound in domain.lower + domain.upper:
                if as_bound(relation, domain.symbol) in (("lower", bound), ("upper", bound)):
                    return True
        return False

    # ------------------------------------------------------------ compiled forms
    def _batched_forms(self, compile_fn):
        bound_fns = {d.symbol: ([compile_fn(self.arguments, b.expr) for b in d.lower],
                                [compile_fn(self.arguments, b.expr) for b in d.upper]) for d in self.domains}
        sides = compile_fn(self.arguments, sp.Tuple(self.small, self.big))
        side_conditions = [(compile_fn(self.arguments, sp.Tuple(*orient(h))),
                            isinstance(h, (sp.StrictGreaterThan, sp.StrictLessThan))) for h in self._side_conditions]
        return bound_fns, sides, side_conditions

    @functools.cached_property
    def _torch(self):
        return self._batched_forms(compile_torch)

    @functools.cached_property
    def _numpy(self):
        return self._batched_forms(compile_numpy)

    def _forms(self, xp):
        """The compiled (bounds, sides, ...) for the namespace ``xp`` computes in."""
        if xp.name == "mpmath":
            return self._mp
        return self._numpy if xp.name == "numpy" else self._torch

    @functools.cached_property
    def _mp(self):
        bound_fns, sides, _ = self._batched_forms(compile_mp)
        hypotheses = [(compile_mp(self.arguments, sp.Tuple(*orient(h))),
                       isinstance(h, (sp.StrictGreaterThan, sp.StrictLessThan))) for h in self.hypotheses]
        return bound_fns, sides, hypotheses

    def free_values(self, tau: Mapping[sp.Symbol, object], known: dict, xp) -> dict:
        """Map τ ∈ [0, 1] per free symbol into its domain; ``known`` gains the values.

        Two finite bounds: linear between them (exactly the value when they coincide). One bound: a decade scale away from it
        (three decades), so both the edge and values far from it are reachable.
        """
        bound_fns = self._forms(xp)[0]
        for domain in self.domains:
            s, t = domain.symbol, tau[domain.symbol]
            args = [known.get(a, 0 * t) for a in self.arguments]
            lows = [fn(*args) + 0 * t for fn in bound_fns[s][0]]
            highs = [fn(*args) + 0 * t for fn in bound_fns[s][1]]
            low = functools.reduce(xp.maximum, lows) if lows else None
            high = functools.reduce(xp.minimum, highs) if highs else None
            if low is not None and high is not None:
                # exact at both ends, and on a domain pinned to one value (a ≤ s ≤ a) whatever τ is
                value = xp.where(high == low, low, t * high + (1 - t) * low)
            elif low is not None:
                value = low + xp.maximum(xp.abs(low), 0 * t + 1) * (10 ** (3 * t) - 1)
            elif high is not None:
                value = high - xp.maximum(xp.abs(high), 0 * t + 1) * (10 ** (3 * t) - 1)
            else:
                value = 2000 * t - 1000
            if s.is_positive:  # a zero lower bound may be reached at τ = 0 (β ≥ L = 0, say)
                value = xp.maximum(value, 0 * t + 1e-9)
            known[s] = value
        return known

    def tau_range(self, symbol) -> tuple[float, float]:
        """Open bounds keep τ off the edge that the hypothesis excludes."""
        domain = next(d for d in self.domains if d.symbol == symbol)
        open_low = bool(domain.lower) and all(not b.closed for b in domain.lower)
        open_high = bool(domain.upper) and all(not b.closed for b in domain.upper)
        return (1e-9 if open_low else 0.0), (1 - 1e-9 if open_high else 1.0)

    def sides(self, values: Mapping, xp):
        """(small, big) of the conclusion small <= big, batched."""
        fn = self._forms(xp)[1]
        small, big = fn(*[values[a] for a in self.arguments])
        return small, big

    def side_conditions_hold(self, values: Mapping):
        """Torch mask of instances meeting the hypotheses that are not bounds on a free symbol."""
        mask = None
        for fn, strict in self._torch[2]:
            small, big = fn(*[values[a] for a in self.arguments])
            ok = (big - small) > 0 if strict else (big - small) >= 0
            mask = ok if mask is None else mask & ok
        return mask

    def rounding_scale(self, values: Mapping) -> mpmath.mpf:
        """How far the conclusion's gap (big − small) moves per unit relative error in its
        arguments: Σₐ |∂gap/∂a|·|a|, by a forward difference of the compiled conclusion at the
        working precision (which also covers Max, Piecewise and removable singularities). A gap
        below ``rounding_scale · 10^(-digits)`` is cancellation, not a violation: f(x) − f(x⁺) of
        two equal 60-digit numbers is 0 whatever the true difference of 10⁻¹⁶⁰. A conclusion
        that cannot be evaluated nearby gives infinity, so nothing is confirmed there."""
        step = mpmath.mpf(10) ** (-(mpmath.mp.dps // 3))

        def gap(at):
            small, big = self._mp[1](*[at[a] for a in self.arguments])
            return first(big) - first(small)

        try:
            base = gap(values)
            total = mpmath.mpf(0)
            for a in self.arguments:
                if a in self.integers:
                    continue
                moved = dict(values)
                moved[a] = values[a] * (1 + step)
                total += abs(gap(moved) - base) / step
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return mpmath.inf
        return total if mpmath.isfinite(total) else mpmath.inf

    def exact_hypotheses_hold(self, values: Mapping) -> list[str]:
        """Names of hypotheses that fail in high precision (empty when all hold)."""
        failed = []
        for (fn, strict), h in zip(self._mp[2], self.hypotheses):
            small, big = fn(*[values[a] for a in self.arguments])
            gap = first(big) - first(small)
            if gap < 0 or (strict and gap == 0):
                failed.append(sp.sstr(h))
        return failed

    def integer_ranges(self, examples: int) -> dict[sp.Symbol, tuple[int, int]]:
        """The step-count ranges a run of ``examples`` per claim draws from."""
        return self.integers if full_size(examples) else {**self.integers, **self.quick_integers}

    def observed_and_bound(self, small, big):
        """(observed, bound) from (small, big): the conclusion's left side is what was measured."""
        return (small, big) if self._measured_is_small else (big, small)

    @staticmethod
    def slack(small, big):
        """(big − small)/(|big| + |small|): negative iff violated, in [−1, 1], scale-free."""
        return (big - small) / (abs(big) + abs(small) + _TINY)

    # ------------------------------------------------------------ presentation
    def _latex(self, expr) -> str:
        return sp.latex(expr, symbol_names=self.latex_names)

    def latex(self) -> dict[str, str]:
        return {"hypotheses": [self._latex(h) for h in self.hypotheses],
                "conclusion": self._latex(self.conclusion)}

    def mathml(self) -> dict[str, str]:
        from .mathml import sympy_to_mathml
        return {"hypotheses": [sympy_to_mathml(h, self.latex_names) for h in self.hypotheses],
                "conclusion": sympy_to_mathml(self.conclusion, self.latex_names)}

    def statement(self) -> str:
        hyps = ", ".join(sp.sstr(h) for h in self.hypotheses)
        return f"{sp.sstr(self.conclusion)}   given   {hyps}"

    def describe_domains(self) -> list[str]:
        return [d.describe() for d in self.domains]

    # ------------------------------------------------------------ variants
    def variant(self, name: str, *, conclusion: sp.Basic | None = None,
                drop: Sequence[sp.Basic] = (), add: Sequence[sp.Basic] = (),
                replace: Mapping[sp.Basic, sp.Basic] | None = None, **changes) -> "Claim":
        """Derive a claim with another conclusion or hypotheses, e.g. a wrong constant::

            WRONG = DESCENT_LEMMA.variant("wrong-constant", conclusion=f_t - f_next >= g_sq / beta)
        """
        hypotheses = [h for h in self.hypotheses if h not in drop]
        missing = [sp.sstr(h) for h in drop if h not in self.hypotheses]
        if missing:
            raise UsageError(f"variant {name!r}: {missing} is not a hypothesis of {self.name!r}")
        for old, new in (replace or {}).items():
            if old not in hypotheses:
                raise UsageError(f"variant {name!r}: {sp.sstr(old)} is not a hypothesis of {self.name!r}")
            hypotheses[hypotheses.index(old)] = new
        hypotheses.extend(add)
        fields = dict(hypotheses=hypotheses, conclusion=conclusion if conclusion is not None else self.conclusion,
                      measure=self.measure, families=self.families, certified=self.certified,
                      integers=self.integers, quick_integers=self.quick_integers, title=self.title, reference=self.reference, tight=self.tight,
                      method=self.method, dimensions=self.dimensions, latex_names=self.latex_names)
        fields.update(changes)
        claim = Claim(f"{self.name}~{name}" if "~" not in name else name, parent=self, **fields)
        claim.origin = defining_file()
        return claim

    def __repr__(self) -> str:
        return f"Claim({self.name!r})"
