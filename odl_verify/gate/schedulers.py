"""Gates for torch.optim.lr_scheduler: a user's scheduler against its closed form, stated in sympy
(:mod:`odl_verify.definitions.schedules`).

The target has the torch class's signature (``(optimizer, **hyperparameters)``; SequentialLR's
``(optimizer, schedulers, milestones)``, ChainedScheduler's ``(schedulers, optimizer)``, their
children torch's own schedulers). Hypothesis draws the hyperparameters, one to three parameter
groups with their own lr, the number of steps, and a step at which the scheduler and optimizer are
rebuilt and reloaded from their state_dicts (ReduceLROnPlateau: also the metric at every step).
After every ``step()`` each group's lr (and momentum, for OneCycleLR and CyclicLR) must equal the
closed form within u·8·(t + 1)·max|η| (a few roundings per step of the recursion torch runs, on the
largest value the schedule takes), a difference confirmed at 60 digits by evaluating the sympy form
exactly.
"""
from __future__ import annotations

import dataclasses
import json
import time
import warnings

import sympy as sp
import torch
from hypothesis import assume
from hypothesis import strategies as st

from ..core.config import CheckConfig
from ..core.loading import load_object
from ..core.precision import CONFIRM_DIGITS
from ..core.verdict import ERROR, FALSIFIED, Counterexample, Verdict, open_verdict
from ..definitions.schedules import (BASE, CLOSED_FORMS, EPOCH, MULTIPLICATIVE, PLATEAU, SCHEDULES, ScheduleInfo, best,
                                     factor, lr, metric, min_lr, threshold)
from ..engine.calls import call_user_code
from ..engine.trajectories import STEP_ROUNDINGS, UNIT_ROUNDOFF
from ..errors import UsageError, UserCodeError, UserCodeTimeout
from . import GateStatement, register
from .domain import Condition, conditions
from .lines import gate_line, replay_line
from .search import first_failure, greedy_shrink

#: children a composition draws from (closed forms torch's _update_lr(0) restarts from)
SEQUENCE_CHILDREN = MULTIPLICATIVE + ("CosineAnnealingLR",)
SHRINK_CALLS = 30
#: steps of a drawn run
MAX_STEPS = 40


@dataclasses.dataclass
class ScheduleCase:
    method: str
    base_lrs: list
    hyperparameters: dict
    steps: int
    #: the scheduler and optimizer are rebuilt from their state_dicts before this step (0: never)
    resume_at: int = 0
    #: compositions: [torch class, hyperparameters] per child, and SequentialLR's milestones
    children: list = dataclasses.field(default_factory=list)
    milestones: list = dataclasses.field(default_factory=list)
    #: ReduceLROnPlateau: the metric passed to each step()
    metrics: list = dataclasses.field(default_factory=list)

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))


def _children_strategy(info: ScheduleInfo):
    pool = SEQUENCE_CHILDREN if info.composes == "sequence" else MULTIPLICATIVE
    child = st.sampled_from(pool).flatmap(lambda name: st.fixed_dictionaries(
        {k: v for k, v in _info_of(name).spaces.items()}).map(lambda hp, name=name: [name, hp]))
    return st.lists(child, min_size=1, max_size=3)


def _info_of(torch_class: str) -> ScheduleInfo:
    return next(i for i in SCHEDULES.values() if i.torch_class == torch_class)


@st.composite
def cases(draw, info: ScheduleInfo, domain):
    hp = draw(st.fixed_dictionaries(dict(info.spaces)))
    limit = info.max_steps(hp) if info.max_steps else MAX_STEPS
    steps = draw(st.integers(0, max(0, min(limit, MAX_STEPS))))
    children = draw(_children_strategy(info)) if info.composes else []
    milestones = sorted(draw(st.sets(st.integers(1, 30), min_size=len(children) - 1, max_size=len(children) - 1))) \
        if info.composes == "sequence" else []
    metrics = draw(st.lists(st.sampled_from([1.0, 0.5, 0.25, 2.0, 0.999, 1.001]), min_size=steps, max_size=steps)) \
        if info.torch_class == "ReduceLROnPlateau" else []
    case = ScheduleCase(info.name, draw(st.lists(st.one_of(st.just(0.1), st.floats(1e-4, 1.0)), min_size=1, max_size=3)),
                        hp, steps, draw(st.integers(0, steps)), children, milestones, metrics)
    names = {**hp, "steps": steps, "groups": len(case.base_lrs)}
    assume(all(c.holds(names) for c in domain))
    return case


