"""The drawn problems of the optimizer gate: :class:`Scenario` (JSON-replayable) and its strategy.

Hypothesis draws, from the catalog row of the method: every hyperparameter the target accepts
(from its space), one to three parameter groups overriding some of them, the implementation
flags the target accepts (a combination torch allows), one to five parameters (0-d, empty and
same-shape ones included), the dtype (float32, float64, bfloat16, float16, complex64,
complex128, as the method supports), torch's default dtype while the target runs (float32 or
float64: where torch keeps scalar state), 1-40 steps (10 in half precision), per step and
parameter a gradient that is None, exactly zero or Gaussian at a scale from 1e-12 to 1e12
(sparse, with repeated indices, for SparseAdam; a certified objective through the closure for
LBFGS), a schedule of the hyperparameters torch reads at every step (warm-up from lr = 0, or
changes at drawn steps), a tensor lr, and the step of a state_dict round trip.
"""
from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import torch
from hypothesis import assume
from hypothesis import strategies as st

from ...definitions.families import Logistic, Quadratic
from ...definitions.methods.optimizer_table import FLAG_RULES, FLAGS, OptimizerInfo
from ..domain import Condition, conditions

SHAPES = [(), (0,), (3,), (3,), (2, 3), (1,), (4, 2), (2, 0), (2, 2, 2)]
GRADIENT_KINDS = {"dense": ("gaussian", "gaussian", "gaussian", "zero", "none"),
                  "sparse": ("sparse", "sparse", "sparse", "empty", "none"), "closure": ("closure",)}
LOW_PRECISION = ("bfloat16", "float16")
#: steps drawn in half precision: past a few steps its tolerance (u = 2⁻⁸ for bfloat16) says nothing
LOW_PRECISION_STEPS = 8
#: the objectives LBFGS runs on (certified families: positive definite quadratics, logistic regression)
OBJECTIVES = {"quadratic-pd": Quadratic(definite=True, max_condition=1e3), "logistic": Logistic(max_rows=4)}


@dataclasses.dataclass(frozen=True)
class SparseGradient:
    """A sparse gradient: dense ``values`` (zero where absent) and the entries it holds; to the target
    it goes as a COO tensor whose held entries are split in two halves (repeated indices, summed
    back exactly by ``coalesce``)."""

    values: torch.Tensor
    present: torch.Tensor

    def to_target(self, device) -> torch.Tensor:
        indices = self.present.nonzero().T
        halves = self.values[self.present] / 2
        return torch.sparse_coo_tensor(torch.cat([indices, indices], 1), torch.cat([halves, halves]),
                                       self.values.shape, device=device, check_invariants=True)

    def dense(self) -> torch.Tensor:
        return self.values


