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
    """A correct optimizer built from a reference rule: per-parameter state, per-group hyperparameters."""

    rule = ref.Adam

    def __init__(self, params, **hyperparameters):
        defaults = {f.name: f.default for f in dataclasses.fields(self.rule)}
        super().__init__(params, {**defaults, **hyperparameters})

    def make_rule(self, group):
        return self.rule(**{f.name: group[f.name] for f in dataclasses.fields(self.rule)})

    def state_key(self, param):
        return param

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            rule = self.make_rule(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = TorchNamespace(p.device, p.dtype)
                key = self.state_key(p)
                state = self.state[key] or rule.init(p.detach(), xp)
                new, self.state[key] = rule.update(p.detach().clone(), p.grad, state, xp)
                p.copy_(new)


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
    @staticmethod
    def bias_corrected(average, beta, step):
        return average


class AdamNoBiasCorrection(RuleOptimizer):
    rule = _NoBiasCorrectionAdam


@dataclasses.dataclass(frozen=True)
class _OffByOneAdam(ref.Adam):
    @staticmethod
    def bias_corrected(average, beta, step):
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
