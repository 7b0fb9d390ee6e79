"""Gates for sgd, adagrad, rmsprop, adadelta, adam, adamw: a user's optimizer against torch.optim.

Method: the target (a ``torch.optim.Optimizer`` subclass or a factory ``(params, **hp)``
with torch.optim's keyword names) is run step by step on drawn problems and compared
with the reference rule of :mod:`odl_verify.methods.torch_optim` run in float64.

Hypothesis draws every documented hyperparameter of the method, one to three parameter
groups overriding some of them, one to five parameters (same-shape, 0-d and empty ones
included), float32 or float64, 1-40 steps, and per step and parameter a gradient that is
None, exactly zero, or Gaussian at a scale from 1e-12 to 1e12.

Tolerance (per element, after t steps; u the unit roundoff of the target's dtype):

    tol_t = u · (8·t·(max_s |θ_s| + max_s |θ_s − θ_{s−1}|) + 4·κ_t),

a few roundings per step on the magnitudes involved, plus κ_t = max_s |θ_s^lo − θ_s|/u_lo,
the error of the same reference rule run in float32 measured in float32 ulps: the
condition of the computation (cancellation in centered RMSprop's v − ḡ², Adam's m),
which carries over to any dtype. κ is the worst of two float32 runs, the moving averages
written β·m + (1 − β)·g and as torch's lerp m + (1 − β)(g − m) (which loses digits at β ≈ 0). A mismatch is reported only if it also exceeds the
tolerance against the reference recomputed at 60 digits.

Also checked: a ``state_dict`` round trip mid-run continues bit for bit (determinism),
``.grad`` is not mutated, permuting the coordinates of every parameter permutes the
trajectory, and theorem-level properties: the descent lemma (theorems/descent_lemma.py,
its sympy conclusion compiled) and quadratic contraction for plain SGD; invariance of
Adagrad, RMSprop, Adam and AdamW steps to rescaling every gradient by c = 2^k (with
ε = 0, where every rounding commutes with the scaling, so the trajectories agree bit for
bit). Adadelta is not rescaling-invariant (ε sets its units), so it is not checked for it.
"""
from __future__ import annotations

import contextvars
import copy
import dataclasses
import functools
import inspect
import json
import math
import time

import numpy as np
import torch
from hypothesis import Phase
from hypothesis import strategies as st

from ..core.config import CheckConfig
from ..core.loading import load_object
from ..core.precision import FLOAT_TOLERANCE
from ..core.verdict import ERROR, FALSIFIED, Counterexample, Verdict, open_verdict
from ..definitions.backend import MpNamespace, TorchNamespace, resolve_device, to_mp
from ..definitions.claims import Claim
from ..definitions.methods import iterates, torch_optim
from ..engine.calls import call_user_code, on_case
from ..engine.harness import FailureBudget, run_search
from ..errors import UsageError, UserCodeError
from . import GateStatement, register

# ----------------------------------------------------------------- hyperparameters
def _log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: float(f"{10 ** e:.3g}"))


def _zero_or(strategy):
    """Zero (the branch torch skips) a third of the time."""
    return st.one_of(strategy, strategy, st.just(0.0))


_LR = st.one_of(st.sampled_from([0.1, 1.0, 1e-3, 0.0]), _log_uniform(1e-4, 1.0))
_WEIGHT_DECAY = _zero_or(_log_uniform(1e-4, 1.0))
_FRACTION = st.floats(1e-3, 0.999).map(lambda b: float(f"{b:.3g}"))
_BETA = st.one_of(st.just(0.0), _FRACTION)

#: every hyperparameter torch.optim documents for the method, with its domain
SPACES: dict[str, dict[str, st.SearchStrategy]] = {
    "sgd": dict(lr=_LR, momentum=_zero_or(_FRACTION), dampening=_zero_or(_FRACTION), weight_decay=_WEIGHT_DECAY,
                nesterov=st.booleans(), maximize=st.booleans()),
    "adagrad": dict(lr=_LR, lr_decay=_zero_or(_log_uniform(1e-3, 1.0)), weight_decay=_WEIGHT_DECAY,
                    initial_accumulator_value=_zero_or(_log_uniform(1e-3, 1.0)), eps=_log_uniform(1e-10, 1e-1),
                    maximize=st.booleans()),
    "rmsprop": dict(lr=_LR, alpha=_BETA, eps=_log_uniform(1e-10, 1e-1), weight_decay=_WEIGHT_DECAY,
                    momentum=_zero_or(_FRACTION), centered=st.booleans(), maximize=st.booleans()),
    "adadelta": dict(lr=_LR, rho=st.one_of(st.just(1.0), _BETA), eps=_log_uniform(1e-10, 1e-2),
                     weight_decay=_WEIGHT_DECAY, maximize=st.booleans()),
    "adam": dict(lr=_LR, betas=st.tuples(_BETA, _BETA), eps=_log_uniform(1e-12, 1e-1), weight_decay=_WEIGHT_DECAY,
                 amsgrad=st.booleans(), maximize=st.booleans(), decoupled_weight_decay=st.booleans()),
}
SPACES["adamw"] = {k: v for k, v in SPACES["adam"].items() if k != "decoupled_weight_decay"}

