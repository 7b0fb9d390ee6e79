"""torch 2.13's known quirks of torch.optim, each with its reason and a one-line reproduction: the
defects the optimizer gate reports (and names beside a failing case) and the deviations it accepts
as alternative references where they hold (see :class:`Quirk`). Conditions are in the gates' domain
language (:mod:`odl_verify.gate.domain`)."""
from __future__ import annotations

import dataclasses


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


FLOAT32_STATE = "dtype in ('float64', 'complex128') and default_dtype == 'float32'"
#: load_state_dict casts floating-point state (all but 'step') to the parameter's dtype, complex ones excepted
CAST_ON_LOAD = "default_dtype != dtype and not complex"

SGD_FOREACH_NESTEROV = Quirk(
    
    "sgd-foreach-nesterov-writes-grad", "defect", "foreach and nesterov and weight_decay == 0 and not maximize",
    "inputs",
    "torch 2.13's multi-tensor SGD computes the Nesterov step g + μb in place in its list of gradients, which are "
    "the .grad tensors themselves unless maximize or weight decay made copies: .grad holds the step after step()",
    "python -c 'import torch; p = torch.ones(2, requires_grad=True); o = torch.optim.SGD([p], lr=0.1, momentum=0.9, "
    "nesterov=True, foreach=True); p.grad = torch.ones(2); o.step(); print(p.grad)'  # tensor([1.9000, 1.9000])")
SGD_FUSED_LATE = Quirk(
    
    "sgd-fused-momentum-late-gradient", "defect", "fused and momentum > 0 and late_first_gradient", "raises",
    "torch 2.13's fused SGD passes the momentum buffers of all parameters to its kernel; a parameter whose "
    "first gradient comes after step 1 has none yet (None), and the kernel raises TypeError",
    "python -c 'import torch; a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True); "
    "o = torch.optim.SGD([a, b], lr=0.1, momentum=0.9, fused=True); a.grad = torch.ones(2); o.step(); "
    "b.grad = torch.ones(2); o.step()'  # TypeError")


def differentiable_lr_zero(torch_class: str) -> Quirk:
    return Quirk(
        f"{torch_class.lower()}-differentiable-lr-zero-nan", "defect", "differentiable and lr == 0", "reference",
        f"torch 2.13's differentiable {torch_class} divides √v by −lr/(1 − β₁ᵗ) to fold the step size into the "
        "denominator: at lr = 0 an entry with v = 0 (a zero gradient) becomes 0/(−0) = NaN",
        f"python -c 'import torch; p = torch.ones(2, requires_grad=True).clone(); o = torch.optim.{torch_class}([p], "
        "lr=0.0, differentiable=True); p.grad = torch.tensor([0.0, 1.0]); o.step(); print(p)'  # tensor([nan, 1.]")


def float32_scalar_state(torch_class: str, names: str, state_key: str, size: str) -> tuple[Quirk, Quirk]:
    stored = Quirk(
        f"{torch_class.lower()}-float32-scalar-state", "deviation", FLOAT32_STATE, "reference",
        f"torch 2.13 keeps {torch_class}'s scalar state ({names}) in the default dtype, float32 unless set "
        f"otherwise, so with float64 parameters it sits {size} from an exact float64 run of its own algorithm",
        f"python -c 'import torch; p = torch.zeros(1, dtype=torch.float64, requires_grad=True); "
        f"o = torch.optim.{torch_class}([p]); p.grad = torch.ones(1, dtype=torch.float64); o.step(); "
        f"print(o.state[p][\"{state_key}\"].dtype)'  # torch.float32",
        reference={"scalar_state": "float32"})
    reloaded = Quirk(
        f"{torch_class.lower()}-load-state-dict-casts-scalar-state", "deviation", CAST_ON_LOAD, "state_dict",
        f"Optimizer.load_state_dict casts every floating-point state tensor but 'step' to the parameter's dtype, "
        f"so after a round trip {torch_class}'s {names} continue in the parameters' dtype, not the default "
        "dtype: the run is not bit for bit the uninterrupted one",
        f"python -c 'import torch; p = torch.zeros(1, dtype=torch.float64, requires_grad=True); "
        f"o = torch.optim.{torch_class}([p]); p.grad = torch.ones(1, dtype=torch.float64); o.step(); "
        f"o.load_state_dict(o.state_dict()); print(o.state[p][\"{state_key}\"].dtype)'  # torch.float64",
        reference={"scalar_state": DEFAULT_DTYPE}, after_reload={"scalar_state": PARAMETER_DTYPE})
    return stored, reloaded


