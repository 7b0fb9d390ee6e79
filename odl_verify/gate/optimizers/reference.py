"""The catalog's reference rule run on a scenario: float64 (the reference), float32 and the target's
half precision (the condition of the computation, for the tolerance), and 60 digits (confirmation).

A parameter's rule at step t is built from its group's hyperparameters at t (so a schedule is the
rule's hyperparameters changing under a running state), plus keywords that follow the target's
dtype (Adafactor's machine ε) and those of a declared deviation or a convention variant."""
from __future__ import annotations

import dataclasses
from typing import Callable

import mpmath
import numpy as np
import torch

from ...core.precision import CONFIRM_DIGITS
from ...definitions.backend import MpNamespace, TorchNamespace, to_mp
from ...definitions.methods.catalog import OptimizerInfo, resolve
from ...definitions.methods.torch_quirks import DEFAULT_DTYPE, PARAMETER_DTYPE
from ...engine.trajectories import UNIT_ROUNDOFF, tolerances
from .running import objective_in, real_view, scatter
from .scenarios import LOW_PRECISION, Scenario, SparseGradient


class OtherOrderNamespace(TorchNamespace):
    """The same arithmetic in another evaluation order: moving averages as torch.lerp (as torch.optim
    writes them) and sums over reversed entries."""

    lerp = staticmethod(torch.lerp)
    sum = staticmethod(lambda a, axis=-1: a.flip(axis).sum(dim=axis))


@dataclasses.dataclass(frozen=True)
class Reference:
    """How to build the reference rules: extra keywords (a deviation's, before and after a state_dict
    hand-over at ``switch_at``), a convention variant applied to every rule, and the precision the
    comparison works at when coarser than the target's (a deviation's)."""

    keywords: dict = dataclasses.field(default_factory=dict)
    after_switch: dict = dataclasses.field(default_factory=dict)
    switch_at: int | None = None
    variant: Callable | None = None
    precision: str | None = None


EXACT = Reference()


def _resolved(keywords: dict, scenario: Scenario) -> dict:
    names = {PARAMETER_DTYPE: scenario.dtype, DEFAULT_DTYPE: scenario.default_dtype}
    return {k: names.get(v, v) if isinstance(v, str) else v for k, v in keywords.items()}


def rule_at(info: OptimizerInfo, scenario: Scenario, group: int, step: int, reference: Reference = EXACT,
            exact: bool = False, first_step: int = 1):
    """The rule of a parameter at ``step``; the after-switch keywords apply to a parameter that had state
    when its optimizer was rebuilt (``first_step``: the step of its first gradient)."""
    cls = resolve(info.rule)
    fields = {f.name for f in dataclasses.fields(cls)}
    hp = {k: v for k, v in scenario.hyperparameters(group, step).items() if k in fields}
    hp.update({k: make(scenario.dtype) for k, make in info.dtype_keywords.items()})
    hp.update(_resolved(reference.keywords, scenario))
    if reference.switch_at is not None and step > reference.switch_at >= first_step:
        hp.update(_resolved(reference.after_switch, scenario))
    if exact:
        hp = {k: _high_precision(v) for k, v in hp.items()}
    rule = cls(**hp)
    return reference.variant(rule) if reference.variant else rule


def _high_precision(value):
    """Hyperparameters as mpf for the 60-digit run, so 1 − βᵗ and the like are exact there too."""
    if isinstance(value, float):
        return mpmath.mpf(value)
    if isinstance(value, tuple):
        return tuple(_high_precision(v) for v in value)
    return value


def _converted(gradient, convert):
    if isinstance(gradient, SparseGradient):
        return convert(gradient.values), gradient.present
    return None if gradient is None else convert(gradient)


def run_reference(info: OptimizerInfo, scenario: Scenario, params0, grads, xp, convert, reference: Reference = EXACT,
                  only: int | None = None, until: int | None = None, exact: bool = False) -> list[list]:
    """θ_0..θ_T per parameter (``only`` one parameter, ``until`` a step): None gradients skip a step."""
    steps = len(grads) if until is None else until
    if scenario.objective is not None:
        return _run_closure(info, scenario, params0, xp, convert, reference, steps, exact)
    indices = range(len(params0)) if only is None else [only]
    columns = {}
    for i in indices:
        group = scenario.group_of(i)
        x = convert(params0[i])
        first = next((t + 1 for t in range(len(grads)) if grads[t][i] is not None), len(grads) + 1)
        state = rule_at(info, scenario, group, 1, reference, exact, first).init(x, xp)
        column = [x]
        for t in range(steps):
            gradient = _converted(grads[t][i], convert)
            if gradient is not None:
                x, state = rule_at(info, scenario, group, t + 1, reference, exact, first).update(x, gradient, state, xp)
            column.append(x)
        columns[i] = column
    return [[columns[i][t] if i in columns else None for i in range(len(params0))] for t in range(steps + 1)]


