"""Nesterov's accelerated gradient method with FISTA's momentum sequence, as an update rule.

The constant-momentum form for strongly convex functions is :class:`~.textbook.Nesterov` with
``form="sutskever"`` (y_k = x_k + q(x_k − x_{k−1}), x_{k+1} = y_k − η∇f(y_k), x₋₁ = x₀).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .protocol import State


@dataclasses.dataclass(frozen=True)
class FISTA:
    """Beck & Teboulle 2009 (FISTA without a proximal term; Nesterov 1983): y_1 = x_0, t_1 = 1,

        x_k = y_k − η∇f(y_k),  t_{k+1} = (1 + √(1 + 4t_k²))/2,  y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1}).

    The iterate is x_k; the gradient is taken at the look-ahead point y_k. t_k is kept per
    instance in the namespace, so the momentum is exact in every precision."""

    lr: Any = 1e-2

    def init(self, param, xp) -> State:
        one = 0 * param[..., :1] + 1
        return {"previous": param, "t": one, "momentum": 0 * one}

    def lookahead(self, param, state: State):
        return param + state["momentum"] * (param - state["previous"])

    def update(self, param, grad, state: State, xp):
        """``grad`` is ∇f at :meth:`lookahead`."""
        x = self.lookahead(param, state) - self.lr * grad
        t = state["t"]
        t_next = (1 + xp.sqrt(1 + 4 * t * t)) / 2
        return x, {"previous": param, "t": t_next, "momentum": (t - 1) / t_next}
