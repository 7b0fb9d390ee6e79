"""What several torch.optim reference rules share: the gradient direction, torch's float32 scalar
state, and elementwise sign and maximum written for every namespace."""
from __future__ import annotations

import numpy as np


def direction(param, grad, maximize: bool, weight_decay):
    """g_t: the gradient, negated for ``maximize`` first, then L2 weight decay added."""
    grad = -grad if maximize else grad
    return grad + weight_decay * param if weight_decay != 0 else grad


def stored_as(value, dtype: str, xp):
    """``value`` rounded to the torch dtype named ``dtype``, as torch stores a scalar state (NAdam's
    μ-product, ASGD's η) in the default dtype, or after ``load_state_dict`` in the parameter's.
    "float64" and symbols stay as they are."""
    if dtype == "float64" or xp.name == "sympy":
        return value
    import torch
    torch_dtype = getattr(torch, dtype)
    if hasattr(value, "to"):
        return value.to(torch_dtype).to(value.dtype)
    rounded = lambda v: float(torch.tensor(float(v), dtype=torch_dtype))
    if xp.name == "mpmath":
        import mpmath
        return np.vectorize(lambda v: mpmath.mpf(rounded(v)), otypes=[object])(value) \
            if isinstance(value, np.ndarray) else mpmath.mpf(rounded(value))
    return rounded(value)


def sign(value, xp):
    """−1, 0 or 1 per element, from comparisons only (every namespace has ``where``)."""
    return xp.where(value > 0, 1 + 0 * value, xp.where(value < 0, -1 + 0 * value, 0 * value))


def larger(a, b, xp):
    """Elementwise max(a, b) where ``b`` may be a plain number."""
    return xp.maximum(a, b + 0 * a)


def smaller(a, b, xp):
    """min(a, b) of two scalars (sympy's Min for symbols)."""
    return xp.minimum(a, b) if xp.name == "sympy" else min(a, b)


def scalar_sqrt(value, xp):
    """√value of a scalar as torch computes it (Python's ``** 0.5``), exact on symbols."""
    return xp.sqrt(value) if xp.name == "sympy" else value ** 0.5
