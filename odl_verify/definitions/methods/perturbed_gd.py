"""Perturbed gradient descent (Jin, Ge, Netrapalli, Kakade, Jordan 2017, Algorithm 2), batched.

Gradient descent that, when the gradient is small and no perturbation happened in the
last ``t_thres`` steps, remembers the point x̃ and jumps to x̃ + ξ with ξ uniform in the
ball B(r). If ``t_thres`` steps after a perturbation f has not dropped by ``f_thres``
below f(x̃), it returns x̃: an ε-second-order stationary point with probability 1 − δ
(docs/theory.md §5). Every row of the batch is its own run; the state is explicit, so a
caller can drive the loop one step at a time.
"""
from __future__ import annotations

import dataclasses
import math

import torch


@dataclasses.dataclass(frozen=True)
class JinParameters:
    """The algorithm's constants, one entry per row (tensors of shape (B,))."""

    chi: torch.Tensor
    eta: torch.Tensor
    radius: torch.Tensor
    g_thres: torch.Tensor
    f_thres: torch.Tensor
    t_thres: torch.Tensor  # integer steps (the paper's t_thres rounded up)


def jin_parameters(d: int, ell, rho, epsilon, delta, delta_f, c: float) -> JinParameters:
    """χ = 3·max{log(dℓΔ_f/(cε²δ)), 4}, η = c/ℓ, r = (√c/χ²)(ε/ℓ), g_thres = (√c/χ²)ε,
    f_thres = (c/χ³)√(ε³/ρ), t_thres = (χ/c²)(ℓ/√(ρε)) (Jin et al. 2017, Algorithm 2)."""
    ell, rho, epsilon, delta, delta_f = (torch.as_tensor(v, dtype=torch.float64)
                                         for v in (ell, rho, epsilon, delta, delta_f))
    chi = 3 * torch.clamp(torch.log(d * ell * delta_f / (c * epsilon ** 2 * delta)), min=4.0)
    return JinParameters(chi=chi, eta=c / ell, radius=math.sqrt(c) / chi ** 2 * epsilon / ell,
                         g_thres=math.sqrt(c) / chi ** 2 * epsilon,
                         f_thres=c / chi ** 3 * torch.sqrt(epsilon ** 3 / rho),
                         t_thres=torch.ceil(chi / c ** 2 * ell / torch.sqrt(rho * epsilon)).long())


def uniform_ball(count: int, d: int, radius, generator: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    """``count`` points uniform in the d-ball of ``radius`` (per row): direction × r·U^{1/d}."""
    direction = torch.randn(count, d, generator=generator, dtype=like.dtype, device=like.device)
    direction = direction / direction.norm(dim=-1, keepdim=True)
    u = torch.rand(count, generator=generator, dtype=like.dtype, device=like.device)
    return direction * (radius * u ** (1.0 / d))[:, None]


@dataclasses.dataclass
class PGDState:
    """Where every run stands after ``t`` iterations."""

    x: torch.Tensor            # (B, d) current iterate
    t: int
    t_noise: torch.Tensor      # (B,) iteration of the last perturbation
    x_tilde: torch.Tensor      # (B, d) the point perturbed last
    f_tilde: torch.Tensor      # (B,) f(x_tilde)
    done: torch.Tensor         # (B,) the run has returned
    output: torch.Tensor       # (B, d) what it returned (x_tilde at termination)
    stopped_at: torch.Tensor   # (B,) iteration of termination, −1 while running
    perturbations: torch.Tensor  # (B,) how many times the run was perturbed


def initial_state(x0: torch.Tensor, params: JinParameters) -> PGDState:
    size = x0.shape[0]
    long = dict(dtype=torch.long, device=x0.device)
    t_thres = params.t_thres.to(x0.device).expand(size)  # so the first small gradient perturbs
    return PGDState(x=x0.clone(), t=0, t_noise=-t_thres - 1, x_tilde=x0.clone(),
                    f_tilde=torch.zeros(size, dtype=x0.dtype, device=x0.device),
                    done=torch.zeros(size, dtype=torch.bool, device=x0.device), output=x0.clone(),
                    stopped_at=torch.full((size,), -1, **long), perturbations=torch.zeros(size, **long))


def pgd_step(state: PGDState, value_fn, grad_fn, params: JinParameters, generator: torch.Generator) -> PGDState:
    """One iteration of Algorithm 2 for every run that has not returned yet."""
    x, t, running = state.x, state.t, ~state.done
    dev = x.device
    t_thres, eta = params.t_thres.to(dev), params.eta.to(dev)
    g = grad_fn(x)
    perturb = running & (g.norm(dim=-1) <= params.g_thres.to(dev)) & (t - state.t_noise > t_thres)
    x_tilde, f_tilde, t_noise = state.x_tilde, state.f_tilde, state.t_noise
    if bool(perturb.any()):
        radius = params.radius.to(dev).expand(x.shape[0])
        xi = uniform_ball(x.shape[0], x.shape[1], radius, generator, x)
        x_tilde = torch.where(perturb[:, None], x, x_tilde)
        f_tilde = torch.where(perturb, value_fn(x), f_tilde)
        t_noise = torch.where(perturb, torch.full_like(t_noise, t), t_noise)
        x = torch.where(perturb[:, None], x + xi, x)
        g = grad_fn(x)
    due = running & (t - t_noise == t_thres)
    stop = torch.zeros_like(due)
    if bool(due.any()):
        stop = due & (value_fn(x) - f_tilde > -params.f_thres.to(dev))
    done = state.done | stop
    return PGDState(x=torch.where(done[:, None], x, x - eta.reshape(-1, 1) * g), t=t + 1, t_noise=t_noise,
                    x_tilde=x_tilde, f_tilde=f_tilde, done=done,
                    output=torch.where(stop[:, None], x_tilde, state.output),
                    stopped_at=torch.where(stop, torch.full_like(state.stopped_at, t), state.stopped_at),
                    perturbations=state.perturbations + perturb.long())


def perturbed_gradient_descent(value_fn, grad_fn, x0: torch.Tensor, params: JinParameters, max_steps: int,
                               generator: torch.Generator) -> PGDState:
    """Run until every row has returned or ``max_steps`` iterations have passed."""
    state = initial_state(x0, params)
    while state.t < max_steps and not bool(state.done.all()):
        state = pgd_step(state, value_fn, grad_fn, params, generator)
    return state
