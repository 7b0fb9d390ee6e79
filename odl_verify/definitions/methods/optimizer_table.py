"""The table of torch.optim's optimizers that drives the optimizer gate (in the spirit of PyTorch's
``OptimizerInfo``): one :class:`OptimizerInfo` row per gate method.

A row holds what the gate needs and nothing it would otherwise branch on by name: the reference
rule, every hyperparameter with its domain (a sympy set) and how it is drawn, torch's own validity
rules, which hyperparameters a parameter group cannot override and which a schedule may change
between steps, the implementation flags the class accepts, the invariances and theorem checks
that apply (claims by their registry names), the convention variants a failing target is
compared with, and torch 2.13's known quirks with their reasons and one-line reproductions.
Conditions are written in the gate's domain language (``--domain``): Python comparisons over the
hyperparameters, flags and scenario names (``dtype``, ``default_dtype``, ``empty_parameters``,
``late_first_gradient``, ``tensor_lr``, ``steps``), combined with and/or/not.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import sympy as sp
from hypothesis import strategies as st

from .torch_quirks import (ADAFACTOR_EMPTY, ASGD_FOREACH_FLOAT32, LBFGS_TENSOR_LR, RADAM_FOREACH_NAN, SGD_FOREACH_NESTEROV,
                           SGD_FUSED_LATE, Quirk, differentiable_float32_scalars, differentiable_lr_zero,
                           float32_scalar_state)

POSITIVE = sp.Interval.open(0, sp.oo)
NONNEGATIVE = sp.Interval(0, sp.oo)
UNIT = sp.Interval.Ropen(0, 1)
CLOSED_UNIT = sp.Interval(0, 1)
BOOLEAN = sp.FiniteSet(0, 1)

#: the implementation flags torch.optim's classes may accept, with the values drawn (the implementations
#: torch does not take by default first: Hypothesis draws early values more often)
FLAGS = {"foreach": (True, False, None), "fused": (True, False, None), "differentiable": (True, False),
         "capturable": (True, False)}
#: torch's rules for combining them (its constructors and steps raise otherwise), for every class
FLAG_RULES = ("not (fused and foreach)", "not (fused and differentiable)", "not (foreach and differentiable)",
              "not capturable or device == 'cuda'", "not fused or fused_supported",
              "not (fused and complex)")


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Three significant digits, uniform in the exponent."""
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: float(f"{10 ** e:.3g}"))


