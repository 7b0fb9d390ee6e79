"""Small imitations of what third-party optimizer libraries do differently from torch.optim (the
libraries themselves are not installed): each is written the way such code is written, with
in-place tensor ops, and the gate must reject it and name the convention it follows."""
import torch


class TimmRMSpropTF(torch.optim.Optimizer):
    """timm's RMSpropTF: TensorFlow's convention, ε inside the root and the accumulator started at 1."""

    def __init__(self, params, lr=1e-2, alpha=0.9, eps=1e-10, momentum=0.0):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.ones_like(p)
                    state["momentum_buffer"] = torch.zeros_like(p)
                square_avg = state["square_avg"]
                square_avg.add_(p.grad.pow(2) - square_avg, alpha=1 - group["alpha"])
                update = p.grad / square_avg.add(group["eps"]).sqrt()
                if group["momentum"] > 0:
                    update = state["momentum_buffer"].mul_(group["momentum"]).add_(update)
                p.add_(update, alpha=-group["lr"])


class QHMLikeSGD(torch.optim.Optimizer):
    """torch_optimizer-style momentum (QHM with ν = 1): a moving average from zero, and the weight decay
    added to .grad in place."""

    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad
                if group["weight_decay"] != 0:
                    d_p.add_(p, alpha=group["weight_decay"])
                if group["momentum"] != 0:
                    buffer = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                    buffer.mul_(group["momentum"]).add_(d_p, alpha=1 - group["momentum"])
                    d_p = buffer
                p.add_(d_p, alpha=-group["lr"])


class HeavyballAdamW(torch.optim.Optimizer):
    """heavyball's AdamW: the step divides by max(√v̂, ε) instead of √v̂ + ε."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state.update(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
                state["step"] += 1
                p.mul_(1 - group["lr"] * group["weight_decay"])
                state["exp_avg"].lerp_(p.grad, 1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                m_hat = state["exp_avg"] / (1 - beta1 ** state["step"])
                v_hat = state["exp_avg_sq"] / (1 - beta2 ** state["step"])
                p.sub_(group["lr"] * m_hat / torch.clamp(v_hat.sqrt(), min=group["eps"]))


class AdaDeltaIgnoresGroupMaximize(torch.optim.Optimizer):
    """pytorch_optimizer's AdaDelta: ``maximize`` read once from the constructor, not per group."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
        self.maximize = maximize
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if self.maximize else p.grad
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state.update(square_avg=torch.zeros_like(p), acc_delta=torch.zeros_like(p))
                rho, eps = group["rho"], group["eps"]
                state["square_avg"].mul_(rho).addcmul_(grad, grad, value=1 - rho)
                delta = (state["acc_delta"] + eps).sqrt().div_((state["square_avg"] + eps).sqrt()).mul_(grad)
                state["acc_delta"].mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-group["lr"])