@dataclasses.dataclass
class Scenario:
    """One drawn problem; the data are generated from ``data_seed`` so the JSON stays short."""

    method: str
    dtype: str
    default_dtype: str
    shapes: list
    defaults: dict
    #: per group: (indices of its parameters, hyperparameters it overrides)
    groups: list
    #: implementation flags passed to the constructor (foreach, fused, capturable, differentiable)
    flags: dict
    #: kinds[t][i]: "gaussian", "zero", "none", "sparse", "empty" or "closure"
    kinds: list
    #: per step, the decimal exponent of the gradients' scale
    scales: list
    init_scale: int
    data_seed: int
    roundtrip_step: int
    #: [step, group, {hyperparameter: value}]: set before that step (1-based), as a scheduler would
    schedule: list = dataclasses.field(default_factory=list)
    #: lr passed as a 0-d tensor (and changed in place by the schedule)
    tensor_lr: bool = False
    #: LBFGS: {"family": name, "raw": parameters} of the objective
    objective: dict | None = None

    @property
    def torch_dtype(self) -> torch.dtype:
        return getattr(torch, self.dtype)

    @property
    def steps(self) -> int:
        return len(self.kinds)

    def hyperparameters(self, group: int, step: int = 1) -> dict:
        """The group's hyperparameters at ``step`` (1-based): defaults, its overrides, the schedule so far."""
        values = {**self.defaults, **self.groups[group][1]}
        for at, g, changes in self.schedule:
            if g == group and at <= step:
                values.update(changes)
        return values

    def group_of(self, index: int) -> int:
        return next(g for g, (members, _) in enumerate(self.groups) if index in members)

    def case_names(self) -> dict:
        """The names of the case in the domain language, beside the hyperparameters and flags."""
        first = [next((t for t, row in enumerate(self.kinds) if row[i] != "none"), None) for i in range(len(self.shapes))]
        return {"dtype": self.dtype, "default_dtype": self.default_dtype, "steps": self.steps,
                "parameters": len(self.shapes), "groups": len(self.groups), "tensor_lr": self.tensor_lr,
                "complex": self.torch_dtype.is_complex,
                "empty_parameters": any(0 in shape for shape in self.shapes),
                "late_first_gradient": any(t is not None and t > 0 for t in first),
                "schedule": "none" if not self.schedule else "changes"}

    def names(self, context: dict) -> list[dict]:
        """Every (group, step) as a mapping of names, for conditions that must hold throughout."""
        case = {**{k: v for k, v in self.flags.items()}, **{f: None for f in FLAGS if f not in self.flags},
                **self.case_names(), **context}
        steps = sorted({1} | {at for at, _, _ in self.schedule})
        return [{**case, **self.hyperparameters(g, t)} for g in range(len(self.groups)) for t in steps]

    def satisfies(self, domain, context: dict) -> bool:
        return all(c.holds(names) for names in self.names(context) for c in domain)

    def somewhere(self, condition: Condition, context: dict) -> bool:
        return any(condition.holds(names) for names in self.names(context))

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_json(cls, data: dict) -> "Scenario":
        data = dict(data)
        data["shapes"] = [tuple(s) for s in data["shapes"]]
        data["groups"] = [(list(m), _tuples(o)) for m, o in data["groups"]]
        data["defaults"] = _tuples(data["defaults"])
        data["schedule"] = [[at, g, _tuples(c)] for at, g, c in data.get("schedule", [])]
        return cls(**data)

    def data(self) -> tuple[list[torch.Tensor], list[list]]:
        """Initial parameters and gradients, exactly representable in the dtype."""
        generator = torch.Generator().manual_seed(self.data_seed)
        complex_ = self.torch_dtype.is_complex

        def draw(shape, scale):
            values = torch.randn(shape, generator=generator, dtype=torch.float64) * 10.0 ** scale
            if complex_:
                imaginary = torch.randn(shape, generator=generator, dtype=torch.float64) * 10.0 ** scale
                return torch.complex(values, imaginary).to(self.torch_dtype)
            return values.to(self.torch_dtype)

        params = [draw(s, self.init_scale) for s in self.shapes]
        grads = []
        for kinds, scale in zip(self.kinds, self.scales):
            row = []
            for shape, kind in zip(self.shapes, kinds):
                value = draw(shape, scale)
                if kind in ("sparse", "empty"):
                    present = (torch.rand(shape, generator=generator) < 0.5) & (kind == "sparse")
                    row.append(SparseGradient(torch.where(present, value, torch.zeros_like(value)), present))
                else:
                    row.append(None if kind in ("none", "closure") else value * 0 if kind == "zero" else value)
            grads.append(row)
        return params, grads


def _tuples(hp: dict) -> dict:
    """JSON writes tuples (betas, etas, eps pairs) as lists; the constructors want tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in hp.items()}


def flag_combinations(accepted: list[str], context: dict) -> list[dict]:
    """Every combination of the accepted flags that torch's rules allow here."""
    rules = conditions(FLAG_RULES)
    out = []
    for values in itertools.product(*(FLAGS[f] for f in accepted)):
        flags = dict(zip(accepted, values))
        names = {**{f: None for f in FLAGS}, **flags, **context}
        if all(rule.holds(names) for rule in rules):
            out.append(flags)
    return out


def pick(draw, options: list):
    """One of ``options`` uniformly, from a random generator Hypothesis seeds (reproducibly) for the
    example: its own sampled_from keeps to the first few options for tens of examples."""
    return draw(st.randoms(use_true_random=True)).choice(options)


def _early(domain, known: dict) -> None:
    """Reject a draw as soon as a condition that names only what is drawn so far fails: a narrow
    domain then costs no full scenario per rejected draw."""
    assume(all(c.holds(known) for c in domain if c.names <= set(known)))


