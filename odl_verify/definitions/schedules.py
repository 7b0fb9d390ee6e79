"""torch.optim.lr_scheduler's schedules as closed forms stated in sympy, and the table the scheduler
gate runs from (one :class:`ScheduleInfo` per scheduler).

A closed form is η_t, the lr after t calls of ``step()`` (``last_epoch`` = t), as a sympy expression
in :data:`EPOCH` and :data:`BASE` (the group's lr when the scheduler was built), with the
scheduler's hyperparameters substituted as exact numbers. torch computes most of them by a
recursion (each step multiplies the current lr); the closed form is what the recursion must
equal. OneCycleLR and CyclicLR also set the momentum: their ``momentum`` closed form. ReduceLROnPlateau
has no closed form in t: its rule (when a metric improves, when the lr drops, to what) is stated as
sympy relations over the metric, the best value so far and the lr (:data:`PLATEAU`).
SequentialLR and ChainedScheduler are compositions of their children's closed forms.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import sympy as sp
from hypothesis import strategies as st

from .methods.optimizer_table import log_uniform
from .methods.torch_quirks import Quirk

EPOCH = sp.Symbol("t", integer=True, nonnegative=True)
BASE = sp.Symbol("eta_0", positive=True)


def exact(value) -> sp.Expr:
    """A float hyperparameter as the exact rational it is in binary (ints and rationals as they are)."""
    return sp.Rational(value) if isinstance(value, float) else sp.sympify(value)


def _anneal(strategy: str, start, end, pct):
    """OneCycleLR's annealing from ``start`` to ``end`` as ``pct`` goes from 0 to 1."""
    if strategy == "cos":
        return end + (start - end) / 2 * (sp.cos(sp.pi * pct) + 1)
    return (end - start) * pct + start


def _phases(hp: dict) -> list[tuple]:
    """OneCycleLR's phases: (last step, start, end) as names of the peak values."""
    total, pct = exact(hp["total_steps"]), exact(hp["pct_start"])
    if hp.get("three_phase"):
        return [(pct * total - 1, "initial", "max"), (2 * pct * total - 2, "max", "initial"), (total - 1, "initial", "min")]
    return [(pct * total - 1, "initial", "max"), (total - 1, "max", "min")]


def _one_cycle(hp: dict, values: dict) -> sp.Expr:
    """torch picks the first phase whose last step is ≥ t (the last phase past them all)."""
    pieces, start = [], sp.Integer(0)
    phases = _phases(hp)
    for i, (end, first, last) in enumerate(phases):
        value = _anneal(hp.get("anneal_strategy", "cos"), values[first], values[last], (EPOCH - start) / (end - start))
        pieces.append((value, True if i == len(phases) - 1 else EPOCH <= end))
        start = end
    return sp.Piecewise(*pieces)


def one_cycle_lr(hp: dict) -> sp.Expr:
    peak = exact(hp["max_lr"])
    initial = peak / exact(hp.get("div_factor", 25.0))
    return _one_cycle(hp, {"initial": initial, "max": peak, "min": initial / exact(hp.get("final_div_factor", 1e4))})


def one_cycle_momentum(hp: dict) -> sp.Expr:
    """The momentum runs against the lr: max → base while the lr rises, back to max after (and stays
    at max through a third phase)."""
    high, low = exact(hp.get("max_momentum", 0.95)), exact(hp.get("base_momentum", 0.85))
    return _one_cycle(hp, {"initial": high, "max": low, "min": high})


def _cyclic_parts(hp: dict):
    up = exact(hp.get("step_size_up", 2000))
    down = exact(hp["step_size_down"]) if hp.get("step_size_down") is not None else up
    total, ratio = up + down, up / (up + down)
    cycle = sp.floor(1 + EPOCH / total)
    x = 1 + EPOCH / total - cycle
    height = sp.Piecewise((x / ratio, x <= ratio), ((x - 1) / (ratio - 1), True))
    mode = hp.get("mode", "triangular")
    scale = {"triangular": sp.Integer(1), "triangular2": 1 / sp.Integer(2) ** (cycle - 1),
             "exp_range": exact(hp.get("gamma", 1.0)) ** EPOCH}[mode]
    return height, scale


def cyclic_lr(hp: dict) -> sp.Expr:
    height, scale = _cyclic_parts(hp)
    low = exact(hp["base_lr"])
    return low + (exact(hp["max_lr"]) - low) * height * scale


def cyclic_momentum(hp: dict) -> sp.Expr:
    height, scale = _cyclic_parts(hp)
    high = exact(hp.get("max_momentum", 0.9))
    return high - (high - exact(hp.get("base_momentum", 0.8))) * height * scale