TORCH_NAMES = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta",
               "adam": "Adam", "adamw": "AdamW"}
#: torch.optim.Adagrad fills its accumulators from the constructor's value, ignoring a group's
CONSTRUCTOR_ONLY = {"adagrad": {"initial_accumulator_value"}}
#: Adagrad, RMSprop, Adam, AdamW: with ε = 0 the step is invariant to g → c·g
SCALE_INVARIANT = {"adagrad", "rmsprop", "adam", "adamw"}


def _valid(method: str, hp: dict) -> dict:
    """torch.optim rejects Nesterov without momentum or with dampening: keep draws inside its domain."""
    if method == "sgd" and hp.get("nesterov"):
        hp["momentum"] = hp.get("momentum") or 0.9
        hp["dampening"] = 0.0
    # centered RMSprop at α = 0 has v − ḡ² = g² − g² = 0 exactly: any rounding makes it negative (NaN)
    if method == "rmsprop" and hp.get("centered") and not hp.get("alpha", 0.99):
        hp["alpha"] = 0.5
    return hp


def accepted_hyperparameters(target, method: str) -> tuple[set[str], list[str]]:
    """The method's hyperparameters the target accepts, and those it does not (checked at torch's default)."""
    names = set(SPACES[method])
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return names, []
    kinds = [p.kind for p in parameters.values()]
    positional = [p for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional and inspect.Parameter.VAR_POSITIONAL not in kinds:
        raise UsageError(f"the target {_name(target)} takes no positional argument for the parameters "
                         f"(expected a torch.optim.Optimizer subclass or a factory (params, **hyperparameters))")
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return names, []
    accepted = names & set(parameters)
    if "lr" not in accepted:
        raise UsageError(f"the target {_name(target)} accepts no 'lr' keyword; signature {inspect.signature(target)}")
    return accepted, sorted(names - accepted)


def _name(target) -> str:
    return f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"


# ----------------------------------------------------------------- scenarios
SHAPES = [(), (0,), (3,), (3,), (2, 3), (1,), (4, 2), (2, 0)]
GRADIENT_KINDS = ("gaussian", "gaussian", "gaussian", "zero", "none")


@dataclasses.dataclass
class Scenario:
    """One drawn problem; the data are generated from ``data_seed`` so the JSON stays short."""

    method: str
    dtype: str
    shapes: list
    defaults: dict
    #: per group: (indices of its parameters, hyperparameters it overrides)
    groups: list
    #: kinds[t][i]: "gaussian", "zero" or "none"
    kinds: list
    #: per step, the decimal exponent of the gradients' scale
    scales: list
    init_scale: int
    data_seed: int
    roundtrip_step: int

    @property
    def torch_dtype(self) -> torch.dtype:
        return getattr(torch, self.dtype)

    def hyperparameters(self, group: int) -> dict:
        return {**self.defaults, **self.groups[group][1]}

    def group_of(self, index: int) -> int:
        return next(g for g, (members, _) in enumerate(self.groups) if index in members)

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_json(cls, data: dict) -> "Scenario":
        data = dict(data)
        data["shapes"] = [tuple(s) for s in data["shapes"]]
        data["groups"] = [(list(m), _tuple_betas(o)) for m, o in data["groups"]]
        data["defaults"] = _tuple_betas(data["defaults"])
        return cls(**data)

    def data(self) -> tuple[list[torch.Tensor], list[list[torch.Tensor | None]]]:
        """Initial parameters and gradients, exactly representable in the dtype."""
        generator = torch.Generator().manual_seed(self.data_seed)
        normal = lambda shape: torch.randn(shape, generator=generator, dtype=torch.float64)
        params = [(normal(s) * 10.0 ** self.init_scale).to(self.torch_dtype) for s in self.shapes]
        grads = []
        for kinds, scale in zip(self.kinds, self.scales):
            row = []
            for shape, kind in zip(self.shapes, kinds):
                value = (normal(shape) * 10.0 ** scale).to(self.torch_dtype)
                row.append(None if kind == "none" else value * 0 if kind == "zero" else value)
            grads.append(row)
        return params, grads


def _tuple_betas(hp: dict) -> dict:
    return {k: tuple(v) if k == "betas" else v for k, v in hp.items()}


@st.composite
def scenarios(draw, method: str, accepted: set[str], max_steps: int = 40) -> Scenario:
    space = {k: v for k, v in SPACES[method].items() if k in accepted}
    n_params = draw(st.integers(1, 5))
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=n_params, max_size=n_params))
    defaults = _valid(method, {k: draw(s) for k, s in space.items()})
    n_groups = draw(st.integers(1, min(3, n_params)))
    owner = list(range(n_groups)) + draw(st.lists(st.integers(0, n_groups - 1), min_size=n_params - n_groups,
                                                  max_size=n_params - n_groups))
    groups = []
    per_group = sorted(set(space) - CONSTRUCTOR_ONLY.get(method, set()))
    for g in range(n_groups):
        # later groups always set their own lr: the group a parameter belongs to must matter
        keys = ["lr"] + draw(st.lists(st.sampled_from(per_group), unique=True, max_size=2)) if g else []
        overrides = _valid(method, {**defaults, **{k: draw(space[k]) for k in keys}})
        groups.append(([i for i in range(n_params) if owner[i] == g],
                       {k: v for k, v in overrides.items() if k in keys or defaults[k] != v}))
    steps = draw(st.integers(1, max_steps))
    kinds = draw(st.lists(st.lists(st.sampled_from(GRADIENT_KINDS), min_size=n_params, max_size=n_params),
                          min_size=steps, max_size=steps))
    init_scale = draw(st.integers(-3, 3))
    # mostly gradients near the parameters' scale (where a wrong step shows), sometimes tiny or huge ones
    offsets = st.one_of(st.integers(-1, 1), st.integers(-1, 1), st.integers(-12, 12))
    scales = [max(-12, min(12, init_scale + o)) for o in draw(st.lists(offsets, min_size=steps, max_size=steps))]
    return Scenario(method=method, dtype=draw(st.sampled_from(["float32", "float64"])), shapes=shapes,
                    defaults=defaults, groups=groups, kinds=kinds, scales=scales,
                    init_scale=init_scale, data_seed=draw(st.integers(0, 2 ** 31 - 1)),
                    roundtrip_step=draw(st.integers(0, steps)))


