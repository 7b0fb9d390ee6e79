"""Descent lemma for gradient descent.

Method: one step of gradient descent, x⁺ = x − η∇f(x).

Theorem (Nesterov, *Introductory Lectures on Convex Optimization*, 2004, Lemma 1.2.3;
slides "Gradient descent for non-convex optimization"; docs/theory.md §1): if
λ_max(∇²f) ≤ β on the segment [x, x⁺] and η > 0, then

    f(x) − f(x⁺) ≥ η(1 − βη/2)‖∇f(x)‖²,

which at η = 1/β is the slides' f(x_t) − f(x_{t+1}) ≥ ‖∇f(x_t)‖²/(2β). It holds for every
step (it is f(x⁺) ≤ f(x) + ⟨∇f(x), x⁺ − x⟩ + (β/2)‖x⁺ − x‖²): a guaranteed decrease for
η < 2/β, none at 2/β, and beyond it a bound on how much f can rise.

Hypotheses as checked: β is any declared constant at least the certified
smoothness L of the instance (every smooth family of docs/theory.md §1, nonconvex
ones included); η anywhere in (0, ∞), three decades above 0 and at the special points
η = 1/β (the slides' step) and η = 2/β (where the constant vanishes), since the domain itself
has no scale. Linked to its performance-estimation problem (one GD step on β-smooth functions).

Tight: equality for every η on f = (β/2)‖x‖², and on any quadratic from a point
along its top eigenvector, so the search must reach tightness 1.

Wrong variants (tests/variants/descent_lemma_wrong.py): "≥ ‖g‖²/β", "≥ (η/2)‖g‖²
for every η < 2/β", dropping smoothness (β below the true curvature), the constant 1 % too
strong, and β allowed 5 % below the smoothness (the step size has no upper end to widen).
"""
import sympy as sp

from odl_verify.definitions.families import SMOOTH_FAMILIES
from odl_verify.definitions.claims import Claim, PerformanceEstimation
from odl_verify.definitions.methods import GradientDescent, gradient_descent_step

#: certified smoothness of the instance, and the declared constant of the theorem
L = sp.Symbol("L", nonnegative=True)
beta = sp.Symbol("beta", positive=True)
#: real, not positive: η > 0 is a hypothesis, so η stays a free hyperparameter of a variant whose conclusion
#: omits it (sympy would drop the hypothesis of a positive symbol as always true)
eta = sp.Symbol("eta", real=True)
#: measured: f(x_t), f(x_{t+1}), ‖∇f(x_t)‖²
f_t, f_next, grad_sq = sp.symbols("f_t f_next grad_sq", real=True)

LATEX_NAMES = {L: "L", beta: r"\beta", eta: r"\eta", f_t: "f(x_t)", f_next: "f(x_{t+1})",
               grad_sq: r"\|\nabla f(x_t)\|^2"}


def measure(instance, x0, values, xp):
    """Run one gradient step from x0 and measure f before and after and ‖∇f‖²."""
    g = instance.grad(x0)
    x_next = gradient_descent_step(x0, g, values["eta"])
    return {"f_t": instance.value(x0), "f_next": instance.value(x_next), "grad_sq": xp.sum(g * g)}


SMOOTHNESS = sp.Ge(beta, L)
STEP_POSITIVE = sp.Gt(eta, 0)

#: one step of GD on β-smooth functions; the bound is positive below η = 2/β, where it is certified
ONE_GRADIENT_STEP = PerformanceEstimation(
    method=GradientDescent(lr=eta), function_class="smooth", smoothness=beta, steps=1, step=eta,
    quantities={f_t: "f(x_0)", f_next: "f(x_N)", grad_sq: "|g_0|^2"}, grid={eta: (0.5, 1.0, 1.5, 1.9)})

DESCENT_LEMMA = Claim(
    "descent-lemma",
    title="Descent lemma",
    hypotheses=[SMOOTHNESS, STEP_POSITIVE],
    conclusion=sp.Ge(f_t - f_next, eta * (1 - beta * eta / 2) * grad_sq),
    measure=measure,
    families=SMOOTH_FAMILIES,
    certified={L: "smoothness"},
    reference="Nesterov 2004, Lemma 1.2.3; docs/theory.md §1",
    tight=True,
    method="gradient descent, one step",
    dimensions=(1, 32),
    latex_names=LATEX_NAMES,
    special_points={eta: [1 / beta, 2 / beta]},
    worst_case=ONE_GRADIENT_STEP,
)

CLAIMS = [DESCENT_LEMMA]