def warm_restarts_lr(hp: dict) -> sp.Expr:
    """η_min + (η₀ − η_min)(1 + cos(π·T_cur/T_i))/2, with T_i = T₀·T_multⁿ the current period and
    T_cur = t − T₀(T_multⁿ − 1)/(T_mult − 1) the steps into it (n·T₀ and T₀ when T_mult = 1)."""
    period, factor, low = exact(hp["T_0"]), exact(hp.get("T_mult", 1)), exact(hp.get("eta_min", 0.0))
    if factor == 1:
        into, length = sp.Mod(EPOCH, period), period
    else:
        n = sp.floor(sp.log(EPOCH / period * (factor - 1) + 1, factor))
        into, length = EPOCH - period * (factor ** n - 1) / (factor - 1), period * factor ** n
    return low + (BASE - low) * (1 + sp.cos(sp.pi * into / length)) / 2


CLOSED_FORMS: dict[str, Callable[[dict], sp.Expr]] = {
    "StepLR": lambda hp: BASE * exact(hp.get("gamma", 0.1)) ** sp.floor(EPOCH / exact(hp["step_size"])),
    "MultiStepLR": lambda hp: BASE * exact(hp.get("gamma", 0.1)) ** sp.Add(
        *[sp.Piecewise((1, EPOCH >= m), (0, True)) for m in hp["milestones"]]),
    "ExponentialLR": lambda hp: BASE * exact(hp["gamma"]) ** EPOCH,
    "CosineAnnealingLR": lambda hp: exact(hp.get("eta_min", 0.0)) + (BASE - exact(hp.get("eta_min", 0.0)))
    * (1 + sp.cos(sp.pi * EPOCH / exact(hp["T_max"]))) / 2,
    "CosineAnnealingWarmRestarts": warm_restarts_lr,
    "LinearLR": lambda hp: BASE * (exact(hp.get("start_factor", 1 / 3)) + (exact(hp.get("end_factor", 1.0))
                                   - exact(hp.get("start_factor", 1 / 3))) * sp.Min(EPOCH, exact(hp.get("total_iters", 5)))
                                   / exact(hp.get("total_iters", 5))),
    "PolynomialLR": lambda hp: BASE * (1 - sp.Min(EPOCH, exact(hp.get("total_iters", 5)))
                                       / exact(hp.get("total_iters", 5))) ** exact(hp.get("power", 1.0)),
    "ConstantLR": lambda hp: BASE * sp.Piecewise((exact(hp.get("factor", 1 / 3)), EPOCH < exact(hp.get("total_iters", 5))),
                                                 (1, True)),
    "OneCycleLR": one_cycle_lr,
    "CyclicLR": cyclic_lr,
}
#: the schedulers whose recursive form multiplies the current lr (so ChainedScheduler multiplies them)
MULTIPLICATIVE = ("StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "PolynomialLR", "ConstantLR")

# ReduceLROnPlateau's rule: a, best, threshold; the lr and its floor
metric, best, threshold, lr, factor, min_lr = sp.symbols("a best threshold lr factor min_lr", real=True)
PLATEAU = {
    "improves": {("min", "rel"): metric < best * (1 - threshold), ("min", "abs"): metric < best - threshold,
                 ("max", "rel"): metric > best * (threshold + 1), ("max", "abs"): metric > best + threshold},
    "reduced_lr": sp.Max(lr * factor, min_lr),
}


@dataclasses.dataclass(frozen=True)
class ScheduleInfo:
    name: str
    torch_class: str
    reference: str
    #: constructor keywords and how they are drawn (``steps`` of the run are drawn by the gate)
    spaces: dict
    #: sets the momentum too (cycle_momentum): the momentum closed form
    momentum: Callable[[dict], sp.Expr] | None = None
    #: composes children: "sequence" (SequentialLR) or "product" (ChainedScheduler)
    composes: str | None = None
    #: steps the scheduler allows (OneCycleLR raises past total_steps)
    max_steps: Callable[[dict], int] | None = None
    quirks: tuple[Quirk, ...] = ()
    notes: tuple[str, ...] = ()


_GAMMA = st.floats(0.05, 0.99).map(lambda g: float(f"{g:.3g}"))
_ITERS = st.integers(1, 12)
_FACTOR = st.floats(0.01, 1.0).map(lambda f: float(f"{f:.3g}"))

SCHEDULES: dict[str, ScheduleInfo] = {s.name: s for s in (
    ScheduleInfo("step_lr", "StepLR", "torch.optim.lr_scheduler.StepLR", {"step_size": _ITERS, "gamma": _GAMMA}),
    ScheduleInfo("multi_step_lr", "MultiStepLR", "torch.optim.lr_scheduler.MultiStepLR (repeated milestones count "
                 "twice)", {"milestones": st.lists(st.integers(1, 20), max_size=5).map(sorted), "gamma": _GAMMA}),
    ScheduleInfo("exponential_lr", "ExponentialLR", "torch.optim.lr_scheduler.ExponentialLR", {"gamma": _GAMMA}),
    ScheduleInfo("cosine_annealing_lr", "CosineAnnealingLR", "Loshchilov & Hutter 2017 (SGDR without restarts)",
                 {"T_max": st.integers(1, 15), "eta_min": st.one_of(st.just(0.0), log_uniform(1e-5, 1e-2))}),
    ScheduleInfo("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", "Loshchilov & Hutter 2017 (SGDR)",
                 {"T_0": st.integers(1, 8), "T_mult": st.integers(1, 3),
                  "eta_min": st.one_of(st.just(0.0), log_uniform(1e-5, 1e-2))}),
    ScheduleInfo("linear_lr", "LinearLR", "torch.optim.lr_scheduler.LinearLR",
                 {"start_factor": _FACTOR, "end_factor": _FACTOR, "total_iters": _ITERS}),
    ScheduleInfo("polynomial_lr", "PolynomialLR", "torch.optim.lr_scheduler.PolynomialLR",
                 {"total_iters": _ITERS, "power": st.floats(0.5, 3.0).map(lambda p: float(f"{p:.3g}"))}),
    ScheduleInfo("constant_lr", "ConstantLR", "torch.optim.lr_scheduler.ConstantLR",
                 {"factor": _FACTOR, "total_iters": _ITERS}),
    ScheduleInfo(
        "one_cycle_lr", "OneCycleLR", "Smith & Topin 2019 (1cycle)",
        {"max_lr": log_uniform(1e-3, 1.0), "total_steps": st.integers(2, 40),
         "pct_start": st.floats(0.05, 0.95).map(lambda p: float(f"{p:.2g}")),
         "anneal_strategy": st.sampled_from(["cos", "linear"]), "three_phase": st.booleans(),
         "div_factor": st.floats(1.5, 50.0).map(lambda d: float(f"{d:.3g}")),
         "final_div_factor": st.floats(1.5, 1e4).map(lambda d: float(f"{d:.3g}")),
         "base_momentum": st.just(0.85), "max_momentum": st.just(0.95)},
        momentum=one_cycle_momentum, max_steps=lambda hp: hp["total_steps"] - 1,
        quirks=(Quirk("one_cycle_lr-zero-length-phase", "defect",
                      "pct_start * total_steps == 1", "raises",
                      "torch 2.13's OneCycleLR ends its first phase at step pct_start·total_steps − 1 = 0 and divides "
                      "the steps into it by the phase's length, 0: the scheduler cannot be built",
                      "python -c 'import torch; o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, "
                      "momentum=0.9); torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, "
                      "pct_start=0.1)'  # ZeroDivisionError"),)),
    ScheduleInfo(
        "cyclic_lr", "CyclicLR", "Smith 2017 (cyclical learning rates)",
        {"base_lr": log_uniform(1e-4, 1e-2), "max_lr": log_uniform(1e-2, 1.0), "step_size_up": st.integers(1, 8),
         "step_size_down": st.one_of(st.none(), st.integers(1, 8)),
         "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]), "gamma": st.floats(0.8, 1.0),
         "base_momentum": st.just(0.8), "max_momentum": st.just(0.9)},
        momentum=cyclic_momentum),
    ScheduleInfo("reduce_lr_on_plateau", "ReduceLROnPlateau", "torch.optim.lr_scheduler.ReduceLROnPlateau",
                 {"mode": st.sampled_from(["min", "max"]), "factor": _GAMMA, "patience": st.integers(0, 4),
                  "threshold": st.one_of(st.just(0.0), log_uniform(1e-4, 1e-1)),
                  "threshold_mode": st.sampled_from(["rel", "abs"]), "cooldown": st.integers(0, 3),
                  "min_lr": st.one_of(st.just(0.0), log_uniform(1e-6, 1e-2)),
                  "eps": st.one_of(st.just(1e-8), log_uniform(1e-10, 1e-3))},
                 notes=("ReduceLROnPlateau is driven by drawn metrics; its rule is stated in sympy and its "
                        "decisions (float comparisons) are evaluated in float64, as torch makes them",)),
    ScheduleInfo("sequential_lr", "SequentialLR", "torch.optim.lr_scheduler.SequentialLR", {}, composes="sequence",
                 notes=("children are torch's own schedulers with closed forms; at a milestone the next child "
                        "starts over from the group's initial lr",)),
    ScheduleInfo("chained_scheduler", "ChainedScheduler", "torch.optim.lr_scheduler.ChainedScheduler", {},
                 composes="product", notes=("children are torch's multiplicative schedulers: the lr is the initial "
                                            "lr times the product of their factors",)),
)}
