"""Adaptive methods on online linear losses, every step at once.

On losses f_t(x) = ⟨g_t, x⟩ the gradients do not depend on the iterates, so the moments of
AdaGrad and Adam are weighted sums of the given g_1 … g_T and every step Δ_t = x_t − x_{t+1}
before projection follows from the sequence alone: the running sums below compute all T of them
in a few batched operations (the recursions, unrolled; ``tests/test_adaptive.py`` checks them
against the step-by-step rules of :mod:`.torch_optim`). Only the projection onto the box depends
on where the iterate is; :func:`projected_final` composes the T projected steps exactly.

Arrays are (B, T, d): instance, time, coordinate. Learning rates are numbers, (B, 1, 1) per
instance or (B, T, 1) per step (a schedule α_t = α/√t). With ε = 0 a step whose second moment
is exactly 0 (every gradient so far 0) is 0.
"""
from __future__ import annotations

import numpy as np

def nonzero(xp, moment):
    """A second moment with its exact zeros replaced by 1: there every gradient so far is 0, so the
    step g/√moment is 0/1 = 0 instead of 0/0 (any other value is left exactly as it is)."""
    return xp.where(moment > 0, moment, 1 + 0 * moment)


def step_numbers(xp, length: int):
    """t = 1 … length as a (1, length, 1) array of the namespace."""
    return xp.counts(np.arange(1, length + 1)[None, :, None])


def adam_steps(xp, grads, lr, beta1, beta2, amsgrad: bool = False):
    """Δ_t of torch.optim.Adam with ε = 0 (Kingma & Ba's bias-corrected m̂_t/√v̂_t): m and v are
    discounted sums of g and g²; AMSGrad takes the running maximum of the raw v first, as torch does.
    ``beta1``, ``beta2``: numbers or (B, 1, 1)."""
    t = step_numbers(xp, np.shape(grads)[1])
    # β₁ = 0 (RMSProp's first moment, Reddi et al.'s setting): m_t = g_t, no running sum to build
    if isinstance(beta1, (int, float)) and beta1 == 0:
        first = grads
    else:
        first = (1 - beta1) * xp.discounted_cumsum(grads, beta1)
    second = (1 - beta2) * xp.discounted_cumsum(grads * grads, beta2)
    if amsgrad:
        second = xp.cummax(second)
    m_hat, v_hat = first / (1 - beta1 ** t), second / (1 - beta2 ** t)
    return lr * m_hat / xp.sqrt(nonzero(xp, v_hat))


def adagrad_steps(xp, grads, lr):
    """Δ_t of AdaGrad with ε = 0 (Duchi, Hazan, Singer 2011; torch.optim.Adagrad): lr·g_t/√(Σ_{s≤t} g_s²)."""
    total = xp.cumsum(grads * grads)
    return lr * grads / xp.sqrt(nonzero(xp, total))


def projected_iterates(xp, start, steps, low, high) -> list:
    """x_1 = Π(start), x_{t+1} = Π(x_t − Δ_t), Π the projection onto [low, high] (coordinatewise):
    the T + 1 iterates, one step at a time (for short sequences that need every iterate)."""
    x = xp.minimum(xp.maximum(start, low), high)
    out = [x]
    for t in range(np.shape(steps)[1]):
        x = xp.minimum(xp.maximum(x - steps[:, t], low), high)
        out.append(x)
    return out


def projected_final(xp, start, steps, low, high):
    """x_{T+1} of :func:`projected_iterates`, by composing the steps pairwise in log₂T rounds.

    A projected step is x ↦ min(h, max(l, x + a)) (a = −Δ_t, l = low, h = high), and such maps
    compose into one of the same form: (a₁, l₁, h₁) then (a₂, l₂, h₂) is
    (a₁ + a₂, max(l₂, l₁ + a₂), min(h₂, max(l₂, h₁ + a₂))), exact in real arithmetic."""
    shift = -steps
    floor = 0 * shift + low[:, None, :]
    ceiling = 0 * shift + high[:, None, :]
    while np.shape(shift)[1] > 1:
        if np.shape(shift)[1] % 2:  # pad with the identity map (a = 0, l = −∞, h = +∞): pairs compose
            pad = 0 * shift[:, :1]
            shift, floor, ceiling = (xp.concatenate([shift, pad]), xp.concatenate([floor, pad - np.inf]),
                                     xp.concatenate([ceiling, pad + np.inf]))
        a1, a2 = shift[:, 0::2], shift[:, 1::2]
        l1, l2 = floor[:, 0::2], floor[:, 1::2]
        h1, h2 = ceiling[:, 0::2], ceiling[:, 1::2]
        shift, floor, ceiling = a1 + a2, xp.maximum(l2, l1 + a2), xp.minimum(h2, xp.maximum(l2, h1 + a2))
    x1 = xp.minimum(xp.maximum(start, low), high)
    return xp.minimum(ceiling[:, 0], xp.maximum(floor[:, 0], x1 + shift[:, 0]))

