"""torch.optim's Adam family as reference update rules: Adam, AdamW, NAdam, RAdam, Adamax, SparseAdam."""
from __future__ import annotations

import dataclasses
from typing import Any

from ..protocol import State, moving_average
from .common import direction, scalar_sqrt, stored_as


def decayed_direction(rule, param, grad):
    """(θ, g): AdamW-style decay shrinks θ by (1 − lr·λ) outside the moments, L2 decay adds λθ to g."""
    if rule.decoupled_weight_decay:
        if rule.weight_decay != 0:
            param = param * (1 - rule.lr * rule.weight_decay)
        return param, direction(param, grad, rule.maximize, 0)
    return param, direction(param, grad, rule.maximize, rule.weight_decay)


def moments(state: State, g, betas, xp):
    """m_t = β₁m + (1 − β₁)g (torch's lerp), v_t = β₂v + (1 − β₂)g²."""
    beta1, beta2 = betas
    return moving_average(xp, state["exp_avg"], g, beta1), beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g


@dataclasses.dataclass(frozen=True)
class Adam:
    """torch.optim.Adam: bias-corrected m̂/(√v̂ + ε), ε outside the root; AMSGrad takes the
    max of the raw v and then bias-corrects it; ``decoupled_weight_decay`` is AdamW.

    ``scalar_state``: the dtype of the step count the bias corrections 1 − βᵗ are formed from;
    torch's differentiable (and capturable) path uses its step tensor, float32 under the float32
    default dtype (a declared deviation of torch 2.13, see the catalog)."""

    lr: Any = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0
    amsgrad: bool = False
    maximize: bool = False
    decoupled_weight_decay: bool = False
    scalar_state: str = "float64"

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        state = {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}
        if self.amsgrad:
            state["max_exp_avg_sq"] = zero
        return state

    def update(self, param, grad, state: State, xp):
        beta1, beta2 = self.betas
        step = state["step"] + 1
        param, g = decayed_direction(self, param, grad)
        exp_avg, exp_avg_sq = moments(state, g, self.betas, xp)
        new_state = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        second = exp_avg_sq
        if self.amsgrad:
            second = new_state["max_exp_avg_sq"] = xp.maximum(state["max_exp_avg_sq"], exp_avg_sq)
        m_hat, v_hat = self.bias_corrected(exp_avg, beta1, step, xp), self.bias_corrected(second, beta2, step, xp)
        return param - self.lr * m_hat / self.denominator(v_hat, xp), new_state

    def bias_corrected(self, average, beta, step, xp):
        """An average of step terms started at 0, divided by 1 − βᵗ, the weight it has."""
        kept = lambda value: stored_as(value, self.scalar_state, xp)
        return average / kept(1 - kept(kept(beta) ** step))

    def denominator(self, v_hat, xp):
        """√v̂ + ε: ε outside the root."""
        return xp.sqrt(v_hat) + self.eps


