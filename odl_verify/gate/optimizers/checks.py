"""The checks of one scenario, each returning a :class:`Finding` (or None): the reference comparison,
the gradients left untouched, the state_dict round trip and hand-over with torch, permutation
and rescaling invariance. An :class:`Example` runs what the checks share once, on demand."""
from __future__ import annotations

import dataclasses
import functools

import torch

from ...definitions.methods.catalog import OptimizerInfo, resolve
from ...engine.trajectories import compare, same_value
from ...errors import UserCodeError
from ..domain import Condition
from .reference import EXACT, Reference, exact_values, references
from .running import run_target
from .scenarios import Scenario, SparseGradient


@dataclasses.dataclass
class Finding:
    """What a check found on one scenario: the check's name, a sentence, what to show."""

    check: str
    message: str
    shown: dict = dataclasses.field(default_factory=dict)
    plot: dict | None = None
    #: the step it shows at (1-based), so the shrinker can cut the run there
    step: int | None = None
    #: found by a theorem check on a quadratic case, not on the scenario
    theorem: bool = False


def tensor_list(value) -> list:
    """A tensor's entries as floats (a complex one as its real and imaginary parts, interleaved)."""
    if not isinstance(value, torch.Tensor):
        return value
    value = torch.view_as_real(value) if value.is_complex() else value
    return [float(v) for v in value.double().reshape(-1).tolist()]


class Example:
    """One scenario against one target: the runs and references the checks share, computed once."""

    def __init__(self, info: OptimizerInfo, target, scenario: Scenario, timeout: float, context: dict,
                 accepted: set[str], exponent: int = 3, torch_class=None):
        self.info, self.target, self.scenario, self.timeout = info, target, scenario, timeout
        self.context, self.accepted, self.exponent, self.torch_class = context, accepted, exponent, torch_class
        self.params0, self.grads = scenario.data()
        #: declared deviations of torch whose reference the target matched instead of the exact one
        self.deviations_matched: list[str] = []
        #: the reference comparison's largest error/tolerance and its entries non-finite by the dtype
        self.worst, self.ill_conditioned = 0.0, 0
        #: why torch's state_dict and the target's do not interchange, when they do not
        self.interop_note: str | None = None

    @functools.cached_property
    def run(self):
        return run_target(self.target, self.scenario, self.params0, self.grads, self.timeout)

    @functools.cached_property
    def references(self):
        return references(self.info, self.scenario, self.params0, self.grads)

    def deviations(self, check: str) -> list:
        return [q for q in self.info.quirks if q.kind == "deviation" and q.check == check
                and self.scenario.somewhere(Condition(q.when), self.context)]

    def hyperparameters_of(self, index: int, step: int) -> dict:
        group = self.scenario.group_of(index)
        return {f"hyperparameters (group {group}, step {step})": self.scenario.hyperparameters(group, step)}

    def describe(self, index: int) -> str:
        s = self.scenario
        return (f"{index} of {len(s.shapes)}, shape {tuple(s.shapes[index])}, {s.dtype}, "
                f"group {s.group_of(index)}")

    def case(self) -> dict:
        s = self.scenario
        return {"flags": s.flags, "constructor defaults": s.defaults, "groups (parameter indices, overrides)": s.groups,
                **({"schedule [step, group, values]": s.schedule} if s.schedule else {}),
                **({"lr": "a 0-d tensor"} if s.tensor_lr else {}), "shapes": [tuple(x) for x in s.shapes],
                "default dtype": s.default_dtype}

    def gradients_of(self, index: int, until: int) -> list:
        def one(g):
            if isinstance(g, SparseGradient):
                return {"values": tensor_list(g.values), "held": g.present.reshape(-1).tolist()}
            return None if g is None else tensor_list(g)
        return [one(row[index]) for row in self.grads[:until]]


def check_reference(example: Example) -> Finding | None:
    """Every step equals the reference within the derived tolerance (confirmed at 60 digits), or a
    declared deviation of torch's where its condition holds."""
    finding, result, deviation = _against_reference(example, example.run.trajectory)
    example.worst, example.ill_conditioned = result.worst, result.ill_conditioned
    if deviation:
        example.deviations_matched.append(deviation)
    return finding


