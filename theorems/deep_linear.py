"""Deep linear networks: saddles that are not strict, sharp minima, vanishing and exploding
gradients, and gradient descent that takes exponentially long.

Method: the depth-L linear network of width 1, f(w) = ½(w₁w₂⋯w_L − y)² (``DeepLinear``): its
gradient from prefix and suffix products, its Hessian at a global minimum diagonalized by
``eigvalsh``, one step of gradient descent; gradient descent from a balanced start run as the
scalar recursion w ← w + η(1 − w^L)w^{L−1} until it reaches a level (``BalancedRun``); and the
depth-3 network's derivatives in sympy.

Theorems (Kawaguchi, NeurIPS 2016; Shamir, COLT 2019; Arora, Cohen, Hazan, ICML 2018;
docs/theory.md §12):

* **a saddle that is not strict** (sympy proof): at depth 3, w = 0 is a critical point of
  ½(w₁w₂w₃ − y)² with a zero Hessian, and f(s, s, s) − f(0) = −s³(y − s³/2) < 0 for
  0 < s³ < 2y, so it is a saddle no second-order test sees; at depth 2 the Hessian at 0 is not 0.
* **sharp minima**: at a global minimum (p = y > 0) the Hessian is ∇p∇pᵀ, so
  λ_max = y²Σᵢ1/wᵢ² ≥ L·y^{2−2/L} (AM–GM): stable gradient descent there needs η < 2/λ_max ≤
  2/(L·y^{2−2/L}).
* **vanishing and exploding gradients**: at the balanced point wᵢ = w,
  ‖∇f‖² = L·w^{2L−2}(w^L − y)², which is exponentially small for w < 1 and large for w > 1.
* **exponential time** (the exact discrete form of Shamir's lower bound, derived in
  docs/theory.md §12): gradient descent with any step η > 0 from the balanced start w₀ < w₁ ≤ 1,
  y = 1, L ≥ 3, needs at least (w₀^{2−L} − w₁^{2−L})/(η(L − 2)) steps to bring every weight to w₁,
  because each step lowers w^{2−L}/(L − 2) by at most η.
* **balancedness**: one step of gradient descent changes wᵢ² − wⱼ² by exactly η²(gᵢ² − gⱼ²)
  (g = ∇f): gradient flow conserves it, gradient descent does not.

Hypotheses as checked: weights in [−3, 3]^L and y ∈ [−2, 2] (balancedness, depth 2 to 6, η ∈
(0, 1]); w ∈ [½, 3/2] and depth 1 to 50 (the balanced gradient); global minima with weights
within e^{±3} of each other and y ∈ [e^{−1.5}, e^{1.5}], depth 1 to 8, random or balanced
(sharpness); for the step count, depth 3 to 16, 10⁻³ ≤ w₀ < w₁ with w₁^L ≤ ½,
η(L − 1)w₁^{L−2} ≤ 1 and a bound of at most 1500 steps: there the run needs at most
2e·1500 + 1 steps (each step lowers the potential by at least η/(2e)), so every count is exact.

Tight: the sharpness bound at the balanced minimum (wᵢ = y^{1/L}), which the strategy draws; the
step count on slow runs near the origin (L = 4, w₀ = 0.05, w₁ =
0.075, η = 0.1: 1112 steps against a bound of 1111.1) and on docs/theory.md's runs (w₀ = ½,
w₁ = ¾, η = 2/L: 157 against 153.8 at L = 10; 4706 against 4701.9 at L = 15, beyond the
step budget checked here). Neither tight claim is refined by gradient: the step count is piecewise
constant in the parameters, and the balanced minimum is drawn directly. The gradient and
balancedness claims are identities, checked to a tolerance derived from the computation.

Wrong variants (tests/variants/deep_linear_wrong.py): "gradient descent conserves balancedness"
(only gradient flow does: L = 2, w = (1, 2), y = 0, η = 0.1 turns −3 into −2.88); "the depth-3
saddle is strict" (its Hessian is 0).
"""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from odl_verify.definitions.claims import Claim, compile_mp, compile_torch
from odl_verify.definitions.families.balanced_run import BalancedRun
from odl_verify.definitions.families.deep_linear import DeepLinear
from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.errors import UserCodeError

REFERENCE = "Kawaguchi 2016; Shamir 2019; Arora, Cohen, Hazan 2018; docs/theory.md §12"

#: certified: depth and target; free: the balanced weight and the step
L = sp.Symbol("L", positive=True, integer=True)
y = sp.Symbol("y", real=True)
w = sp.Symbol("w", positive=True)
eta = sp.Symbol("eta", positive=True)
#: measured: λ_max(∇²f), ‖∇f‖², wᵢ² − wⱼ² before and after a step, the gradient's first two entries
lambda_max, grad_sq = sp.symbols("lambda_max grad_sq", real=True)
balance, balance_next, g_1, g_2 = sp.symbols("balance balance_next g_1 g_2", real=True)

