"""Matrix factorization (docs/theory.md §5): the family's gradient, Hessian and critical points are
exact, the strict-saddle bound is attained, and its wrong variants shrink to a scalar."""
import math

import mpmath
import pytest
import torch

from odl_verify import CheckConfig, check, reproduce
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import MatrixFactorization
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.matrix_factorization import MATRIX_FACTORIZATION

_WRONG = {c.name.split("~")[1]: c for c in load_file("tests/variants/matrix_factorization_wrong.py")}
CONSTANT_8, AT_EVERY_CRITICAL_POINT, CRITICAL_POINTS_ARE_MINIMA = (
    _WRONG[name] for name in ("constant-8", "at-every-critical-point", "critical-points-are-minima"))
xp = TorchNamespace("cpu")


def _factorization(sigma, keep, reflectors, rotation, xp_=xp):
    """One instance: its raw parameters (no batch dimension, as a case holds them) and, batched, constrained."""
    raw = {"log_sigma": [math.log(s) for s in sigma], "keep": keep, "reflectors": reflectors, "rotation": rotation}
    return raw, MatrixFactorization().constrain({k: xp_.asarray([v]) for k, v in raw.items()}, xp_)


def test_matrix_factorization_gradient_hessian_and_critical_points_are_exact():
    family = MatrixFactorization()
    reflectors = [[0.3, -0.2, 0.9, 0.1], [0.5, 0.4, -0.1, 0.7]]
    raw, p = _factorization([2.0, 0.5], [0.9, 0.2], reflectors, [[0.6, -0.8]])
    vt = p["vt"][0]
    assert torch.allclose(vt @ vt.T, torch.eye(2, dtype=torch.float64), atol=1e-14)
    x = torch.randn(1, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    (autograd,) = torch.autograd.grad(family.value(p, x, xp).sum(), x)
    assert torch.allclose(autograd, family.grad(p, x, xp), atol=1e-12)
    hessian = torch.autograd.functional.hessian(lambda z: family.value(p, z[None], xp).sum(), x[0].detach())
    assert torch.allclose(hessian, family.hessian(p, x.detach(), xp)[0], atol=1e-12)
    # the critical point is exact: its gradient vanishes at 60 digits, not just in float64
    mp = MpNamespace()
    with mpmath.workdps(60):
        p_mp = family.constrain({k: mp.asarray([v]) for k, v in raw.items()}, mp)
        gradient = family.grad(p_mp, family.critical_point(p_mp, mp), mp)
        assert max(abs(g) for g in gradient.ravel()) < mpmath.mpf(10) ** -55
    c = family.constants(p, xp)
    assert float(c["sigma_r"]) == pytest.approx(0.5) and float(c["left_out"]) == 1.0


def test_matrix_factorization_bound_is_attained_at_the_tight_instance():
    # docs/theory.md §5: d = 4, r = 2, σ = (3, 1), U = √3 v₁ e₁ᵀ rotated: λ_min(∇²f) = −4 = −4σ_r
    raw, _ = _factorization([3.0, 1.0], [1.0, 0.0], [[0.3, -0.2, 0.9, 0.1], [0.5, 0.4, -0.1, 0.7]], [[0.6, -0.8]])
    case = {"family": "matrix-factorization", "raw": raw, "x0": [0.0] * 4, "tau": {}, "integers": {}}
    replay = reproduce(MATRIX_FACTORIZATION, case)
    assert not replay["violated"]
    assert replay["float64"]["bound side"] == pytest.approx(4.0)
    assert replay["float64"]["observed side"] == pytest.approx(4.0, rel=1e-12)  # tightness 1
    # the global minimum of the same M is excluded by the hypothesis, and violates the conclusion
    case["raw"]["keep"] = [1.0, 1.0]
    assert reproduce(AT_EVERY_CRITICAL_POINT, case)["violated"]


@pytest.mark.parametrize("claim", [CONSTANT_8, AT_EVERY_CRITICAL_POINT, CRITICAL_POINTS_ARE_MINIMA],
                         ids=lambda c: c.name)
def test_matrix_factorization_wrong_variants_are_falsified_on_a_scalar(claim, wrong_variant):
    verdict = wrong_variant(check(claim, CheckConfig(seed=0, device="cpu")))
    assert verdict.status == "falsified"
    assert float(verdict.counterexample.slack_exact) < 0
    # shrunk to f(u) = (u² − σ)², d = r = 1: U = 0 (λ = −4σ) or U = √σ (λ = 8σ)
    assert verdict.counterexample.dimension == 1 and len(verdict.counterexample.shown["parameters"]["sigma"]) == 1
    assert reproduce(claim, verdict.counterexample.case)["violated"]
