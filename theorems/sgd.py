"""Stochastic gradient descent: the expected descent step, the plateau of a constant step, and the
exact rate of the 1/(μ(t + 1)) schedule, all computed exactly (no Monte Carlo).

Method: SGD, x_{t+1} = x_t − η_t g̃(x_t) with g̃(x) = ∇f(x) + ξ, ξ drawn afresh at every step from a
finite distribution with E ξ = 0 and E‖ξ‖² = σ² (FiniteNoise instances).

Theorems (Bottou, Curtis, Nocedal 2018, Lemma 4.2 and Thm 4.6; Ghadimi & Lan 2013;
docs/theory.md §15):

* **Expected descent**: f β-smooth, 0 < η ≤ 2/β:
  E f(x − ηg̃) ≤ f(x) − η(1 − βη/2)‖∇f(x)‖² + βη²σ²/2.
* **Constant-step plateau**: on f = ½(x − x*)ᵀA(x − x*), μI ⪯ A ⪯ LI, 0 < η < 2/L, from any x₀,
  E‖∇f(x_t)‖² ≥ ημσ²(1 − (1 − ημ)^{2t})/(2 − ημ) → ημσ²/(2 − ημ) (η/(2 − η) on x²/2 with σ² = 1):
  per eigenvalue λ the noise keeps ηλs(1 − (1 − ηλ)^{2t})/(2 − ηλ), increasing in λ on (0, 2/η).
* **Decreasing schedule**: on f = (μ/2)‖x − x*‖², η_t = 1/(μ(t + 1)): x_t − x* = −(1/(μt))Σ_{s<t}ξ_s,
  so E f(x_t) − f* = σ²/(2μt) exactly for t ≥ 1, from any x₀.

Hypotheses as checked: expected descent on every smooth family of docs/theory.md §1 (dimensions 1
to 4) with noise of two to four outcomes (any shape, scales from 10⁻³ to 10), β from L up, η
anywhere in (0, 2/β]; the quadratic claims on positive definite quadratics with such noise,
dimensions 1 to 4, t from 1 to 50 (6 in the quick profile), the schedule on isotropic ones
(A = μI, the theorem's setting, also stated as the hypothesis L ≤ μ so that dropping it is a
one-line variant). Every expectation is exact: the one-step claim sums over the noise's outcomes; the quadratic
claims propagate the mean and covariance of x_t exactly (m⁺ = (I − ηA)m,
C⁺ = (I − ηA)C(I − ηA)ᵀ + η²Σ), so no statistical test, and no false-alarm rate, is involved.

Tight: expected descent on f = (β/2)‖x‖² with β = L (any noise, any x), the plateau from x₀ = x*
on A = μI (or with the noise along the bottom eigenvector), the schedule always (an identity).

Wrong variants (tests/variants/sgd_wrong.py): the descent step without its σ² term (f = x²/2,
x = 0, η = 1: E f(x⁺) = σ²/2 > 0); "a constant step drives E‖∇f‖² to 0" at gradient descent's
rate (1 − ημ)^{2t}‖∇f(x₀)‖²; the schedule's rate on every strongly convex quadratic (dropping
A = μI: the start is not forgotten when L > μ).
"""
import numpy as np
import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import DEFINITE_QUADRATICS, SMOOTH_FAMILIES, FiniteNoise, Quadratic
from odl_verify.definitions.methods import per_instance

L, mu = sp.symbols("L mu", positive=True)
beta, eta = sp.symbols("beta eta", positive=True)
#: certified E‖ξ‖²
sigma_sq = sp.Symbol("sigma_sq", nonnegative=True)
t = sp.Symbol("t", integer=True, positive=True)
#: measured: f(x), E f(x⁺), ‖∇f(x)‖²; E‖∇f(x_t)‖², ‖∇f(x₀)‖², E f(x_t) − f*
f_x, expected_f_next, grad_sq = sp.symbols("f_x expected_f_next grad_sq", real=True)
expected_grad_sq, grad_sq_0, expected_gap = sp.symbols("expected_grad_sq grad_sq_0 expected_gap", real=True)

LATEX_NAMES = {L: "L", mu: r"\mu", beta: r"\beta", eta: r"\eta", sigma_sq: r"\sigma^2", f_x: "f(x)",
               expected_f_next: r"\mathbb{E} f(x^+)", grad_sq: r"\|\nabla f(x)\|^2",
               expected_grad_sq: r"\mathbb{E}\|\nabla f(x_t)\|^2", grad_sq_0: r"\|\nabla f(x_0)\|^2",
               expected_gap: r"\mathbb{E} f(x_t) - f^*"}

NOISY_SMOOTH = tuple(FiniteNoise(family) for family in SMOOTH_FAMILIES)
NOISY_QUADRATICS = tuple(FiniteNoise(family) for family in DEFINITE_QUADRATICS)
NOISY_ISOTROPIC_QUADRATICS = (FiniteNoise(Quadratic(definite=True, isotropic=True)),)


def expected_step(instance, x0, values, xp):
    """E f(x₀ − η(∇f(x₀) + ξ)), summed over the noise's outcomes, with f(x₀) and ‖∇f(x₀)‖²."""
    g = instance.grad(x0)
    atoms, probabilities = instance.family.noise(instance.params, xp)
    step = per_instance(values["eta"])
    expected = sum(probabilities[:, k] * instance.value(x0 - step * (g + atoms[:, k]))
                   for k in range(np.shape(atoms)[1]))
    return {"f_x": instance.value(x0), "expected_f_next": expected, "grad_sq": xp.sum(g * g)}


