"""torch.optim's SGD, Adagrad, RMSprop, Adadelta, Adam and AdamW as reference update rules.

Each method is a frozen dataclass of torch.optim's hyperparameters (same keyword names
and defaults as torch 2.13) with two pure functions:

* ``init(param, xp)`` → the state of one parameter before its first step;
* ``update(param, grad, state, xp)`` → ``(new_param, new_state)``, never mutating.

The bodies are plain elementwise arithmetic plus ``xp.sqrt``, ``xp.maximum`` and
``xp.zeros_like``, so one rule runs on float64 torch tensors (the gate's reference), on
float64 numpy (``xp=numpy``), on mpmath object arrays (:class:`~odl_verify.backend.MpNamespace`)
and on sympy symbols (:class:`~odl_verify.backend.SympyNamespace`) for proofs. Branches
test only Python values (flags, the step count) or ``hyperparameter != 0``, which is
``True`` for a sympy symbol, so a symbolic rule keeps every term.

The algorithm boxes are torch.optim's docstrings; the details that differ from the
textbook forms (docs/theory.md §6) are marked where they happen. As in torch, a parameter
whose ``.grad`` is None is not updated at all (its step count does not advance): call
``update`` only for parameters that have a gradient.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .protocol import State, moving_average


def _direction(param, grad, maximize: bool, weight_decay):
    """g_t: the gradient, negated for ``maximize`` first, then L2 weight decay added."""
    grad = -grad if maximize else grad
    return grad + weight_decay * param if weight_decay != 0 else grad


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
        g = _direction(param, grad, self.maximize, self.weight_decay)
        buffer = state["momentum_buffer"]
        if self.momentum != 0:
            # torch creates the buffer from the first gradient as is: dampening starts at step 2
            buffer = g if buffer is None else self.momentum * buffer + (1 - self.dampening) * g
            g = g + self.momentum * buffer if self.nesterov else buffer
        return param - self.lr * g, {"step": state["step"] + 1, "momentum_buffer": buffer}


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
        g = _direction(param, grad, self.maximize, self.weight_decay)
        lr_t = self.lr / (1 + (step - 1) * self.lr_decay)
        total = state["sum"] + g * g
        return param - lr_t * g / (xp.sqrt(total) + self.eps), {"step": step, "sum": total}


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
        g = _direction(param, grad, self.maximize, self.weight_decay)
        square_avg = self.alpha * state["square_avg"] + (1 - self.alpha) * g * g
        grad_avg, variance = state["grad_avg"], square_avg
        if self.centered:
            grad_avg = moving_average(xp, grad_avg, g, self.alpha)
            variance = square_avg - grad_avg * grad_avg
        scaled = g / (xp.sqrt(variance) + self.eps)
        buffer = state["momentum_buffer"]
        if self.momentum != 0:
            buffer = self.momentum * buffer + scaled
            scaled = buffer
        new_state = {"step": state["step"] + 1, "square_avg": square_avg, "grad_avg": grad_avg,
                     "momentum_buffer": buffer}
        return param - self.lr * scaled, new_state


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
        g = _direction(param, grad, self.maximize, self.weight_decay)
        square_avg = self.rho * state["square_avg"] + (1 - self.rho) * g * g
        delta = xp.sqrt(state["acc_delta"] + self.eps) / xp.sqrt(square_avg + self.eps) * g
        acc_delta = self.rho * state["acc_delta"] + (1 - self.rho) * delta * delta
        return param - self.lr * delta, {"step": state["step"] + 1, "square_avg": square_avg,
                                         "acc_delta": acc_delta}


@dataclasses.dataclass(frozen=True)
class Adam:
    """torch.optim.Adam: bias-corrected m̂/(√v̂ + ε), ε outside the root; AMSGrad takes the
    max of the raw v and then bias-corrects it; ``decoupled_weight_decay`` is AdamW."""

    lr: Any = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0
    amsgrad: bool = False
    maximize: bool = False
    decoupled_weight_decay: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        state = {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}
        if self.amsgrad:
            state["max_exp_avg_sq"] = zero
        return state

    def update(self, param, grad, state: State, xp):
        beta1, beta2 = self.betas
        step = state["step"] + 1
        if self.decoupled_weight_decay:
            # AdamW shrinks θ by (1 − lr·λ) before the adaptive step, outside the moments
            if self.weight_decay != 0:
                param = param * (1 - self.lr * self.weight_decay)
            g = _direction(param, grad, self.maximize, 0)
        else:
            g = _direction(param, grad, self.maximize, self.weight_decay)
        exp_avg = moving_average(xp, state["exp_avg"], g, beta1)
        exp_avg_sq = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        new_state = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        second = exp_avg_sq
        if self.amsgrad:
            second = new_state["max_exp_avg_sq"] = xp.maximum(state["max_exp_avg_sq"], exp_avg_sq)
        m_hat, v_hat = self.bias_corrected(exp_avg, beta1, step), self.bias_corrected(second, beta2, step)
        return param - self.lr * m_hat / (xp.sqrt(v_hat) + self.eps), new_state

    @staticmethod
    def bias_corrected(average, beta, step):
        """An average of step terms started at 0, divided by 1 − βᵗ, the weight it has."""
        return average / (1 - beta ** step)


@dataclasses.dataclass(frozen=True)
class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay, default λ = 1e-2."""

    weight_decay: Any = 1e-2
    decoupled_weight_decay: bool = True


#: gate method name → reference rule
REFERENCES = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adadelta": Adadelta,
              "adam": Adam, "adamw": AdamW}

