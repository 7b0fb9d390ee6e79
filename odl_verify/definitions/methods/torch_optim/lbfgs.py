"""torch.optim.LBFGS as a reference rule: one ``step()`` is up to ``max_iter`` L-BFGS iterations.

LBFGS is not an elementwise rule on given gradients: it works on all parameters as one flat
vector and evaluates the objective where it needs to (torch's closure). Its ``update`` takes
that oracle, ``objective(x) → (f(x), ∇f(x))``, and ignores the ``grad`` argument (the gradient
at θ, which it evaluates itself like torch's first closure call). The body is torch 2.13's
``step``, ``_strong_wolfe`` and ``_cubic_interpolate`` written on the namespace (dot products as
``xp.sum(a * b)``), with the same branches on the same comparisons, so torch float64, numpy
and mpmath runs follow one algorithm (the branches need numbers, not symbols).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ..protocol import State


def _dot(a, b, xp):
    return xp.sum(a * b)


def _largest_magnitude(a, xp):
    return xp.max(xp.abs(a))


def cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to ``bounds`` (torch's
    ``_cubic_interpolate``); the midpoint of the bounds when the cubic has no real minimizer."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:
        return (low + high) / 2.0
    d2 = d2_square ** 0.5
    if x1 <= x2:
        candidate = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        candidate = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(candidate, low), high)


def strong_wolfe(evaluate, x, t, d, f, g, gtd, xp, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """(f, g, t, evaluations) of torch's strong-Wolfe line search from x along d (``evaluate(t)``
    is the objective at x + t·d)."""
    d_norm = _largest_magnitude(d, xp)
    f_new, g_new = evaluate(t)
    evaluations, gtd_new = 1, _dot(g_new, d, xp)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done, ls_iter = False, 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g, done = [t], [f_new], [g_new], True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        previous = t
        t = cubic_minimizer(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new, gtd_new
        f_new, g_new = evaluate(t)
        evaluations, gtd_new, ls_iter = evaluations + 1, _dot(g_new, d, xp), ls_iter + 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_minimizer(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial too close to the bracket's ends moves 10% of its length inside
        margin = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < margin:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - margin if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations, gtd_new, ls_iter = evaluations + 1, _dot(g_new, d, xp), ls_iter + 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evaluations


@dataclasses.dataclass(frozen=True)
class LBFGS:
    """torch.optim.LBFGS (Nocedal 1980, as in Schmidt's minFunc): up to ``max_iter`` iterations per
    step along the two-loop direction, the first of length min(1, 1/‖g‖₁)·lr, the others lr (or
    the strong-Wolfe step); curvature pairs with yᵀs ≤ 1e-10 are skipped; it stops early on
    ‖g‖_∞ ≤ tolerance_grad, gᵀd > −tolerance_change, a step or a change of f below
    tolerance_change, or ``max_eval`` evaluations (default ⌊5·max_iter/4⌋)."""

    lr: Any = 1
    max_iter: int = 20
    max_eval: int | None = None
    tolerance_grad: Any = 1e-7
    tolerance_change: Any = 1e-9
    history_size: int = 100
    line_search_fn: str | None = None
    needs_objective = True

    def init(self, param, xp) -> State:
        return {"func_evals": 0, "n_iter": 0, "d": None, "t": None, "old_dirs": [], "old_stps": [], "ro": [],
                "H_diag": 1, "prev_flat_grad": None, "prev_loss": None}

    def direction(self, flat_grad, state: State, xp):
        """−H·g by the two-loop recursion; the memory gains (y, s) first when yᵀs > 1e-10."""
        if state["n_iter"] == 1:
            state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            return -flat_grad
        y, s = flat_grad - state["prev_flat_grad"], state["d"] * state["t"]
        ys = _dot(y, s, xp)
        if ys > 1e-10:
            if len(state["old_dirs"]) == self.history_size:
                for key in ("old_dirs", "old_stps", "ro"):
                    state[key] = state[key][1:]
            state["old_dirs"] = state["old_dirs"] + [y]
            state["old_stps"] = state["old_stps"] + [s]
            state["ro"] = state["ro"] + [1.0 / ys]
            state["H_diag"] = ys / _dot(y, y, xp)
        dirs, steps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        alphas = [None] * len(dirs)
        q = -flat_grad
        for i in range(len(dirs) - 1, -1, -1):
            alphas[i] = _dot(steps[i], q, xp) * ro[i]
            q = q - alphas[i] * dirs[i]
        r = q * state["H_diag"]
        for i in range(len(dirs)):
            r = r + (alphas[i] - _dot(dirs[i], r, xp) * ro[i]) * steps[i]
        return r

    def update(self, param, grad, state: State, xp, objective=None):
        state = dict(state)
        max_eval = self.max_eval if self.max_eval is not None else self.max_iter * 5 // 4
        loss, flat_grad = objective(param)
        evaluations = 1
        state["func_evals"] += 1
        if _largest_magnitude(flat_grad, xp) <= self.tolerance_grad:
            return param, state
        x, d, t = param, state["d"], state["t"]
        iteration = 0
        while iteration < self.max_iter:
            iteration += 1
            state["n_iter"] += 1
            d = self.direction(flat_grad, state, xp)
            state["prev_flat_grad"], state["prev_loss"] = flat_grad, loss
            t = min(1.0, 1.0 / xp.sum(xp.abs(flat_grad))) * self.lr if state["n_iter"] == 1 else self.lr
            gtd = _dot(flat_grad, d, xp)
            if gtd > -self.tolerance_change:
                break
            ls_evaluations = 0
            if self.line_search_fn == "strong_wolfe":
                start = x
                loss, flat_grad, t, ls_evaluations = strong_wolfe(
                    lambda step: objective(start + step * d), start, t, d, loss, flat_grad, gtd, xp,
                    max_ls=max_eval - evaluations)
                x = x + t * d
                optimal = _largest_magnitude(flat_grad, xp) <= self.tolerance_grad
            elif self.line_search_fn is None:
                x = x + t * d
                optimal = False
                if iteration != self.max_iter:
                    loss, flat_grad = objective(x)
                    optimal = _largest_magnitude(flat_grad, xp) <= self.tolerance_grad
                    ls_evaluations = 1
            else:
                raise ValueError(f"line_search_fn must be None or 'strong_wolfe', not {self.line_search_fn!r}")
            evaluations += ls_evaluations
            state["func_evals"] += ls_evaluations
            state["d"], state["t"] = d, t
            if iteration == self.max_iter or evaluations >= max_eval or optimal:
                break
            if _largest_magnitude(d * t, xp) <= self.tolerance_change:
                break
            if abs(loss - state["prev_loss"]) < self.tolerance_change:
                break
        state["d"], state["t"] = d, t
        return x, state
