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

A conclusion ``Eq(a, b)`` makes the claim an **identity** (``kind = "identity"``): the
search checks |a − b| against a tolerance derived from the computation
(:mod:`odl_verify.engine.search.identity`), high precision confirms a deviation only if it
stays the same at two working precisions, and the adversary does not refine it (a true
identity's float64 deviation is rounding error, whose gradient says nothing).
"""
from __future__ import annotations

import functools
from typing import Callable, Mapping, Sequence

import mpmath
import sympy as sp
import torch

from ...core.profiles import full_size
from ...errors import UsageError
from ..families import Family, Instance
from .checkable import Checkable, defining_file
from .compile import compile_mp, compile_numpy, compile_torch, first
from .domains import Bound, Domain, as_bound, orient
from .worst_case import PerformanceEstimation

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
                 illustrate: Callable | None = None, refine: bool = True,
                 special_points: Mapping[sp.Symbol, Sequence[sp.Expr]] | None = None,
                 worst_case: PerformanceEstimation | None = None):
        self.name = name
        self.title = title or name
        if not isinstance(conclusion, (sp.Equality, sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan,
                                       sp.StrictLessThan)):
            raise UsageError(f"claim {name!r}: a conclusion must be =, <=, <, >= or >, not {sp.sstr(conclusion)}")
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
        #: an identity a = b, checked to a derived tolerance rather than as an inequality
        self.identity = isinstance(conclusion, sp.Equality)
        self.kind = "identity" if self.identity else "claim"
        #: whether the adversary refines drawn instances by gradient; off for identities and for
        #: measures that are piecewise constant in the parameters (a step count, say)
        self.refine = refine and not self.identity
        self._refine_asked = refine
        #: (small, big) of an inequality small <= big; (left, right) of an identity
        self.small, self.big = (conclusion.lhs, conclusion.rhs) if self.identity else orient(conclusion)
        #: conclusions are written "measured OP bound": which of (small, big) is the measured side
        self._measured_is_small = self.identity or isinstance(conclusion, (sp.LessThan, sp.StrictLessThan))

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
        #: the claim's link to a performance-estimation problem, where PEPit can express its method and class
        self.worst_case = worst_case
        #: values of free symbols the search always tries besides the domain's edges (η = 1/β where
        #: a bound changes form, say): expressions in the claim's symbols, like domain bounds
        self.special_points = {s: tuple(sp.sympify(e) for e in exprs) for s, exprs in (special_points or {}).items()
                               if parent is None or s in self.free}  # a variant may have pinned the symbol
        unknown = [str(s) for s in self.special_points if s not in self.free]
        if unknown:
            raise UsageError(f"claim {name!r}: special points for {unknown}, which are not free hyperparameters "
                             f"(free: {[str(s) for s in self.free]})")

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
    def _sensitivity(self):
        gap = self.big - self.small
        terms = [sp.Abs(a * sp.diff(gap, a)) for a in self.arguments if a not in self.integers]
        return compile_torch(self.arguments, sp.Add(*terms))

    def sensitivity(self, values: Mapping):
        """Σₐ |a·∂(big − small)/∂a| over the conclusion's arguments, batched in torch: how far its gap
        moves per unit relative error in them (the float64 counterpart of :meth:`rounding_scale`)."""
        return self._sensitivity(*[values[a] for a in self.arguments])

    @functools.cached_property
    def special_point_fns(self) -> dict[sp.Symbol, list[Callable]]:
        """The special points compiled for torch: ``fn(*values of self.arguments)``."""
        return {s: [compile_torch(self.arguments, e) for e in exprs] for s, exprs in self.special_points.items()}

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

    def _bounds(self, domain: Domain, known: Mapping, like, xp):
        """(lowest, highest) value of a free symbol given the values it depends on; None where unbounded."""
        bound_fns = self._forms(xp)[0][domain.symbol]
        args = [known.get(a, 0 * like) for a in self.arguments]
        lows = [fn(*args) + 0 * like for fn in bound_fns[0]]
        highs = [fn(*args) + 0 * like for fn in bound_fns[1]]
        low = functools.reduce(xp.maximum, lows) if lows else None
        high = functools.reduce(xp.minimum, highs) if highs else None
        return low, high

    def free_values(self, tau: Mapping[sp.Symbol, object], known: dict, xp) -> dict:
        """Map τ ∈ [0, 1] per free symbol into its domain; ``known`` gains the values.

        Two finite bounds: linear between them (exactly the value when they coincide). One bound: a decade scale away from it
        (three decades), so both the edge and values far from it are reachable.
        """
        for domain in self.domains:
            known[domain.symbol] = self.free_value(domain, tau[domain.symbol], known, xp)
        return known

    def free_value(self, domain: Domain, t, known: Mapping, xp):
        """One free symbol's value at τ = ``t``, given the values its domain depends on."""
        low, high = self._bounds(domain, known, t, xp)
        if low is not None and high is not None:
            # exact at both ends, and on a domain pinned to one value (a ≤ s ≤ a) whatever τ is
            value = xp.where(high == low, low, t * high + (1 - t) * low)
        elif low is not None:
            value = low + xp.maximum(xp.abs(low), 0 * t + 1) * (10 ** (3 * t) - 1)
        elif high is not None:
            value = high - xp.maximum(xp.abs(high), 0 * t + 1) * (10 ** (3 * t) - 1)
        else:
            value = 2000 * t - 1000
        if domain.symbol.is_positive:  # a zero lower bound may be reached at τ = 0 (β ≥ L = 0, say)
            value = xp.maximum(value, 0 * t + 1e-9)
        return value

    def tau_of(self, symbol: sp.Symbol, value: torch.Tensor, known: Mapping, xp) -> torch.Tensor:
        """The τ that :meth:`free_values` maps to ``value`` (a batch in torch), given the values of
        the symbols its domain depends on; clamped to :meth:`tau_range`, so a value outside the
        domain gives the nearest edge."""
        domain = next(d for d in self.domains if d.symbol == symbol)
        low, high = self._bounds(domain, known, value, xp)
        if low is not None and high is not None:
            width = high - low
            tau = (value - low) / torch.where(width > 0, width, torch.ones_like(width))
        elif low is not None or high is not None:  # the decade scale of free_values, inverted
            edge = low if low is not None else high
            distance = (value - low) if low is not None else (high - value)
            tau = torch.log10((distance / torch.clamp(edge.abs(), min=1) + 1).clamp(min=1)) / 3
        else:
            tau = (value + 1000) / 2000
        return tau.clamp(*self.tau_range(symbol))

    def tau_range(self, symbol) -> tuple[float, float]:
        """Open bounds keep τ off the edge that the hypothesis excludes."""
        domain = next(d for d in self.domains if d.symbol == symbol)
        open_low = bool(domain.lower) and all(not b.closed for b in domain.lower)
        open_high = bool(domain.upper) and all(not b.closed for b in domain.upper)
        return (1e-9 if open_low else 0.0), (1 - 1e-9 if open_high else 1.0)

    def sides(self, values: Mapping, xp):
        """(small, big) of the conclusion small <= big (an identity's (left, right)), batched."""
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

    def unicode(self) -> dict[str, str]:
        """The hypotheses and conclusion as one-line Unicode math (terminal, plain-text report)."""
        from .unicode import to_unicode
        return {"hypotheses": [to_unicode(h, self.latex_names) for h in self.hypotheses],
                "conclusion": to_unicode(self.conclusion, self.latex_names)}

    def statement(self) -> str:
        text = self.unicode()
        return f"{text['conclusion']}   given   {', '.join(text['hypotheses'])}" if text["hypotheses"] else text["conclusion"]

    def describe_domains(self) -> list[str]:
        return [d.describe(self.latex_names) for d in self.domains]

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
                      integers=self.integers, quick_integers=self.quick_integers,
                      title=f"{self.title} (variant {name!r})", reference=self.reference, tight=self.tight,
                      method=self.method, dimensions=self.dimensions, latex_names=self.latex_names,
                      refine=self._refine_asked, special_points=self.special_points, worst_case=self.worst_case)
        fields.update(changes)
        claim = Claim(f"{self.name}~{name}" if "~" not in name else name, parent=self, **fields)
        claim.origin = defining_file()
        return claim

    def stronger(self, name: str, by: float, **changes) -> "Claim":
        """The variant whose bound is tighter by the fraction ``by``: observed ≤ (1 − by)·bound, or
        observed ≥ (1 + by)·bound. On a tight claim it is false, so the search must falsify it."""
        small, big = orient(self.conclusion)
        factor = 1 - sp.nsimplify(by) if self._measured_is_small else 1 + sp.nsimplify(by)
        conclusion = sp.Le(small, factor * big) if self._measured_is_small else sp.Ge(big, factor * small)
        return self.variant(name, conclusion=conclusion, **changes)

    def __repr__(self) -> str:
        return f"Claim({self.name!r})"
