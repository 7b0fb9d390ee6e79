"""Initialization beyond Kaiming (docs/theory.md §13): the laws are consistent with Kaiming's, the
factors are derived, every wrong variant is falsified, and the isometry test rejects more than
rounding. (The true claims of theorems/initialization.py are test items of the plugin.)"""
import sympy as sp
import torch
import pytest

from odl_verify import CheckConfig, check
from odl_verify.engine.networks import haar_orthogonal
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.initialization import (DYNAMICAL_ISOMETRY, GLOROT_BACKWARD, GLOROT_BACKWARD_FACTOR,
                                                GLOROT_FORWARD, GLOROT_FORWARD_FACTOR, KAIMING_VARIANCES,
                                                XAVIER_VARIANCE, gain, n_in, n_out)
from odl_verify.theorems.kaiming import GLOROT, KAIMING_VARIANCE

QUICK = CheckConfig(seed=0, device="cpu", examples=4)


def test_the_gain_table_agrees_with_kaimings_and_glorots_variances():
    assert sp.simplify(KAIMING_VARIANCES["leaky_relu"] - KAIMING_VARIANCE) == 0
    assert XAVIER_VARIANCE.subs(gain, 1) == GLOROT
    # Glorot's factors are derived from the linear layer laws, not only stated: 1 -> 3 gives 1/2 and 3/2
    assert GLOROT_FORWARD.theory.subs({n_in: 1, n_out: 3}) == sp.Rational(1, 2)
    assert sp.simplify(GLOROT_BACKWARD.theory - GLOROT_BACKWARD_FACTOR) == 0
    assert sp.simplify(GLOROT_FORWARD.theory - GLOROT_FORWARD_FACTOR) == 0


@pytest.mark.parametrize("name", ["glorot-forward-factor~preserves-forward-moment", "glorot-factors-multiply-to-1",
                                  "orthogonal-dynamical-isometry~gaussian-weights"])
def test_wrong_variant_is_falsified(repo_path, name):
    (claim,) = [c for c in load_file(repo_path("tests/variants/initialization_wrong.py")) if c.name == name]
    verdict = check(claim, QUICK)
    assert verdict.status == "falsified"
    tests = verdict.details.get("tests")
    if tests:  # Holm at 1e-6: the smallest p-value is below 1e-6/m
        assert min(t["p_value"] for t in tests if t["rejected"]) <= 1e-6 / len(tests)


def test_isometry_test_holds_to_rounding_and_rejects_more():
    layers = haar_orthogonal(30, 64, torch.Generator().manual_seed(0), "cpu")
    jacobian = torch.linalg.multi_dot(list(layers.unbind(0)))
    assert DYNAMICAL_ISOMETRY.jacobian_test("haar", jacobian, 1.0, 30).p_value == 1.0
    assert DYNAMICAL_ISOMETRY.jacobian_test("scaled", 2.0**30 * jacobian, 2.0, 30).p_value == 1.0
    off = jacobian @ (torch.eye(64, dtype=torch.float64) + 1e-9 * torch.diag(torch.linspace(-1, 1, 64,
                                                                                            dtype=torch.float64)))
    assert DYNAMICAL_ISOMETRY.jacobian_test("off by 1e-9", off, 1.0, 30).p_value == 0.0
