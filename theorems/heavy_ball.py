"""Heavy ball with Polyak's parameters on quadratics: the transient bound.

Method: heavy ball (Polyak 1964) in the slides' form, v_{t+1} = −∇f(x_t) + βv_t,
x_{t+1} = x_t + αv_{t+1}, v_0 = 0, i.e. x_{t+1} = x_t − α∇f(x_t) + β(x_t − x_{t−1}) with
x₋₁ = x₀, at Polyak's α* = 4/(√L + √μ)², β* = ((√κ − 1)/(√κ + 1))², κ = L/μ.

Theorem (Polyak 1964; docs/theory.md §3): on f = ½xᵀAx with μI ⪯ A ⪯ LI, μ > 0, every
eigenvalue's iteration matrix has spectral radius ρ = (√κ − 1)/(√κ + 1), with a Jordan
block at λ = μ and λ = L, and

    ‖x_t‖ ≤ (1 + t(1 + ρ)) ρᵗ ‖x₀‖.

Hypotheses as checked: positive definite quadratics (κ up to 10⁶, every dimension, edge
spectra), μ and L certified as the extreme eigenvalues, t from 1 to 20 steps. Linked to its
performance-estimation problem (heavy ball on quadratics, PEPit).

Tight: at λ = L the iteration has the double root −ρ and x_t = (−ρ)ᵗ(1 + t(1 + ρ))x₀ exactly,
so x₀ along the top eigenvector attains the bound for every t (sup over λ equals it).

Wrong variants (tests/variants/heavy_ball_wrong.py): "‖x_t‖ ≤ ρᵗ‖x₀‖", false already at
κ = 4, t = 1 (x₁ = (1 − α*L)x₀ = −(5/9)x₀ while ρ = 1/3).
"""
import sympy as sp
import torch

from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.claims import Claim, PerformanceEstimation, compile_mp, compile_torch
from odl_verify.definitions.families import DEFINITE_QUADRATICS
from odl_verify.definitions.methods import HeavyBall, iterates, per_instance

#: certified: the extreme eigenvalues of A
mu, L = sp.symbols("mu L", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
#: measured: ‖x_t‖ and ‖x₀‖
norm_t, norm_0 = sp.symbols("norm_t norm_0", real=True)

kappa = L / mu
rho = (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)
ALPHA = 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2
BETA = rho ** 2

LATEX_NAMES = {mu: r"\mu", L: "L", norm_t: r"\|x_t\|", norm_0: r"\|x_0\|"}

#: Polyak's parameters compiled from the sympy above, for the batched search and the exact re-check
_PARAMETERS = sp.Tuple(ALPHA, BETA)
_COMPILED = {"torch": compile_torch((mu, L), _PARAMETERS), "mpmath": compile_mp((mu, L), _PARAMETERS)}


def polyak_parameters(mu_value, L_value, xp):
    """(α*, β*) for the extreme eigenvalues μ ≤ L, in the namespace ``xp``."""
    return _COMPILED[xp.name](mu_value, L_value)


def trajectory_norms(grad, x0, values, xp):
    """‖x_0‖, …, ‖x_t‖ of heavy ball at Polyak's (α*, β*) from x₋₁ = x₀, one column per step."""
    alpha, beta = polyak_parameters(values["mu"], values["L"], xp)
    rule = HeavyBall(lr=per_instance(alpha), momentum=per_instance(beta))
    return [xp.sqrt(xp.sum(x * x)) for x in iterates(rule, grad, x0, xp, values["t"])]


def measure(instance, x0, values, xp):
    """Run heavy ball at Polyak's parameters for t steps; return ‖x_t‖ and ‖x₀‖."""
    norms = trajectory_norms(instance.grad, x0, values, xp)
    return {"norm_t": norms[-1], "norm_0": norms[0]}


#: the bound's factor (1 + t(1 + ρ))ρᵗ, also drawn in the verdict's plot
TRANSIENT = (1 + t * (1 + rho)) * rho ** t
#: the plot's instance: κ = 100, x₀ along the top eigenvector, where the bound is attained
PLOT_CONDITION, PLOT_STEPS = 100.0, 60


def plot_tight_instance(verdict):
    """‖x_t‖/‖x₀‖ against the bound and ρᵗ on the tight instance (x₀ on the top eigenvector)."""
    xp = TorchNamespace("cpu")
    spectrum = torch.tensor([[1.0, PLOT_CONDITION]], dtype=torch.float64)
    x0 = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
    values = {"mu": spectrum[:, 0], "L": spectrum[:, 1], "t": PLOT_STEPS}
    norms = torch.stack(trajectory_norms(lambda x: spectrum * x, x0, values, xp), dim=-1)[0]
    steps = torch.arange(PLOT_STEPS + 1, dtype=torch.float64)
    bound = compile_torch((mu, L, t), TRANSIENT)(spectrum[:, 0], spectrum[:, 1], steps)
    radius = compile_torch((mu, L, t), rho ** t)(spectrum[:, 0], spectrum[:, 1], steps)
    series = [{"label": label, "x": steps.tolist(), "y": y.tolist()} for label, y in
              (("||x_t||/||x_0||, x_0 on the top eigenvector", norms / norms[0]), ("bound (1 + t(1 + rho)) rho^t", bound),
               ("rho^t (the spectral radius alone)", radius))]
    verdict.add_plot(f"Heavy ball at Polyak's parameters, kappa = {PLOT_CONDITION:g}", series,
                     xlabel="step t", ylabel="||x_t|| / ||x_0||", yscale="log")


#: heavy ball at Polyak's parameters on quadratics with spectrum in [μ, L], L = 1 in the PEP (t ≤ 5: at κ = 4
#: the bound falls to 1e-5 by t = 10, below what the solvers resolve against ‖x₀‖ = 1)
HEAVY_BALL_ON_QUADRATICS = PerformanceEstimation(
    method=HeavyBall(lr=ALPHA, momentum=BETA), function_class="quadratic", smoothness=L, strong_convexity=mu,
    steps=t, quantities={norm_0: "|x_0 - x*|", norm_t: "|x_N - x*|"}, grid={mu: (0.25, 0.01), t: (1, 2, 5)})

HEAVY_BALL_RATE = Claim(
    "heavy-ball-rate",
    title="Heavy ball at Polyak's parameters: transient bound on quadratics",
    hypotheses=[sp.Ge(L, mu)],
    conclusion=sp.Le(norm_t, TRANSIENT * norm_0),
    measure=measure,
    families=DEFINITE_QUADRATICS,
    certified={mu: "lambda_min", L: "lambda_max"},
    integers={t: (1, 20)},
    reference="Polyak 1964; docs/theory.md §3",
    tight=True,
    method="heavy ball (slides' form), alpha = 4/(sqrt(L) + sqrt(mu))^2, beta = rho^2, x_-1 = x_0",
    dimensions=(1, 8),
    latex_names=LATEX_NAMES,
    illustrate=plot_tight_instance,
    worst_case=HEAVY_BALL_ON_QUADRATICS,
)

CLAIMS = [HEAVY_BALL_RATE]
