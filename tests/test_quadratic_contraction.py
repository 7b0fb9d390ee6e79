"""GD contraction on positive definite quadratics (docs/theory.md §3): both rates hold and are
attained, the generator only yields symmetric positive definite A with exact extreme
eigenvalues, and every wrong variant is falsified with a confirmed, small counterexample."""
import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from odl_verify import check, CheckConfig, reproduce
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.families import DEFINITE_QUADRATICS, Quadratic
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.quadratic_contraction import GENERAL_STEP, SHORT_STEP
from sweeps import quick_first

VARIANTS = "tests/variants/quadratic_contraction_wrong.py"


@pytest.mark.parametrize("claim, seed", quick_first({"general-step@2"}, [(SHORT_STEP, 1), (GENERAL_STEP, 2)],
                                                    ids=["short-step@1", "general-step@2"]))  # seed 0: the theorem item
def test_rate_holds_and_is_attained_along_an_extreme_eigenvector(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=6))
    assert verdict.status == "held", verdict.counterexample
    assert verdict.tightness >= 0.999
    assert verdict.worst_slack >= -1e-9


def test_claims_run_only_on_positive_definite_quadratics_up_to_dimension_256():
    for claim in (SHORT_STEP, GENERAL_STEP):
        assert claim.families == DEFINITE_QUADRATICS and all(f.definite for f in claim.families)
        assert claim.dimensions == (1, 256)
    assert SHORT_STEP.describe_domains() == ["η ∈ (0, 1/λₘₐₓ]"]
    assert GENERAL_STEP.describe_domains() == ["η ∈ (0, 2/λₘₐₓ)"]


@settings(max_examples=25, deadline=None, database=None)
@given(st.integers(1, 12).flatmap(lambda d: DEFINITE_QUADRATICS[0].strategy(d)))
def test_generator_yields_symmetric_positive_definite_matrices_with_certified_extremes(raw):
    family, xp = DEFINITE_QUADRATICS[0], TorchNamespace()
    params = family.constrain({k: torch.as_tensor(v)[None] for k, v in raw.items()}, xp)
    d = params["eigenvalues"].shape[-1]
    # A's columns are the gradients at the basis vectors
    matrix = family.grad({k: v.expand(d, *v.shape[1:]) for k, v in params.items()},
                         torch.eye(d, dtype=torch.float64), xp).T
    assert torch.allclose(matrix, matrix.T, atol=1e-9 * float(matrix.abs().max()))
    eigenvalues = torch.linalg.eigvalsh(matrix)
    constants = family.constants(params, xp)
    assert float(eigenvalues.min()) > 0
    assert float(constants["lambda_max"][0]) / float(constants["lambda_min"][0]) <= 1e6 * (1 + 1e-12)
    for value, certified in ((eigenvalues.min(), "lambda_min"), (eigenvalues.max(), "lambda_max")):
        assert float(value) == pytest.approx(float(constants[certified][0]), rel=1e-8)


@dataclasses.dataclass(frozen=True, repr=False)
class _OverstatedLambdaMin(Quadratic):
    """Certifies λ_min 1% too large: the short-step rate must then fail from the bottom eigenvector."""

    def constants(self, p, xp):
        return {**super().constants(p, xp), "lambda_min": 1.01 * xp.min(p["eigenvalues"])}


def test_a_wrong_certified_constant_is_caught():
    claim = SHORT_STEP.variant("overstated-lambda-min", families=(_OverstatedLambdaMin(definite=True),))
    verdict = check(claim, CheckConfig(seed=0, device="cpu", examples=6))
    assert verdict.status == "falsified"
    assert float(verdict.counterexample.slack_exact) < 0


@pytest.mark.parametrize("name, dimension", [
    ("quadratic-contraction-short-step~short-step-rate-up-to-2-over-lambda-max", 1),
    ("quadratic-contraction-general-step~converges-at-2-over-lambda-max", 2)])
def test_wrong_variant_is_falsified_with_confirmed_counterexample(falsified, name, dimension):
    assert falsified(VARIANTS, name).dimension == dimension


def test_step_2_over_lambda_max_keeps_the_norm_along_the_top_eigenvector(repo_path):
    (claim,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("converges-at-2-over-lambda-max")]
    shown = check(claim, CheckConfig(seed=0, device="cpu")).counterexample.shown
    eigenvalues = [float(v) for v in shown["parameters"]["eigenvalues"]]
    assert float(shown["hyperparameters"]["eta"]) == pytest.approx(2 / max(eigenvalues))
    assert shown["measured"]["norm_t"] == shown["measured"]["norm_0"]


def test_textbook_counterexample_of_the_short_step_rate_beyond_1_over_lambda_max(repo_path):
    """docs/theory.md §3: A = diag(1, 10), η = 0.19, x₀ = e₂, t = 1 gives ‖x₁‖ = 0.9 > 0.81."""
    (claim,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("up-to-2-over-lambda-max")]
    case = {"family": "quadratic-pd", "raw": {"spectrum": [0.0, float(np.log(10))], "reflectors": []},
            "x0": [0.0, 1.0], "tau": {"eta": 0.19 * 10 / 2}, "integers": {"t": 1}}
    replay = reproduce(claim, case)
    assert replay["violated"]
    assert replay["float64"]["observed side"] == pytest.approx(0.9)
    assert replay["float64"]["bound side"] == pytest.approx(0.81)
