"""Convergence of gradient descent to stationary points of β-smooth (nonconvex) functions.

Method: T steps of gradient descent, x_{t+1} = x_t − η∇f(x_t), from x₀; g_t = ∇f(x_t).

Theorems (Nesterov 2004, §1.2.3; Abbaszadehpeivasti, de Klerk, Zamani, Optim. Lett. 2022,
Thm 1; slides "Gradient descent for non-convex optimization"; docs/theory.md §2):

* **Textbook** (summing the descent lemma): for 0 < η ≤ 1/β,
  min_{t<T} ‖g_t‖² ≤ 2(f(x₀) − f(x_T))/(Tη(2 − βη)), which needs no f*; and with
  f(x_T) ≥ f*, the **f\\* form** ≤ 2(f(x₀) − f*)/(Tη(2 − βη)), i.e. 2β(f(x₀) − f*)/T at
  η = 1/β.
* **Exact constant**, h = βη ∈ (0, √3): min_{0≤k≤N} ‖g_k‖² ≤ c(h)·β(f₀ − f(x_N))/N with
  c(h) = 4/(h(4 − h)) for h ≤ 1 and 4/(h(4 − h²)) for 1 ≤ h < √3, checked as two claims split
  at h = 1, each with its own branch, so that h = 1 (where they meet) is an edge of both domains
  and a domain stretched past either end is false (the other branch is larger there).
* **Exact constant against f\\***, at h = 1: min_{0≤k≤N} ‖g_k‖² ≤ 4β(f₀ − f*)/(3N + 2).

Hypotheses as checked: β any declared constant ≥ the certified smoothness L (every smooth
family of docs/theory.md §1, nonconvex ones included, plus the staircase and gradient descent's
worst cases designed for the drawn h and N: the tooth staircase, 1-D, and for the exact
constants the zigzag, 2-D);
η anywhere in the stated range; T = N drawn from 1..MAX_STEPS. The f* forms run on the
families that certify f* (positive definite quadratics, the staircase, the worst cases).
Each claim is linked to its performance-estimation problem (PEPit: GD on L-smooth functions),
so verdicts show the certified worst case beside the tightness the search reached.

Tight: the exact constants at every h and N, on the tooth staircase (h ≤ 1) and the zigzag
(1 ≤ h < √3) from the origin with β = L: the PEP's worst cases (ratio 1 to 1e-9); the f* form
at h = 1 on the staircase of length N (f₀ − f* = (3N + 2)/4). Upper bounds: the textbook rates,
tight only at T = 1 (a quadratic from its top eigenvector, η = 1/β = 1/λ_max; for the f* form
the step lands on the minimizer); for T > 1 the exact constant is smaller.

Wrong variants (tests/variants/stationarity_wrong.py): constant β instead of 2β, a rate
that ignores η, the exact constant lowered below 4/3, and for every tight claim its bound 1 %
too strong and its step-size range 5 % too wide.
"""
import functools

import sympy as sp

from odl_verify.definitions.claims import Claim, PerformanceEstimation
from odl_verify.definitions.families import (DEFINITE_QUADRATICS, SMOOTH_FAMILIES, STAIRCASES, TOOTH_STAIRCASES,
                                             ZIGZAGS)
from odl_verify.definitions.methods import GradientDescent, gradient_descent

MAX_STEPS = 12
FAMILIES = SMOOTH_FAMILIES + DEFINITE_QUADRATICS + STAIRCASES + TOOTH_STAIRCASES
#: the zigzag (2-D) is the worst case only for h > 1, and costs more to evaluate: the exact claims draw it
EXACT_FAMILIES = FAMILIES + ZIGZAGS

#: certified smoothness of the instance, and the declared constant of the theorem
L = sp.Symbol("L", nonnegative=True)
beta = sp.Symbol("beta", positive=True)
eta = sp.Symbol("eta", positive=True)
#: the number of steps (N in the exact-constant theorem)
T = sp.Symbol("T", integer=True, positive=True)
#: certified infimum of f
f_star = sp.Symbol("f_star", real=True)
#: measured: f(x₀), f(x_T), min_{t<T} ‖g_t‖², ‖g_T‖²
f_0, f_T, min_grad_sq, grad_sq_T = sp.symbols("f_0 f_T min_grad_sq grad_sq_T", real=True)
h = beta * eta

LATEX_NAMES = {L: "L", beta: r"\beta", eta: r"\eta", f_star: "f^*", f_0: "f(x_0)", f_T: "f(x_T)",
               min_grad_sq: r"\min_{t<T}\|\nabla f(x_t)\|^2", grad_sq_T: r"\|\nabla f(x_T)\|^2"}


def measure(instance, x0, values, xp):
    """Run T gradient steps from x0, keeping the gradients the method computes."""
    grads = []

    def recorded_grad(x):
        grads.append(instance.grad(x))
        return grads[-1]

    x_T = gradient_descent(recorded_grad, x0, values["eta"], values["T"])[-1]
    g_T = instance.grad(x_T)
    return {"f_0": instance.value(x0), "f_T": instance.value(x_T), "grad_sq_T": xp.sum(g_T * g_T),
            "min_grad_sq": functools.reduce(xp.minimum, [xp.sum(g * g) for g in grads])}


