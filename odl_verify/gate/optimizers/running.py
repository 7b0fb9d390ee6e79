"""Running the target on a scenario: its parameters on ``--device``, the flags, the schedule, the
closure, a state_dict hand-over mid-run; every call through :func:`call_user_code`."""
from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
import warnings

import torch

from ...definitions.backend import TorchNamespace
from ...engine.calls import call_user_code
from ...errors import UserCodeError
from .scenarios import OBJECTIVES, Scenario, SparseGradient

#: where the target's parameters and gradients live (``--device``); the reference runs on the CPU
TARGET_DEVICE: contextvars.ContextVar[torch.device] = contextvars.ContextVar("target_device",
                                                                           default=torch.device("cpu"))


def on_target_device(tensor):
    return None if tensor is None else tensor.to(TARGET_DEVICE.get())


def real_view(tensor: torch.Tensor) -> torch.Tensor:
    """A complex tensor as its (…, 2) real view, as torch.optim updates it; a real one as is."""
    return torch.view_as_real(tensor) if tensor.is_complex() else tensor


def host_copy(tensor) -> torch.Tensor:
    return real_view(tensor.detach()).double().cpu().clone()


@contextlib.contextmanager
def default_dtype(name: str):
    """torch's default dtype while the target runs: where torch.optim keeps scalar state."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, name))
    try:
        yield
    finally:
        torch.set_default_dtype(saved)


def checkpoint(value):
    """A state_dict as a checkpoint holds it: tensors detached and copied (no autograd graph)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: checkpoint(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(checkpoint(v) for v in value)
    return copy.deepcopy(value)


@dataclasses.dataclass
class GradMutation:
    step: int
    index: int
    before: torch.Tensor
    after: torch.Tensor | None


@dataclasses.dataclass
class Run:
    #: [t][i]: float64 CPU copies (real views) of the parameters after t steps
    trajectory: list
    #: gradients step() changed, in the order found
    mutations: list


def objective_in(scenario: Scenario, xp):
    """f(x) → (f(x), ∇f(x)) of the scenario's certified objective on the flat real vector x."""
    family = OBJECTIVES[scenario.objective["family"]]
    params = family.constrain({k: xp.asarray(v)[None] for k, v in scenario.objective["raw"].items()}, xp)
    return lambda x: (family.value(params, x[None], xp)[0], family.grad(params, x[None], xp)[0])


def flat_real(params) -> torch.Tensor:
    return torch.cat([real_view(p.detach()).reshape(-1) for p in params]) if params else torch.zeros(0)


def scatter(flat: torch.Tensor, like: list[torch.Tensor]) -> list[torch.Tensor]:
    """The flat real vector cut back into tensors shaped like ``like`` (complex ones from pairs)."""
    out, offset = [], 0
    for p in like:
        shape = real_view(p).shape
        size = int(torch.tensor(shape).prod()) if shape else 1
        piece = flat[offset:offset + size].reshape(shape)
        out.append(torch.view_as_complex(piece.contiguous()) if p.is_complex() else piece)
        offset += size
    return out


def param_groups(params, scenario: Scenario) -> list[dict]:
    groups = []
    for members, overrides in scenario.groups:
        group = {"params": [params[i] for i in members], **copy.deepcopy(overrides)}
        if scenario.tensor_lr and "lr" in group:
            group["lr"] = torch.tensor(group["lr"], dtype=torch.float64)
        groups.append(group)
    return groups


def constructor_arguments(scenario: Scenario) -> dict:
    hp = {**copy.deepcopy(scenario.defaults), **scenario.flags}
    if scenario.tensor_lr and "lr" in hp:
        hp["lr"] = torch.tensor(hp["lr"], dtype=torch.float64)
    return hp


def apply_schedule(optimizer, scenario: Scenario, step: int) -> None:
    """What a scheduler does before ``step``: set the group's value (a tensor lr is filled in place)."""
    for at, g, changes in scenario.schedule:
        if at != step:
            continue
        group = optimizer.param_groups[g]
        for key, value in changes.items():
            if isinstance(group.get(key), torch.Tensor):
                group[key].fill_(value)
            else:
                group[key] = copy.deepcopy(value)


def given_gradient(gradient, device):
    if isinstance(gradient, SparseGradient):
        return gradient.to_target(device)
    return None if gradient is None else gradient.to(device).clone()


def unchanged(now, given) -> bool:
    if now is None:
        return False
    if given.is_sparse or now.is_sparse:
        return (now.is_sparse == given.is_sparse and torch.equal(now._indices(), given._indices())
                and torch.equal(now._values(), given._values()))
    return torch.equal(now, given) or bool(((now == given) | (now.isnan() & given.isnan())).all())


def run_target(target, scenario: Scenario, params0, grads, timeout: float, *, switch_at: int | None = None,
               switch_to=None) -> Run:
    """The target's trajectory. At step ``switch_at`` its state_dict is saved (as a checkpoint) and
    loaded into a fresh ``switch_to`` (the target itself: a round trip) built on the same parameters."""
    device = TARGET_DEVICE.get()
    with default_dtype(scenario.default_dtype), warnings.catch_warnings():
        # torch warns on every .grad of a non-leaf (differentiable) parameter: that is how they are used
        warnings.filterwarnings("ignore", message="The .grad attribute of a Tensor that is not a leaf")
        leaves = [p.to(device).clone().requires_grad_(True) for p in params0]
        # a differentiable optimizer steps non-leaf parameters (it records its update for autograd)
        params = [leaf.clone() for leaf in leaves] if scenario.flags.get("differentiable") else leaves

        def build(factory):
            return call_user_code("constructing the optimizer", timeout, factory, param_groups(params, scenario),
                                  **constructor_arguments(scenario))

        optimizer = build(target)
        closure = None
        if scenario.objective is not None:
            objective = objective_in(scenario, TorchNamespace(device, real_view(params[0]).dtype))

            def closure():
                loss, grad = objective(flat_real(params))
                for p, g in zip(params, scatter(grad, params)):
                    p.grad = g.detach().clone()
                return loss

        trajectory, mutations = [[host_copy(p) for p in params]], []
        for t, row in enumerate(grads):
            if t == switch_at:
                saved = checkpoint(call_user_code("state_dict()", timeout, optimizer.state_dict))
                optimizer = build(switch_to or target)
                call_user_code("load_state_dict()", timeout, optimizer.load_state_dict, saved)
            if scenario.schedule:
                apply_schedule(optimizer, scenario, t + 1)
            given = [given_gradient(g, device) for g in row]
            for p, g in zip(params, given):
                p.grad = None if g is None else g.clone()
            try:
                if closure is None:
                    call_user_code(f"step() {t + 1}", timeout, optimizer.step)
                else:
                    call_user_code(f"step(closure) {t + 1}", timeout, optimizer.step, closure)
            except UserCodeError as error:
                error.step = t + 1  # where it raised, for the report and the shrinker
                raise
            for i, (p, g) in enumerate(zip(params, given)):
                if g is not None and not unchanged(p.grad, g):
                    mutations.append(GradMutation(t + 1, i, host_copy(g.to_dense() if g.is_sparse else g),
                                                  None if p.grad is None else host_copy(p.grad.to_dense()
                                                                                        if p.grad.is_sparse else p.grad)))
            trajectory.append([host_copy(p) for p in params])
    return Run(trajectory, mutations)
