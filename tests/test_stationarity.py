"""Stationarity of gradient descent (docs/theory.md §2): the true claims hold with the tightness
measured below, the staircase family certifies what it claims, and every wrong variant is
falsified with a confirmed, small counterexample."""
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import check, CheckConfig
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import STAIRCASES, Staircase
from odl_verify.definitions.methods import gradient_descent
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.stationarity import (EXACT_LONG_STEP, EXACT_SHORT_STEP, LONG_STEP_CONSTANT, MIN_GRAD_SQ,
                                              SHORT_STEP_CONSTANT,
                                              SMOOTHNESS, TEXTBOOK, TEXTBOOK_F_STAR, T, beta, eta, f_0, f_T)
from sweeps import quick_first

VARIANTS = "tests/variants/stationarity_wrong.py"
QUICK = dict(device="cpu", examples=6)


#: with 6 examples: the textbook bounds reach 1 at T = 1, the exact constants 1 (the worst cases are
#: designed for the drawn h and N and probed at β = L and h = 1; before, the long step reached 0.75)
@pytest.mark.parametrize("claim, seed, tightness", quick_first({"f-star@3", "long-step@4"}, [
    (TEXTBOOK, 1, 0.999), (TEXTBOOK_F_STAR, 3, 0.999), (EXACT_SHORT_STEP, 2, 0.999), (EXACT_LONG_STEP, 4, 0.999)],
    ids=["textbook@1", "f-star@3", "short-step@2", "long-step@4"]))
def test_true_claim_holds_with_measured_tightness(claim, seed, tightness):
    verdict = check(claim, CheckConfig(seed=seed, **QUICK))
    assert verdict.status == "held", verdict.counterexample
    assert verdict.tightness >= tightness
    assert verdict.worst_slack >= -1e-9


@pytest.mark.parametrize("claim, tightness", quick_first({"short-step"}, [(EXACT_SHORT_STEP, 0.999), (EXACT_LONG_STEP, 0.99)],
                                                      ids=["short-step", "long-step"]))
def test_exact_constant_is_attained_on_the_staircase(claim, tightness):
    """h = 1 is an edge of both domains; from the origin the staircase attains c(1) = 4/3
    (measured: 1.0 and 0.995, the long-step search has to reach both β = L and η = 1/β)."""
    on_staircase = claim.variant("on-staircase", families=STAIRCASES)
    verdict = check(on_staircase, CheckConfig(seed=0, device="cpu", examples=6))
    assert verdict.status == "held"
    assert verdict.tightness >= tightness


def test_domains_are_read_off_the_hypotheses():
    assert TEXTBOOK.describe_domains() == ["β ∈ [L, ∞)", "η ∈ (0, 1/β]"]
    assert EXACT_LONG_STEP.describe_domains() == ["β ∈ [L, ∞)", "η ∈ [1/β, √3/β)"]
    assert {f.name for f in TEXTBOOK_F_STAR.families} == {"quadratic-pd", "staircase", "piecewise-quadratic"}


def test_exact_constant_compiles_both_branches_of_the_piecewise():
    """c(h) as one Piecewise over both branches compiles to 4/(h(4 − h)) at h = 1/2 and 4/(h(4 − h²))
    at h = 3/2, and each shipped claim states its own branch."""
    c_of_h = sp.Piecewise((SHORT_STEP_CONSTANT, beta * eta <= 1), (LONG_STEP_CONSTANT, True))
    both = EXACT_SHORT_STEP.variant("both-branches", conclusion=sp.Le(MIN_GRAD_SQ, c_of_h * beta * (f_0 - f_T) / T))
    values = {s: torch.tensor([1.0, 1.0], dtype=torch.float64) for s in both.arguments}
    values[eta] = torch.tensor([0.5, 1.5], dtype=torch.float64)
    values[f_T] = torch.tensor([0.0, 0.0], dtype=torch.float64)
    _, bound = both.sides(values, TorchNamespace())
    expected = torch.tensor([4 / (0.5 * 3.5), 4 / (1.5 * (4 - 2.25))], dtype=torch.float64)
    assert torch.allclose(bound, expected)
    own = [claim.sides({**values, eta: values[eta][k:k + 1] + 0 * values[eta]}, TorchNamespace())[1][k]
           for k, claim in enumerate((EXACT_SHORT_STEP, EXACT_LONG_STEP))]
    assert torch.allclose(torch.stack(own), expected)