@st.composite
def scenarios(draw, info: OptimizerInfo, accepted: set[str], flags: list[str], context: dict, domain=(),
              schedulable: bool = True, max_steps: int = 40) -> Scenario:
    # values the domain fixes are drawn as fixed (rejecting every draw without them would run dry)
    pins = {k: v for condition in domain for k, v in condition.pinned().items()}
    space = {k: st.just(pins[k]) if k in pins else v.draw for k, v in info.spaces.items() if k in accepted}
    rules = conditions(info.constraints) + tuple(domain)
    # float32 and float64 three times in four, half precision and complex the rest
    weighted = [d for d in list(info.dtypes[:2]) * 6 + list(info.dtypes[2:])
                if pins.get("complex") in (None, getattr(torch, d).is_complex)] or list(info.dtypes)
    dtype = pins["dtype"] if pins.get("dtype") in info.dtypes else pick(draw, weighted)
    default = pins.get("default_dtype") or pick(draw, ["float32", "float32", "float64"])
    complex_ = getattr(torch, dtype).is_complex
    allowed = flag_combinations(flags, {**context, "complex": complex_})
    flag_values = pick(draw, [c for c in allowed if all(c.get(f, pins[f]) == pins[f] for f in FLAGS if f in pins)]
                       or allowed or [{}])
    known = {**context, "dtype": dtype, "default_dtype": default, "complex": complex_,
             **{f: flag_values.get(f) for f in FLAGS}}
    _early(rules, known)
    defaults = info.repair({k: draw(s) for k, s in space.items()})
    _early(rules, {**known, **defaults})
    n_params = draw(st.integers(1, 5))
    # a sparse gradient of a 0-d parameter is no sparse tensor torch makes
    shapes = draw(st.lists(st.sampled_from([s for s in SHAPES if s or info.gradients != "sparse"]),
                           min_size=n_params, max_size=n_params))
    n_groups = 1 if info.single_group else draw(st.integers(1, min(3, n_params)))
    owner = list(range(n_groups)) + draw(st.lists(st.integers(0, n_groups - 1), min_size=n_params - n_groups,
                                                  max_size=n_params - n_groups))
    groups = []
    per_group = sorted(set(space) - info.constructor_only)
    for g in range(n_groups):
        # later groups always set their own lr: the group a parameter belongs to must matter
        keys = ["lr"] + draw(st.lists(st.sampled_from(per_group), unique=True, max_size=2)) if g else []
        overrides = info.repair({**defaults, **{k: draw(space[k]) for k in keys if k in space}})
        groups.append(([i for i in range(n_params) if owner[i] == g],
                       {k: v for k, v in overrides.items() if k in keys or defaults[k] != v}))
    low = dtype in LOW_PRECISION
    steps = draw(st.integers(1, LOW_PRECISION_STEPS if low else max_steps))
    kinds = draw(st.lists(st.lists(st.sampled_from(GRADIENT_KINDS[info.gradients]), min_size=n_params,
                                   max_size=n_params), min_size=steps, max_size=steps))
    init_scale = draw(st.integers(-1, 1) if low else st.integers(-3, 3))
    # mostly gradients near the parameters' scale (where a wrong step shows), sometimes tiny or huge ones
    offsets = st.one_of(st.integers(-1, 1), st.integers(-1, 1), st.integers(-2, 2) if low else st.integers(-12, 12))
    scales = [max(-12, min(12, init_scale + o)) for o in draw(st.lists(offsets, min_size=steps, max_size=steps))]
    scheduled = [k for k in info.scheduled if k in space] if schedulable else []
    schedule = draw(schedules(scheduled, space, groups, defaults, steps)) if scheduled else []
    objective = None
    if info.gradients == "closure":
        size = sum(int(np.prod(s)) for s in shapes) * (2 if complex_ else 1)
        assume(size > 0)
        name = draw(st.sampled_from(sorted(OBJECTIVES)))
        raw = draw(OBJECTIVES[name].strategy(size))
        objective = {"family": name, "raw": {k: np.asarray(v).tolist() for k, v in raw.items()}}
    scenario = Scenario(
        method=info.name, dtype=dtype, default_dtype=default, shapes=shapes, defaults=defaults, groups=groups,
        flags=flag_values, kinds=kinds, scales=scales, init_scale=init_scale,
        data_seed=draw(st.integers(0, 2 ** 31 - 1)), roundtrip_step=draw(st.integers(0, steps)), schedule=schedule,
        tensor_lr=schedulable and "lr" in space and draw(st.integers(0, 3)) == 0, objective=objective)
    # a scheduled value the row's repair would move (centered RMSprop at α = 0, say) is not drawn
    scenario.schedule = [[at, g, c] for at, g, c in scenario.schedule
                         if info.repair(scenario.hyperparameters(g, at)) == scenario.hyperparameters(g, at)]
    assume(scenario.satisfies(rules, context))
    return scenario


def with_flags(scenario: Scenario, flags: list[str], context: dict, domain, turn: int) -> Scenario:
    """The scenario with the ``turn``-th combination of flags (cyclically) that torch allows and the domain
    keeps: over as many examples as there are combinations, every one of them runs."""
    allowed = flag_combinations(flags, {**context, "complex": scenario.torch_dtype.is_complex})
    for shift in range(len(allowed)):
        candidate = dataclasses.replace(scenario, flags=allowed[(turn + shift) % len(allowed)])
        if candidate.satisfies(domain, context):
            return candidate
    return scenario


@st.composite
def schedules(draw, keys: list[str], space: dict, groups: list, defaults: dict, steps: int) -> list:
    """No schedule (half the time), a linear warm-up of every group's lr from 0, or changes of
    scheduled hyperparameters at drawn steps."""
    kind = draw(st.sampled_from(["none", "none", "warmup", "changes"]))
    if kind == "none" or steps < 2:
        return []
    if kind == "warmup" and "lr" in keys:
        length = draw(st.integers(1, steps))
        return [[t, g, {"lr": {**defaults, **overrides}["lr"] * (t - 1) / length}]
                for g, (_, overrides) in enumerate(groups) for t in range(1, length + 1)]
    changes = draw(st.lists(st.tuples(st.integers(2, steps), st.integers(0, len(groups) - 1), st.sampled_from(keys)),
                            min_size=1, max_size=3))
    return [[t, g, {key: draw(space[key])}] for t, g, key in sorted(changes)]
