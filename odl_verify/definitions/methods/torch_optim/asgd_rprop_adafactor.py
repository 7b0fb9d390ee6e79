"""torch.optim's ASGD, Rprop and Adafactor as reference update rules (see the package)."""
from __future__ import annotations

import dataclasses
from typing import Any

from ..protocol import State, moving_average
from .common import direction, larger, scalar_sqrt, sign, smaller, stored_as


@dataclasses.dataclass(frozen=True)
class ASGD:
    """torch.optim.ASGD (Polyak & Juditsky 1992 averaging, Bottou 2012 step sizes):
    θ ← θ(1 − λη_t) − η_t·g, then η_{t+1} = lr/(1 + λ·lr·t)^α and μ_{t+1} = 1/max(1, t − t₀);
    the average a ← a + μ_t(θ − a) (a = θ while μ = 1) is kept in the state, η_1 = lr.

    ``scalar_state="float32"`` rounds η and μ to float32 as torch stores them when the default
    dtype is float32 (a declared deviation of torch 2.13, see the catalog); any torch dtype may be
    named (after ``load_state_dict`` torch keeps them in the parameter's)."""

    lr: Any = 1e-2
    lambd: Any = 1e-4
    alpha: Any = 0.75
    t0: Any = 1e6
    weight_decay: Any = 0
    maximize: bool = False
    scalar_state: str = "float64"

    def stored(self, value, xp):
        return stored_as(value, self.scalar_state, xp)

    def init(self, param, xp) -> State:
        return {"step": 0, "eta": self.stored(self.lr, xp), "mu": 1, "ax": xp.zeros_like(param)}

    def update(self, param, grad, state: State, xp):
        step = state["step"] + 1
        g = direction(param, grad, self.maximize, self.weight_decay)
        eta = state["eta"]
        param = param * (1 - self.lambd * eta) - eta * g
        ax = state["ax"] + (param - state["ax"]) * state["mu"] if state["mu"] != 1 else param
        eta = self.stored(self.lr / (1 + self.lambd * self.lr * step) ** self.alpha, xp)
        mu = self.stored(1 / max(1, step - self.t0), xp)
        return param, {"step": step, "eta": eta, "mu": mu, "ax": ax}


@dataclasses.dataclass(frozen=True)
class Rprop:
    """torch.optim.Rprop (Riedmiller & Braun 1993, iRprop⁻): per entry a step size, times η₊ when
    the gradient keeps its sign, η₋ when it flips (and that gradient is then taken as 0), clamped
    to ``step_sizes``; θ −= sign(g)·step. Step sizes start at lr, so a later lr changes nothing."""

    lr: Any = 1e-2
    etas: tuple = (0.5, 1.2)
    step_sizes: tuple = (1e-6, 50)
    maximize: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "prev": zero, "step_size": zero + self.lr}

    def update(self, param, grad, state: State, xp):
        etaminus, etaplus = self.etas
        g = -grad if self.maximize else grad
        agreement = sign(g * state["prev"], xp)
        factor = xp.where(agreement > 0, etaplus + 0 * g, xp.where(agreement < 0, etaminus + 0 * g, 1 + 0 * g))
        step_size = xp.clip(state["step_size"] * factor, self.step_sizes[0], self.step_sizes[1])
        g = xp.where(agreement < 0, 0 * g, g)
        return param - sign(g, xp) * step_size, {"step": state["step"] + 1, "prev": g, "step_size": step_size}


def _root_mean_square(value, xp):
    flat = value.reshape(-1) if hasattr(value, "reshape") else value
    count = flat.shape[0] if hasattr(flat, "shape") else 1
    return xp.sqrt(xp.sum(flat * flat)) / scalar_sqrt(count, xp)


@dataclasses.dataclass(frozen=True)
class Adafactor:
    """torch.optim.Adafactor (Shazeer & Stern 2018, torch's variant without first moment):
    β₂_t = 1 − t^{beta2_decay}, ρ_t = min(lr, 1/√t), α_t = max(ε₂, RMS(θ))·ρ_t; for a parameter
    of two or more dimensions the second moment is factored into row and column averages
    R ⊗ C / mean(R), else v is kept elementwise; u = g/√max(v̂, ε₁²), θ −= α_t/max(1, RMS(u)/d)·u.
    ``weight_decay`` shrinks θ by (1 − lr·λ) after α_t is read.

    ε₁ = None means the machine epsilon of the parameter's dtype: ``machine_epsilon`` holds it
    (the gate sets it from the target's dtype; 2⁻⁵² is float64's)."""

    lr: Any = 1e-2
    beta2_decay: Any = -0.8
    eps: tuple = (None, 1e-3)
    d: Any = 1.0
    weight_decay: Any = 0.0
    maximize: bool = False
    machine_epsilon: Any = 2.0 ** -52

    def init(self, param, xp) -> State:
        shape = getattr(param, "shape", ())
        if len(shape) > 1:
            return {"step": 0, "row_var": xp.zeros_like(param[..., :1]), "col_var": xp.zeros_like(param[..., :1, :])}
        return {"step": 0, "variance": xp.zeros_like(param)}

    def update(self, param, grad, state: State, xp):
        step = state["step"] + 1
        if 0 in getattr(param, "shape", ()):
            return param, {**state, "step": step}
        g = -grad if self.maximize else grad
        eps1 = self.machine_epsilon if self.eps[0] is None else self.eps[0]
        weight = step ** self.beta2_decay
        alpha = larger(_root_mean_square(param, xp), self.eps[1], xp) * self.relative_step(step, xp)
        if self.weight_decay != 0:
            param = param * (1 - self.lr * self.weight_decay)
        if "variance" in state:
            variance = moving_average(xp, state["variance"], g * g, 1 - weight)
            new_state, estimate = {"step": step, "variance": variance}, variance
        else:
            rows, columns = param.shape[-2], param.shape[-1]
            row_var = moving_average(xp, state["row_var"], xp.sum(g * g, axis=-1)[..., None] / columns, 1 - weight)
            col_var = moving_average(xp, state["col_var"], xp.sum(g * g, axis=-2)[..., None, :] / rows, 1 - weight)
            row_mean = larger(xp.sum(row_var, axis=-2)[..., None, :] / rows, eps1, xp)
            new_state, estimate = {"step": step, "row_var": row_var, "col_var": col_var}, row_var * col_var / row_mean
        change = g / xp.sqrt(larger(estimate, eps1 * eps1, xp))
        scale = larger(_root_mean_square(change, xp) / self.d, 1, xp)
        return param - alpha / scale * change, new_state

    def relative_step(self, step, xp):
        """ρ_t = min(lr, 1/√t)."""
        return smaller(self.lr, 1 / scalar_sqrt(step, xp), xp)