# ----------------------------------------------------------------- running target and reference
class Mismatch(Exception):
    """The target computes something else: a falsified verdict with what it takes to see it."""

    def __init__(self, check: str, message: str, shown: dict | None = None, plot: dict | None = None):
        super().__init__(message)
        self.check, self.shown, self.plot = check, shown or {}, plot


def _param_groups(params, scenario: Scenario) -> list[dict]:
    return [{"params": [params[i] for i in members], **copy.deepcopy(overrides)}
            for members, overrides in scenario.groups]


#: where the target's parameters and gradients live (``--device``); the reference runs on the CPU
TARGET_DEVICE: contextvars.ContextVar[torch.device] = contextvars.ContextVar("target_device",
                                                                           default=torch.device("cpu"))


def _on_target_device(tensor):
    return None if tensor is None else tensor.to(TARGET_DEVICE.get())


def _host_copy(tensor) -> torch.Tensor:
    return tensor.detach().double().cpu().clone()


def run_target(target, scenario: Scenario, params0, grads, timeout: float, roundtrip_at: int | None = None):
    """The target's trajectory (float64 CPU copies); ``.grad`` must come back unmutated."""
    params = [_on_target_device(p).clone().requires_grad_(True) for p in params0]
    grads = [[_on_target_device(g) for g in row] for row in grads]
    build = lambda: call_user_code("constructing the optimizer", timeout, target, _param_groups(params, scenario),
                         **copy.deepcopy(scenario.defaults))
    optimizer = build()
    trajectory = [[_host_copy(p) for p in params]]
    for t, row in enumerate(grads):
        if t == roundtrip_at:
            saved = copy.deepcopy(call_user_code("state_dict()", timeout, optimizer.state_dict))
            optimizer = build()
            call_user_code("load_state_dict()", timeout, optimizer.load_state_dict, saved)
        for p, g in zip(params, row):
            p.grad = None if g is None else g.clone()
        call_user_code(f"step() {t + 1}", timeout, optimizer.step)
        for i, (p, g) in enumerate(zip(params, row)):
            if g is not None and (p.grad is None or not torch.equal(p.grad, g)):
                raise Mismatch("inputs", f"step {t + 1} changed parameter {i}'s .grad (the gradient must be read, "
                                         "not modified)", {"step": t + 1, "parameter": i})
        trajectory.append([_host_copy(p) for p in params])
    return trajectory


def reference_rules(scenario: Scenario) -> list:
    cls = torch_optim.REFERENCES[scenario.method]
    return [cls(**scenario.hyperparameters(scenario.group_of(i))) for i in range(len(scenario.shapes))]


def run_reference(rules, params0, grads, xp, convert) -> list[list]:
    """Per parameter, θ_0..θ_T of the reference rule (None gradients skip, as in torch)."""
    columns = [iterates(rule, [None if row[i] is None else convert(row[i]) for row in grads], convert(p), xp)
               for i, (rule, p) in enumerate(zip(rules, params0))]
    return [list(step) for step in zip(*columns)]


UNIT_ROUNDOFF = {torch.float32: 2.0 ** -24, torch.float64: 2.0 ** -53}


