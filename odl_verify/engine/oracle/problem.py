"""A claim at one grid point as a normalised performance-estimation problem (sympy only, no solver).

The claim's conclusion reads observed ≤ bound (or observed ≥ bound). At a grid point every symbol
but the PEP quantities is a number, and the bound is a linear form in the quantities, scale × form
with the form's largest coefficient 1. The PEP over the class (L = 1) is then

    maximise observed   subject to form ≤ 1      (observed ≤ bound: tightness observed/bound), or
    minimise observed   subject to form ≥ 1      (observed ≥ bound: tightness bound/observed),

and since every quantity scales alike under f ↦ s·f(·/√s) (which keeps L and the method's
trajectory), the worst ratio over the class is value/scale (or scale/value). The PEP does not
depend on the scale, so a variant with another constant reads the same solution: a certified
ratio above 1 is then evidence that the variant's bound is false on the class. Norms (‖x_N − x*‖)
enter squared, and the ratio is the square root of the squared problem's.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math

import sympy as sp

from ...definitions.claims import Claim
from ...definitions.claims.domains import orient
from ...errors import UsageError

#: quantities that are norms: the PEP works with their squares
NORMS = {"|x_0 - x*|": "|x_0 - x*|^2", "|x_N - x*|": "|x_N - x*|^2"}
#: a quantity that stands for N performance metrics (the gradients the method took)
EACH_STEP = "min_{k<N} |g_k|^2"
#: significant digits of the numbers in a problem's key (a grid point's h, a normalised coefficient)
KEY_DIGITS = 12


def _number(value) -> float:
    return float(f"{float(value):.{KEY_DIGITS}g}")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One normalised PEP, in plain data (what the cache is keyed by). ``observed`` is a list of
    linear forms (their minimum is the performance), ``constraint`` the normalised linear form."""

    method: str
    hyperparameters: tuple[tuple[str, float | str], ...]
    function_class: str
    strong_convexity: float | None
    steps: int
    sense: str  # "max" (observed ≤ bound) or "min" (observed ≥ bound)
    observed: tuple[tuple[tuple[str, float], ...], ...]
    constraint: tuple[tuple[str, float], ...]

    def as_dict(self) -> dict:
        return {"method": self.method, "hyperparameters": dict(self.hyperparameters),
                "function class": self.function_class, "L": 1.0, "mu": self.strong_convexity, "N": self.steps,
                "sense": self.sense, "observed": [dict(atom) for atom in self.observed],
                "constraint": dict(self.constraint)}

    @property
    def key(self) -> str:
        text = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclasses.dataclass(frozen=True)
class GridPoint:
    """A claim at one parameter point: the PEP, and how its value becomes the claim's ratio."""

    parameters: dict
    problem: Problem
    #: bound = scale × form
    scale: float
    #: 2 where norms were squared: the claim's ratio is the squared problem's to the power 1/2
    power: int

    def tightness(self, value: float) -> float:
        """The claim's worst ratio over the class from the PEP's optimal value."""
        if self.problem.sense == "max":
            ratio = value / self.scale
        else:
            ratio = self.scale / value if value > 0 else math.inf
        return ratio ** (1 / self.power) if ratio >= 0 else ratio


def _linear_form(expr, symbols: dict) -> dict[str, float]:
    """{quantity: coefficient} of an expression linear and homogeneous in the quantity symbols."""
    expr = sp.expand(expr)
    coefficients = {}
    for name, symbol in symbols.items():
        coefficient = expr.coeff(symbol)
        if coefficient != 0:
            if coefficient.free_symbols:
                raise UsageError(f"the bound is not linear in the PEP quantities ({sp.sstr(expr)})")
            coefficients[name] = float(coefficient)
    rest = sp.expand(expr - sum(sp.Float(c) * symbols[n] for n, c in coefficients.items()))
    if rest.free_symbols or abs(float(rest)) > 1e-12 * max([1.0, *map(abs, coefficients.values())]):
        raise UsageError(f"{sp.sstr(expr)} is not a homogeneous linear form in the PEP quantities")
    return coefficients


