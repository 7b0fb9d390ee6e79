"""The families of docs/theory.md §7–§10 and §15: exact gradients and Hessians, constants that
really hold (checked at drawn points, so a wrong certificate is caught), minimizers that are
minimizers, and the same numbers in float64 and at 60 digits."""
import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import (CurvatureKink, FiniteNoise, Huber, L0L1Smooth, OnlineLinear,
                                             LessardRechtPackard, PseudoHuber, Quadratic, ReddiProblem)
from odl_verify.definitions.trees import tree_map

xp = TorchNamespace("cpu")
SEPARABLE = [Huber(), Huber(strongly_convex=True), LessardRechtPackard(), CurvatureKink(), PseudoHuber(), L0L1Smooth()]
WITH_HESSIAN = SEPARABLE + [Quadratic(definite=True), Quadratic(definite=True, isotropic=True)]


def _batch(raw):
    return tree_map(lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64), raw)


def _draw(data, family, d, scale=3.0):
    params = family.constrain(_batch(data.draw(family.strategy(d))), xp)
    x = torch.as_tensor(data.draw(st.lists(st.floats(-scale, scale), min_size=d, max_size=d)), dtype=torch.float64)
    return params, x[None]


def _autograd_hessian(family, params, x):
    return torch.autograd.functional.hessian(lambda y: family.value(params, y[None], xp).sum(), x[0])


@pytest.mark.parametrize("family", WITH_HESSIAN, ids=lambda f: f.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 4))
def test_gradient_and_hessian_are_exact(family, data, d):
    params, x = _draw(data, family, d)
    x.requires_grad_(True)
    (auto,) = torch.autograd.grad(family.value(params, x, xp).sum(), x)
    assert torch.allclose(family.grad(params, x, xp), auto, rtol=1e-9, atol=1e-9)
    hessian = family.hessian(params, x.detach(), xp)[0]
    assert torch.allclose(hessian, _autograd_hessian(family, params, x.detach()), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("family", [f for f in WITH_HESSIAN if {"smoothness", "strong_convexity"} & f.provides],
                         ids=lambda f: f.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 4))
def test_curvature_lies_within_the_certified_bounds(family, data, d):
    params, x = _draw(data, family, d)
    eigenvalues = torch.linalg.eigvalsh(family.hessian(params, x, xp))[0]
    constants = family.constants(params, xp)
    if "smoothness" in family.provides:
        assert float(eigenvalues.max()) <= float(constants["smoothness"][0]) * (1 + 1e-9) + 1e-12
    if "strong_convexity" in family.provides:
        assert float(eigenvalues.min()) >= float(constants["strong_convexity"][0]) * (1 - 1e-9) - 1e-12


@pytest.mark.parametrize("family", [f for f in WITH_HESSIAN if "minimizer" in f.provides], ids=lambda f: f.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 4))
def test_the_certified_minimizer_is_a_minimizer_with_value_f_star(family, data, d):
    params, x = _draw(data, family, d)
    star = family.minimizer(params, xp) + 0 * x
    f_star = float(family.constants(params, xp)["f_star"][0])
    assert float(family.value(params, star, xp)[0]) == pytest.approx(f_star, abs=1e-12)
    assert float(family.grad(params, star, xp).abs().max()) <= 1e-12
    assert float(family.value(params, x, xp)[0]) >= f_star - 1e-12


@pytest.mark.parametrize("family", [CurvatureKink(), PseudoHuber()], ids=lambda f: f.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 3))
def test_hessian_is_lipschitz_with_the_certified_constant(family, data, d):
    params, x = _draw(data, family, d)
    _, y = _draw(data, family, d)
    gap = torch.linalg.matrix_norm(family.hessian(params, x, xp) - family.hessian(params, y, xp), ord=2)[0]
    lipschitz = family.constants(params, xp)["hessian_lipschitz"][0]
    assert float(gap) <= float(lipschitz * (x - y).norm()) * (1 + 1e-9) + 1e-12


def test_hessian_lipschitz_constant_of_pseudo_huber_is_attained():
    """|φ‴| peaks at s = δ/2 with the certified 48/(25√5)·c/δ²: a finite difference there reaches it."""
    family = PseudoHuber()
    params = family.constrain(_batch({"pieces": {"log_weight": [0.0], "log_width": [0.0]}, "center": [0.0],
                                      "reflectors": np.zeros((0, 1))}), xp)
    s, h = 0.5, 1e-6
    at = lambda u: family.pieces(params, torch.tensor([[u]], dtype=torch.float64), 2, xp)
    slope = at(s + h) - at(s - h)
    lipschitz = float(family.constants(params, xp)["hessian_lipschitz"][0])
    assert abs(float(slope) / (2 * h)) == pytest.approx(lipschitz, rel=1e-6)