class _LerpNamespace(TorchNamespace):
    """Moving averages as torch.lerp, the other evaluation order torch.optim uses."""

    lerp = staticmethod(torch.lerp)


def tolerances(ref: list[list], runs_lo: list[list[list]], dtype: torch.dtype) -> list[list]:
    """tol_t per element: see the module docstring (κ from every float32 run in ``runs_lo``)."""
    u, u_lo = UNIT_ROUNDOFF[dtype], UNIT_ROUNDOFF[torch.float32]
    out, size, step, kappa = [], None, None, None
    for t, row in enumerate(ref):
        current = [r.abs() for r in row]
        moves = [(r - p).abs() for r, p in zip(row, ref[t - 1])] if t else [torch.zeros_like(r) for r in row]
        errors = [functools.reduce(torch.maximum, [torch.nan_to_num((run[t][i].double() - r).abs() / u_lo,
                                                                    nan=math.inf) for run in runs_lo])
                  for i, r in enumerate(row)]
        size = current if size is None else [torch.maximum(a, b) for a, b in zip(size, current)]
        step = moves if step is None else [torch.maximum(a, b) for a, b in zip(step, moves)]
        kappa = errors if kappa is None else [torch.maximum(a, b) for a, b in zip(kappa, errors)]
        out.append([u * (8 * t * (s + m) + 16 * k) for s, m, k in zip(size, step, kappa)])
    return out


def _tensor_list(value) -> list:
    return [float(v) for v in value.reshape(-1).tolist()] if isinstance(value, torch.Tensor) else value


def compare(scenario: Scenario, got: list[list], ref: list[list], ref_lo: list[list], tol: list[list], grads,
            params0) -> tuple[float, int]:
    """Raise Mismatch at the first step where the target leaves the tolerance; else the worst error/tolerance."""
    worst, ill_conditioned = 0.0, 0
    for t in range(1, len(got)):
        for i, (g, r, lo, e) in enumerate(zip(got[t], ref[t], ref_lo[t], tol[t])):
            if g.shape != r.shape:
                raise Mismatch("shape", f"step {t}: parameter {i} has shape {tuple(g.shape)}, not {tuple(r.shape)}")
            bad = ~torch.isfinite(g) & torch.isfinite(r)
            explained = bad & ~torch.isfinite(lo.double())
            ill_conditioned += int(explained.sum())
            if (bad & ~explained).any():
                raise UserCodeError(f"step {t} returned non-finite values in parameter {i} where the reference is "
                                  f"finite (scenario {json.dumps(scenario.to_json())})")
            considered = torch.isfinite(g) & torch.isfinite(r)
            error = (g - r).abs()
            ratio = torch.where(considered, error / torch.where(e > 0, e, torch.full_like(e, 1e-300)), 0.0)
            if ratio.numel():
                worst = max(worst, float(ratio.max()))
            outside = considered & (error > e)
            if outside.any() and _confirmed(scenario, grads, params0, i, t, g, e, outside):
                element = int(outside.reshape(-1).nonzero()[0])
                raise Mismatch("reference", f"step {t}: parameter {i} (group {scenario.group_of(i)}) differs from "
                               f"torch.optim.{TORCH_NAMES[scenario.method]}",
                               _shown(scenario, grads, params0, got, ref, tol, i, t, element),
                               _plot(got, ref, tol, i, element))
    return worst, ill_conditioned


def _confirmed(scenario: Scenario, grads, params0, i: int, t: int, got, tol, outside) -> bool:
    """The reference at 60 digits: the flagged entries are outside the tolerance of the exact value too."""
    rule = reference_rules(scenario)[i]
    exact = iterates(rule, [None if row[i] is None else to_mp(row[i].double()) for row in grads[:t]],
                     to_mp(params0[i].double()), MpNamespace())[t]
    exact = np.asarray(exact, dtype=object).reshape(-1)
    flat_got, flat_tol = got.reshape(-1).tolist(), tol.reshape(-1).tolist()
    return any(abs(exact[j] - flat_got[j]) > flat_tol[j] for j in outside.reshape(-1).nonzero().reshape(-1).tolist())


def _shown(scenario, grads, params0, got, ref, tol, i, t, element) -> dict:
    group = scenario.group_of(i)
    return {
        "first differing step": t,
        "parameter": f"{i} of {len(scenario.shapes)}, shape {tuple(scenario.shapes[i])}, {scenario.dtype}, "
                     f"group {group}, element {element}",
        "hyperparameters (this group)": scenario.hyperparameters(group),
        "constructor defaults": scenario.defaults,
        "groups (parameter indices, overrides)": scenario.groups,
        "shapes": [tuple(s) for s in scenario.shapes],
        "initial value": _tensor_list(params0[i]),
        "gradients of this parameter": [None if row[i] is None else _tensor_list(row[i]) for row in grads[:t]],
        "expected (reference, float64)": _tensor_list(ref[t][i]),
        "got": _tensor_list(got[t][i]),
        "tolerance": _tensor_list(tol[t][i]),
    }