def _against_reference(example: Example, got, check: str = "reference", what: str = "", torch_until: int | None = None,
                       torch_from: int | None = None):
    """(Finding or None, the comparison, the declared deviation it matched): the exact reference first,
    then each of torch's declared deviations that holds on the case (on the steps torch ran, when a
    state_dict hand-over split the run: up to ``torch_until``, or after ``torch_from``)."""
    finding, result = compare_with(example, got, example.references, EXACT, check, what)
    if finding is None:
        return None, result, None
    exact = {f.name: f.default for f in dataclasses.fields(resolve(example.info.rule))}
    for quirk in example.deviations("reference"):
        alternative = Reference(keywords=quirk.reference, precision=quirk.precision)
        if torch_until is not None:
            alternative = dataclasses.replace(alternative, switch_at=torch_until,
                                              after_switch={k: exact[k] for k in quirk.reference})
        elif torch_from is not None:
            alternative = Reference(after_switch=quirk.reference, switch_at=torch_from, precision=quirk.precision)
        refs = references(example.info, example.scenario, example.params0, example.grads, alternative)
        matched, alternative_result = compare_with(example, got, refs, alternative, confirmed=False)
        if matched is None:
            return None, alternative_result, quirk.name
    return finding, result, None


def compare_with(example: Example, got, refs, reference: Reference, check: str = "reference", what: str = "",
                 confirmed: bool = True):
    """(Finding or None, the comparison) of a trajectory against one reference (differences confirmed at
    60 digits unless ``confirmed`` is False: an alternative that fits within the tolerance is enough)."""
    s = example.scenario

    def confirm(t, i, outside):
        exact = exact_values(example.info, s, example.params0, example.grads, i, t, reference)
        if exact is None:  # exact arithmetic divides by zero where IEEE gives ±inf: float64's difference stands
            return True
        flat_got, flat_tol = got[t][i].reshape(-1).tolist(), refs.tolerance[t][i].reshape(-1).tolist()
        return any(abs(exact[j] - flat_got[j]) > flat_tol[j] for j in outside.reshape(-1).nonzero().reshape(-1).tolist())

    result = compare(got, refs.trajectory, refs.tolerance, refs.same_precision, confirm if confirmed else None)
    if result.first is None:
        return None, result
    t, i, element = result.first.step, result.first.index, result.first.element
    if result.first.kind == "shape":
        return Finding("shape", f"step {t}: parameter {i} (group {s.group_of(i)}) has shape {tuple(got[t][i].shape)} "
                                f"where torch.optim.{example.info.torch_class} keeps {tuple(refs.trajectory[t][i].shape)}",
                       {"step": t, "parameter": example.describe(i), **example.hyperparameters_of(i, t), **example.case(),
                        "got": tensor_list(got[t][i])}, step=t), result
    kind = ("returns a non-finite value where torch's algorithm is finite" if result.first.kind == "non-finite"
            else "differs from torch's algorithm")
    shown = {"first differing step": t, "parameter": f"{example.describe(i)}, element {element}",
             **example.hyperparameters_of(i, t), **example.case(),
             "initial value": tensor_list(example.params0[i]), "gradients of this parameter": example.gradients_of(i, t),
             "expected (reference, float64)": tensor_list(refs.trajectory[t][i]), "got": tensor_list(got[t][i]),
             "tolerance": tensor_list(refs.tolerance[t][i])}
    return Finding(check, what or f"step {t}: parameter {i} (group {s.group_of(i)}) {kind} "
                   f"(torch.optim.{example.info.torch_class})", shown, _plot(got, refs, i, element), t), result


def _plot(got, refs, i, element) -> dict:
    steps = list(range(1, len(got)))
    entry = lambda rows: [float(rows[t][i].reshape(-1)[element]) for t in steps]
    error = [abs(a - b) for a, b in zip(entry(got), entry(refs.trajectory))]
    return {"title": f"|target − reference| of parameter {i}, element {element}",
            "series": [{"label": "|target − reference|", "x": steps, "y": error},
                       {"label": "tolerance", "x": steps, "y": entry(refs.tolerance)}],
            "xlabel": "step", "ylabel": "absolute difference", "yscale": "log"}


def check_inputs(example: Example) -> Finding | None:
    """step() reads the gradients and leaves them as they were."""
    if not example.run.mutations:
        return None
    m = example.run.mutations[0]
    return Finding("inputs", f"step {m.step} changed parameter {m.index}'s .grad (the gradient must be read, "
                             "not modified)",
                   {"step": m.step, "parameter": example.describe(m.index), **example.hyperparameters_of(m.index, m.step),
                    **example.case(), ".grad before step()": tensor_list(m.before),
                    ".grad after step()": None if m.after is None else tensor_list(m.after)}, step=m.step)