@dataclasses.dataclass(frozen=True)
class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay, default λ = 1e-2."""

    weight_decay: Any = 1e-2
    decoupled_weight_decay: bool = True


@dataclasses.dataclass(frozen=True)
class NAdam:
    """torch.optim.NAdam (Dozat 2016 with Ma & Yarats's momentum schedule):
    μ_t = β₁(1 − ½·0.96^{tψ}), Π_t = Π_{s≤t} μ_s, and
    θ −= lr(1 − μ_t)/(1 − Π_t)·g/d + lr·μ_{t+1}/(1 − Π_tμ_{t+1})·m/d, d = √(v/(1 − β₂ᵗ)) + ε.

    ``scalar_state="float32"`` keeps Π in float32 after every product, as torch does when the
    default dtype is float32 (a declared deviation of torch 2.13, see the catalog); any torch dtype
    may be named (after ``load_state_dict`` torch keeps Π in the parameter's)."""

    lr: Any = 2e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0
    momentum_decay: Any = 4e-3
    decoupled_weight_decay: bool = False
    maximize: bool = False
    scalar_state: str = "float64"

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "mu_product": 1.0, "exp_avg": zero, "exp_avg_sq": zero}

    def momentum_at(self, step):
        return self.betas[0] * (1 - 0.5 * 0.96 ** (step * self.momentum_decay))

    def update(self, param, grad, state: State, xp):
        step = state["step"] + 1
        param, g = decayed_direction(self, param, grad)
        mu, mu_next = self.momentum_at(step), self.momentum_at(step + 1)
        # torch multiplies its stored Π by μ in Π's dtype: μ rounds to it first
        mu_product = stored_as(state["mu_product"] * stored_as(mu, self.scalar_state, xp), self.scalar_state, xp)
        exp_avg, exp_avg_sq = moments(state, g, self.betas, xp)
        denom = xp.sqrt(exp_avg_sq / (1 - self.betas[1] ** step)) + self.eps
        param = (param - self.lr * (1 - mu) / (1 - mu_product) * (g / denom)
                 - self.lr * mu_next / (1 - mu_product * mu_next) * (exp_avg / denom))
        return param, {"step": step, "mu_product": mu_product, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}


@dataclasses.dataclass(frozen=True)
class RAdam:
    """torch.optim.RAdam (Liu et al. 2020): while the length of the approximated SMA
    ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ) is at most 5, SGD with momentum on m̂; then the rectified
    adaptive step r_t·m̂·√(1 − β₂ᵗ)/(√v + ε). ε is added to √v, not to √v̂ as in Adam.

    The branch compares ρ_t with ``sma_threshold``: 5 in torch and the authors' code, 4 in the
    paper's Algorithm 2 (the published form). A symbolic run needs numeric betas."""

    lr: Any = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0
    decoupled_weight_decay: bool = False
    maximize: bool = False
    sma_threshold: Any = 5

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}

    def update(self, param, grad, state: State, xp):
        beta1, beta2 = self.betas
        step = state["step"] + 1
        param, g = decayed_direction(self, param, grad)
        exp_avg, exp_avg_sq = moments(state, g, self.betas, xp)
        new_state = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        m_hat = exp_avg / correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / correction2
        if not rho_t > self.sma_threshold:
            return param - m_hat * self.lr, new_state
        rectification = scalar_sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), xp)
        adaptive = scalar_sqrt(correction2, xp) / (xp.sqrt(exp_avg_sq) + self.eps)
        return param - m_hat * self.lr * adaptive * rectification, new_state


@dataclasses.dataclass(frozen=True)
class Adamax:
    """torch.optim.Adamax (Kingma & Ba 2015, §7.1): u_t = max(β₂u, |g| + ε) (ε inside the max),
    θ −= lr/(1 − β₁ᵗ)·m/u."""

    lr: Any = 2e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0
    maximize: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "exp_avg": zero, "exp_inf": zero}

    def update(self, param, grad, state: State, xp):
        beta1, beta2 = self.betas
        step = state["step"] + 1
        g = direction(param, grad, self.maximize, self.weight_decay)
        exp_avg = moving_average(xp, state["exp_avg"], g, beta1)
        exp_inf = self.infinity_norm(state["exp_inf"], g, xp)
        return (param - self.lr / (1 - beta1 ** step) * (exp_avg / self.denominator(exp_inf)),
                {"step": step, "exp_avg": exp_avg, "exp_inf": exp_inf})

    def infinity_norm(self, previous, g, xp):
        """u_t = max(β₂u, |g| + ε): ε inside the max."""
        return xp.maximum(self.betas[1] * previous, xp.abs(g) + self.eps)

    @staticmethod
    def denominator(exp_inf):
        return exp_inf


@dataclasses.dataclass(frozen=True)
class SparseAdam:
    """torch.optim.SparseAdam: Adam on the entries a sparse gradient holds, the others untouched.

    The gradient is a pair (values, present): dense values and a boolean mask of the entries the
    sparse gradient holds (duplicates already summed). The step count is per parameter and
    advances whenever there is a gradient, even one with no entries; ε is added to √v, and the
    bias corrections fold into the step size lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)."""

    lr: Any = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8
    maximize: bool = False

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}

    def update(self, param, grad, state: State, xp):
        values, present = grad
        beta1, beta2 = self.betas
        step = state["step"] + 1
        g = -values if self.maximize else values
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # torch adds (1 − β)(g − m) to the held entries: m + (1 − β)(g − m), the lerp order
        first_change, second_change = (g - exp_avg) * (1 - beta1), (g * g - exp_avg_sq) * (1 - beta2)
        numerator, second = first_change + exp_avg, second_change + exp_avg_sq
        step_size = self.lr * scalar_sqrt(1 - beta2 ** step, xp) / (1 - beta1 ** step)
        moved = param + (-step_size * (numerator / (xp.sqrt(second) + self.eps)))
        return xp.where(present, moved, param), {"step": step, "exp_avg": xp.where(present, numerator, exp_avg),
                                                 "exp_avg_sq": xp.where(present, second, exp_avg_sq)}
