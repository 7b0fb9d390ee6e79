"""The one update protocol every method follows, and the one runner.

A rule is a frozen dataclass of hyperparameters with

* ``init(param, xp)`` → the state before the first step;
* ``update(param, grad, state, xp)`` → ``(new_param, new_state)``, never mutating;
* optionally ``lookahead(param, state)`` → where the gradient is taken (Nesterov),
  ``needs_hessian = True`` with ``update(..., hessian=H)`` (Newton), and
  ``needs_objective = True`` with ``update(..., objective=fn)``, ``fn(x) → (f(x), ∇f(x))``, for a
  method that evaluates the objective where it needs to (L-BFGS, torch's closure).

Bodies are plain arithmetic plus the namespace's functions (``xp.sqrt``, ``xp.sum``,
``xp.maximum``, ``xp.solve``), so one rule runs batched in torch (params ``(B, d)``,
hyperparameters floats or ``(B, 1)``), on mpmath object arrays, and on sympy scalars.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

State = dict[str, Any]


def moving_average(xp, average, value, decay):
    """decay·average + (1 − decay)·value, the EMA of every adaptive method. A namespace with
    ``lerp`` evaluates it as torch.optim does, average + (1 − decay)(value − average): the
    same number, rounded otherwise."""
    lerp = getattr(xp, "lerp", None)
    return lerp(average, value, 1 - decay) if lerp else decay * average + (1 - decay) * value


def per_instance(value):
    """A per-instance quantity (B,) as a column (B, 1) against (B, d) params; a scalar as is."""
    return value[..., None] if getattr(value, "ndim", 0) >= 1 else value


def gradient_point(rule, param, state: State):
    """Where ``rule`` takes its next gradient: its look-ahead, or the iterate itself."""
    lookahead = getattr(rule, "lookahead", None)
    return param if lookahead is None else lookahead(param, state)


def trajectory(rule, gradients: Callable | Sequence, x0, xp, steps: int | None = None,
               hessian: Callable | None = None, objective: Callable | None = None) -> list[tuple[Any, State]]:
    """[(x_0, s_0), …]: the rule run from x₀.

    ``gradients`` is an oracle (a function of the point, called where the rule asks, for
    ``steps`` steps) or a sequence of given gradients (the online setting, a gate's drawn
    gradients); a ``None`` in the sequence skips that step, as torch.optim skips a
    parameter without ``.grad`` (its state does not advance)."""
    oracle = callable(gradients)
    if oracle and steps is None:
        raise ValueError("an oracle needs the number of steps")
    state = rule.init(x0, xp)
    out = [(x0, state)]
    for t in range(steps if oracle else len(gradients)):
        x, state = out[-1]
        point = gradient_point(rule, x, state)
        grad = gradients(point) if oracle else gradients[t]
        if grad is None:
            out.append((x, state))
            continue
        oracles = {"hessian": hessian(point)} if getattr(rule, "needs_hessian", False) else {}
        if getattr(rule, "needs_objective", False):
            oracles["objective"] = objective
        out.append(rule.update(x, grad, state, xp, **oracles))
    return out


def iterates(rule, gradients: Callable | Sequence, x0, xp, steps: int | None = None,
             hessian: Callable | None = None, objective: Callable | None = None) -> list:
    """x_0, x_1, …: the iterates of :func:`trajectory`."""
    return [x for x, _ in trajectory(rule, gradients, x0, xp, steps, hessian, objective)]
