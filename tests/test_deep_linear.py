"""Deep linear networks (docs/theory.md §12) and the reparametrization note (§16): the family's
derivatives, docs/theory.md's numbers, and the wrong variants shrunk to depth 2."""
import math

import mpmath
import numpy as np
import pytest
import torch

from odl_verify import CheckConfig, check, reproduce
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families.deep_linear import DeepLinear
from odl_verify.frontends.registry import load_file
from odl_verify.theorems import deep_linear, sharpness_reparametrization
from odl_verify.theorems.deep_linear import BALANCEDNESS, EXPONENTIAL_TIME, SADDLE_NOT_STRICT, balanced_steps

VARIANTS = "tests/variants/deep_linear_wrong.py"
REPARAMETRIZATION_VARIANTS = "tests/variants/sharpness_reparametrization_wrong.py"
xp = TorchNamespace("cpu")


def test_gradient_and_hessian_at_a_minimum_match_autograd_and_the_minimum_is_exact():
    family = DeepLinear(at_minimum=True)
    raw = {"log_weights": torch.tensor([[0.4, -1.1, 0.2, 0.9]], dtype=torch.float64),
           "log_target": torch.tensor([[0.3]], dtype=torch.float64)}
    p = family.constrain(raw, xp)
    w = p["weights"].clone().requires_grad_(True)
    (auto,) = torch.autograd.grad(family.value(p, w, xp).sum(), w)
    assert torch.allclose(auto, family.grad(p, w.detach(), xp), atol=1e-14)
    hessian = torch.autograd.functional.hessian(lambda v: family.value(p, v[None], xp).sum(), p["weights"][0])
    assert torch.allclose(hessian, family.hessian_at_minimum(p, xp)[0], atol=1e-12)
    mp = MpNamespace()
    with mpmath.workdps(60):
        exact = family.constrain({k: mp.asarray(v.numpy()) for k, v in raw.items()}, mp)
        product, _ = family.products(exact["weights"])
        assert abs(product[0] - exact["target"][0, 0]) < mpmath.mpf(10) ** -55  # p = y: a global minimum


def test_gradient_with_zero_weights_needs_no_division():
    family, p = DeepLinear(), {"target": torch.tensor([[0.5]], dtype=torch.float64)}
    w = torch.tensor([[0.0, 2.0, 0.0]], dtype=torch.float64)
    assert family.grad(p, w, xp).tolist() == [[0.0, 0.0, 0.0]]
    w = torch.tensor([[0.0, 2.0, 3.0]], dtype=torch.float64)
    assert family.grad(p, w, xp).tolist() == [[-3.0, 0.0, 0.0]]  # (p − y)·w₂w₃ = −0.5·6


def test_the_depth_3_saddle_is_not_strict_and_depth_2_is():
    verdict = check(SADDLE_NOT_STRICT, CheckConfig(device="cpu"))
    assert verdict.status == "held" and len(verdict.details["identities"]) == 3 + 6 + 1
    (wrong,) = [c for c in load_file(VARIANTS) if c.name.endswith("strict-at-depth-3")]
    assert check(wrong, CheckConfig(device="cpu")).status == "falsified"


@pytest.mark.parametrize("depth, steps, bound", [(10, 157, 153.757), (15, 4706, 4701.870)])
def test_docs_theory_step_counts_from_a_balanced_start(depth, steps, bound):
    # docs/theory.md §12: w₀ = ½, w₁ = ¾, η = 2/L
    tensor = lambda v: torch.tensor([v], dtype=torch.float64)
    count = balanced_steps(tensor(depth), tensor(0.5), tensor(0.75), tensor(2 / depth), tensor(True).bool(), xp)
    assert int(count) == steps
    lower = (0.5 ** (2 - depth) - 0.75 ** (2 - depth)) / ((2 / depth) * (depth - 2))
    assert lower == pytest.approx(bound, abs=1e-3) and lower <= steps


