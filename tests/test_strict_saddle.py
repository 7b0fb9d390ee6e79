"""Strict saddles (docs/theory.md §5): the family's constants, perturbed GD, the statistical tests'
false-alarm rate, and each wrong variant falsified with a confirmed counterexample."""
import math

import pytest
import torch

from odl_verify import check, CheckConfig
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import SaddleFamily
from odl_verify.definitions.methods.perturbed_gd import jin_parameters, perturbed_gradient_descent, uniform_ball
from odl_verify.core.profiles import QUICK_EXAMPLES, THOROUGH_FACTOR
from odl_verify.frontends.registry import load_file
from odl_verify.engine.statistics import binomial_test
from odl_verify.theorems.octopus import OCTOPUS
from odl_verify.theorems.perturbed_gd import ESCAPE_TIME_VS_DIMENSION, abs_first_coordinate_quantile
from odl_verify.theorems.strict_saddle import MAX_STEPS, QUICK_MAX_STEPS, STABLE_MANIFOLD, N

VARIANTS = "tests/variants/strict_saddle_wrong.py"
xp = TorchNamespace("cpu")


def _instance(family, log_gamma=0.3, reflectors=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    raw = {"log_gamma": torch.tensor([[log_gamma]], dtype=torch.float64),
           "log_lambdas": torch.randn(1, 3, generator=g, dtype=torch.float64),
           "reflectors": torch.randn(1, reflectors if family.rotated else 0, 3, generator=g, dtype=torch.float64)}
    return raw, family.constrain(raw, xp)


def test_saddle_family_gradient_hessian_and_constants_are_exact():
    family = SaddleFamily()
    raw, p = _instance(family)
    x = torch.randn(1, 3, dtype=torch.float64, requires_grad=True)
    (autograd,) = torch.autograd.grad(family.value(p, x, xp).sum(), x)
    assert torch.allclose(autograd, family.grad(p, x, xp), atol=1e-12)
    hessian = torch.autograd.functional.hessian(lambda z: family.value(p, z[None], xp).sum(), x[0].detach())
    assert float(torch.linalg.eigvalsh(hessian)[0]) == pytest.approx(float(family.hessian_min_eigenvalue(p, x.detach(), xp)[0]))
    c = family.constants(p, xp)
    gamma = math.exp(0.3)
    saddle_hessian = torch.autograd.functional.hessian(lambda z: family.value(p, z[None], xp).sum(),
                                                       torch.zeros(3, dtype=torch.float64))
    assert float(torch.linalg.eigvalsh(saddle_hessian)[0]) == pytest.approx(-gamma)
    minimum = family.place(p, torch.zeros(1, 3, dtype=torch.float64), torch.tensor([math.sqrt(gamma)], dtype=torch.float64), xp)
    assert float(family.value(p, minimum, xp)) == pytest.approx(float(c["f_star"]))
    assert float(family.grad(p, minimum, xp).norm()) < 1e-12
    mp = MpNamespace()
    exact = family.value(family.constrain({k: mp.asarray(v) for k, v in raw.items()}, mp), mp.asarray(x.detach()), mp)
    assert float(exact[0]) == pytest.approx(float(family.value(p, x.detach(), xp)), rel=1e-14)


def test_gd_region_bound_smoothness_holds_where_gd_stays():
    # certified L = max(11γ, λ_max) bounds |φ''| on |y₁| ≤ 2√γ; GD with η = 1/L from y₁ = 1.9√γ stays there
    family = SaddleFamily(rotated=False)
    _, p = _instance(family)
    c = family.constants(p, xp)
    root = math.sqrt(float(c["gamma"]))
    x = family.place(p, torch.zeros(1, 3, dtype=torch.float64), torch.tensor([1.9 * root], dtype=torch.float64), xp)
    for _ in range(200):
        x = x - family.grad(p, x, xp) / c["smoothness"]
        assert abs(float(family.escape_coordinate(p, x, xp))) <= 2 * root


def test_uniform_ball_is_inside_and_fills_the_ball():
    g = torch.Generator().manual_seed(0)
    radius = torch.full((4000,), 0.5, dtype=torch.float64)
    points = uniform_ball(4000, 3, radius, g, radius)
    norms = points.norm(dim=-1)
    assert float(norms.max()) <= 0.5
    # P(‖ξ‖ ≤ r/2) = 1/8 in three dimensions
    assert abs(float((norms <= 0.25).double().mean()) - 0.125) < 0.02


def test_perturbed_gd_escapes_the_saddle_that_plain_gd_cannot():
    family = SaddleFamily(rotated=False)
    _, p = _instance(family)
    p = {k: v.expand(32, *v.shape[1:]) for k, v in p.items()}
    c = family.constants(p, xp)
    epsilon = float(c["gamma"][0]) ** 1.5 / 20
    x0 = torch.zeros(32, 3, dtype=torch.float64)
    value, grad = (lambda x: family.value(p, x, xp)), (lambda x: family.grad(p, x, xp))
    params = jin_parameters(3, c["smoothness"], c["hessian_lipschitz"], epsilon, 0.1, value(x0) - c["f_star"], 0.5)
    assert float(params.chi[0]) >= 12 and int(params.t_thres[0]) > 0
    state = perturbed_gradient_descent(value, grad, x0, params, int(6 * params.t_thres.max()),
                                       torch.Generator().manual_seed(1))
    assert bool(state.done.all()) and bool((state.perturbations >= 2).all())
    assert bool((family.hessian_min_eigenvalue(p, state.output, xp) > 0).all())  # a minimum, not the saddle
    no_noise = type(params)(**{**params.__dict__, "radius": 0 * params.radius})
    stuck = perturbed_gradient_descent(value, grad, x0, no_noise, int(6 * params.t_thres.max()),
                                       torch.Generator().manual_seed(1))
    assert bool((stuck.output == 0).all())


def test_binomial_test_honours_its_false_alarm_rate():
    # failures drawn at exactly the claimed rate: rejection at level 0.05 must happen at most 5% of the time
    g = torch.Generator().manual_seed(0)
    rejections = sum(binomial_test("t", int((torch.rand(150, generator=g) < 0.1).sum()), 150, 0.1).p_value <= 0.05
                     for _ in range(2000))
    assert rejections / 2000 <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 2000)
    assert binomial_test("t", 40, 150, 0.1).p_value < 1e-6  # a failure rate of 27% is rejected


