"""Gradient descent, x_{t+1} = x_t − η∇f(x_t), batched over instances with one η per instance.

Written against an array namespace, so the same code runs differentiably in torch (for the
adversary) and in mpmath (for confirmation). It has no state, so it is written as its own
two-line loop rather than through the rule protocol (which
:class:`~.textbook.GradientDescent` follows for the gates and proofs).
"""
from __future__ import annotations


def gradient_descent_step(x, grad, eta):
    """One step for a batch: ``x`` is (B, d), ``eta`` is (B,)."""
    return x - eta[:, None] * grad


def gradient_descent(grad_fn, x0, eta, steps: int) -> list:
    """The iterates x_0, …, x_steps of gradient descent with constant step η."""
    iterates = [x0]
    for _ in range(steps):
        iterates.append(gradient_descent_step(iterates[-1], grad_fn(iterates[-1]), eta))
    return iterates
