"""The methods of the lecture slides, in the slides' own form, as update rules.

Every rule follows the protocol of :mod:`.protocol` (``init``/``update`` with explicit
state), so one body runs batched in torch, in mpmath and on sympy symbols.

Where a published or torch.optim form differs, it is the rule of
:mod:`~odl_verify.methods.torch_optim` (Duchi et al.'s AdaGrad is torch's Adagrad with
lr_decay = 0, Kingma & Ba's Adam is torch's Adam, Zeiler's AdaDelta is torch's Adadelta
with lr = 1); :mod:`~odl_verify.methods.catalog` maps the slides' forms to those.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .protocol import State, gradient_point, moving_average, per_instance


@dataclasses.dataclass(frozen=True)
class GradientDescent:
    """x_{t+1} = x_t − η∇f(x_t)."""

    lr: Any = 1e-2

    def init(self, param, xp) -> State:
        return {}

    def update(self, param, grad, state: State, xp):
        return param - self.lr * grad, state


@dataclasses.dataclass(frozen=True)
class HeavyBall:
    """Slides (Polyak '64): v_{t+1} = −∇f(x_t) + βv_t, x_{t+1} = x_t + ηv_{t+1}, v_0 = 0 (x₋₁ = x₀)."""

    lr: Any = 1e-2
    momentum: Any = 0.9

    def init(self, param, xp) -> State:
        return {"velocity": xp.zeros_like(param)}

    def update(self, param, grad, state: State, xp):
        velocity = -grad + self.momentum * state["velocity"]
        return param + self.lr * velocity, {"velocity": velocity}


@dataclasses.dataclass(frozen=True)
class Nesterov:
    """Nesterov '83/'89 with the gradient at a look-ahead point.

    ``form="slides"``, literally: v_{t+1} = −∇f(x_t + βv_t) + βv_t, x_{t+1} = x_t + ηv_{t+1}
    (the look-ahead ignores η). ``form="sutskever"`` folds η into v (Sutskever et al. 2013):
    v_{t+1} = βv_t − η∇f(x_t + βv_t), x_{t+1} = x_t + v_{t+1}, the form the look-ahead is
    consistent with. They agree only at η = 1 (theorems/method_conventions.py).
    """

    lr: Any = 1e-2
    momentum: Any = 0.9
    form: str = "slides"

    def __post_init__(self):
        if self.form not in ("slides", "sutskever"):
            raise ValueError(f"Nesterov form must be 'slides' or 'sutskever', not {self.form!r}")

    def init(self, param, xp) -> State:
        return {"velocity": xp.zeros_like(param)}

    def lookahead(self, param, state: State):
        return param + self.momentum * state["velocity"]

    def update(self, param, grad, state: State, xp):
        """``grad`` is ∇f at :meth:`lookahead`."""
        if self.form == "slides":
            velocity = -grad + self.momentum * state["velocity"]
            return param + self.lr * velocity, {"velocity": velocity}
        velocity = self.momentum * state["velocity"] - self.lr * grad
        return param + velocity, {"velocity": velocity}


@dataclasses.dataclass(frozen=True)
class Newton:
    """Damped Newton: x_{t+1} = x_t − η(∇²f(x_t))⁻¹∇f(x_t)."""

    lr: Any = 1.0
    needs_hessian = True

    def init(self, param, xp) -> State:
        return {}

    def update(self, param, grad, state: State, xp, hessian=None):
        return param - self.lr * xp.solve(hessian, grad), state


@dataclasses.dataclass(frozen=True)
class AdaGradSlides:
    """Slides: x_{t+1} = x_t − η(G_{t+1} + εI)⁻¹∇f(x_t), (G_{t+1})ᵢᵢ = Σ_{j≤t} (∇f(x_j)ᵢ)².

    No square root: Duchi et al. (2011) use G^{−1/2}; that form is torch's Adagrad.
    """

    lr: Any = 1e-2
    eps: Any = 1e-10

    def init(self, param, xp) -> State:
        return {"sum": xp.zeros_like(param)}

    def update(self, param, grad, state: State, xp):
        total = state["sum"] + grad * grad
        return param - self.lr * grad / (total + self.eps), {"sum": total}


@dataclasses.dataclass(frozen=True)
class AdamSlides:
    """Slides: v_{t+1} = β₁v_t + (1 − β₁)∇f(x_t), G_{t+1} = β₂G_t + (1 − β₂)∇f(x_t)²,
    x_{t+1} = x_t − η(G_{t+1} + εI)^{−1/2}v_{t+1}: no bias correction, ε inside the root."""

    lr: Any = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: Any = 1e-8

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"exp_avg": zero, "exp_avg_sq": zero}

    def update(self, param, grad, state: State, xp):
        beta1, beta2 = self.betas
        exp_avg = moving_average(xp, state["exp_avg"], grad, beta1)
        exp_avg_sq = moving_average(xp, state["exp_avg_sq"], grad * grad, beta2)
        step = self.lr * exp_avg / xp.sqrt(exp_avg_sq + self.eps)
        return param - step, {"exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}


@dataclasses.dataclass(frozen=True)
class RMSPropSlides:
    """Slides (Hinton '12): G_{t+1} = βG_t + (1 − β)∇f(x_t)², x_{t+1} = x_t − η(G_{t+1} + εI)^{−1/2}∇f(x_t):
    the slides' Adam with β₁ = 0 (torch's RMSprop puts ε outside the root)."""

    lr: Any = 1e-2
    decay: Any = 0.99
    eps: Any = 1e-8

    def init(self, param, xp) -> State:
        return {"exp_avg_sq": xp.zeros_like(param)}

    def update(self, param, grad, state: State, xp):
        adam = AdamSlides(lr=self.lr, betas=(0, self.decay), eps=self.eps)
        param, adam_state = adam.update(param, grad, {"exp_avg": 0 * grad, **state}, xp)
        return param, {"exp_avg_sq": adam_state["exp_avg_sq"]}


@dataclasses.dataclass(frozen=True)
class AdaDeltaSlides:
    """Slides (Zeiler '12): G_{t+1} = ρG_t + (1 − ρ)∇f(x_t)², Δx_t = √(u_t + ε)(G_{t+1} + εI)^{−1/2}∇f(x_t),
    x_{t+1} = x_t − ηΔx_t, u_{t+1} = ρu_t + (1 − ρ)‖Δx_t‖₂².

    Two departures from Zeiler: the step has a learning rate η, and u accumulates the squared
    *norm* of the whole step (one number per instance) where Zeiler keeps an elementwise
    E[Δx²] (torch's Adadelta with lr = 1). The slide text lost its radical; √(u_t + ε) is read
    from Zeiler's RMS[Δx]_{t−1}.
    """

    lr: Any = 1.0
    rho: Any = 0.9
    eps: Any = 1e-6

    def init(self, param, xp) -> State:
        zero = xp.zeros_like(param)
        return {"square_avg": zero, "acc_delta": xp.sum(zero)}

    def update(self, param, grad, state: State, xp):
        square_avg = moving_average(xp, state["square_avg"], grad * grad, self.rho)
        scale = xp.sqrt(state["acc_delta"] + self.eps)
        delta = per_instance(scale) * grad / xp.sqrt(square_avg + self.eps)
        acc_delta = moving_average(xp, state["acc_delta"], xp.sum(delta * delta), self.rho)
        return param - self.lr * delta, {"square_avg": square_avg, "acc_delta": acc_delta}


@dataclasses.dataclass(frozen=True)
class ClipByNorm:
    """Gradient clipping (slides): the gradient rescaled to norm at most c, g·min(1, c/‖g‖), then ``inner``.

    Composable: wraps any rule, passing its look-ahead and oracles through. The norm is the
    ``norm_type``-norm over one instance's coordinates (torch's clip_grad_norm_: over all
    parameters, inf for the largest entry); ``eps`` is added to it in the coefficient,
    g·min(1, c/(‖g‖ + ε)): 0 on the slides, 10⁻⁶ in torch (the catalog's torch form).
    """

    inner: Any = None
    max_norm: Any = 1.0
    norm_type: Any = 2
    eps: Any = 0

    @property
    def needs_hessian(self) -> bool:
        return getattr(self.inner, "needs_hessian", False)

    def init(self, param, xp) -> State:
        return self.inner.init(param, xp)

    def lookahead(self, param, state: State):
        return gradient_point(self.inner, param, state)

    def norm(self, grad, xp):
        """‖g‖ over the last axis, one per instance."""
        if self.norm_type == 2:
            return xp.sqrt(xp.sum(grad * grad))
        if self.norm_type == float("inf"):
            return xp.max(xp.abs(grad))
        return xp.sum(xp.abs(grad) ** self.norm_type) ** (1 / self.norm_type)

    def clip(self, grad, xp):
        norm = per_instance(self.norm(grad, xp)) + self.eps
        # the bound as an array without 0·norm (NaN when the norm is infinite, where the coefficient is 0)
        return grad * (self.max_norm / xp.maximum(norm, xp.zeros_like(norm) + self.max_norm))

    def update(self, param, grad, state: State, xp, **oracles):
        return self.inner.update(param, self.clip(grad, xp), state, xp, **oracles)


@dataclasses.dataclass(frozen=True)
class ClipByValue(ClipByNorm):
    """Gradient clipping by value: every entry clamped into [−c, c], then ``inner``."""

    clip_value: Any = 1.0

    def clip(self, grad, xp):
        return xp.clip(grad, -self.clip_value, self.clip_value)