def check_state_dict(example: Example) -> Finding | None:
    """A state_dict round trip at a drawn step continues bit for bit (a rerun is deterministic), or as a
    declared deviation of torch's says it continues."""
    k = example.scenario.roundtrip_step
    again = run_target(example.target, example.scenario, example.params0, example.grads, example.timeout, switch_at=k)
    first = _first_unequal(example.run.trajectory, again.trajectory)
    if first is None:
        return None
    t, i = first
    if t > k:
        # compared at the coarsest precision a deviation of the uninterrupted run already needs
        coarse = [q.precision for q in example.deviations("reference") if q.precision]
        for quirk in example.deviations("state_dict"):
            continued = Reference(keywords=quirk.reference, after_switch=quirk.after_reload, switch_at=k,
                                  precision=quirk.precision or (coarse[0] if coarse else None))
            refs = references(example.info, example.scenario, example.params0, example.grads, continued)
            if compare_with(example, again.trajectory, refs, continued, confirmed=False)[0] is None:
                example.deviations_matched.append(quirk.name)
                return None
    where = ("a second identical run (nondeterminism)" if t <= k else
             f"the run reloaded from state_dict() before step {k + 1}")
    return Finding("state_dict", f"step {t}: parameter {i} differs in {where}",
                   {"step": t, "parameter": example.describe(i), "round trip before step": k + 1,
                    **example.hyperparameters_of(i, t), **example.case(),
                    "uninterrupted run": tensor_list(example.run.trajectory[t][i]),
                    "other run": tensor_list(again.trajectory[t][i])}, step=t)


def _first_unequal(a, b):
    for t, (x, y) in enumerate(zip(a, b)):
        for i, (u, v) in enumerate(zip(x, y)):
            if u.shape != v.shape or not bool(same_value(u, v).all()):
                return t, i
    return None


def check_interop(example: Example) -> Finding | None:
    """A target that keeps torch's state layout continues torch's run from torch's state_dict, and torch
    continues the target's: the hand-over lands on the reference trajectory."""
    torch_class = example.torch_class
    if torch_class is None or example.target is torch_class or example.scenario.roundtrip_step == 0:
        return None
    if any(q.kind == "defect" and example.scenario.somewhere(Condition(q.when), example.context)
           for q in example.info.quirks):
        return None  # torch's own run would show its defect, not the target's
    k = example.scenario.roundtrip_step
    for first, then, direction in ((torch_class, example.target, "torch's state_dict loaded into the target"),
                                   (example.target, torch_class, "the target's state_dict loaded into torch")):
        try:
            handed = run_target(first, example.scenario, example.params0, example.grads, example.timeout,
                                switch_at=k, switch_to=then)
        except UserCodeError as exc:
            # a state layout of its own (other keys) is the target's choice: said, not failed
            example.interop_note = (f"state_dict not interchangeable with torch.optim.{example.info.torch_class}'s "
                                    f"({direction}: {exc})")
            return None
        torch_first = first is torch_class
        finding = _against_reference(example, handed.trajectory, "state_dict interop",
                                     f"after {direction} before step {k + 1}, the run leaves torch's algorithm",
                                     torch_until=k if torch_first else None, torch_from=None if torch_first else k)[0]
        if finding is not None:
            return finding
    return None


def _permute(tensors, perms, inverse=False):
    out = []
    for x, perm in zip(tensors, perms):
        if x is None:
            out.append(None)
        elif isinstance(x, SparseGradient):
            out.append(SparseGradient(*_permute([x.values, x.present], [perm, perm], inverse)))
        else:
            index = torch.argsort(perm) if inverse else perm
            out.append(x.reshape(-1)[index].reshape(x.shape))
    return out


def _permutations(example: Example) -> list[torch.Tensor]:
    """Per parameter, a permutation of its entries the method must commute with."""
    generator = torch.Generator().manual_seed(example.scenario.data_seed + 1)
    perms = []
    for p in example.params0:
        if example.info.permutation == "rows and columns" and p.dim() > 1:
            rows = torch.randperm(p.shape[-2], generator=generator)
            columns = torch.randperm(p.shape[-1], generator=generator)
            grid = torch.arange(p.numel()).reshape(p.shape)
            perms.append(grid[..., rows, :][..., columns].reshape(-1))
        else:
            perms.append(torch.randperm(p.numel(), generator=generator))
    return perms


