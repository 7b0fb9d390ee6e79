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
class Quirk:
    """A known behaviour of torch 2.13 that departs from its documented algorithm.

    ``kind="defect"``: the gate reports it (a target that has it fails) and names it beside the
    shrunk case; ``--domain 'not (WHEN)'`` leaves it out. ``kind="deviation"``: a documented
    consequence of how torch stores its state, accepted as an alternative reference: where
    ``when`` holds the target may follow the rule with ``reference`` keywords instead
    (``after_reload``: the keywords after a ``load_state_dict``; :data:`PARAMETER_DTYPE` and
    :data:`DEFAULT_DTYPE` stand for the parameters' dtype and torch's default dtype), compared at
    ``precision`` where torch's own path has more roundings in it than the model (None: the
    target's)."""

    name: str
    kind: str
    when: str
    check: str
    reason: str
    reproduction: str
    reference: dict = dataclasses.field(default_factory=dict)
    after_reload: dict = dataclasses.field(default_factory=dict)
    precision: str | None = None


#: in a quirk's keywords, the dtype of the drawn parameters and torch's default dtype while the target runs
PARAMETER_DTYPE, DEFAULT_DTYPE = "parameter dtype", "default dtype"


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


_FLOAT32_STATE = "dtype in ('float64', 'complex128') and default_dtype == 'float32'"
#: load_state_dict casts floating-point state (all but 'step') to the parameter's dtype, complex ones excepted
_CAST_ON_LOAD = "default_dtype != dtype and not complex"

_SGD_FOREACH_NESTEROV = Quirk(
    "sgd-foreach-nesterov-writes-grad", "defect", "foreach and nesterov and weight_decay == 0 and not maximize",
    "inputs",
    "torch 2.13's multi-tensor SGD computes the Nesterov step g + μb in place in its list of gradients, which are "
    "the .grad tensors themselves unless maximize or weight decay made copies: .grad holds the step after step()",
    "python -c 'import torch; p = torch.ones(2, requires_grad=True); o = torch.optim.SGD([p], lr=0.1, momentum=0.9, "
    "nesterov=True, foreach=True); p.grad = torch.ones(2); o.step(); print(p.grad)'  # tensor([1.9000, 1.9000])")
_SGD_FUSED_LATE = Quirk(
    "sgd-fused-momentum-late-gradient", "defect", "fused and momentum > 0 and late_first_gradient", "raises",
    "torch 2.13's fused SGD passes the momentum buffers of all parameters to its kernel; a parameter whose "
    "first gradient comes after step 1 has none yet (None), and the kernel raises TypeError",
    "python -c 'import torch; a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True); "
    "o = torch.optim.SGD([a, b], lr=0.1, momentum=0.9, fused=True); a.grad = torch.ones(2); o.step(); "
    "b.grad = torch.ones(2); o.step()'  # TypeError")


def _differentiable_lr_zero(torch_class: str) -> Quirk:
    return Quirk(
        f"{torch_class.lower()}-differentiable-lr-zero-nan", "defect", "differentiable and lr == 0", "reference",
        f"torch 2.13's differentiable {torch_class} divides √v by −lr/(1 − β₁ᵗ) to fold the step size into the "
        "denominator: at lr = 0 an entry with v = 0 (a zero gradient) becomes 0/(−0) = NaN",
        f"python -c 'import torch; p = torch.ones(2, requires_grad=True).clone(); o = torch.optim.{torch_class}([p], "
        "lr=0.0, differentiable=True); p.grad = torch.tensor([0.0, 1.0]); o.step(); print(p)'  # tensor([nan, 1.])")


def _float32_scalar_state(torch_class: str, names: str, state_key: str, size: str) -> tuple[Quirk, Quirk]:
    stored = Quirk(
        f"{torch_class.lower()}-float32-scalar-state", "deviation", _FLOAT32_STATE, "reference",
        f"torch 2.13 keeps {torch_class}'s scalar state ({names}) in the default dtype, float32 unless set "
        f"otherwise, so with float64 parameters it sits {size} from an exact float64 run of its own algorithm",
        f"python -c 'import torch; p = torch.zeros(1, dtype=torch.float64, requires_grad=True); "
        f"o = torch.optim.{torch_class}([p]); p.grad = torch.ones(1, dtype=torch.float64); o.step(); "
        f"print(o.state[p][\"{state_key}\"].dtype)'  # torch.float32",
        reference={"scalar_state": "float32"})
    reloaded = Quirk(
        f"{torch_class.lower()}-load-state-dict-casts-scalar-state", "deviation", _CAST_ON_LOAD, "state_dict",
        f"Optimizer.load_state_dict casts every floating-point state tensor but 'step' to the parameter's dtype, "
        f"so after a round trip {torch_class}'s {names} continue in the parameters' dtype, not the default "
        "dtype: the run is not bit for bit the uninterrupted one",
        f"python -c 'import torch; p = torch.zeros(1, dtype=torch.float64, requires_grad=True); "
        f"o = torch.optim.{torch_class}([p]); p.grad = torch.ones(1, dtype=torch.float64); o.step(); "
        f"o.load_state_dict(o.state_dict()); print(o.state[p][\"{state_key}\"].dtype)'  # torch.float64",
        reference={"scalar_state": DEFAULT_DTYPE}, after_reload={"scalar_state": PARAMETER_DTYPE})
    return stored, reloaded


