"""Families: analytic gradients, both precisions, and certified constants that really bound."""
import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import DEFINITE_QUADRATICS, SMOOTH_FAMILIES, Quadratic
from odl_verify.definitions.trees import tree_map

FAMILIES = SMOOTH_FAMILIES + DEFINITE_QUADRATICS
xp = TorchNamespace("cpu")


def _batch(raw):
    return tree_map(lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64), raw)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=15, deadline=None)
@given(data=st.data(), d=st.integers(1, 5))
def test_gradient_matches_autograd_and_smoothness_bounds_hessian(family, data, d):
    raw = data.draw(family.strategy(d))
    x = torch.as_tensor(data.draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)),
                        dtype=torch.float64)[None]
    params = family.constrain(_batch(raw), xp)
    x.requires_grad_(True)
    value = family.value(params, x, xp)
    (auto,) = torch.autograd.grad(value.sum(), x)
    assert torch.allclose(family.grad(params, x, xp), auto, rtol=1e-9, atol=1e-9)
    hessian = torch.autograd.functional.hessian(lambda y: family.value(params, y[None], xp).sum(), x[0].detach())
    curvature = torch.linalg.eigvalsh(hessian).abs().max()
    certified = family.constants(params, xp)["smoothness"][0]
    assert curvature <= certified * (1 + 1e-9) + 1e-9


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), d=st.integers(1, 4))
def test_high_precision_agrees_with_float64(family, data, d):
    raw = data.draw(family.strategy(d))
    x = np.asarray(data.draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)))
    params = family.constrain(_batch(raw), xp)
    expected = family.value(params, torch.as_tensor(x[None]), xp)[0].item()
    smooth = family.constants(params, xp)["smoothness"][0].item()
    with mpmath.workdps(40):
        mp = MpNamespace()
        mp_params = family.constrain(tree_map(lambda a: mp.asarray(np.asarray(a)[None]), raw), mp)
        got = family.value(mp_params, mp.asarray(x[None]), mp)[0]
        mp_smooth = family.constants(mp_params, mp)["smoothness"][0]
    assert float(got) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert float(mp_smooth) == pytest.approx(smooth, rel=1e-9, abs=1e-12)


def test_definite_quadratic_respects_condition_bound_and_directions():
    family = Quadratic(definite=True, max_condition=100.0)
    raw = {"spectrum": np.array([-9.0, 0.0, 9.0]), "reflectors": np.array([[1.0, 2.0, 0.5]])}
    params = family.constrain(_batch(raw), xp)
    constants = family.constants(params, xp)
    assert constants["lambda_max"] / constants["lambda_min"] == pytest.approx(100.0)
    top = family.direction("top-eigenvector", params, xp)
    assert torch.allclose(family.grad(params, top, xp), constants["lambda_max"] * top)