def test_escape_quantile_of_the_first_coordinate_matches_sampling():
    # the escape-time sandwich rests on |ξ₁|/r ~ sqrt(Beta(½, (d+1)/2)) for ξ uniform in the d-ball
    g = torch.Generator().manual_seed(0)
    for d in (2, 10, 100):
        radius = torch.ones(20000, dtype=torch.float64)
        first = uniform_ball(20000, d, radius, g, radius)[:, 0].abs()
        for q in (0.25, 0.75):
            exact = abs_first_coordinate_quantile(d, q)
            # a quantile's sampling error: ±4 sd of the empirical CDF at it, about 0.012
            assert abs(float((first <= exact).double().mean()) - q) < 4 * math.sqrt(q * (1 - q) / 20000)


def test_quick_budget_runs_fewer_steps_and_dimensions():
    assert STABLE_MANIFOLD.integer_ranges(QUICK_EXAMPLES) == {N: (1, QUICK_MAX_STEPS)}
    assert STABLE_MANIFOLD.integer_ranges(QUICK_EXAMPLES * THOROUGH_FACTOR) == {N: (1, MAX_STEPS)}
    derived = STABLE_MANIFOLD.variant("derived", drop=[STABLE_MANIFOLD.hypotheses[-1]])
    assert derived.integer_ranges(QUICK_EXAMPLES) == {N: (1, QUICK_MAX_STEPS)}  # variants keep the quick ranges
    assert 1000 in ESCAPE_TIME_VS_DIMENSION.DIMENSIONS and 1000 not in ESCAPE_TIME_VS_DIMENSION.QUICK_DIMENSIONS


@pytest.mark.parametrize("name", ["strict-saddle-escape~without-strictness",
                                  "strict-saddle-stable-manifold~started-off-the-manifold"])
def test_wrong_variant_is_falsified_with_confirmed_counterexample(falsified, name):
    example = falsified(VARIANTS, name)
    if "strictness" in name:  # docs/theory.md §5: the cubic saddle, y₀ ∈ (0, 0.5]
        shown = example.shown
        assert shown["family"] == "cubic-saddle-axis" and 0 < float(shown["hyperparameters"]["delta"]) <= 0.5


def test_perturbed_gd_without_perturbation_is_falsified(repo_path, wrong_variant):
    (claim,) = load_file(repo_path("tests/variants/perturbed_gd_wrong.py"))
    verdict = wrong_variant(check(claim, CheckConfig(seed=0, device="cpu")))
    assert verdict.status == "falsified"
    assert all(row["failures"] == row["runs"] for row in verdict.details["per_dimension"])


def test_octopus_escape_is_exponential_and_the_polynomial_claim_is_falsified(repo_path, wrong_variant):
    verdict = check(OCTOPUS, CheckConfig(seed=0, device="cpu"))
    assert verdict.status == "held" and 0 < verdict.tightness <= 1
    assert verdict.details["float64_agrees_for_d"][:3] == [1, 2, 3]
    (polynomial,) = load_file(repo_path("tests/variants/octopus_wrong.py"))
    wrong = wrong_variant(check(polynomial, CheckConfig(seed=0, device="cpu")))
    assert wrong.status == "falsified"
    rejected = {t["name"].rsplit("d = ", 1)[1] for t in wrong.details["tests"] if t["rejected"]}
    assert "1" not in rejected and {"3", "10"} <= rejected  # d = 1 is the identity; the growth shows from there on