def _plot(got, ref, tol, i, element) -> dict:
    steps = list(range(1, len(got)))
    entry = lambda rows: [float(rows[t][i].reshape(-1)[element]) for t in steps]
    error = [abs(a - b) for a, b in zip(entry(got), entry(ref))]
    return {"title": f"|target − reference| of parameter {i}, element {element}",
            "series": [{"label": "|target − reference|", "x": steps, "y": error},
                       {"label": "tolerance", "x": steps, "y": entry(tol)}],
            "xlabel": "step", "ylabel": "absolute difference", "yscale": "log"}


# ----------------------------------------------------------------- properties
def check_roundtrip(scenario, target, params0, grads, trajectory, timeout) -> None:
    """A state_dict round trip at a drawn step continues bit for bit (and a rerun is deterministic)."""
    again = run_target(target, scenario, params0, grads, timeout, roundtrip_at=scenario.roundtrip_step)
    for t, (a, b) in enumerate(zip(trajectory, again)):
        for i, (x, y) in enumerate(zip(a, b)):
            if not torch.equal(torch.nan_to_num(x), torch.nan_to_num(y)):
                where = ("a second identical run (nondeterminism)" if t <= scenario.roundtrip_step else
                         f"the run reloaded from state_dict() after step {scenario.roundtrip_step}")
                raise Mismatch("state_dict", f"step {t}: parameter {i} differs in {where}",
                               {"step": t, "parameter": i, "first run": _tensor_list(x), "other run": _tensor_list(y)})


def _permute(tensors, perms, inverse=False):
    out = []
    for x, perm in zip(tensors, perms):
        if x is None:
            out.append(None)
            continue
        flat = x.reshape(-1)
        index = torch.argsort(perm) if inverse else perm
        out.append(flat[index].reshape(x.shape))
    return out


def check_permutation(scenario, target, params0, grads, trajectory, tol, timeout) -> None:
    """Permuting the coordinates of every parameter (and its gradients) permutes the trajectory."""
    generator = torch.Generator().manual_seed(scenario.data_seed + 1)
    perms = [torch.randperm(p.numel(), generator=generator) for p in params0]
    permuted = run_target(target, scenario, _permute(params0, perms), [_permute(row, perms) for row in grads],
                          timeout)
    for t in range(1, len(trajectory)):
        for i, (x, y, e) in enumerate(zip(trajectory[t], _permute(permuted[t], perms, inverse=True), tol[t])):
            if ((x - y).abs() > e).any():
                raise Mismatch("permutation", f"step {t}: permuting parameter {i}'s coordinates does not permute "
                               "its trajectory (elementwise methods must treat coordinates alike)",
                               {"step": t, "parameter": i, "unpermuted run": _tensor_list(x),
                                "permuted run, unpermuted": _tensor_list(y)})


def check_scale_invariance(scenario, target, params0, grads, timeout, exponent: int, accepted) -> str | None:
    """With ε = 0 and no coupled weight decay, g → 2^k·g leaves the trajectory unchanged bit for bit."""
    if "eps" not in accepted:
        return "rescaling invariance skipped: the target does not accept eps (needed at 0)"
    def without_eps(hp: dict) -> dict:
        coupled = scenario.method != "adamw" and not hp.get("decoupled_weight_decay")
        zero = {"eps": 0.0, "initial_accumulator_value": 0.0, **({"weight_decay": 0.0} if coupled else {})}
        return {k: v for k, v in zero.items() if k in accepted}

    plain = dataclasses.replace(scenario, defaults={**scenario.defaults, **without_eps(scenario.defaults)},
                                groups=[(m, {**o, **without_eps(scenario.hyperparameters(g))})
                                        for g, (m, o) in enumerate(scenario.groups)])
    # a zero gradient at the first step would be 0/0 with ε = 0: use the Gaussian draw there
    nonzero = [[None if g is None else g if bool(g.ne(0).all()) or g.numel() == 0 else
                torch.ones_like(g) * 10.0 ** s for g in row] for row, s in zip(grads, scenario.scales)]
    base = run_target(target, plain, params0, nonzero, timeout)
    scaled = run_target(target, plain, params0, [[None if g is None else g * 2.0 ** exponent for g in row]
                                                  for row in nonzero], timeout)
    for t, (a, b) in enumerate(zip(base, scaled)):
        for i, (x, y) in enumerate(zip(a, b)):
            if not torch.equal(x, y):
                raise Mismatch("rescaling", f"step {t}: multiplying every gradient by 2^{exponent} changes parameter "
                               f"{i} (with eps = 0 an adaptive step is invariant to g → c·g, c > 0)",
                               {"step": t, "parameter": i, "constructor defaults": plain.defaults,
                                "groups": plain.groups, "gradients": [_tensor_list(r[i]) for r in nonzero[:t]],
                                "with g": _tensor_list(x), f"with 2^{exponent}·g": _tensor_list(y)})
    return None