def _run_closure(info, scenario, params0, xp, convert, reference, steps, exact):
    """LBFGS: one rule on the flat real vector of all parameters, the objective as its oracle."""
    objective = objective_in(scenario, xp)
    x = convert(torch.cat([real_view(p).reshape(-1) for p in params0]))
    state = rule_at(info, scenario, 0, 1, reference, exact).init(x, xp)
    flats = [x]
    for t in range(steps):
        x, state = rule_at(info, scenario, 0, t + 1, reference, exact).update(x, None, state, xp, objective=objective)
        flats.append(x)
    return [_split(flat, params0) for flat in flats]


def _split(flat, params0):
    if isinstance(flat, torch.Tensor):
        return [real_view(p) for p in scatter(flat, params0)]
    sizes = [int(np.prod(real_view(p).shape)) for p in params0]
    offsets = np.cumsum([0] + sizes)
    return [np.asarray(flat[a:b], dtype=object).reshape(real_view(p).shape)
            for a, b, p in zip(offsets[:-1], offsets[1:], params0)]


def as_float64(value):
    return real_view(value).double()


@dataclasses.dataclass
class References:
    """The float64 reference of a scenario, its lower-precision runs and the derived tolerances."""

    trajectory: list
    tolerance: list
    #: reference runs in the target's own precision (where they overflow, so may the target)
    same_precision: list


def references(info: OptimizerInfo, scenario: Scenario, params0, grads, reference: Reference = EXACT) -> References:
    ref = run_reference(info, scenario, params0, grads, TorchNamespace(), as_float64, reference)
    # float64 in the other order (paths that branch on rounded values part at the same precision),
    # float32 in both orders, and the target's half precision in both
    runs = [(torch.float64, OtherOrderNamespace)] + [(torch.float32, ns) for ns in (TorchNamespace, OtherOrderNamespace)]
    if scenario.dtype in LOW_PRECISION:
        runs += [(scenario.torch_dtype, ns) for ns in (TorchNamespace, OtherOrderNamespace)]
    lower = []
    for dtype, namespace in runs:
        run = run_reference(info, scenario, params0, grads, namespace(dtype=dtype), lambda a: real_view(a).to(dtype),
                            reference)
        lower.append(([[v.double() for v in row] for row in run], UNIT_ROUNDOFF[dtype]))
    if info.gradients == "closure":
        # a closure method branches on rounded values (L-BFGS's line search): its condition is measured by
        # starting a rounding away, which sends a branch near a tie the other way as the target's roundings may
        u = UNIT_ROUNDOFF[torch.float64]
        for sign in (1, -1):
            moved = [p * (1 + sign * 4 * u) for p in params0]
            run = run_reference(info, scenario, moved, grads, TorchNamespace(), as_float64, reference)
            lower.append((run, u))
    unit = UNIT_ROUNDOFF[scenario.torch_dtype]
    if reference.precision:
        unit = max(unit, UNIT_ROUNDOFF[getattr(torch, reference.precision)])
    same = [run for run, u in lower if u == unit] or [ref]
    return References(ref, tolerances(ref, lower, unit), same)


def exact_values(info: OptimizerInfo, scenario: Scenario, params0, grads, index: int, step: int,
                 reference: Reference = EXACT) -> list | None:
    """Parameter ``index`` after ``step`` steps at CONFIRM_DIGITS digits, flattened; None where exact
    arithmetic divides by zero (float64 goes on with ±inf there, as torch does)."""
    with mpmath.workdps(CONFIRM_DIGITS):
        xp = MpNamespace(CONFIRM_DIGITS)
        try:
            run = run_reference(info, scenario, params0, grads, xp, lambda a: to_mp(as_float64(a)), reference,
                                only=None if scenario.objective is not None else index, until=step, exact=True)
        except ZeroDivisionError:
            return None
    return list(np.asarray(run[step][index], dtype=object).reshape(-1))