def zero_or(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Zero (the branch torch skips) a third of the time."""
    return st.one_of(strategy, strategy, st.just(0.0))


LEARNING_RATE = st.one_of(st.sampled_from([0.1, 1.0, 1e-3, 0.0]), log_uniform(1e-4, 1.0))
WEIGHT_DECAY = zero_or(log_uniform(1e-4, 1.0))
FRACTION = st.floats(1e-3, 0.999).map(lambda b: float(f"{b:.3g}"))
BETA = st.one_of(st.just(0.0), FRACTION)
FLAG = st.booleans()


@dataclasses.dataclass(frozen=True)
class Space:
    """A hyperparameter: its domain (a sympy set, a product for pairs; None for a choice of
    values) and how the gate draws it."""

    domain: sp.Set | None
    draw: st.SearchStrategy


@dataclasses.dataclass(frozen=True)
class OptimizerInfo:
    name: str
    torch_class: str
    #: "module:Class" of the reference rule (torch's algorithm box)
    rule: str
    #: rows of :data:`~.catalog.METHODS` with the slides' and published forms of the same method
    methods: tuple[str, ...]
    spaces: dict[str, Space]
    #: torch's validity rules (its constructor raises otherwise), checked on every draw
    constraints: tuple[str, ...] = ()
    #: moves a draw inside the constraints, or off a point where every implementation is ill-defined
    repair: Callable[[dict], dict] = staticmethod(lambda hp: hp)
    #: hyperparameters read at construction only (a group's own value is ignored)
    constructor_only: frozenset = frozenset()
    #: hyperparameters torch reads at every step, so a schedule may change them between steps
    scheduled: tuple[str, ...] = ("lr",)
    flags: tuple[str, ...] = ()
    #: devices with a fused implementation in torch 2.13
    fused_on: tuple[str, ...] = ()
    #: "dense", "sparse" (torch sparse COO gradients) or "closure" (the objective is evaluated by step)
    gradients: str = "dense"
    dtypes: tuple[str, ...] = ("float32", "float64", "bfloat16", "float16", "complex64", "complex128")
    #: how permuting a parameter's entries permutes its trajectory: "entries", "rows and columns", or None
    permutation: str | None = "entries"
    #: settings under which multiplying every gradient by 2^k leaves the trajectory bit for bit
    #: (None: the method is not rescaling-invariant, with the reason in ``notes``)
    rescaling: Callable[[dict], dict] | None = None
    #: the highest power of the gradient an intermediate holds (v = g²; Adafactor's R ⊗ C ~ g⁴): the
    #: rescaling check runs only where it stays a normal number of the dtype, scaled or not
    rescaling_degree: int = 2
    #: registry names of the claims checked on the target (bound in odl_verify.gate.optimizers)
    claims: tuple[str, ...] = ()
    #: convention variants (definitions.methods.conventions) a failing target is compared with
    conventions: tuple[str, ...] = ()
    quirks: tuple[Quirk, ...] = ()
    #: the target runs with one parameter group only
    single_group: bool = False
    notes: tuple[str, ...] = ()
    #: keywords of the reference that follow the target's dtype: name → function of the dtype name
    dtype_keywords: dict[str, Callable[[str], Any]] = dataclasses.field(default_factory=dict)

    @property
    def defaults(self) -> dict:
        import inspect
        import torch
        parameters = inspect.signature(getattr(torch.optim, self.torch_class)).parameters
        return {k: parameters[k].default for k in self.spaces}


_TORCH = "odl_verify.definitions.methods.torch_optim"
_EPS = Space(POSITIVE, log_uniform(1e-12, 1e-1))
_BETAS = Space(UNIT * UNIT, st.tuples(BETA, BETA))
_MAXIMIZE = Space(BOOLEAN, FLAG)
_DECAY = Space(NONNEGATIVE, WEIGHT_DECAY)
_LR = Space(NONNEGATIVE, LEARNING_RATE)
_ADAM_FLAGS = ("foreach", "fused", "capturable", "differentiable")
#: Adam and AdamW reject a tensor lr on their multi-tensor path (foreach, CUDA's default) unless capturable
_TENSOR_LR_FOREACH = "not (tensor_lr and (foreach or (foreach is None and device == 'cuda')) and not capturable)"
_SCALAR_FLAGS = ("foreach", "capturable", "differentiable")


def _without_eps_and_coupled_decay(hp: dict) -> dict:
    coupled = not hp.get("decoupled_weight_decay", False)
    return {"eps": 0.0, **({"weight_decay": 0.0} if coupled else {})}


def _nesterov_needs_momentum(hp: dict) -> dict:
    if hp.get("nesterov"):
        return {**hp, "momentum": hp.get("momentum") or 0.9, "dampening": 0.0}
    return hp


def _centered_needs_alpha(hp: dict) -> dict:
    # centered RMSprop at α = 0 has v − ḡ² = g² − g² = 0 exactly: any rounding makes it negative (NaN)
    if hp.get("centered") and not hp.get("alpha", 0.99):
        return {**hp, "alpha": 0.5}
    return hp


def _machine_epsilon(dtype: str) -> float:
    import torch
    return torch.finfo(getattr(torch, dtype)).eps


OPTIMIZERS: dict[str, OptimizerInfo] = {row.name: row for row in (
    OptimizerInfo(
        "sgd", "SGD", f"{_TORCH}:SGD", ("gd", "heavy-ball", "nesterov"),
        dict(lr=_LR, momentum=Space(UNIT, zero_or(FRACTION)), dampening=Space(CLOSED_UNIT, zero_or(FRACTION)),
             weight_decay=_DECAY, nesterov=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        constraints=("not nesterov or (momentum > 0 and dampening == 0)",), repair=_nesterov_needs_momentum,
        scheduled=("lr", "momentum"), flags=("foreach", "fused", "differentiable"), fused_on=("cpu", "cuda"),
        claims=("descent-lemma", "quadratic-contraction-general-step", "heavy-ball-rate"),
        conventions=("moving-average-momentum", "dampened-first-step", "nesterov-without-lookahead"),
        quirks=(SGD_FOREACH_NESTEROV, SGD_FUSED_LATE),
        notes=("SGD is not rescaling-invariant: its step is linear in the gradient",)),
    OptimizerInfo(
        "adagrad", "Adagrad", f"{_TORCH}:Adagrad", ("adagrad",),
        dict(lr=_LR, lr_decay=Space(NONNEGATIVE, zero_or(log_uniform(1e-3, 1.0))), weight_decay=_DECAY,
             initial_accumulator_value=Space(NONNEGATIVE, zero_or(log_uniform(1e-3, 1.0))),
             eps=Space(POSITIVE, log_uniform(1e-10, 1e-1)), maximize=_MAXIMIZE),
        constructor_only=frozenset({"initial_accumulator_value"}), flags=("foreach", "fused", "differentiable"),
        fused_on=("cpu", "cuda"),
        rescaling=lambda hp: {"eps": 0.0, "initial_accumulator_value": 0.0, "weight_decay": 0.0},
        conventions=("eps-inside-root",),
        notes=("torch.optim.Adagrad fills its accumulators from the constructor's initial_accumulator_value and "
               "ignores a group's, so the gate does not vary it per group",)),
    OptimizerInfo(
        "rmsprop", "RMSprop", f"{_TORCH}:RMSprop", ("rmsprop",),
        dict(lr=_LR, alpha=Space(UNIT, BETA), eps=Space(POSITIVE, log_uniform(1e-10, 1e-1)), weight_decay=_DECAY,
             momentum=Space(UNIT, zero_or(FRACTION)), centered=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        repair=_centered_needs_alpha, scheduled=("lr", "alpha"), flags=_SCALAR_FLAGS,
        rescaling=lambda hp: {"eps": 0.0, "weight_decay": 0.0},
        conventions=("eps-inside-root", "accumulators-at-one")),
    OptimizerInfo(
        "adadelta", "Adadelta", f"{_TORCH}:Adadelta", ("adadelta",),
        dict(lr=_LR, rho=Space(CLOSED_UNIT, st.one_of(st.just(1.0), BETA)),
             eps=Space(POSITIVE, log_uniform(1e-10, 1e-2)), weight_decay=_DECAY, maximize=_MAXIMIZE),
        scheduled=("lr", "rho"), flags=_SCALAR_FLAGS,
        notes=("Adadelta is not rescaling-invariant: ε sets its units",)),
    OptimizerInfo(
        "adam", "Adam", f"{_TORCH}:Adam", ("adam",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, amsgrad=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE,
             decoupled_weight_decay=Space(BOOLEAN, FLAG)),
        constraints=(_TENSOR_LR_FOREACH,), scheduled=("lr", "betas"), flags=_ADAM_FLAGS,
        fused_on=("cpu", "cuda"), rescaling=_without_eps_and_coupled_decay,
        conventions=("eps-inside-root", "max-sqrt-eps", "no-bias-correction", "decoupled-decay"),
        quirks=(differentiable_lr_zero("Adam"),
                differentiable_float32_scalars("Adam", "its bias corrections", "6.6137469", "1e-08"))),
    OptimizerInfo(
        "adamw", "AdamW", f"{_TORCH}:AdamW", ("adamw",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, amsgrad=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        constraints=(_TENSOR_LR_FOREACH,), scheduled=("lr", "betas", "weight_decay"),
        flags=_ADAM_FLAGS, fused_on=("cpu", "cuda"), rescaling=lambda hp: {"eps": 0.0},
        conventions=("eps-inside-root", "max-sqrt-eps", "no-bias-correction", "coupled-decay"),
        quirks=(differentiable_lr_zero("AdamW"),
                differentiable_float32_scalars("AdamW", "its bias corrections", "6.6137469", "1e-08"))),
    OptimizerInfo(
        "nadam", "NAdam", f"{_TORCH}:NAdam", ("nadam",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY,
             momentum_decay=Space(NONNEGATIVE, zero_or(log_uniform(1e-3, 1.0))),
             decoupled_weight_decay=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), flags=_SCALAR_FLAGS, rescaling=_without_eps_and_coupled_decay,
        conventions=("no-momentum-schedule", "decoupled-decay"),
        quirks=float32_scalar_state("NAdam", "the μ-product Π_t", "mu_product", "about 1e-10")
        + (differentiable_float32_scalars("NAdam", "1 − Π_t and Π_tμ_{t+1}", "-0.0564517690",
                                         "-0.0564517677"),)),
    OptimizerInfo(
        "radam", "RAdam", f"{_TORCH}:RAdam", ("radam",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, decoupled_weight_decay=Space(BOOLEAN, FLAG),
             maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), flags=_SCALAR_FLAGS, conventions=("published-threshold", "decoupled-decay"),
        quirks=(RADAM_FOREACH_NAN,),
        notes=("RAdam is not rescaling-invariant: its first steps (ρ_t ≤ 5) are SGD with momentum",)),
    OptimizerInfo(
        "adamax", "Adamax", f"{_TORCH}:Adamax", ("adamax",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), flags=_SCALAR_FLAGS,
        rescaling=lambda hp: {"eps": 0.0, "weight_decay": 0.0}, conventions=("eps-outside-max",)),
    OptimizerInfo(
        "asgd", "ASGD", f"{_TORCH}:ASGD", ("asgd",),
        dict(lr=_LR, lambd=Space(NONNEGATIVE, zero_or(log_uniform(1e-4, 1.0))),
             alpha=Space(NONNEGATIVE, st.floats(0.0, 1.0).map(lambda a: float(f"{a:.3g}"))),
             t0=Space(NONNEGATIVE, st.one_of(st.just(1e6), st.integers(0, 20).map(float))), weight_decay=_DECAY,
             maximize=_MAXIMIZE),
        scheduled=(), flags=_SCALAR_FLAGS,
        quirks=float32_scalar_state("ASGD", "the step size η and averaging weight μ", "eta",
                                     "about 1e-8 relative to the largest parameter")
        + (ASGD_FOREACH_FLOAT32,),
        notes=("ASGD's step size η is computed from the lr at the end of each step and its average ax lives in "
               "the state: the gate compares the parameters; lr is not scheduled (η lags it by a step by design)",
               "ASGD is not rescaling-invariant: its step is linear in the gradient")),
    OptimizerInfo(
        "rprop", "Rprop", f"{_TORCH}:Rprop", ("rprop",),
        dict(lr=Space(POSITIVE, log_uniform(1e-4, 1.0)),
             etas=Space(sp.Interval.open(0, 1) * sp.Interval.open(1, sp.oo),
                        st.tuples(st.floats(0.05, 0.95), st.floats(1.05, 3.0)).map(
                            lambda e: (float(f"{e[0]:.3g}"), float(f"{e[1]:.3g}")))),
             step_sizes=Space(POSITIVE * POSITIVE, st.tuples(log_uniform(1e-8, 1e-2), log_uniform(1e-1, 100.0))),
             maximize=_MAXIMIZE),
        scheduled=(), flags=_SCALAR_FLAGS, rescaling=lambda hp: {},
        notes=("Rprop's step sizes start at lr and then follow the signs alone, so lr is not scheduled",)),
    OptimizerInfo(
        "adafactor", "Adafactor", f"{_TORCH}:Adafactor", ("adafactor",),
        dict(lr=_LR, beta2_decay=Space(sp.Interval(-sp.oo, 0), st.floats(-1.0, 0.0).map(lambda b: float(f"{b:.3g}"))),
             eps=Space(None, st.tuples(st.one_of(st.none(), log_uniform(1e-30, 1e-3)), zero_or(log_uniform(1e-6, 1e-1)))),
             d=Space(sp.Interval(1, sp.oo), st.one_of(st.just(1.0), st.floats(1.0, 10.0).map(lambda v: float(f"{v:.3g}")))),
             weight_decay=_DECAY, maximize=_MAXIMIZE),
        scheduled=("lr",), flags=("foreach",), dtypes=("float32", "float64", "bfloat16", "float16"),
        permutation="rows and columns", rescaling=lambda hp: {"eps": (0.0, hp["eps"][1])}, rescaling_degree=4,
        dtype_keywords={"machine_epsilon": _machine_epsilon},
        quirks=(ADAFACTOR_EMPTY,),
        notes=("Adafactor factors the second moment of a matrix over rows and columns: it is equivariant to "
               "permuting rows and columns, not arbitrary entries",)),
    OptimizerInfo(
        "sparse_adam", "SparseAdam", f"{_TORCH}:SparseAdam", ("sparse-adam",),
        dict(lr=Space(POSITIVE, log_uniform(1e-4, 1.0)), betas=_BETAS, eps=_EPS, maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), gradients="sparse", dtypes=("float32", "float64"),
        notes=("SparseAdam is not checked for rescaling invariance: torch rejects ε = 0, where it would hold",)),
    OptimizerInfo(
        "lbfgs", "LBFGS", f"{_TORCH}:LBFGS", ("lbfgs",),
        dict(lr=Space(POSITIVE, st.one_of(st.just(1.0), log_uniform(1e-2, 1.0))),
             max_iter=Space(sp.Naturals, st.integers(1, 20)),
             max_eval=Space(None, st.one_of(st.none(), st.integers(1, 30))),
             tolerance_grad=Space(POSITIVE, log_uniform(1e-9, 1e-3)),
             tolerance_change=Space(POSITIVE, log_uniform(1e-12, 1e-6)),
             history_size=Space(sp.Naturals, st.integers(1, 10)),
             line_search_fn=Space(None, st.sampled_from([None, "strong_wolfe"]))),
        scheduled=("lr",), gradients="closure", dtypes=("float64", "complex128"), permutation=None,
        single_group=True,
        quirks=(LBFGS_TENSOR_LR,),
        notes=("LBFGS is drawn in float64 only: its stopping tests compare rounded quantities with fixed "
               "tolerances, so a float32 run takes other branches than any reference",
               "LBFGS is checked on certified objectives (quadratics, logistic regression) through its closure; "
               "permutation and rescaling do not apply to a closure-driven run")),
)}


def optimizer(name: str) -> OptimizerInfo:
    from ...errors import UsageError
    if name not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]
