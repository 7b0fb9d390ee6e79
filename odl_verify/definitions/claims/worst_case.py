"""A claim's link to a performance-estimation problem (PEP): data the engine's oracle interprets.

A claim about a first-order method on a function class that PEPit can express declares, once,
which method it runs (a rule of :mod:`odl_verify.definitions.methods` whose hyperparameters are
the claim's own sympy expressions), on which class, which of its symbols play the roles the PEP
normalises (the smoothness L = 1, the strong convexity μ, the number of steps N), what each
measured symbol is in the PEP's terms, and at which fixed parameter values to certify. The
engine (``odl_verify.engine.oracle``) builds and solves the PEP, or reads a cached solution, and
reports the certified worst case over the class divided by the claim's bound; this module only
states the link, since definitions do not import the engine.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import sympy as sp

from ...errors import UsageError

#: function classes the oracle can build (PEPit's classes, L = 1 and μ = the strong convexity value)
FUNCTION_CLASSES = ("smooth", "smooth convex", "smooth strongly convex", "quadratic")

#: what a measured symbol can be, in terms of the method's run for N steps from x₀: x_k its
#: iterates, g_k the gradients it takes (k < N), g_N = ∇f(x_N); norms are Euclidean
QUANTITIES = ("f(x_0)", "f(x_N)", "f*", "|g_0|^2", "|g_N|^2", "min_{k<N} |g_k|^2", "|x_0 - x*|",
              "|x_N - x*|")


@dataclasses.dataclass(frozen=True)
class PerformanceEstimation:
    """How a claim maps onto a PEP. ``method`` is an update rule with sympy hyperparameters
    (``GradientDescent(lr=eta)``, ``HeavyBall(lr=ALPHA, momentum=BETA)``); ``smoothness`` and
    ``steps`` (and ``strong_convexity`` for the strongly convex classes) name the claim's symbols
    that are L, N and μ; ``quantities`` maps each measured symbol of the conclusion (and a
    certified f*) to one of :data:`QUANTITIES`; ``grid`` gives the values, in units of L = 1,
    at which the worst case is certified (every combination inside the claim's domain)."""

    method: Any
    function_class: str
    smoothness: sp.Symbol
    steps: sp.Symbol | int
    quantities: Mapping[sp.Symbol, str]
    grid: Mapping[sp.Symbol, Sequence[float]]
    strong_convexity: sp.Symbol | None = None
    #: the claim's step-size symbol, when the method has one (a role the search designs worst cases for)
    step: sp.Symbol | None = None

    def __post_init__(self):
        if self.function_class not in FUNCTION_CLASSES:
            raise UsageError(f"function class {self.function_class!r} is not one of {FUNCTION_CLASSES}")
        unknown = sorted(q for q in self.quantities.values() if q not in QUANTITIES)
        if unknown:
            raise UsageError(f"PEP quantities {unknown} are not among {QUANTITIES}")
        strongly = self.function_class in ("smooth strongly convex", "quadratic")
        if strongly != (self.strong_convexity is not None):
            raise UsageError(f"the class {self.function_class!r} {'needs' if strongly else 'takes no'} "
                             "strong_convexity symbol")

    def at(self, **grid: Sequence[float]) -> "PerformanceEstimation":
        """The same link certified at other parameter values, by symbol name: ``link.at(eta=[1.5], T=[20])``."""
        by_name = {str(s): s for s in self.grid} | {str(v): v for v in self.roles.values()}
        if self.step is not None:
            by_name[str(self.step)] = self.step
        missing = sorted(set(grid) - set(by_name))
        if missing:
            raise UsageError(f"no grid symbols named {missing} (known: {sorted(by_name)})")
        return dataclasses.replace(self, grid={**self.grid, **{by_name[k]: tuple(v) for k, v in grid.items()}})

    @property
    def roles(self) -> dict[str, sp.Symbol]:
        """The claim's symbols by the role they play: ``smoothness``, ``steps``, ``step``, ``strong convexity``."""
        roles = {"smoothness": self.smoothness}
        if isinstance(self.steps, sp.Symbol):
            roles["steps"] = self.steps
        if self.step is not None:
            roles["step"] = self.step
        if self.strong_convexity is not None:
            roles["strong convexity"] = self.strong_convexity
        return roles
