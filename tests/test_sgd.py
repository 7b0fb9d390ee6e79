"""SGD (docs/theory.md §15), exactly: the mean and covariance recursion equals the expectation
over every noise path, the plateau and the schedule's rate come out as stated, and every wrong
variant is falsified."""
import itertools

import numpy as np
import pytest
import torch

from odl_verify import CheckConfig, check
from odl_verify.core.profiles import QUICK_EXAMPLES
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.families import FiniteNoise, Instance, Quadratic
from odl_verify.definitions.trees import tree_map
from odl_verify.theorems.sgd import (CONSTANT_STEP_PLATEAU, DECREASING_SCHEDULE, EXPECTED_DESCENT, moments,
                                     constant_step_measure, schedule_measure)

VARIANTS = "tests/variants/sgd_wrong.py"
xp = TorchNamespace()


def _noisy_quadratic(eigenvalues, atoms, logits, isotropic=False):
    family = FiniteNoise(Quadratic(definite=True, isotropic=isotropic))
    raw = {"base": {"spectrum": np.log(eigenvalues), "reflectors": np.array([[0.3, -1.0][:len(eigenvalues)]])},
           "noise": {"atoms": np.asarray(atoms, dtype=float), "logits": np.asarray(logits, dtype=float),
                     "log_scale": np.zeros(1)}}
    params = family.constrain(tree_map(lambda a: torch.as_tensor(np.asarray(a, dtype=float)[None]), raw), xp)
    return Instance(family, params, xp)


def test_moment_recursion_equals_the_expectation_over_every_noise_path():
    instance = _noisy_quadratic([0.5, 2.0], [[1.0, 0.0], [-0.5, 2.0], [0.2, -1.0]], [0.0, 1.0, -1.0])
    atoms, probabilities = instance.family.noise(instance.params, xp)
    start, steps = torch.tensor([[1.0, -2.0]], dtype=torch.float64), [0.3, 0.2, 0.4]
    mean, covariance, a = moments(instance, start, [torch.tensor([s], dtype=torch.float64) for s in steps], xp)
    expected_sq, weight_sum = 0.0, 0.0
    for path in itertools.product(range(3), repeat=len(steps)):
        x, weight = start, 1.0
        for step, k in zip(steps, path):
            x = x - step * (instance.grad(x) + atoms[:, k])
            weight *= float(probabilities[0, k])
        g = instance.grad(x)
        expected_sq += weight * float((g * g).sum())
        weight_sum += weight
    grad_mean = (a @ mean[:, :, None])[:, :, 0]
    from_moments = float((grad_mean * grad_mean).sum() + torch.diagonal(a @ covariance @ a, dim1=-2, dim2=-1).sum())
    assert weight_sum == pytest.approx(1.0) and from_moments == pytest.approx(expected_sq, rel=1e-12)


def test_constant_step_plateau_is_eta_over_2_minus_eta_on_half_x_squared():
    """f = x²/2, σ² = 1 (atoms ±1), η = 0.1: E x_t² → 0.1/1.9 = 0.05263 from x₀ = 0."""
    instance = _noisy_quadratic([1.0], [[1.0], [-1.0]], [0.0, 0.0])
    values = {"eta": torch.tensor([0.1], dtype=torch.float64), "t": 400}
    measured = constant_step_measure(instance, torch.zeros(1, 1, dtype=torch.float64), values, xp)
    assert float(measured["expected_grad_sq"][0]) == pytest.approx(0.1 / 1.9, rel=1e-12)


def test_schedule_forgets_the_start_and_reaches_sigma_squared_over_2_mu_t():
    instance = _noisy_quadratic([2.0, 2.0], [[1.0, 0.5], [-1.0, -0.5]], [0.0, 0.0], isotropic=True)
    sigma_sq = float(instance.constants()["noise_variance"][0])
    for t in (1, 2, 10, 50):
        values = {"mu": torch.tensor([2.0], dtype=torch.float64), "t": t}
        gap = schedule_measure(instance, torch.tensor([[5.0, -3.0]], dtype=torch.float64), values, xp)["expected_gap"]
        assert float(gap[0]) == pytest.approx(sigma_sq / (2 * 2.0 * t), rel=1e-12)


@pytest.mark.parametrize("name", ["sgd-expected-descent~without-noise-term", "sgd-constant-step-plateau~to-zero",
                                  "sgd-decreasing-schedule~any-quadratic"])
def test_wrong_variant_is_falsified_with_confirmed_counterexample(falsified, name):
    assert falsified(VARIANTS, name).dimension <= 8


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("claim", [EXPECTED_DESCENT, CONSTANT_STEP_PLATEAU, DECREASING_SCHEDULE], ids=lambda c: c.name)
def test_tight_claims_reach_tightness_on_every_seed(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=QUICK_EXAMPLES))
    assert verdict.status == "held" and verdict.tightness >= 0.999


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name", ["sgd-expected-descent~without-noise-term", "sgd-constant-step-plateau~to-zero",
                                  "sgd-decreasing-schedule~any-quadratic"])
def test_wrong_variants_are_falsified_on_every_seed(falsified, name, seed):
    falsified(VARIANTS, name, seed=seed, examples=QUICK_EXAMPLES)