def test_the_step_count_claim_runs_docs_theory_instance_and_skips_runs_outside_its_domain():
    case = {"family": "balanced-deep-linear-run", "x0": [0.0], "tau": {}, "integers": {},
            "raw": {"depth": [10.0], "reach": [0.75], "ratio": [2 / 3], "log_step": [math.log10(0.2)]}}
    replay = reproduce(EXPONENTIAL_TIME, case)
    assert not replay["violated"]
    assert replay["float64"]["observed side"] == 157 and replay["float64"]["bound side"] == pytest.approx(153.757, abs=1e-3)
    case["raw"]["depth"] = [15.0]  # 4706 steps: beyond the 1500-step budget of the checked domain, not run
    assert math.isnan(reproduce(EXPONENTIAL_TIME, case)["float64"]["observed side"])


def test_gd_does_not_conserve_balancedness_on_docs_theory_instance():
    # L = 2, w = (1, 2), y = 0, η = 0.1: w₁² − w₂² goes from −3 to −2.88
    (wrong,) = [c for c in load_file(VARIANTS) if c.name.endswith("~conserved")]
    case = {"family": "deep-linear", "x0": [0.0, 0.0], "integers": {},
            "raw": {"weights": [1.0, 2.0], "target": [0.0]}, "tau": {"eta": 0.1}}
    replay = reproduce(wrong, case)
    assert replay["violated"]
    assert float(replay["counterexample"]["measured"]["balance"]) == -3.0
    assert float(replay["counterexample"]["measured"]["balance_next"]) == pytest.approx(-2.88, abs=1e-12)
    assert not reproduce(BALANCEDNESS, case)["violated"]


def test_conserving_balancedness_is_falsified_at_depth_2(falsified):
    example = falsified(VARIANTS, "deep-linear-gd-balancedness~conserved")
    assert example.dimension == 2


@pytest.mark.parametrize("log_a, sharpness", [(0.0, 2.0), (math.log(2), 17 / 4)])
def test_docs_theory_sharpness_of_the_same_function(log_a, sharpness):
    # ½(ab − 1)² at (1, 1) and (2, ½): the same function, λ_max 2 and 17/4
    case = {"family": "deep-linear-minimum", "x0": [0.0, 0.0], "tau": {}, "integers": {},
            "raw": {"log_weights": [log_a, -log_a], "log_target": [0.0]}}
    replay = reproduce(sharpness_reparametrization.SHARPNESS_DEPENDS_ON_PARAMETERS, case)
    assert not replay["violated"]
    measured = reproduce(deep_linear.SHARPNESS, case)
    assert measured["float64"]["observed side"] == pytest.approx(sharpness, rel=1e-14)


def test_sharpness_as_a_property_of_the_function_is_falsified_at_depth_2(falsified):
    example = falsified(REPARAMETRIZATION_VARIANTS, "sharpness-depends-on-parametrization~property-of-the-function")
    assert example.dimension == 2


@pytest.mark.thorough
def test_docs_theory_step_count_at_depth_20_is_tight_to_4e_5():
    tensor = lambda v: torch.tensor([v], dtype=torch.float64)
    count = int(balanced_steps(tensor(20), tensor(0.5), tensor(0.75), tensor(0.1), tensor(True).bool(), xp,
                               cap=200_000))
    bound = (0.5 ** -18 - 0.75 ** -18) / (0.1 * 18)
    assert count == 145543 and 1 - bound / count < 4.2e-5


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(5))
def test_every_claim_holds_and_every_variant_falls_on_seeds_0_to_4(seed, falsified):
    for claim in deep_linear.CLAIMS + sharpness_reparametrization.CLAIMS:
        verdict = check(claim, CheckConfig(seed=seed, device="cpu"))
        assert verdict.status == "held", (claim.name, seed, verdict.error)
        if claim.tight:
            assert verdict.tightness >= 0.999, (claim.name, seed, verdict.tightness)
    assert falsified(VARIANTS, "deep-linear-gd-balancedness~conserved", seed=seed).dimension == 2
    assert falsified(REPARAMETRIZATION_VARIANTS, "sharpness-depends-on-parametrization~property-of-the-function",
                     seed=seed).dimension == 2
