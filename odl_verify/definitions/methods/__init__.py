"""Optimization methods as small batched update rules with explicit state (:mod:`.protocol`).

``textbook`` holds the slides' forms, ``torch_optim`` torch.optim's, ``catalog`` the table
of what each method supports; :func:`trajectory`/:func:`iterates` run any rule.
"""
from .accelerated import FISTA
from .gd import gradient_descent, gradient_descent_step
from .protocol import gradient_point, iterates, moving_average, per_instance, trajectory
from .textbook import (AdaDeltaSlides, AdaGradSlides, AdamSlides, ClipByNorm, ClipByValue, GradientDescent, HeavyBall,
                       Nesterov, Newton, RMSPropSlides)

__all__ = ["AdaDeltaSlides", "AdaGradSlides", "AdamSlides", "ClipByNorm", "ClipByValue", "FISTA", "GradientDescent", "HeavyBall",
           "Nesterov", "Newton", "RMSPropSlides", "gradient_descent", "gradient_descent_step", "gradient_point",
           "iterates", "moving_average", "per_instance", "trajectory"]