@settings(max_examples=15, deadline=None)
@given(data=st.data(), d=st.integers(1, 4))
def test_l0_l1_smoothness_holds_at_drawn_points(data, d):
    """‖∇²f(x)‖ ≤ L₀ + L₁‖∇f(x)‖, the definition, at points up to |x| = 6."""
    family = L0L1Smooth()
    params, x = _draw(data, family, d, scale=6.0)
    norm = torch.linalg.matrix_norm(family.hessian(params, x, xp), ord=2)[0]
    constants = family.constants(params, xp)
    bound = constants["L0"][0] + constants["L1"][0] * family.grad(params, x, xp).norm()
    assert float(norm) <= float(bound) * (1 + 1e-9) + 1e-12


def test_quartic_certificate_is_tight_at_its_touching_point():
    """x⁴ with (16/b², b): 12x² = 16/b² + 4b|x|³ at |x| = 2/b, so no smaller L₀ works for that L₁."""
    family = L0L1Smooth()
    b = 2.0
    params = family.constrain(_batch({"pieces": {"kind": [0.5], "log_weight": [0.0], "rate": [1.0],
                                                 "log_quartic": [math.log(b)]}, "center": [0.0],
                                      "reflectors": np.zeros((0, 1))}), xp)
    x = torch.tensor([[2 / b]], dtype=torch.float64)
    constants = family.constants(params, xp)
    bound = constants["L0"][0] + constants["L1"][0] * family.grad(params, x, xp).norm()
    assert float(family.hessian(params, x, xp)[0, 0, 0]) == pytest.approx(float(bound), rel=1e-12)


@pytest.mark.parametrize("family", SEPARABLE + [FiniteNoise(Quadratic(definite=True))], ids=lambda f: f.name)
@settings(max_examples=4, deadline=None)
@given(data=st.data(), d=st.integers(1, 3))
def test_high_precision_agrees_with_float64(family, data, d):
    raw = data.draw(family.strategy(d))
    x = np.asarray(data.draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)))
    params = family.constrain(_batch(raw), xp)
    expected = float(family.value(params, torch.as_tensor(x[None]), xp)[0])
    constants = {k: float(v[0]) for k, v in family.constants(params, xp).items()}
    with mpmath.workdps(40):
        mp = MpNamespace()
        mp_params = family.constrain(tree_map(lambda a: mp.asarray(np.asarray(a)[None]), raw), mp)
        assert float(family.value(mp_params, mp.asarray(x[None]), mp)[0]) == pytest.approx(expected, rel=1e-9, abs=1e-9)
        for name, value in family.constants(mp_params, mp).items():
            assert float(value[0]) == pytest.approx(constants[name], rel=1e-9, abs=1e-12)


@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 3))
def test_finite_noise_has_mean_zero_and_the_certified_variance(data, d):
    family = FiniteNoise(Quadratic(definite=True))
    params, _ = _draw(data, family, d)
    atoms, probabilities = family.noise(params, xp)
    assert float(probabilities.sum()) == pytest.approx(1.0, abs=1e-12)
    assert float((probabilities[:, :, None] * atoms).sum(1).abs().max()) <= 1e-12 * (1 + float(atoms.abs().max()))
    variance = (probabilities * (atoms * atoms).sum(-1)).sum()
    assert float(family.constants(params, xp)["noise_variance"][0]) == pytest.approx(float(variance), rel=1e-12)


def test_online_sequences_are_periodic_times_geometric_and_never_overflow():
    family = OnlineLinear()
    raw = {"period": [[1.0, -2.0], [3.0, 0.5]], "log_ratio": [0.5], "lower": [0.0, -1.0], "log_width": [0.0, 0.0]}
    params = family.constrain(_batch(raw), xp)
    grads = family.gradients(params, 2000, xp)[0]
    factor = torch.exp(0.5 * (torch.arange(2000, dtype=torch.float64) - 1999))
    expected = factor[:, None] * torch.tensor(raw["period"], dtype=torch.float64)[torch.arange(2000) % 2]
    assert torch.allclose(grads, expected, rtol=1e-12, atol=0) and bool(torch.isfinite(grads).all())
    low, high = family.box(params, xp)
    assert torch.equal(high - low, torch.exp(torch.zeros(1, 2, dtype=torch.float64)))


def test_reddi_problem_is_the_period_c_minus_1_minus_1_on_the_unit_box():
    family = ReddiProblem()
    params = family.constrain(_batch({"C": [0.0]}), xp)  # a shrunk C is clipped into the certified range
    assert float(family.constants(params, xp)["C"][0]) == family.low
    assert family.gradients(params, 7, xp)[0, :, 0].tolist() == [2.5, -1, -1, 2.5, -1, -1, 2.5]
    assert [float(v[0, 0]) for v in family.box(params, xp)] == [-1.0, 1.0]