# ------------------------------------------------------------------ the closed forms of a case
def closed_forms(info: ScheduleInfo, case: ScheduleCase, group: int) -> tuple[sp.Expr, sp.Expr | None]:
    """(lr, momentum) of one group as sympy expressions in the epoch t."""
    base = sp.Rational(case.base_lrs[group])
    if info.composes == "sequence":
        forms = [CLOSED_FORMS[name](hp) for name, hp in case.children]
        starts = [0] + list(case.milestones)
        pieces = [(form.subs(EPOCH, EPOCH - start), EPOCH < end) for form, start, end in zip(forms, starts, starts[1:])]
        form = sp.Piecewise(*pieces, (forms[-1].subs(EPOCH, EPOCH - starts[-1]), True))
    elif info.composes == "product":
        form = BASE * sp.Mul(*[CLOSED_FORMS[name](hp) / BASE for name, hp in case.children])
    else:
        form = CLOSED_FORMS[info.torch_class](case.hyperparameters)
    momentum = info.momentum(case.hyperparameters) if info.momentum else None
    return form.subs(BASE, base), momentum


def plateau_lrs(case: ScheduleCase) -> list[list[float]]:
    """ReduceLROnPlateau's lrs per step, its rule's relations (sympy) evaluated in float64."""
    hp = case.hyperparameters
    improves = sp.lambdify((metric, best, threshold), PLATEAU["improves"][(hp["mode"], hp["threshold_mode"])], "math")
    reduced = sp.lambdify((lr, factor, min_lr), PLATEAU["reduced_lr"], "math")
    lrs, best_so_far, bad, cooldown = [list(case.base_lrs)], float("inf") if hp["mode"] == "min" else -float("inf"), 0, 0
    for value in case.metrics:
        if improves(value, best_so_far, hp["threshold"]):
            best_so_far, bad = value, 0
        else:
            bad += 1
        if cooldown > 0:
            cooldown, bad = cooldown - 1, 0
        current = list(lrs[-1])
        if bad > hp["patience"]:
            for g, old in enumerate(current):
                new = reduced(old, hp["factor"], hp["min_lr"])
                if old - new > hp["eps"]:
                    current[g] = new
            cooldown, bad = hp["cooldown"], 0
        lrs.append(current)
    return lrs


# ------------------------------------------------------------------ running the target
def _children(optimizer, case):
    return [getattr(torch.optim.lr_scheduler, name)(optimizer, **hp) for name, hp in case.children]


def _build(target, info, case, timeout):
    params = [torch.zeros(1, requires_grad=True) for _ in case.base_lrs]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, case.base_lrs)], lr=0.1,
                                momentum=0.9)
    if info.composes == "sequence":
        scheduler = call_user_code("constructing the scheduler", timeout, target, optimizer,
                                   schedulers=_children(optimizer, case), milestones=list(case.milestones))
    elif info.composes == "product":
        scheduler = call_user_code("constructing the scheduler", timeout, target, _children(optimizer, case),
                                   optimizer=optimizer)
    else:
        scheduler = call_user_code("constructing the scheduler", timeout, target, optimizer, **case.hyperparameters)
    return optimizer, scheduler