SMOOTHNESS = sp.Ge(beta, L)
STEP_AT_MOST_1_OVER_BETA = sp.Le(eta, 1 / beta)
STEP_AT_LEAST_1_OVER_BETA = sp.Ge(eta, 1 / beta)
STEP_BELOW_SQRT_3_OVER_BETA = sp.Lt(eta, sp.sqrt(3) / beta)
TEXTBOOK_DENOMINATOR = T * eta * (2 - beta * eta)
#: c(h) of Abbaszadehpeivasti, de Klerk and Zamani, for h ≤ 1 and for 1 ≤ h < √3
SHORT_STEP_CONSTANT = 4 / (h * (4 - h))
LONG_STEP_CONSTANT = 4 / (h * (4 - h**2))
#: min over the N + 1 gradients the exact theorems bound
MIN_GRAD_SQ = sp.Min(min_grad_sq, grad_sq_T)

#: the performance-estimation problem behind every claim here: GD on β-smooth functions, N = T steps
GRADIENT_DESCENT_ON_SMOOTH = PerformanceEstimation(
    method=GradientDescent(lr=eta), function_class="smooth", smoothness=beta, steps=T, step=eta,
    quantities={f_0: "f(x_0)", f_T: "f(x_N)", f_star: "f*", min_grad_sq: "min_{k<N} |g_k|^2",
                grad_sq_T: "|g_N|^2"},
    grid={eta: (0.5, 1.0), T: (1, 2, 5, 10)})

_COMMON = dict(measure=measure, families=FAMILIES, integers={T: (1, MAX_STEPS)},
               method="gradient descent, T steps", dimensions=(1, 32), latex_names=LATEX_NAMES)

TEXTBOOK = Claim(
    "stationarity-textbook",
    title="Stationarity of gradient descent (textbook rate)",
    hypotheses=[SMOOTHNESS, STEP_AT_MOST_1_OVER_BETA],
    conclusion=sp.Le(min_grad_sq, 2 * (f_0 - f_T) / TEXTBOOK_DENOMINATOR),
    certified={L: "smoothness"},
    reference="Nesterov 2004, §1.2.3; docs/theory.md §2",
    tight=False,
    worst_case=GRADIENT_DESCENT_ON_SMOOTH,
    **_COMMON,
)

TEXTBOOK_F_STAR = Claim(
    "stationarity-textbook-f-star",
    title="Stationarity of gradient descent (textbook rate against f*)",
    hypotheses=[SMOOTHNESS, STEP_AT_MOST_1_OVER_BETA],
    conclusion=sp.Le(min_grad_sq, 2 * (f_0 - f_star) / TEXTBOOK_DENOMINATOR),
    certified={L: "smoothness", f_star: "f_star"},
    reference="Nesterov 2004, §1.2.3; docs/theory.md §2",
    tight=False,
    worst_case=GRADIENT_DESCENT_ON_SMOOTH,
    **_COMMON,
)


_EXACT_REFERENCE = "Abbaszadehpeivasti, de Klerk, Zamani 2022, Optim. Lett., Thm 1; docs/theory.md §2"


def _exact(name: str, title: str, steps: list, constant, grid) -> Claim:
    return Claim(
        name, title=title, hypotheses=[SMOOTHNESS, *steps],
        conclusion=sp.Le(MIN_GRAD_SQ, constant * beta * (f_0 - f_T) / T), certified={L: "smoothness"},
        reference=_EXACT_REFERENCE, tight=True, worst_case=GRADIENT_DESCENT_ON_SMOOTH.at(eta=grid),
        **{**_COMMON, "families": EXACT_FAMILIES})


#: one theorem, checked as two claims split at h = 1: h = 1 is an edge of each domain, and each
#: claim states its own branch of c(h), so that either domain stretched past its end is false
EXACT_SHORT_STEP = _exact("stationarity-exact-constant", "Stationarity of gradient descent (exact constant, h ≤ 1)",
                          [STEP_AT_MOST_1_OVER_BETA], SHORT_STEP_CONSTANT, (0.25, 0.5, 1.0))
EXACT_LONG_STEP = _exact("stationarity-exact-constant-long-step",
                         "Stationarity of gradient descent (exact constant, 1 ≤ h < √3)",
                         [STEP_AT_LEAST_1_OVER_BETA, STEP_BELOW_SQRT_3_OVER_BETA], LONG_STEP_CONSTANT,
                         (1.0, 1.5, 1.7))

EXACT_F_STAR = Claim(
    "stationarity-exact-constant-f-star",
    title="Stationarity of gradient descent against f* (exact constant, h = 1)",
    hypotheses=[SMOOTHNESS, STEP_AT_LEAST_1_OVER_BETA, STEP_AT_MOST_1_OVER_BETA],
    conclusion=sp.Le(MIN_GRAD_SQ, 4 * beta * (f_0 - f_star) / (3 * T + 2)),
    certified={L: "smoothness", f_star: "f_star"},
    reference="docs/theory.md §2 (Abbaszadehpeivasti, de Klerk, Zamani 2022, with f(x_N) − f* ≥ ‖g_N‖²/(2β))",
    tight=True,
    worst_case=GRADIENT_DESCENT_ON_SMOOTH.at(eta=(1.0,)),
    **_COMMON,
)

CLAIMS = [TEXTBOOK, TEXTBOOK_F_STAR, EXACT_SHORT_STEP, EXACT_LONG_STEP, EXACT_F_STAR]