# plain SGD on f = ½ Σ λ_i x_i²: the theorems' own claims (descent lemma, contraction, heavy ball)
def _require_bound(check: str, claim: Claim, named: dict, allowance, what: str, shown: dict) -> None:
    """Mismatch at the first step where the norm exceeds ``claim``'s bound by more than the roundoff
    ``allowance``; ``named`` holds the values of the claim's symbols, by name, one entry per step."""
    small, big = claim.sides({s: named[s.name] for s in claim.arguments}, TorchNamespace())
    observed, bound = claim.observed_and_bound(small, big)
    over = (observed > bound + allowance).nonzero()
    if len(over):
        step = int(over[0])
        raise Mismatch(check, f"{what}: ‖x_t‖ = {float(observed[step]):.17g} exceeds the bound "
                              f"{float(bound[step]):.17g} at t = {step} ({claim.statement()})", shown)


@st.composite
def quadratic_cases(draw):
    d = draw(st.integers(1, 6))
    spectrum = draw(st.lists(_log_uniform(1e-3, 1e3), min_size=d, max_size=d))
    eigenvector_start = draw(st.booleans())
    return {"spectrum": spectrum, "tau": draw(st.floats(1e-6, 1.0)), "steps": draw(st.integers(1, 10)),
            "start": "top eigenvector" if eigenvector_start else "gaussian", "seed": draw(st.integers(0, 2 ** 16))}


def check_sgd_theorems(target, case: dict, timeout: float, accepted: set[str]) -> None:
    """Descent lemma (η ∈ (0, 1/β]) and ‖x_t‖ ≤ ρᵗ‖x_0‖ (η ∈ (0, 2/λ_max)) for the target's plain SGD."""
    from ..theorems.descent_lemma import DESCENT_LEMMA
    lam = torch.tensor(case["spectrum"], dtype=torch.float64)
    beta = float(lam.max())
    if case["start"] == "top eigenvector":
        x0 = (lam == lam.max()).double()
    else:
        x0 = torch.randn(len(lam), generator=torch.Generator().manual_seed(case["seed"]), dtype=torch.float64)
    plain = {k: v for k, v in dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                                   maximize=False).items() if k in accepted}

    def trajectory(eta: float, steps: int, **overrides) -> list[torch.Tensor]:
        x, curvature = _on_target_device(x0).clone().requires_grad_(True), _on_target_device(lam)
        optimizer = call_user_code("constructing the optimizer", timeout, target, [x], lr=eta, **{**plain, **overrides})
        points = [x0]
        for t in range(steps):
            x.grad = curvature * x.detach()
            call_user_code(f"step() {t + 1}", timeout, optimizer.step)
            points.append(_host_copy(x))
        return points

    def measured(x, x_next, xp):
        value = lambda z: 0.5 * xp.sum(lam_x * z * z)
        return {"f_t": value(x), "f_next": value(x_next), "grad_sq": xp.sum((lam_x * x) ** 2)}

    eta = case["tau"] / beta
    x, x_next = trajectory(eta, 1)
    shown = {"spectrum": case["spectrum"], "start": _tensor_list(x0), "lr": eta, "x_1": _tensor_list(x_next)}
    values = {"L": beta, "beta": beta, "eta": eta}
    for xp, convert in ((TorchNamespace(), lambda a: a[None]), (MpNamespace(), lambda a: to_mp(a[None]))):
        lam_x = convert(lam)
        sides = DESCENT_LEMMA.sides({**{s: values[s.name] for s in DESCENT_LEMMA.arguments if s.name in values},
                                     **{s: measured(convert(x), convert(x_next), xp)[s.name]
                                        for s in DESCENT_LEMMA.measured}}, xp)
        slack = float(Claim.slack(*(float(v[0]) for v in sides)))
        if slack >= -FLOAT_TOLERANCE:
            break
    else:
        raise Mismatch("descent-lemma", f"plain SGD step violates the descent lemma ({DESCENT_LEMMA.statement()}), "
                       f"slack {slack:.3g}", shown)
    from ..theorems.heavy_ball import HEAVY_BALL_RATE, polyak_parameters
    from ..theorems.quadratic_contraction import GENERAL_STEP
    u = UNIT_ROUNDOFF[torch.float64]
    lam_min, lam_max = lam.min(), lam.max()
    steps = torch.arange(case["steps"] + 1, dtype=torch.float64)

    def norms_of(points):
        norms = torch.stack([p.norm() for p in points])
        return norms, torch.cat([torch.zeros(1, dtype=torch.float64), torch.cumsum(norms[:-1], 0)])

    eta = 2 * case["tau"] / beta * (1 - 1e-9)
    norms, carried = norms_of(trajectory(eta, case["steps"]))
    # roundoff of float64 steps: each x − η·λx rounds by u(|x| + η|λx|) and ρ ≤ 1 carries it on; the norm adds d·u
    _require_bound("contraction", GENERAL_STEP,
                   {"eta": torch.tensor(eta, dtype=torch.float64), "lambda_min": lam_min, "lambda_max": lam_max,
                    "t": steps, "norm_t": norms, "norm_0": norms[0]},
                   u * (2 * (1 + eta * beta) * carried + len(lam) * norms), "plain SGD on a quadratic",
                   {**shown, "lr": eta, "steps": case["steps"], "norms": norms.tolist()})
    if "momentum" not in accepted:
        return
    alpha, momentum = (float(v) for v in polyak_parameters(lam_min, lam_max, TorchNamespace()))
    norms, carried = norms_of(trajectory(alpha, case["steps"], momentum=momentum))
    # each step rounds by about u(|x_t| + |x_{t−1}| + α|λx_t|) and the iteration's powers grow by at most 1 + 2t
    _require_bound("heavy-ball", HEAVY_BALL_RATE,
                   {"mu": lam_min, "L": lam_max, "t": steps, "norm_t": norms, "norm_0": norms[0]},
                   u * (4 * (1 + 2 * steps) * carried + len(lam) * norms),
                   f"SGD with momentum at Polyak's parameters (lr {alpha:.6g}, momentum {momentum:.6g})",
                   {**shown, "lr": alpha, "momentum": momentum, "steps": case["steps"], "norms": norms.tolist()})