def run_schedule(target, info, case: ScheduleCase, timeout: float) -> tuple[list, list]:
    """Per step 0..N, each group's (lr, momentum) after the scheduler's steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns of stepping a scheduler before any optimizer step
        optimizer, scheduler = _build(target, info, case, timeout)
        read = lambda: ([float(g["lr"]) for g in optimizer.param_groups],
                        [float(g.get("momentum", 0.0)) for g in optimizer.param_groups])
        lrs, momenta = [read()[0]], [read()[1]]
        for t in range(1, case.steps + 1):
            if t == case.resume_at:
                saved = (optimizer.state_dict(), call_user_code("state_dict()", timeout, scheduler.state_dict))
                optimizer, scheduler = _build(target, info, case, timeout)
                optimizer.load_state_dict(saved[0])
                call_user_code("load_state_dict()", timeout, scheduler.load_state_dict, saved[1])
            optimizer.step()
            arguments = (case.metrics[t - 1],) if case.metrics else ()
            call_user_code(f"step() {t}", timeout, scheduler.step, *arguments)
            lr, momentum = read()
            lrs.append(lr)
            momenta.append(momentum)
    return lrs, momenta


# ------------------------------------------------------------------ comparing
@dataclasses.dataclass
class Difference:
    step: int
    group: int
    quantity: str
    expected: float
    got: float
    tolerance: float
    formula: str


def compare(info: ScheduleInfo, case: ScheduleCase, lrs, momenta) -> Difference | None:
    if info.torch_class == "ReduceLROnPlateau":
        expected = plateau_lrs(case)
        for t, (row, want) in enumerate(zip(lrs, expected)):
            for g, (got, value) in enumerate(zip(row, want)):
                if got != value:
                    return Difference(t, g, "lr", value, got, 0.0, "ReduceLROnPlateau's rule")
        return None
    unit = UNIT_ROUNDOFF[torch.float64]
    for g in range(len(case.base_lrs)):
        lr_form, momentum_form = closed_forms(info, case, g)
        for quantity, form, series in (("lr", lr_form, lrs), ("momentum", momentum_form, momenta)):
            if form is None:
                continue
            fast = sp.lambdify(EPOCH, form, "math")
            # the magnitudes involved: the schedule's values over its whole horizon (OneCycleLR's peak, say)
            horizon = min(MAX_STEPS, info.max_steps(case.hyperparameters)) if info.max_steps else MAX_STEPS
            largest = max(abs(float(fast(t))) for t in range(max(horizon, case.steps) + 1))
            for t in range(case.steps + 1):
                got, value = series[t][g], float(fast(t))
                tolerance = unit * STEP_ROUNDINGS * (t + 1) * max(largest, abs(got))
                if abs(got - value) > tolerance:
                    precise = form.subs(EPOCH, t).evalf(CONFIRM_DIGITS)
                    if abs(sp.Float(got, CONFIRM_DIGITS) - precise) > tolerance:
                        return Difference(t, g, quantity, float(precise), got, tolerance, sp.sstr(form))
    return None


# ------------------------------------------------------------------ the gate
def _outcome(target, info, case, timeout):
    """None, a Difference, or the UserCodeError the target raised on the case."""
    try:
        lrs, momenta = run_schedule(target, info, case, timeout)
    except UserCodeTimeout:
        raise
    except UserCodeError as error:
        return error
    return compare(info, case, lrs, momenta)


def _simpler(case: ScheduleCase, found):
    step = getattr(found, "step", case.steps)
    if step < case.steps:
        yield dataclasses.replace(case, steps=step, resume_at=min(case.resume_at, step), metrics=case.metrics[:step])
    if case.resume_at:
        yield dataclasses.replace(case, resume_at=0)
    if len(case.base_lrs) > 1:
        yield dataclasses.replace(case, base_lrs=case.base_lrs[:1])


def run_gate(info: ScheduleInfo, target, spec: str, config: CheckConfig) -> Verdict:
    if not callable(target):
        raise UsageError(f"target {spec!r} is not callable")
    domain = conditions(config.domain)
    statement = GateStatement(
        info.name, title=f"{spec} follows torch.optim.lr_scheduler.{info.torch_class}",
        statement=f"after every step() each group's lr{' and momentum' if info.momentum else ''} equals the closed "
                  "form stated in sympy (odl_verify.definitions.schedules), also after a state_dict reload",
        reference=info.reference, description=f"{info.name}: odl_verify.definitions.schedules.SCHEDULES[{info.name!r}]")
    verdict = open_verdict(statement, seed=config.seed, device=torch.device("cpu"))
    verdict.details["notes"] = list(info.notes)
    verdict.details["tolerance"] = "u·8·(t + 1)·max|η| over the schedule's horizon, confirmed at 60 digits"
    stats = {"examples": 0, "steps": 0}

    def passed(case):
        stats["examples"] += 1
        stats["steps"] += case.steps

    start = time.perf_counter()
    failure = first_failure(cases(info, domain), lambda case: _outcome(target, info, case, config.timeout), config,
                            passed)
    if failure is not None and isinstance(failure[1], UserCodeTimeout):
        verdict.status, verdict.error = ERROR, f"{spec}: {failure[1]}"
    elif failure is not None:
        def fails(candidate):
            outcome = _outcome(target, info, candidate, config.timeout)
            return outcome if type(outcome) is type(failure[1]) else None
        _report(verdict, info, spec, config, *greedy_shrink(*failure, _simpler, fails, budget=SHRINK_CALLS))
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances = stats["examples"], stats["steps"]
    return verdict


def _report(verdict, info, spec, config, case, found) -> None:
    shown = {"hyperparameters": case.hyperparameters, "initial lrs (per group)": case.base_lrs, "steps": case.steps,
             **({"children": case.children} if case.children else {}),
             **({"milestones": case.milestones} if case.milestones else {}),
             **({"metrics": case.metrics} if case.metrics else {}),
             **({"rebuilt from state_dict before step": case.resume_at} if case.resume_at else {})}
    if isinstance(found, UserCodeError):
        verdict.status, verdict.error = ERROR, f"{spec}: {found} (case and replay line below)"
        shown = {"check": "raises", "what": str(found), **shown}
        defects = [q for q in info.quirks if q.check == "raises" and Condition(q.when).holds(case.hyperparameters)]
        if defects:
            shown["known torch 2.13 defect"] = f"{defects[0].name}: {defects[0].reason}; reproduce: {defects[0].reproduction}"
    else:
        verdict.status = FALSIFIED
        shown = {"check": "schedule", "what": f"after step {found.step}, group {found.group}'s {found.quantity} is "
                                              f"{found.got!r}, not {found.expected!r}",
                 "closed form (this group)": found.formula, **shown, "expected (60 digits)": found.expected,
                 "got": found.got, "tolerance": found.tolerance}
    shown["replay (this case)"] = replay_line("odl_verify.gate.schedulers", info.name, spec, case.to_json())
    verdict.counterexample = Counterexample(
        family=f"schedule:{shown['check']}", dimension=len(case.base_lrs), case=case.to_json(), shown=shown,
        reproduce=gate_line(info.name, spec, config), confirmation=f"shrunk; the target fails the {shown['check']} check")


def replay(method: str, target, case: dict | str, timeout: float = 10.0) -> int:
    """Re-run one printed case: prints the difference (exit code 1), the raise (2) or that it passes (0)."""
    info = SCHEDULES[method]
    obj = load_object(target) if isinstance(target, str) else target
    data = json.loads(case) if isinstance(case, str) else case
    found = _outcome(obj, info, ScheduleCase(**data), timeout)
    if found is None:
        print("passes on this case")
        return 0
    if isinstance(found, UserCodeError):
        print(f"ERROR: {found}")
        return 2
    print(f"FALSIFIED (schedule): after step {found.step}, group {found.group}'s {found.quantity} is {found.got!r}, "
          f"not {found.expected!r} (tolerance {found.tolerance:.3g}; closed form {found.formula})")
    return 1


for _info in SCHEDULES.values():
    register(_info.name, f"torch.optim.lr_scheduler.{_info.torch_class} closed form")(
        lambda target, spec, config, _info=_info: run_gate(_info, target, spec, config))
