"""Gate targets that are broken in ways the gate must report, never crash on or hang with."""
import torch


class HangsInC(torch.optim.SGD):
    """Stuck in one long C call: no Python bytecode runs, so no signal or thread can stop it."""

    def step(self, closure=None):
        sum(range(10**13))


class WrongConstructor(torch.optim.SGD):
    """Takes ``learning_rate`` where torch.optim's optimizers take ``lr``."""

    def __init__(self, params, learning_rate=0.1):
        super().__init__(params, lr=learning_rate)


class MutatesGrad(torch.optim.SGD):
    """Doubles each gradient before its (correct) step: the gradient must be read, not modified."""

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad.mul_(2).div_(2).add_(1.0)
        return super().step(closure)


class ChangesShapes(torch.optim.SGD):
    """Replaces each parameter by a flattened copy of another shape."""

    @torch.no_grad()
    def step(self, closure=None):
        super().step(closure)
        for group in self.param_groups:
            for p in group["params"]:
                p.data = torch.cat([p.data.reshape(-1), p.data.new_zeros(1)])