# ----------------------------------------------------------------- the gate
#: target runs Hypothesis may spend shrinking a falsifying case
SHRINK_CALLS = 10


def run_gate(method: str, target, spec: str, config: CheckConfig) -> Verdict:
    if not callable(target):
        raise UsageError(f"target {spec!r} is not callable")
    accepted, skipped = accepted_hyperparameters(target, method)
    device = resolve_device(config.device)
    torch_name = TORCH_NAMES[method]
    statement = GateStatement(
        method, title=f"{spec} computes torch.optim.{torch_name}",
        statement=f"every step of {spec} equals torch.optim.{torch_name}'s update (float64 reference, derived tolerance)",
        reference=f"torch.optim.{torch_name} algorithm box (torch {torch.__version__}); THEORY.md §6",
        description=f"{method}: odl_verify.definitions.methods.torch_optim.{torch_name}")
    verdict = open_verdict(statement, seed=config.seed, device=device)
    notes = verdict.details.setdefault("notes", [])
    if skipped:
        notes.append(f"not accepted by the target, so held at torch's default and not checked: {', '.join(skipped)}")
    if method not in SCALE_INVARIANT and method != "sgd":
        notes.append("rescaling invariance not checked: Adadelta's ε sets its units, so it is not invariant")
    if method == "sgd" and "momentum" not in accepted:
        notes.append("heavy-ball rate with Polyak's parameters not checked: the target takes no momentum")
    verdict.details["tolerance"] = ("u·(8·t·(max|θ_s| + max|θ_s − θ_{s−1}|) + 4·κ_t), κ_t = float32 error of "
                                    "the reference in float32 ulps; confirmed at 60 digits")
    stats = {"examples": 0, "steps": 0, "ill_conditioned": 0, "worst": 0.0, "errors": []}
    coverage: dict[str, list] = {"dtype": [], "steps": [], "parameters": [], "groups": []}
    budget = FailureBudget(SHRINK_CALLS)
    outcomes: dict[str, BaseException | None] = {}

    def attempt(example):
        scenario, exponent, quadratic = example
        key = json.dumps([scenario.to_json(), exponent, quadratic], sort_keys=True)
        if key in outcomes:  # Hypothesis replays the smallest failure at the end: the same outcome
            if outcomes[key] is not None:
                raise outcomes[key]
            return
        if isinstance(budget.smallest, UserCodeError):
            return  # a target that raised or hung is not called again while Hypothesis winds down
        if not budget.allows_another():
            return
        try:
            with on_case(scenario.to_json()):  # named by a timeout, should the target hang on it
                one_example(method, target, scenario, exponent, quadratic, accepted, config.timeout, stats, coverage)
        except (UserCodeError, Mismatch) as exc:
            exc.scenario = scenario
            budget.record(exc)
            outcomes[key] = exc
            raise
        outcomes[key] = None

    start = time.perf_counter()
    placed = TARGET_DEVICE.set(device)
    try:
        run_search(st.tuples(scenarios(method, accepted), st.integers(-8, 8), quadratic_cases()), attempt,
                   examples=config.example_count(), seed_value=config.seed, phases=(Phase.generate, Phase.shrink))
    except Exception:  # ours (recorded in the budget), or Hypothesis's Flaky around ours on a nondeterministic target
        if budget.smallest is None:
            raise
    finally:
        TARGET_DEVICE.reset(placed)
    failure = budget.smallest
    if isinstance(failure, UserCodeError):
        verdict.status, verdict.error = ERROR, f"{spec}: {failure}"
    elif isinstance(failure, Mismatch):
        verdict.status = FALSIFIED
        verdict.counterexample = _counterexample(method, spec, config, failure)
        if failure.plot:
            plot = failure.plot
            verdict.add_plot(plot["title"], plot["series"], xlabel=plot["xlabel"], ylabel=plot["ylabel"],
                             yscale=plot["yscale"])
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances = stats["examples"], stats["steps"]
    verdict.coverage = coverage
    verdict.details.update(worst_error_over_tolerance=stats["worst"],
                           ill_conditioned_entries=stats["ill_conditioned"], skipped_hyperparameters=skipped,
                           checks=["reference", "inputs", "state_dict", "permutation"]
                           + (["rescaling"] if method in SCALE_INVARIANT else [])
                           + (["descent-lemma", "contraction", "heavy-ball"] if method == "sgd" else []))
    if stats["ill_conditioned"]:
        notes.append(f"{stats['ill_conditioned']} entries non-finite in the target where the reference run in "
                     "float32 is non-finite too (the dtype, not the target)")
    return verdict