def _staircase(lengths, x, xp):
    family = Staircase()
    raw = {"length": xp.asarray(np.asarray([lengths], dtype=np.float64))}
    return family, family.constrain(raw, xp), xp.asarray(np.asarray([x], dtype=np.float64))


def test_staircase_certifies_smoothness_and_f_star():
    xp = TorchNamespace()
    grid = torch.linspace(-3, 9, 4801, dtype=torch.float64)
    family, p, _ = _staircase([5.0], [0.0], xp)
    p = {"length": p["length"].expand(len(grid), 1)}
    g = family.grad(p, grid[:, None], xp)[:, 0]
    f = family.value(p, grid[:, None], xp)
    step = float(grid[1] - grid[0])
    constants = family.constants(p, xp)
    # φ′ is 1-Lipschitz with slope exactly ±1 somewhere: the certified 1 is the smoothness
    assert float(((g[1:] - g[:-1]).abs() / step).max()) == pytest.approx(1.0)
    # the value is the integral of the gradient (trapezoid rule, exact between kinks up to O(step²))
    assert torch.allclose(f[1:] - f[:-1], (g[1:] + g[:-1]) / 2 * step, atol=1e-6)
    assert float(f.min()) == pytest.approx(float(constants["f_star"][0])) == -(3 * 5 + 2) / 4
    assert bool((f >= constants["f_star"] - 1e-12).all())


def test_staircase_worst_case_path_in_float64_and_high_precision():
    """From the origin with η = 1, GD visits k·𝟙 with ‖g‖² = d and loses 3d/4 per step."""
    for xp in (TorchNamespace(), MpNamespace()):
        family, p, x0 = _staircase([4.0, 6.0], [0.0, 0.0], xp)
        iterates = gradient_descent(lambda x: family.grad(p, x, xp), x0, xp.asarray(np.ones(1)), 4)
        assert [float(v) for v in np.asarray(iterates[-1]).ravel()] == [4.0, 4.0]
        assert all(float(xp.sum(family.grad(p, x, xp) ** 2)[0]) == 2.0 for x in iterates)
        drop = family.value(p, iterates[0], xp) - family.value(p, iterates[-1], xp)
        assert float(drop[0]) == 4 * 3 * 2 / 4


def test_search_notices_under_certified_smoothness():
    """If β could sit below the true smoothness, the textbook bound breaks: the check is not vacuous."""
    claim = TEXTBOOK.variant("without-smoothness", drop=[SMOOTHNESS], add=[sp.Ge(beta, 0)])
    assert check(claim, CheckConfig(seed=0, **QUICK)).status == "falsified"


@pytest.mark.parametrize("name, dimension", [("stationarity-textbook~beta-instead-of-2-beta", 1),
                                             ("stationarity-textbook~rate-ignores-step", 1),
                                             ("stationarity-exact-constant~constant-below-4-over-3", 1)])
def test_wrong_variant_is_falsified_with_confirmed_counterexample(falsified, name, dimension):
    assert falsified(VARIANTS, name).dimension <= dimension


def test_beta_instead_of_2_beta_shrinks_to_the_textbook_counterexample(repo_path):
    (claim,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("beta-instead-of-2-beta")]
    shown = check(claim, CheckConfig(seed=0, device="cpu")).counterexample.shown
    # docs/theory.md §2: T = 1, f = x²/2, x₀ = 1: ‖g₀‖² = 1 > β(f₀ − f₁) = 1/2
    assert shown["parameters"]["eigenvalues"] == ["1.0"] and shown["x0"] == ["1.0"]
    assert shown["integers"] == {"T": 1} and shown["hyperparameters"] == {"beta": "1.0", "eta": "1.0"}