LATEX_NAMES = {lambda_max: r"\lambda_{\max}(\nabla^2 f)", grad_sq: r"\|\nabla f\|^2", eta: r"\eta",
               balance: "w_1^2 - w_2^2", balance_next: "w_1'^2 - w_2'^2", g_1: "g_1", g_2: "g_2"}


# ---------------------------------------------------------------- the depth-3 saddle, in sympy
_ws, _s = sp.symbols("w1:4"), sp.Symbol("s", positive=True)


def _depth(n: int) -> sp.Expr:
    return (sp.prod(_ws[:n]) - y) ** 2 / 2


def _at_zero(expr: sp.Expr) -> sp.Expr:
    return expr.subs({v: 0 for v in _ws})


def saddle_identities(depth: int = 3):
    """(label, lhs, rhs) pairs: the gradient and Hessian of the depth-``depth`` network at 0 against
    0, and (depth 3) f(s, s, s) − f(0) against −s³(y − s³/2)."""
    f, ws = _depth(depth), _ws[:depth]
    pairs = [(f"df/d{a} at 0 (depth {depth})", _at_zero(sp.diff(f, a)), sp.Integer(0)) for a in ws]
    pairs += [(f"d2f/d{a}d{b} at 0 (depth {depth})", _at_zero(sp.diff(f, a, b)), sp.Integer(0))
              for i, a in enumerate(ws) for b in ws[i:]]
    if depth == 3:
        pairs.append(("f(s, s, s) - f(0)", f.subs({a: _s for a in ws}) - _at_zero(f), -_s**3 * (y - _s**3 / 2)))
    return pairs


SADDLE_NOT_STRICT = SymbolicFinding(
    "deep-linear-saddle-not-strict", title="Depth 3: w = 0 is a saddle with a zero Hessian (not strict)",
    reference="Kawaguchi 2016; docs/theory.md §12",
    statement="f = (w1*w2*w3 - y)**2/2: grad f(0) = 0, hess f(0) = 0, f(s,s,s) - f(0) = -s**3*(y - s**3/2) < 0 "
              "for 0 < s**3 < 2y; at depth 2 the Hessian at 0 is not 0 (d2f/dw1dw2 = -y)",
    method="sympy derivatives of (w1 w2 w3 - y)^2/2 at 0", agree=saddle_identities,
    differ=lambda: [pair for pair in saddle_identities(2) if pair[0].startswith("d2f/dw1dw2")],
    witness={y: 1})


# ---------------------------------------------------------------- sharpness at a global minimum
def measure_sharpness(instance, x0, values, xp):
    """λ_max of the Hessian at the global minimum the parameters name."""
    family, p = instance.family, instance.params
    return {"lambda_max": xp.max(xp.eigvalsh(family.hessian_at_minimum(p, xp)))}


SHARPNESS = Claim(
    "deep-linear-sharpness-at-minimum", title="Deep linear network: every global minimum has λ_max ≥ L·y^(2−2/L)",
    hypotheses=[sp.Gt(y, 0)], conclusion=sp.Ge(lambda_max, L * y ** (2 - 2 / L)), measure=measure_sharpness,
    families=[DeepLinear(at_minimum=True)], certified={L: "depth", y: "target"}, reference=REFERENCE,
    tight=True, refine=False, method="eigvalsh of the Hessian at w_i = exp(a_i - mean(a) + log(y)/L)",
    dimensions=(1, 8), latex_names=LATEX_NAMES)


# ---------------------------------------------------------------- the gradient at a balanced point
def measure_balanced_gradient(instance, x0, values, xp):
    """‖∇f(w, …, w)‖² at the balanced point of the instance's depth."""
    family, p = instance.family, instance.params
    point = values["w"][:, None] + 0 * p["weights"]
    g = family.grad(p, point, xp)
    return {"grad_sq": xp.sum(g * g)}


BALANCED_GRADIENT = Claim(
    "deep-linear-balanced-gradient", title="Deep linear network: the gradient vanishes or explodes as w^(L−1)",
    hypotheses=[sp.Ge(w, sp.Rational(1, 2)), sp.Le(w, sp.Rational(3, 2))],
    conclusion=sp.Eq(grad_sq, L * w ** (2 * L - 2) * (w**L - y) ** 2), measure=measure_balanced_gradient,
    families=[DeepLinear()], certified={L: "depth", y: "target"}, reference=REFERENCE,
    method="gradient by prefix and suffix products at w_i = w", dimensions=(1, 50), latex_names=LATEX_NAMES)


