"""Optimization methods as small batched update rules with explicit state."""
from .gd import gradient_descent, gradient_descent_step

__all__ = ["gradient_descent", "gradient_descent_step"]
