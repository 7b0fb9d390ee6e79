"""Optimization methods as small batched update rules with explicit state.

``textbook`` holds the slides' forms, ``torch_optim`` torch.optim's, ``catalog`` the table
of what each method supports; ``trajectory``/``iterates`` run any rule on an oracle.
"""
from .gd import gradient_descent, gradient_descent_step
from .textbook import (AdaDeltaSlides, AdaGradSlides, AdamSlides, ClipByNorm, GradientDescent, HeavyBall,
                       Nesterov, Newton, RMSPropSlides, iterates, per_instance, trajectory)

__all__ = ["AdaDeltaSlides", "AdaGradSlides", "AdamSlides", "ClipByNorm", "GradientDescent", "HeavyBall",
           "Nesterov", "Newton", "RMSPropSlides", "gradient_descent", "gradient_descent_step", "iterates",
           "per_instance", "trajectory"]
