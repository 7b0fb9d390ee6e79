"""Known convention variants of torch.optim's methods, as update rules: where third-party
implementations differ from torch, each written as a small change of the reference rule.

The optimizer gate replays a failing case against the variants its catalog row names and says
which one the target computes. Each :class:`Convention` turns a reference rule (an instance of
a :mod:`.torch_optim` class) into the variant, with the same hyperparameters.
"""
from __future__ import annotations

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Convention:
    name: str
    #: what the variant computes, in the rule's own terms
    description: str
    #: where it is known from
    seen_in: str
    variant: Callable


def _override(rule, suffix: str, **methods):
    """The rule's class with some methods replaced, built with the rule's hyperparameters."""
    cls = type(rule)
    variant = type(f"{cls.__name__}{suffix}", (cls,), methods)
    return variant(**{f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)})


def _eps_inside_root(rule):
    return _override(rule, "EpsInsideRoot", denominator=lambda self, v, xp: xp.sqrt(v + self.eps))


def _max_sqrt_eps(rule):
    return _override(rule, "MaxSqrtEps", denominator=lambda self, v, xp: xp.maximum(xp.sqrt(v), self.eps + 0 * v))


def _no_bias_correction(rule):
    return _override(rule, "NoBiasCorrection", bias_corrected=lambda self, average, beta, step, xp: average)


def _dampened_first_step(rule):
    return _override(rule, "DampenedFirstStep", first_buffer=lambda self, g: (1 - self.dampening) * g)


def _accumulators_at_one(rule):
    def init(self, param, xp):
        state = type(rule).init(self, param, xp)
        return {**state, "square_avg": state["square_avg"] + 1}
    return _override(rule, "AccumulatorsAtOne", init=init)


def _constant_momentum(rule):
    return _override(rule, "ConstantMomentum", momentum_at=lambda self, step: self.betas[0])


def _eps_outside_max(rule):
    return _override(rule, "EpsOutsideMax",
                     infinity_norm=lambda self, previous, g, xp: xp.maximum(self.betas[1] * previous, xp.abs(g)),
                     denominator=lambda self, exp_inf: exp_inf + self.eps)


CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("eps-inside-root", "ε inside the square root, √(v + ε) instead of √v + ε",
               "timm's RMSpropTF (TensorFlow's convention), the slides' RMSProp and Adam", _eps_inside_root),
    Convention("max-sqrt-eps", "max(√v̂, ε) instead of √v̂ + ε", "heavyball's AdamW", _max_sqrt_eps),
    Convention("no-bias-correction", "no bias correction: m and v used as they are", "the slides' Adam",
               _no_bias_correction),
    Convention("decoupled-decay", "decoupled weight decay θ(1 − lr·λ) instead of L2 decay λθ in the gradient",
               "AdamW-style implementations", lambda rule: dataclasses.replace(rule, decoupled_weight_decay=True)),
    Convention("coupled-decay", "L2 decay λθ in the gradient instead of decoupled weight decay",
               "Adam-style implementations", lambda rule: dataclasses.replace(rule, decoupled_weight_decay=False)),
    Convention("moving-average-momentum", "momentum as a moving average from b₀ = 0: b = μb + (1 − μ)g, "
               "so b₁ = (1 − μ)g", "torch_optimizer's QHM (ν = 1)",
               lambda rule: _dampened_first_step(dataclasses.replace(rule, dampening=rule.momentum))),
    Convention("dampened-first-step", "dampening applied from the first step, b₁ = (1 − τ)g",
               "implementations that start the buffer at 0", _dampened_first_step),
    Convention("nesterov-without-lookahead", "nesterov=True ignored: steps along the buffer without g + μb",
               "hand-written SGD", lambda rule: dataclasses.replace(rule, nesterov=False)),
    Convention("accumulators-at-one", "the second-moment accumulator started at 1 instead of 0",
               "timm's RMSpropTF", _accumulators_at_one),
    Convention("no-momentum-schedule", "a constant momentum μ_t = β₁ (no 0.96^{tψ} schedule)",
               "NAdam as in Dozat's first draft", _constant_momentum),
    Convention("published-threshold", "the rectified step from ρ_t > 4 (the paper's Algorithm 2) instead of 5",
               "Liu et al. 2020, Algorithm 2", lambda rule: dataclasses.replace(rule, sma_threshold=4)),
    Convention("eps-outside-max", "u = max(β₂u, |g|) and then u + ε in the denominator (ε outside the max)",
               "Adamax written from the paper plus an ε", _eps_outside_max),
)}