def check_permutation(example: Example) -> Finding | None:
    """Permuting the entries of every parameter and its gradients permutes the trajectory (for Adafactor,
    rows and columns of a matrix)."""
    if example.info.permutation is None:
        return None
    perms = _permutations(example)
    real_perms = [_real_permutation(p, perm) for p, perm in zip(example.params0, perms)]
    permuted = run_target(example.target, example.scenario, _permute(example.params0, perms),
                          [_permute(row, perms) for row in example.grads], example.timeout)
    tol = example.references.tolerance
    for t in range(1, len(permuted.trajectory)):
        if any(x.shape != p.shape for x, p in zip(permuted.trajectory[t], example.params0)):
            return None  # entries that moved between shapes cannot be unpermuted: the reference check's finding
        back = _permute(permuted.trajectory[t], real_perms, inverse=True)
        for i, (x, y, e) in enumerate(zip(example.run.trajectory[t], back, tol[t])):
            differs = ((x - y).abs() > e) | (torch.isnan(x) != torch.isnan(y))
            if differs.any():
                return Finding("permutation", f"step {t}: permuting parameter {i}'s entries does not permute its "
                                              "trajectory (the method must treat entries alike)",
                               {"step": t, "parameter": example.describe(i), **example.hyperparameters_of(i, t),
                                **example.case(), "unpermuted run": tensor_list(x),
                                "permuted run, unpermuted": tensor_list(y)}, step=t)
    return None


def _real_permutation(param, perm):
    """The permutation of a parameter's entries acting on its real view (pairs stay together)."""
    if not param.is_complex():
        return perm
    return torch.stack([2 * perm, 2 * perm + 1], 1).reshape(-1)


def check_rescaling(example: Example) -> Finding | None:
    """Where the method is scale-free (the catalog's settings, ε = 0 say), multiplying every gradient by
    2^k leaves the trajectory unchanged bit for bit (NaN where both runs have NaN)."""
    if example.info.rescaling is None:
        return None
    s = example.scenario

    def scale_free(hp: dict) -> dict:
        return {k: v for k, v in example.info.rescaling(hp).items() if k in example.accepted}

    settings = scale_free(s.defaults)
    plain = dataclasses.replace(
        s, defaults={**s.defaults, **settings},
        groups=[(m, {**o, **scale_free(s.hyperparameters(g))}) for g, (m, o) in enumerate(s.groups)],
        schedule=[[at, g, rest] for at, g, c in s.schedule if (rest := {k: v for k, v in c.items() if k not in settings})])
    # a zero gradient would be 0/0 with ε = 0: use a nonzero one there
    nonzero = [[g if g is None or isinstance(g, SparseGradient) or g.numel() == 0 or bool(g.ne(0).all())
                else torch.ones_like(g) * 10.0 ** scale for g in row] for row, scale in zip(example.grads, s.scales)]
    factor = 2.0 ** example.exponent
    if not _exactly_scalable(nonzero, factor, s.torch_dtype, example.info.rescaling_degree):
        return None
    scaled = [[None if g is None else SparseGradient(g.values * factor, g.present) if isinstance(g, SparseGradient)
               else g * factor for g in row] for row in nonzero]
    base = run_target(example.target, plain, example.params0, nonzero, example.timeout)
    other = run_target(example.target, plain, example.params0, scaled, example.timeout)
    first = _first_unequal(base.trajectory, other.trajectory)
    if first is None:
        return None
    t, i = first
    return Finding("rescaling", f"step {t}: multiplying every gradient by 2^{example.exponent} changes parameter {i} "
                                "(with the settings below the method is invariant to g → c·g, c > 0)",
                   {"step": t, "parameter": example.describe(i), "settings": example.info.rescaling(s.defaults),
                    "constructor defaults": plain.defaults, "groups (parameter indices, overrides)": plain.groups,
                    "flags": s.flags, "gradients of this parameter": [None if r[i] is None else tensor_list(
                        r[i].values if isinstance(r[i], SparseGradient) else r[i]) for r in nonzero[:t]],
                    "with g": tensor_list(base.trajectory[t][i]),
                    f"with 2^{example.exponent}·g": tensor_list(other.trajectory[t][i])}, step=t)


def _exactly_scalable(grads, factor: float, dtype: torch.dtype, degree: int) -> bool:
    """Whether every power of g up to ``degree`` stays a normal number of the dtype with and without the
    factor: then every rounding commutes with the scaling (a power of 2), bit for bit."""
    info = torch.finfo(dtype)
    values = [(g.values if isinstance(g, SparseGradient) else g).abs().double() for row in grads for g in row
              if g is not None]
    values = torch.cat([v.reshape(-1) for v in values]) if values else torch.zeros(0)
    values = values[values > 0]
    if not values.numel():
        return True
    low, high = float(values.min()) * min(1.0, factor), float(values.max()) * max(1.0, factor)
    return low ** degree > info.tiny and high ** degree < info.max


#: every scenario check, in the order they run (the first finding is the headline)
CHECKS = {"reference": check_reference, "inputs": check_inputs, "state_dict": check_state_dict,
          "state_dict interop": check_interop, "permutation": check_permutation, "rescaling": check_rescaling}