# ---------------------------------------------------------------- exponentially many steps
start, reach = sp.symbols("w_0 w_1", positive=True)
steps = sp.Symbol("steps", real=True)
#: the step budget of the checked domain, and the run's cap (2e·budget + 1, see the docstring)
STEP_BUDGET = 1500
STEP_CAP = 6 * STEP_BUDGET
STEPS_BOUND = (start ** (2 - L) - reach ** (2 - L)) / (eta * (L - 2))
RUN_HYPOTHESES = [sp.Le(reach**L, sp.Rational(1, 2)), sp.Le(eta * (L - 1) * reach ** (L - 2), 1),
                  sp.Le(STEPS_BOUND, STEP_BUDGET)]
_RUN_SYMBOLS = (L, start, reach, eta)
#: each hypothesis as big − small ≥ 0, compiled, so a run outside the checked domain is not run
_MARGINS = sp.Tuple(*[h.rhs - h.lhs for h in RUN_HYPOTHESES])
_IN_DOMAIN = {"torch": compile_torch(_RUN_SYMBOLS, _MARGINS), "mpmath": compile_mp(_RUN_SYMBOLS, _MARGINS)}


def balanced_steps(depth, w0, w1, step, run, xp, cap: int = STEP_CAP):
    """Steps of gradient descent on ½(w₁⋯w_L − 1)² from wᵢ = w₀ until wᵢ ≥ w₁, for the instances where
    ``run`` is true (the balanced scalar recursion w ← w + η(1 − w^L)w^{L−1}, batched)."""
    current, count, exponent = w0, 0 * w0, depth - 1
    for t in range(cap):
        running = (current < w1) & run
        if t % 32 == 0 and not running.any():  # asked every 32 steps: each question waits for the device
            return count
        power = current ** exponent
        current = xp.where(running, current + step * (1 - power * current) * power, current)
        count = count + running
    raise UserCodeError(f"a run took more than {cap} steps")


def measure_steps(instance, x0, values, xp):
    """The step count of the run the parameters name; a run outside the checked domain (the claim's
    hypotheses) is not run and counts NaN."""
    depth, w0, w1, step = (values[name] for name in ("L", "w_0", "w_1", "eta"))
    inside = functools.reduce(lambda a, b: a & b, [m >= 0 for m in _IN_DOMAIN[xp.name](depth, w0, w1, step)])
    count = balanced_steps(depth, w0, w1, step, inside, xp)
    with np.errstate(invalid="ignore"):  # numpy flags the NaN mpmath makes in an object array
        return {"steps": xp.where(inside, count, xp.scalar(float("nan"), count))}


EXPONENTIAL_TIME = Claim(
    "deep-linear-exponential-time", title="Deep linear network: GD from a balanced start needs exponentially many steps",
    hypotheses=RUN_HYPOTHESES, conclusion=sp.Ge(steps, STEPS_BOUND), measure=measure_steps, families=[BalancedRun()],
    certified={L: "depth", start: "start", reach: "reach", eta: "step"}, reference=REFERENCE, tight=True,
    method="gradient descent from w_i = w_0, y = 1, counted until w_i >= w_1 (balanced scalar recursion)",
    dimensions=(1, 1), refine=False,
    latex_names={**LATEX_NAMES, start: "w_0", reach: "w_1", steps: r"\mathrm{steps}"})


# ---------------------------------------------------------------- balancedness under one GD step
def measure_balance(instance, x0, values, xp):
    """w₁² − w₂² before and after one gradient step, and the gradient's first two entries."""
    family, p = instance.family, instance.params
    weights = p["weights"]
    g = family.grad(p, weights, xp)
    moved = weights - values["eta"][:, None] * g
    gap = lambda v: v[:, 0] * v[:, 0] - v[:, 1] * v[:, 1]
    return {"balance": gap(weights), "balance_next": gap(moved), "g_1": g[:, 0], "g_2": g[:, 1]}


BALANCEDNESS = Claim(
    "deep-linear-gd-balancedness", title="One GD step changes w_i² − w_j² by exactly η²(g_i² − g_j²)",
    hypotheses=[sp.Le(eta, 1)], conclusion=sp.Eq(balance_next - balance, eta**2 * (g_1**2 - g_2**2)),
    measure=measure_balance, families=[DeepLinear()], certified={L: "depth", y: "target"}, reference=REFERENCE,
    method="one step of gradient descent", dimensions=(2, 6), latex_names=LATEX_NAMES)

CLAIMS = [SADDLE_NOT_STRICT, SHARPNESS, BALANCED_GRADIENT, EXPONENTIAL_TIME, BALANCEDNESS]