def moments(instance, x0, steps, xp):
    """Mean offset m_t = E x_t − x* and covariance C_t of SGD on a quadratic after the given step
    sizes ((B,) each), exactly; and the Hessian A."""
    a = instance.hessian(x0)
    atoms, probabilities = instance.family.noise(instance.params, xp)
    noise = xp.transpose(atoms) @ (probabilities[:, :, None] * atoms)  # Σ = Σₖ pₖ ξₖξₖᵀ
    identity = xp.asarray(np.eye(np.shape(x0)[-1]))
    mean, covariance = x0 - instance.minimizer(), 0 * noise
    for step in steps:
        contraction = identity - step[:, None, None] * a
        mean = (contraction @ mean[:, :, None])[:, :, 0]
        covariance = contraction @ covariance @ xp.transpose(contraction) + (step * step)[:, None, None] * noise
    return mean, covariance, a


def trace(xp, matrix):
    return xp.sum(xp.sum(matrix * xp.asarray(np.eye(np.shape(matrix)[-1]))))


def constant_step_measure(instance, x0, values, xp):
    """E‖∇f(x_t)‖² after t steps of size η (= ‖A m_t‖² + tr(A C_t A)), and ‖∇f(x₀)‖²."""
    mean, covariance, a = moments(instance, x0, [values["eta"]] * values["t"], xp)
    grad_mean, g0 = (a @ mean[:, :, None])[:, :, 0], instance.grad(x0)
    return {"expected_grad_sq": xp.sum(grad_mean * grad_mean) + trace(xp, a @ covariance @ a),
            "grad_sq_0": xp.sum(g0 * g0)}


def schedule_measure(instance, x0, values, xp):
    """E f(x_t) − f* (= ½(m_tᵀA m_t + tr(A C_t))) after t steps η_s = 1/(μ(s + 1)), s = 0 … t − 1."""
    steps = [1 / (values["mu"] * (s + 1)) for s in range(values["t"])]
    mean, covariance, a = moments(instance, x0, steps, xp)
    return {"expected_gap": (xp.sum(mean * (a @ mean[:, :, None])[:, :, 0]) + trace(xp, a @ covariance)) / 2}


EXPECTED_DESCENT = Claim(
    "sgd-expected-descent",
    title="SGD's expected descent: E f(x⁺) ≤ f(x) − η(1 − βη/2)‖∇f(x)‖² + βη²σ²/2",
    hypotheses=[sp.Ge(beta, L), sp.Le(eta, 2 / beta)],
    conclusion=sp.Le(expected_f_next, f_x - eta * (1 - beta * eta / 2) * grad_sq + beta * eta ** 2 * sigma_sq / 2),
    measure=expected_step,
    families=NOISY_SMOOTH,
    certified={L: "smoothness", sigma_sq: "noise_variance"},
    reference="Bottou, Curtis, Nocedal 2018, Lemma 4.4; docs/theory.md §15",
    tight=True,
    method="one SGD step, noise with finitely many outcomes (expectation summed exactly)",
    dimensions=(1, 4),
    latex_names=LATEX_NAMES,
)

_QUADRATIC = dict(integers={t: (1, 50)}, quick_integers={t: (1, 6)}, dimensions=(1, 4), latex_names=LATEX_NAMES,
                  tight=True)

CONSTANT_STEP_PLATEAU = Claim(
    "sgd-constant-step-plateau",
    title="Constant-step SGD plateaus: E‖∇f(x_t)‖² ≥ ημσ²(1 − (1 − ημ)^{2t})/(2 − ημ)",
    hypotheses=[sp.Lt(eta, 2 / L)],
    conclusion=sp.Ge(expected_grad_sq, eta * mu * sigma_sq * (1 - (1 - eta * mu) ** (2 * t)) / (2 - eta * mu)),
    measure=constant_step_measure,
    families=NOISY_QUADRATICS,
    certified={mu: "lambda_min", L: "lambda_max", sigma_sq: "noise_variance"},
    reference="Bottou, Curtis, Nocedal 2018, Thm 4.6; docs/theory.md §15",
    method="SGD, constant step eta, t steps, exact mean and covariance recursion",
    **_QUADRATIC,
)

#: the schedule's setting, f = (μ/2)‖x − x*‖²: every eigenvalue is μ
ISOTROPIC = sp.Le(L, mu)

DECREASING_SCHEDULE = Claim(
    "sgd-decreasing-schedule",
    title="SGD with η_t = 1/(μ(t + 1)) on (μ/2)‖x − x*‖²: E f(x_t) − f* = σ²/(2μt)",
    hypotheses=[ISOTROPIC],
    conclusion=sp.Le(expected_gap, sigma_sq / (2 * mu * t)),
    measure=schedule_measure,
    families=NOISY_ISOTROPIC_QUADRATICS,
    certified={mu: "lambda_min", L: "lambda_max", sigma_sq: "noise_variance"},
    reference="Bottou, Curtis, Nocedal 2018, Thm 4.7; docs/theory.md §15",
    method="SGD, eta_t = 1/(mu (t + 1)), t steps, exact mean and covariance recursion",
    **_QUADRATIC,
)

CLAIMS = [EXPECTED_DESCENT, CONSTANT_STEP_PLATEAU, DECREASING_SCHEDULE]