def _differentiable_float32_scalars(torch_class: str, what: str) -> Quirk:
    return Quirk(
        f"{torch_class.lower()}-differentiable-float32-scalars", "deviation",
        "differentiable and default_dtype == 'float32'", "reference",
        f"with differentiable=True torch 2.13's {torch_class} computes {what} from its step tensor, which is "
        "float32 under the float32 default dtype: on float64 parameters 1 − β₂ᵗ loses about 5 digits at "
        "β₂ = 0.999 (modelled in the reference, compared at float32 precision where this holds)",
        f"python -c 'import torch; p = torch.ones(1, dtype=torch.float64, requires_grad=True).clone(); "
        f"o = torch.optim.{torch_class}([p], lr=1.0, differentiable=True); p.grad = torch.ones(1, dtype=torch.float64); "
        "o.step(); print(p.item())'  # not 0.0 to float64 precision",
        reference={"scalar_state": DEFAULT_DTYPE}, precision="float32")


OPTIMIZERS: dict[str, OptimizerInfo] = {row.name: row for row in (
    OptimizerInfo(
        "sgd", "SGD", f"{_TORCH}:SGD", ("gd", "heavy-ball", "nesterov"),
        dict(lr=_LR, momentum=Space(UNIT, zero_or(FRACTION)), dampening=Space(CLOSED_UNIT, zero_or(FRACTION)),
             weight_decay=_DECAY, nesterov=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        constraints=("not nesterov or (momentum > 0 and dampening == 0)",), repair=_nesterov_needs_momentum,
        scheduled=("lr", "momentum"), flags=("foreach", "fused", "differentiable"), fused_on=("cpu", "cuda"),
        claims=("descent-lemma", "quadratic-contraction-general-step", "heavy-ball-rate"),
        conventions=("moving-average-momentum", "dampened-first-step", "nesterov-without-lookahead"),
        quirks=(_SGD_FOREACH_NESTEROV, _SGD_FUSED_LATE),
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
        quirks=(_differentiable_lr_zero("Adam"), _differentiable_float32_scalars("Adam", "its bias corrections"))),
    OptimizerInfo(
        "adamw", "AdamW", f"{_TORCH}:AdamW", ("adamw",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, amsgrad=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        constraints=(_TENSOR_LR_FOREACH,), scheduled=("lr", "betas", "weight_decay"),
        flags=_ADAM_FLAGS, fused_on=("cpu", "cuda"), rescaling=lambda hp: {"eps": 0.0},
        conventions=("eps-inside-root", "max-sqrt-eps", "no-bias-correction", "coupled-decay"),
        quirks=(_differentiable_lr_zero("AdamW"), _differentiable_float32_scalars("AdamW", "its bias corrections"))),
    OptimizerInfo(
        "nadam", "NAdam", f"{_TORCH}:NAdam", ("nadam",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY,
             momentum_decay=Space(NONNEGATIVE, zero_or(log_uniform(1e-3, 1.0))),
             decoupled_weight_decay=Space(BOOLEAN, FLAG), maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), flags=_SCALAR_FLAGS, rescaling=_without_eps_and_coupled_decay,
        conventions=("no-momentum-schedule", "decoupled-decay"),
        quirks=_float32_scalar_state("NAdam", "the μ-product Π_t", "mu_product", "about 1e-10")
        + (_differentiable_float32_scalars("NAdam", "1 − Π_t and Π_tμ_{t+1}"),)),
    OptimizerInfo(
        "radam", "RAdam", f"{_TORCH}:RAdam", ("radam",),
        dict(lr=_LR, betas=_BETAS, eps=_EPS, weight_decay=_DECAY, decoupled_weight_decay=Space(BOOLEAN, FLAG),
             maximize=_MAXIMIZE),
        scheduled=("lr", "betas"), flags=_SCALAR_FLAGS, conventions=("published-threshold", "decoupled-decay"),
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
        quirks=_float32_scalar_state("ASGD", "the step size η and averaging weight μ", "eta",
                                     "about 1e-8 relative to the largest parameter"),
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
        quirks=(Quirk("adafactor-empty-parameter-zero-division", "defect", "empty_parameters", "raises",
                      "torch 2.13's Adafactor divides ‖θ‖ by √numel in Python floats: an empty parameter with a "
                      "gradient raises ZeroDivisionError",
                      "python -c 'import torch; p = torch.zeros(0, requires_grad=True); o = torch.optim.Adafactor([p]); "
                      "p.grad = torch.zeros(0); o.step()'  # ZeroDivisionError"),),
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
        quirks=(Quirk("lbfgs-tensor-lr-aliased-step-length", "defect", "tensor_lr and schedule != 'none'", "reference",
                      "torch 2.13's LBFGS keeps the group's lr tensor itself as its step length t (t = lr), so a "
                      "scheduler that changes lr in place rewrites the length of the step already taken, and the "
                      "next curvature pair s = t·d is wrong",
                      "python -c 'import torch; x = torch.ones(2, requires_grad=True); lr = torch.tensor(0.5); "
                      "o = torch.optim.LBFGS([x], lr=lr, max_iter=1); c = lambda: (setattr(x, \"grad\", "
                      "x.detach().clone()), (x.detach() ** 2).sum() / 2)[1]; o.step(c); o.step(c); lr.fill_(0.1); "
                      "print(o.state[x][\"t\"])'  # tensor(0.1000): the step taken was 0.5"),),
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
