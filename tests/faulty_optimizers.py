"""Optimizers with the faults real projects shipped, each of which the gate must reject.

``RuleOptimizer`` runs a reference rule of odl_verify.definitions.methods.torch_optim as a
torch.optim.Optimizer (it must pass the gate); each fault changes one line of a rule or
of the bookkeeping around it.
"""
import dataclasses
import time

import torch

from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.methods import torch_optim as ref


class RuleOptimizer(torch.optim.Optimizer):
    """A correct optimizer built from a reference rule: per-parameter state, per-group hyperparameters
    (complex parameters as their real view, sparse gradients as (values, held entries))."""

    rule = ref.Adam

    def __init__(self, params, **hyperparameters):
        defaults = {f.name: f.default for f in dataclasses.fields(self.rule)}
        super().__init__(params, {**defaults, **hyperparameters})

    def make_rule(self, group):
        # a group loaded from torch's state_dict has torch's keys only: the rule's others keep their defaults
        values = {f.name: group.get(f.name, f.default) for f in dataclasses.fields(self.rule)}
        return self.rule(**{k: float(v) if isinstance(v, torch.Tensor) else v for k, v in values.items()})

    def state_key(self, param):
        return param

    @staticmethod
    def gradient(p):
        if p.grad.is_sparse:
            grad = p.grad.coalesce()
            present = torch.zeros(p.shape, dtype=torch.bool)
            present[tuple(grad.indices())] = True
            return grad.to_dense(), present
        return torch.view_as_real(p.grad) if p.is_complex() else p.grad

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            rule = self.make_rule(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                view = torch.view_as_real(p) if p.is_complex() else p
                xp = TorchNamespace(p.device, view.dtype)
                key = self.state_key(p)
                # the state as torch keeps it (complex tensors for a complex parameter, a tensor step), so
                # state_dicts interchange; the rule works on real views
                real = lambda v: torch.view_as_real(v) if isinstance(v, torch.Tensor) and v.is_complex() else v
                state = {k: real(v) for k, v in {**rule.init(view.detach(), xp), **self.state[key]}.items()}
                if isinstance(state["step"], torch.Tensor):
                    state["step"] = int(state["step"])
                new, state = rule.update(view.detach().clone(), self.gradient(p), state, xp)
                stored = lambda v: (torch.view_as_complex(v.contiguous()) if p.is_complex() and isinstance(v, torch.Tensor)
                                    and v.shape == view.shape else v)
                self.state[key] = {k: stored(v) for k, v in state.items()}
                view.copy_(new)


class CorrectAdam(RuleOptimizer):
    rule = ref.Adam


class CorrectSGD(RuleOptimizer):
    rule = ref.SGD


# ---- Adam family
class _SqrtWithEps:
    """A namespace whose square root adds ε under it: turns √v̂ + 0 into √(v̂ + ε)."""

    def __init__(self, xp, eps):
        self.xp, self.eps = xp, eps

    def __getattr__(self, name):
        return getattr(self.xp, name)

    def sqrt(self, value):
        return self.xp.sqrt(value + self.eps)


@dataclasses.dataclass(frozen=True)
class _EpsInsideAdam(ref.Adam):
    def update(self, param, grad, state, xp):
        # m̂/√(v̂ + ε) instead of m̂/(√v̂ + ε)
        return ref.Adam.update(dataclasses.replace(self, eps=0.0), param, grad, state, _SqrtWithEps(xp, self.eps))


class AdamEpsInsideRoot(RuleOptimizer):
    rule = _EpsInsideAdam


@dataclasses.dataclass(frozen=True)
class _NoBiasCorrectionAdam(ref.Adam):
    def bias_corrected(self, average, beta, step, xp):
        return average


class AdamNoBiasCorrection(RuleOptimizer):
    rule = _NoBiasCorrectionAdam


@dataclasses.dataclass(frozen=True)
class _OffByOneAdam(ref.Adam):
    def bias_corrected(self, average, beta, step, xp):
        return average / (1 - beta ** (step + 1))  # the step counter advanced before it is read


class AdamOffByOneBiasCorrection(RuleOptimizer):
    rule = _OffByOneAdam


@dataclasses.dataclass(frozen=True)
class _CoupledAdamW(ref.AdamW):
    decoupled_weight_decay: bool = False  # L2 in the gradient: Adam, not AdamW


class AdamWCoupledWeightDecay(RuleOptimizer):
    rule = _CoupledAdamW

    def make_rule(self, group):
        return self.rule(**{f.name: group[f.name] for f in dataclasses.fields(self.rule)
                            if f.name != "decoupled_weight_decay"})


class AdamSharedState(RuleOptimizer):
    """State keyed by shape: parameters of the same shape share moments."""

    rule = ref.Adam

    def __init__(self, params, **hyperparameters):
        super().__init__(params, **hyperparameters)
        self._by_shape = {}

    def state_key(self, param):
        return self._by_shape.setdefault(tuple(param.shape), param)


# ---- SGD family
class _SGDIgnoring(RuleOptimizer):
    """SGD that holds some hyperparameters fixed, whatever the group says."""

    rule = ref.SGD
    ignored: dict = {}

    def make_rule(self, group):
        return dataclasses.replace(super().make_rule(group), **self.ignored)


class SGDIgnoresDampening(_SGDIgnoring):
    ignored = {"dampening": 0.0}


class SGDIgnoresMaximize(_SGDIgnoring):
    ignored = {"maximize": False}


class SGDNesterovWithoutLookahead(_SGDIgnoring):
    """"nesterov" that steps along the buffer, without the look-ahead g + μb."""

    ignored = {"nesterov": False}


class SGDFirstGroupLr(RuleOptimizer):
    """Every group steps with the first group's lr."""

    rule = ref.SGD

    def make_rule(self, group):
        return dataclasses.replace(super().make_rule(group), lr=self.param_groups[0]["lr"])


class SGDLrReadOnce(RuleOptimizer):
    """Reads each group's lr once, at construction: a scheduler's changes are lost."""

    rule = ref.SGD

    def __init__(self, params, **hyperparameters):
        super().__init__(params, **hyperparameters)
        self.initial_lrs = [float(group["lr"]) for group in self.param_groups]

    def make_rule(self, group):
        index = next(i for i, g in enumerate(self.param_groups) if g is group)
        return dataclasses.replace(super().make_rule(group), lr=self.initial_lrs[index])


@dataclasses.dataclass(frozen=True)
class _NegatedSecondMoment(ref.Adam):
    """Keeps −v under torch's key 'exp_avg_sq': its own run is exact, torch's state means something else."""

    def init(self, param, xp):
        return ref.Adam.init(self, param, xp)

    def update(self, param, grad, state, xp):
        new, out = ref.Adam.update(self, param, grad, {**state, "exp_avg_sq": -state["exp_avg_sq"]}, xp)
        return new, {**out, "exp_avg_sq": -out["exp_avg_sq"]}


class AdamNegatedSecondMoment(RuleOptimizer):
    rule = _NegatedSecondMoment


# ---- the methods beyond Adam and SGD: one wrong line each
@dataclasses.dataclass(frozen=True)
class _NAdamWithoutSchedule(ref.NAdam):
    def momentum_at(self, step):
        return self.betas[0]  # μ_t = β₁: Dozat's schedule dropped


class NAdamWithoutMomentumSchedule(RuleOptimizer):
    rule = _NAdamWithoutSchedule


@dataclasses.dataclass(frozen=True)
class _RAdamAtFour(ref.RAdam):
    sma_threshold: float = 4  # the paper's Algorithm 2, not torch's 5


class RAdamPaperThreshold(RuleOptimizer):
    rule = _RAdamAtFour

    def make_rule(self, group):
        return dataclasses.replace(super().make_rule(group), sma_threshold=4)


@dataclasses.dataclass(frozen=True)
class _AdamaxEpsOutside(ref.Adamax):
    def infinity_norm(self, previous, g, xp):
        return xp.maximum(self.betas[1] * previous, xp.abs(g))

    def denominator(self, exp_inf):
        return exp_inf + self.eps


class AdamaxEpsOutsideMax(RuleOptimizer):
    rule = _AdamaxEpsOutside


@dataclasses.dataclass(frozen=True)
class _ASGDEtaNow(ref.ASGD):
    def update(self, param, grad, state, xp):
        # η for this step computed from this step's count (torch uses the previous step's η)
        step = state["step"] + 1
        return ref.ASGD.update(self, param, grad, {**state, "eta": self.lr / (1 + self.lambd * self.lr * step) ** self.alpha}, xp)


class ASGDEtaOffByOne(RuleOptimizer):
    rule = _ASGDEtaNow


@dataclasses.dataclass(frozen=True)
class _RpropKeepsFlippedGradient(ref.Rprop):
    def update(self, param, grad, state, xp):
        # the step size shrinks on a sign flip, but the flipped gradient is still stepped along
        new, new_state = ref.Rprop.update(self, param, grad, state, xp)
        g = -grad if self.maximize else grad
        return param - xp.where(g > 0, 1 + 0 * g, xp.where(g < 0, -1 + 0 * g, 0 * g)) * new_state["step_size"], \
            {**new_state, "prev": g}


class RpropWithoutBacktracking(RuleOptimizer):
    rule = _RpropKeepsFlippedGradient


@dataclasses.dataclass(frozen=True)
class _AdafactorWithoutDecay(ref.Adafactor):
    def relative_step(self, step, xp):
        return self.lr  # ρ_t = lr: the min with 1/√t dropped


class AdafactorWithoutRelativeStepDecay(RuleOptimizer):
    rule = _AdafactorWithoutDecay


@dataclasses.dataclass(frozen=True)
class _DenseSparseAdam(ref.SparseAdam):
    def update(self, param, grad, state, xp):
        values, present = grad
        return ref.SparseAdam.update(self, param, (values, torch.ones_like(present)), state, xp)


class SparseAdamUpdatesEveryEntry(RuleOptimizer):
    """Adam's moments decay on the entries a sparse gradient does not hold too (densified)."""

    rule = _DenseSparseAdam


class CorrectSparseAdam(RuleOptimizer):
    rule = ref.SparseAdam


class LBFGSRule(torch.optim.Optimizer):
    """L-BFGS from the reference rule: all parameters as one flat vector, the closure as its oracle."""

    rule = ref.LBFGS

    def __init__(self, params, **hyperparameters):
        defaults = {f.name: f.default for f in dataclasses.fields(self.rule)}
        super().__init__(params, {**defaults, **hyperparameters})

    @torch.no_grad()
    def step(self, closure):
        group = self.param_groups[0]
        params = group["params"]
        rule = self.rule(**{f.name: float(group[f.name]) if isinstance(group[f.name], torch.Tensor) else group[f.name]
                            for f in dataclasses.fields(self.rule)})
        xp = TorchNamespace(params[0].device, params[0].dtype)

        real = lambda t: torch.view_as_real(t) if t.is_complex() else t

        def objective(x):
            offset = 0
            for p in params:
                view = real(p)
                view.copy_(x[offset:offset + view.numel()].reshape(view.shape))
                offset += view.numel()
            with torch.enable_grad():
                loss = closure()
            return loss, torch.cat([real(p.grad).reshape(-1) for p in params])

        start = torch.cat([real(p.detach()).reshape(-1) for p in params])
        memory = self.state[params[0]]  # torch's place for it too: it travels with state_dict()
        x, new = rule.update(start, None, {**rule.init(start, xp), **memory}, xp, objective=objective)
        memory.update(new)
        objective(x)


@dataclasses.dataclass(frozen=True)
class _MemorylessLBFGS(ref.LBFGS):
    def direction(self, flat_grad, state, xp):
        return -flat_grad  # the curvature pairs are never used: gradient descent in L-BFGS's clothes


class LBFGSWithoutMemory(LBFGSRule):
    rule = _MemorylessLBFGS


class AdaDeltaRejectsRhoOne(RuleOptimizer):
    """A correct AdaDelta whose library rejects ρ = 1 (a valid value in torch's domain)."""

    rule = ref.Adadelta

    def __init__(self, params, **hyperparameters):
        if not 0.0 <= hyperparameters.get("rho", 0.9) < 1.0:
            raise ValueError(f"Invalid rho value: {hyperparameters['rho']}")
        super().__init__(params, **hyperparameters)


# ---- targets that are not optimizers at all
class RaisingOptimizer(torch.optim.SGD):
    def step(self, closure=None):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")


class NaNOptimizer(torch.optim.SGD):
    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.fill_(float("nan"))


class HangingOptimizer(torch.optim.SGD):
    def step(self, closure=None):
        while True:
            time.sleep(0.01)


def no_parameters_factory():
    """Wrong signature: takes no parameters."""
    return None


def only_lr_sgd(params, lr):
    """Accepts lr only: checked on what it accepts."""
    return torch.optim.SGD(params, lr=lr)


NOT_CALLABLE = 42
