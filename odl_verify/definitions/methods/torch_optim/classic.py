"""torch.optim's SGD, Adagrad, RMSprop and Adadelta as reference update rules (see the package)."""
from __future__ import annotations

import dataclasses
from typing import Any

from ..protocol import State, moving_average
from .common import direction


@dataclasses.dataclass(frozen=True)
class SGD:
    """torch.optim.SGD: momentum b_t = μ b_{t−1} + (1 − τ) g_t, but b_1 = g_t (no dampening on step 1)."""

    lr: Any = 1e-3
    momentum: Any = 0
    dampening: Any = 0
    weight_decay: Any = 0
    nesterov: bool = False
    maximize: bool = False

    def init(self, param, xp) -> State:
        return {"step": 0, "momentum_buffer": None}

    def update(self, param, grad, state: State, xp):
        g = direction(param, grad, self.maximize, self.weight_decay)
        buffer = state["momentum_buffer"]
        if self.momentum != 0:
            # torch creates the buffer from the first gradient as is: dampening starts at step 2
            buffer = self.first_buffer(g) if buffer is None else self.momentum * buffer + (1 - self.dampening) * g
            g = g + self.momentum * buffer if self.nesterov else buffer
        return param - self.lr * g, {"step": state["step"] + 1, "momentum_buffer": buffer}

    def first_buffer(self, g):
        """b_1: the first gradient itself (a moving average started at 0 would damp it)."""
        return g


@dataclasses.dataclass(frozen=True)
class Adagrad:
    """torch.optim.Adagrad: lr_t = lr/(1 + (t − 1)·lr_decay), G_0 = initial_accumulator_value, ε outside √G."""

    lr: Any = 1e-2
    lr_decay: Any = 0
    weight_decay: Any = 0
    initial_accumulator_value: Any = 0
    eps: Any = 1e-10
    maximize: bool = False

    def init(self, param, xp) -> State:
        return {"step": 0, "sum": xp.zeros_like(param) + self.initial_accumulator_value}

    def update(self, param, grad, state: State, xp):
        step = state["step"] + 1
        g = direction(param, grad, self.maximize, self.weight_decay)
        lr_t = self.lr / (1 + (step - 1) * self.lr_decay)
        total = state["sum"] + g * g
        return param - lr_t * g / self.denominator(total, xp), {"step": step, "sum": total}

    def denominator(self, accumulated, xp):
        """√G + ε: ε outside the root."""
        return xp.sqrt(accumulated) + self.eps


@dataclasses.dataclass(frozen=True)
class RMSprop:
    """torch.optim.RMSprop: ε outside the root; ``centered`` subtracts the squared mean gradient."""

    lr: Any = 1e-2
    alpha: Any = 0.99
    eps: Any = 1e-8
    weight_decay: Any = 0
    momentum: Any = 0
    centered: bool = False
    maximize: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "square_avg": zero, "grad_avg": zero, "momentum_buffer": zero}

    def update(self, param, grad, state: State, xp):
        g = direction(param, grad, self.maximize, self.weight_decay)
        square_avg = self.alpha * state["square_avg"] + (1 - self.alpha) * g * g
        grad_avg, variance = state["grad_avg"], square_avg
        if self.centered:
            grad_avg = moving_average(xp, grad_avg, g, self.alpha)
            variance = square_avg - grad_avg * grad_avg
        scaled = g / self.denominator(variance, xp)
        buffer = state["momentum_buffer"]
        if self.momentum != 0:
            buffer = self.momentum * buffer + scaled
            scaled = buffer
        new_state = {"step": state["step"] + 1, "square_avg": square_avg, "grad_avg": grad_avg,
                     "momentum_buffer": buffer}
        return param - self.lr * scaled, new_state

    def denominator(self, variance, xp):
        """√v + ε: ε outside the root."""
        return xp.sqrt(variance) + self.eps


@dataclasses.dataclass(frozen=True)
class Adadelta:
    """torch.optim.Adadelta: Δ = √(u + ε)/√(v + ε)·g, ε inside both roots, then θ −= lr·Δ."""

    lr: Any = 1.0
    rho: Any = 0.9
    eps: Any = 1e-6
    weight_decay: Any = 0
    maximize: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "square_avg": zero, "acc_delta": zero}

    def update(self, param, grad, state: State, xp):
        g = direction(param, grad, self.maximize, self.weight_decay)
        square_avg = self.rho * state["square_avg"] + (1 - self.rho) * g * g
        delta = xp.sqrt(state["acc_delta"] + self.eps) / xp.sqrt(square_avg + self.eps) * g
        acc_delta = self.rho * state["acc_delta"] + (1 - self.rho) * delta * delta
        return param - self.lr * delta, {"step": state["step"] + 1, "square_avg": square_avg,
                                         "acc_delta": acc_delta}