def _atoms(observed) -> list:
    return list(observed.args) if isinstance(observed, sp.Min) else [observed]


def grid_points(claim: Claim) -> list[GridPoint]:
    """Every combination of the link's grid inside the claim's domain, as normalised PEPs."""
    link = claim.worst_case
    if link is None:
        return []
    names = sorted(link.grid, key=str)
    points = []
    for values in itertools.product(*[link.grid[s] for s in names]):
        point = dict(zip(names, values))
        built = _grid_point(claim, point)
        if built is not None:
            points.append(built)
    return points


def _grid_point(claim: Claim, point: dict) -> GridPoint | None:
    link = claim.worst_case
    quantity_symbols = set(link.quantities)
    substitution = {s: sp.Integer(1) for s in claim.certified if s not in quantity_symbols}
    substitution[link.smoothness] = sp.Integer(1)
    substitution.update({s: sp.nsimplify(v) for s, v in point.items()})
    steps = link.steps if isinstance(link.steps, int) else int(substitution.get(link.steps, 0))
    if isinstance(link.steps, sp.Symbol):
        low, high = claim.integers.get(link.steps, (steps, steps))
        if not low <= steps <= high:
            return None
    unset = [str(s) for s in claim.free if s not in substitution]
    if unset:
        raise UsageError(f"claim {claim.name!r}: its PEP grid gives no value for {unset}")
    for hypothesis in claim.hypotheses:
        if hypothesis.free_symbols & quantity_symbols:
            continue
        if sp.simplify(hypothesis.subs(substitution)) != sp.true:
            return None  # outside the claim's domain (a pinned variant's grid, say)
    squares = {name: sp.Symbol(f"q{k}", positive=True) for k, name in enumerate(sorted(set(NORMS.values())))}
    plain = {name: sp.Symbol(f"p{k}", real=True) for k, name in enumerate(sorted(set(link.quantities.values())))}
    for measured, name in link.quantities.items():
        substitution[measured] = sp.sqrt(squares[NORMS[name]]) if name in NORMS else plain[name]
    small, big = orient(claim.conclusion)
    observed, bound = (expr.subs(substitution) for expr in claim.observed_and_bound(small, big))
    power = 2 if (observed.has(sp.sqrt) or bound.has(sp.sqrt) or any(observed.has(q) or bound.has(q)
                                                                      for q in squares.values())) else 1
    atoms = [atom ** power for atom in _atoms(observed)]
    bound = bound ** power
    symbols = {**{n: s for n, s in plain.items() if n not in NORMS}, **squares}
    form = _linear_form(bound, symbols)
    if EACH_STEP in form:
        raise UsageError(f"claim {claim.name!r}: {EACH_STEP} can only be observed, not bounded")
    scale = max(abs(c) for c in form.values()) if form else 0.0
    if scale <= 0:
        raise UsageError(f"claim {claim.name!r}: the bound has no PEP quantity at {point}")
    sense = "max" if claim.observed_and_bound(small, big)[0] is small else "min"
    if sense == "min" and len(atoms) > 1:
        raise UsageError(f"claim {claim.name!r}: a lower bound on a minimum is not a PEP")
    settings = {field.name: getattr(link.method, field.name) for field in dataclasses.fields(link.method)}
    hyperparameters = tuple(sorted(  # numbers at the grid point; a rule's named form (Nesterov's) as is
        (name, value if isinstance(value, str) else _number(sp.sympify(value).subs(substitution)))
        for name, value in settings.items()))
    strong = (_number(substitution[link.strong_convexity]) if link.strong_convexity is not None else None)
    problem = Problem(
        method=type(link.method).__name__, hyperparameters=hyperparameters, function_class=link.function_class,
        strong_convexity=strong, steps=steps, sense=sense,
        observed=tuple(tuple(sorted((n, _number(c)) for n, c in _linear_form(a, symbols).items())) for a in atoms),
        constraint=tuple(sorted((n, _number(c / scale)) for n, c in form.items())))
    shown = {str(s): (float(v) if not isinstance(v, int) else v) for s, v in point.items()}
    return GridPoint(parameters=shown, problem=problem, scale=float(scale), power=power)
