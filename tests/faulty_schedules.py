"""Schedulers and clipping functions with the faults the gates must reject, each one line off torch's."""
import math

import torch
from torch.optim import lr_scheduler as L


class StepLROffByOne(L.StepLR):
    """Decays one epoch early: (t + 1) mod step_size instead of t mod step_size."""

    def get_lr(self):
        if (self.last_epoch + 1) % self.step_size or self.last_epoch == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingWrongPhase(L.LRScheduler):
    """cos(π(t + 1)/T_max): the cosine a step ahead of the epoch."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * (self.last_epoch + 1) / self.T_max)) / 2
                for base in self.base_lrs]


class ChainedForgetsOneFactor(L.ChainedScheduler):
    """Steps every child but the first: its factor is applied once, at construction, and never again."""

    def step(self):
        for scheduler in self._schedulers[1:]:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]


class MultiStepLRCountsMilestonesOnce(L.LRScheduler):
    """A milestone listed twice decays once (torch counts it twice)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones, self.gamma = sorted(set(milestones)), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * self.gamma ** sum(self.last_epoch >= m for m in self.milestones) for base in self.base_lrs]


class PlateauPatienceOffByOne(L.ReduceLROnPlateau):
    """Reduces after ``patience`` bad epochs instead of more than ``patience``."""

    def __init__(self, optimizer, **options):
        super().__init__(optimizer, **options)
        self.patience = max(0, self.patience - 1) if self.patience else self.patience


def clip_norm_without_min(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales every gradient to norm max_norm, small ones up too (the min(1, ·) forgotten)."""
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]), norm_type) \
        if grads else torch.tensor(0.0)
    for g in grads:
        g.mul_(max_norm / (total + 1e-6))
    return total


def clip_value_upper_only(parameters, clip_value, foreach=None):
    """Clamps only from above."""
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(max=clip_value)