def differentiable_float32_scalars(torch_class: str, what: str, printed: str, exact: str) -> Quirk:
    return Quirk(
        f"{torch_class.lower()}-differentiable-float32-scalars", "deviation",
        "differentiable and default_dtype == 'float32'", "reference",
        f"with differentiable=True torch 2.13's {torch_class} computes {what} from its step tensor, which is "
        "float32 under the float32 default dtype: on float64 parameters 1 − β₂ᵗ loses about 5 digits at "
        "β₂ = 0.999 (modelled in the reference, compared at float32 precision where this holds)",
        f"python -c 'import torch; p = torch.ones(1, dtype=torch.float64, requires_grad=True).clone(); "
        f"o = torch.optim.{torch_class}([p], lr=1.0, weight_decay=0.0, differentiable=True); "
        "p.grad = torch.ones(1, dtype=torch.float64); o.step(); print(p.item())'"
        f"  # {printed}: with the default dtype float64, {exact}",
        reference={"scalar_state": DEFAULT_DTYPE}, precision="float32")


RADAM_FOREACH_NAN = Quirk(
    "radam-foreach-masks-a-non-finite-rectified-step", "defect", "foreach and dtype == 'float16'",
    "reference",
    "torch 2.13's multi-tensor RAdam computes the rectified step √v for every entry and multiplies it "
    "by 0 where ρ_t ≤ 5: once v overflows (|g| > 256 in float16) the SGD-with-momentum step becomes "
    "inf·0 = NaN, where the single-tensor path never reads v",
    "python -c 'import torch; p = torch.tensor([15.40625], dtype=torch.float16, requires_grad=True); "
    "o = torch.optim.RAdam([p], lr=1e-3, betas=(0.5, 0.0), foreach=True); "
    "[(setattr(p, \"grad\", torch.tensor([g], dtype=torch.float16)), o.step()) for g in (-293.5, -0.25)]; "
    "print(p)'  # tensor([nan]: foreach=False gives 15.8")


ASGD_FOREACH_FLOAT32 = Quirk(
    "asgd-foreach-float32-step-size", "deviation", f"foreach and {FLOAT32_STATE}", "reference",
    "torch 2.13's multi-tensor ASGD computes η = lr/(1 + λ·lr·t)^α from its float32 step tensor in "
    "float32 arithmetic (the single-tensor path in double, rounded once): compared at float32 precision "
    "where this holds",
    "python -c 'import torch; p = torch.zeros(1, dtype=torch.float64, requires_grad=True); "
    "o = torch.optim.ASGD([p], lambd=0.1, foreach=True); p.grad = torch.ones(1, dtype=torch.float64); "
    "o.step(); print(o.state[p][\"eta\"].item())'  # 0.0099925054: not lr/(1 + λ·lr)^α = 0.0099925066",
    reference={"scalar_state": DEFAULT_DTYPE}, precision="float32")


ADAFACTOR_EMPTY = Quirk(
    "adafactor-empty-parameter-zero-division", "defect", "empty_parameters", "raises",
    "torch 2.13's Adafactor divides ‖θ‖ by √numel in Python floats: an empty parameter with a "
    "gradient raises ZeroDivisionError",
    "python -c 'import torch; p = torch.zeros(0, requires_grad=True); o = torch.optim.Adafactor([p]); "
    "p.grad = torch.zeros(0); o.step()'  # ZeroDivisionError")


LBFGS_TENSOR_LR = Quirk(
    "lbfgs-tensor-lr-aliased-step-length", "defect", "tensor_lr and schedule != 'none'", "reference",
    "torch 2.13's LBFGS keeps the group's lr tensor itself as its step length t (t = lr), so a "
    "scheduler that changes lr in place rewrites the length of the step already taken, and the "
    "next curvature pair s = t·d is wrong",
    "python -c 'import torch; x = torch.ones(2, requires_grad=True); lr = torch.tensor(0.5); "
    "o = torch.optim.LBFGS([x], lr=lr, max_iter=1); c = lambda: (setattr(x, \"grad\", "
    "x.detach().clone()), (x.detach() ** 2).sum() / 2)[1]; o.step(c); o.step(c); lr.fill_(0.1); "
    "print(o.state[x][\"t\"])'  # tensor(0.1000): the step taken was 0.5")