def one_example(method, target, scenario, exponent, quadratic, accepted, timeout, stats, coverage) -> None:
    params0, grads = scenario.data()
    trajectory = run_target(target, scenario, params0, grads, timeout)
    rules = reference_rules(scenario)
    ref = run_reference(rules, params0, grads, TorchNamespace(), lambda a: a.double())
    ref_lo = run_reference(rules, params0, grads, TorchNamespace(dtype=torch.float32), lambda a: a.float())
    ref_lerp = run_reference(rules, params0, grads, _LerpNamespace(dtype=torch.float32), lambda a: a.float())
    tol = tolerances(ref, [ref_lo, ref_lerp], scenario.torch_dtype)
    worst, ill = compare(scenario, trajectory, ref, ref_lo, tol, grads, params0)
    check_roundtrip(scenario, target, params0, grads, trajectory, timeout)
    check_permutation(scenario, target, params0, grads, trajectory, tol, timeout)
    if method in SCALE_INVARIANT:
        check_scale_invariance(scenario, target, params0, grads, timeout, exponent, accepted)
    if method == "sgd":
        check_sgd_theorems(target, quadratic, timeout, accepted)
    stats["examples"] += 1
    stats["steps"] += len(grads)
    stats["ill_conditioned"] += ill
    stats["worst"] = max(stats["worst"], worst)
    coverage["dtype"].append(scenario.dtype)
    coverage["steps"].append(len(grads))
    coverage["parameters"].append(len(scenario.shapes))
    coverage["groups"].append(len(scenario.groups))


def _counterexample(method, spec, config, mismatch: Mismatch) -> Counterexample:
    scenario = mismatch.scenario
    case = scenario.to_json()
    snippet = (f"python -c \"from odl_verify.gate.optimizers import replay; "
               f"replay('{method}', '{spec}', '{json.dumps(case)}')\"")
    cli = f"odl-verify gate {method} {spec} --seed {config.seed}"
    if config.examples is not None:
        cli += f" --examples {config.examples}"
    shown = {"check": mismatch.check, "what": str(mismatch), **mismatch.shown, "replay (this case)": snippet}
    return Counterexample(family=f"optimizer:{mismatch.check}", dimension=sum(math.prod(s) for s in scenario.shapes),
                          case=case, shown=shown, reproduce=cli,
                          confirmation=f"shrunk; the target fails the {mismatch.check} check on this case")


def replay(method: str, target, case: dict | str, timeout: float = 10.0) -> None:
    """Re-run one printed case against the reference and print what differs (or that it passes)."""
    obj = load_object(target) if isinstance(target, str) else target
    scenario = Scenario.from_json(json.loads(case) if isinstance(case, str) else case)
    accepted, _ = accepted_hyperparameters(obj, method)
    try:
        one_example(method, obj, scenario, 3, {"spectrum": [1.0], "tau": 1.0, "steps": 1, "start": "gaussian",
                                                "seed": 0}, accepted, timeout, {"worst": 0.0, "examples": 0, "steps": 0,
                                                                                "ill_conditioned": 0},
                    {"dtype": [], "steps": [], "parameters": [], "groups": []})
    except Mismatch as mismatch:
        print(f"FALSIFIED ({mismatch.check}): {mismatch}")
        for key, value in mismatch.shown.items():
            print(f"  {key}: {value}")
        return
    except UserCodeError as exc:
        print(f"ERROR: {exc}")
        return
    print("passes on this case")


for _method, _torch_name in TORCH_NAMES.items():
    register(_method, f"torch.optim.{_torch_name} semantics")(
        lambda target, spec, config, _m=_method: run_gate(_m, target, spec, config))
