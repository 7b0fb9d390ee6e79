"""Contraction of gradient descent on positive definite quadratics.

Method: t steps of gradient descent on f(x) = ½xᵀAx, x_{k+1} = (I − ηA)x_k.

Theorem (Nesterov 2004, §1.2.3; slides "Gradient descent on quadratics"; docs/theory.md §3):
for A symmetric positive definite with extreme eigenvalues λ_min ≤ λ_max,

* **short step**, 0 < η ≤ 1/λ_max: ‖x_t‖ ≤ (1 − ηλ_min)ᵗ‖x₀‖;
* **general step**, 0 < η < 2/λ_max: ‖x_t‖ ≤ ρᵗ‖x₀‖ with ρ = max(|1 − ηλ_min|, |1 − ηλ_max|)
  (η = 2/(λ_min + λ_max) gives ρ = (κ − 1)/(κ + 1)).

Hypotheses as checked: A = QᵀΛQ from the ``quadratic-pd`` family (Q a product of Householder
reflections, so A is symmetric; Λ > 0 with condition number up to 10⁶, random, repeated,
clustered or two-valued spectra): never a non-symmetric or indefinite matrix, where the
statement does not apply. Dimensions 1 to 256, t from 1 to MAX_STEPS, η anywhere in the range.
Both are linked to their performance-estimation problem (GD on quadratics, PEPit).

Tight: both. x_t = (1 − ηλ)ᵗx₀ for x₀ along the eigenvector of λ, so equality holds from the
bottom eigenvector (short step, and the general step when |1 − ηλ_min| is the larger factor)
or the top one (otherwise); the search starts there and reaches ≥ 0.999.

Wrong variants (tests/variants/quadratic_contraction_wrong.py): the short-step rate claimed up
to 2/λ_max, and convergence claimed at η = 2/λ_max.
"""
import sympy as sp

from odl_verify.definitions.claims import Claim, PerformanceEstimation
from odl_verify.definitions.families import DEFINITE_QUADRATICS
from odl_verify.definitions.methods import GradientDescent, gradient_descent

MAX_STEPS = 20

#: certified extreme eigenvalues of A
lambda_min, lambda_max = sp.symbols("lambda_min lambda_max", positive=True)
eta = sp.Symbol("eta", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
#: measured: ‖x₀‖, ‖x_t‖
norm_0, norm_t = sp.symbols("norm_0 norm_t", real=True)

LATEX_NAMES = {lambda_min: r"\lambda_{\min}", lambda_max: r"\lambda_{\max}", eta: r"\eta",
               norm_0: r"\|x_0\|", norm_t: r"\|x_t\|"}


def measure(instance, x0, values, xp):
    """Run t gradient steps from x0 and measure ‖x₀‖ and ‖x_t‖."""
    x_t = gradient_descent(instance.grad, x0, values["eta"], values["t"])[-1]
    return {"norm_0": xp.sqrt(xp.sum(x0 * x0)), "norm_t": xp.sqrt(xp.sum(x_t * x_t))}


STEP_AT_MOST_1_OVER_LAMBDA_MAX = sp.Le(eta, 1 / lambda_max)
STEP_BELOW_2_OVER_LAMBDA_MAX = sp.Lt(eta, 2 / lambda_max)
RATE = sp.Max(sp.Abs(1 - eta * lambda_min), sp.Abs(1 - eta * lambda_max))

#: GD on quadratics with spectrum in [λ_min, λ_max], λ_max = 1 in the PEP; certified at κ = 4 and 100
GRADIENT_DESCENT_ON_QUADRATICS = PerformanceEstimation(
    method=GradientDescent(lr=eta), function_class="quadratic", smoothness=lambda_max, strong_convexity=lambda_min,
    steps=t, step=eta, quantities={norm_0: "|x_0 - x*|", norm_t: "|x_N - x*|"},
    grid={eta: (0.5, 1.0), lambda_min: (0.25, 0.01), t: (1, 5)})

_COMMON = dict(measure=measure, families=DEFINITE_QUADRATICS, integers={t: (1, MAX_STEPS)},
               certified={lambda_min: "lambda_min", lambda_max: "lambda_max"},
               reference="docs/theory.md §3; Nesterov 2004, §1.2.3", tight=True, method="gradient descent, t steps",
               dimensions=(1, 256), latex_names=LATEX_NAMES)

SHORT_STEP = Claim(
    "quadratic-contraction-short-step",
    title="GD on a positive definite quadratic contracts by 1 − ηλ_min (η ≤ 1/λ_max)",
    hypotheses=[STEP_AT_MOST_1_OVER_LAMBDA_MAX],
    conclusion=sp.Le(norm_t, (1 - eta * lambda_min) ** t * norm_0),
    worst_case=GRADIENT_DESCENT_ON_QUADRATICS,
    **_COMMON,
)

GENERAL_STEP = Claim(
    "quadratic-contraction-general-step",
    title="GD on a positive definite quadratic contracts by max(|1 − ηλ_min|, |1 − ηλ_max|) (η < 2/λ_max)",
    hypotheses=[STEP_BELOW_2_OVER_LAMBDA_MAX],
    conclusion=sp.Le(norm_t, RATE ** t * norm_0),
    worst_case=GRADIENT_DESCENT_ON_QUADRATICS.at(eta=(0.5, 1.0, 1.5, 1.9)),
    **_COMMON,
)

CLAIMS = [SHORT_STEP, GENERAL_STEP]
