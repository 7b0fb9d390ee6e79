"""Worst-case instances as families: gradient descent's worst cases on L-smooth functions (the tooth
staircase, the zigzag) are certified by construction, reproduce the PEP's worst case when GD runs on
them in float64 and at 60 digits, keep true constants under any jitter, and agree with the PEP's own
primal solution from the cache."""
import mpmath
import numpy as np
import pytest
import torch

from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import Instance, PiecewiseQuadratic, SmoothInterpolant
from odl_verify.definitions.families.worst_case_data import smooth_interpolation_constant, tooth_staircase, zigzag
from odl_verify.definitions.methods import gradient_descent
from odl_verify.engine.oracle import cached_designer
from odl_verify.theorems.stationarity import EXACT_LONG_STEP, EXACT_SHORT_STEP

TORCH = TorchNamespace()


def c_of(h):
    """The exact constant of Abbaszadehpeivasti, de Klerk and Zamani (the claims' sympy, evaluated)."""
    return 4 / (h * (4 - h)) if h <= 1 else 4 / (h * (4 - h * h))


def instance(family, raw, xp, rows=1):
    batch = {k: xp.asarray(np.repeat(np.asarray(v, dtype=np.float64)[None], rows, axis=0)) for k, v in raw.items()}
    return Instance(family, family.constrain(batch, xp), xp)


def gd_ratio(family, h, steps, xp, dimension=3):
    """min_{0≤k≤N}‖g_k‖² over its bound c(h)L(f₀ − f_N)/N, and over L(f₀ − f*)/(N/c(h) + 1/2), GD from the origin."""
    f = instance(family, family.designed({"step": h, "steps": steps}, dimension), xp)
    L = f.constants()["smoothness"]
    points = gradient_descent(f.grad, xp.asarray(np.zeros((1, dimension))), h / L, steps)
    smallest = min(float(xp.sum(f.grad(x) ** 2)[0]) for x in points)
    drop = float((f.value(points[0]) - f.value(points[-1]))[0])
    above_f_star = float((f.value(points[0]) - f.constants()["f_star"])[0])
    return smallest * steps / (c_of(h) * float(L[0]) * drop), smallest * (steps / c_of(h) + 0.5) / (float(L[0]) * above_f_star)


@pytest.mark.parametrize("design, h", [(tooth_staircase, 0.5), (tooth_staircase, 1.0), (zigzag, 1.5), (zigzag, 1.7)])
def test_closed_forms_are_one_smooth_and_attain_the_exact_constant(design, h):
    data = design(h, 6)
    x, g, f = (torch.as_tensor(data[k])[None] for k in "xgf")
    assert float(smooth_interpolation_constant(x, g, f, TORCH)) == pytest.approx(1.0, abs=1e-12)
    ratio = float((g[0] ** 2).sum(-1).min()) * 6 / (c_of(h) * float(f[0, 0] - f[0, -1]))
    assert ratio == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("family, h, steps", [(PiecewiseQuadratic(), 0.5, 5), (PiecewiseQuadratic(), 1.0, 4),
                                              (SmoothInterpolant(), 1.5, 5), (SmoothInterpolant(), 1.0, 3)])
def test_gradient_descent_on_a_designed_instance_is_the_worst_case(family, h, steps):
    """Ratio 1 to the exact bound, in float64 and at 60 digits, against f(x_N) and against the certified f*."""
    for xp in (TORCH, MpNamespace(60)):
        with mpmath.workdps(60):
            against_f_n, against_f_star = gd_ratio(family, h, steps, xp)
        assert against_f_n == pytest.approx(1.0, abs=1e-12)
        assert against_f_star == pytest.approx(1.0, abs=1e-12)


def test_a_one_dimensional_instance_reaches_only_the_short_step_constant_beyond_h_1():
    """(4 − h²)/(4 − h) of the bound at h = 1.5: why the zigzag is needed there."""
    assert gd_ratio(PiecewiseQuadratic(), 1.5, 3, TORCH)[0] == pytest.approx((4 - 2.25) / 2.5, abs=1e-12)


@pytest.mark.parametrize("family", [PiecewiseQuadratic(), SmoothInterpolant()])
def test_constants_stay_true_under_any_jitter(family):
    """Random parameters far from the design: the gradient is L-Lipschitz with the certified L, the value
    integrates the gradient, and nothing lies below the certified f*."""
    generator = np.random.default_rng(0)
    raw = family.designed({"step": 1.3, "steps": 4}, 2)
    rows = 64
    jittered = {k: np.asarray(v)[None] + generator.normal(size=(rows, *np.shape(v))) for k, v in raw.items()}
    params = family.constrain({k: torch.as_tensor(v) for k, v in jittered.items()}, TORCH)
    f = Instance(family, params, TORCH)
    constants = f.constants()
    x = torch.as_tensor(generator.normal(size=(rows, 2)) * 3)
    y = x + torch.as_tensor(generator.normal(size=(rows, 2)) * 10 ** generator.uniform(-4, 1, size=(rows, 1)))
    lipschitz = (f.grad(x) - f.grad(y)).norm(dim=-1) / (x - y).norm(dim=-1)
    assert bool((lipschitz <= constants["smoothness"] * (1 + 1e-9)).all())
    assert bool((f.value(x) >= constants["f_star"] - 1e-9).all())
    step = 1e-6 * torch.as_tensor(generator.normal(size=(rows, 2)))
    slope = (f.value(x + step) - f.value(x - step)) / 2
    assert torch.allclose(slope, (f.grad(x) * step).sum(-1), atol=1e-10)


def test_a_jittered_instance_keeps_gradient_descent_on_its_data():
    """The smooth interpolant certifies L ≥ the data's interpolation constant, so GD at its design step
    still visits the data's points after a jitter (the measured ratio falls, nothing false is claimed)."""
    family = SmoothInterpolant()
    raw = family.designed({"step": 1.5, "steps": 4}, 2)
    raw["g"] = raw["g"] + 0.01 * np.random.default_rng(1).normal(size=raw["g"].shape)
    f = instance(family, raw, TORCH)
    points = gradient_descent(f.grad, torch.zeros(1, 2, dtype=torch.float64), torch.tensor([1.5]), 4)
    assert float(f.constants()["smoothness"][0]) > 1
    assert torch.allclose(torch.stack(points, 1)[0], f.params["x"][0], atol=1e-12)


@pytest.mark.parametrize("claim, family, h, steps", [(EXACT_SHORT_STEP, PiecewiseQuadratic, 0.5, 5),
                                                     (EXACT_LONG_STEP, SmoothInterpolant, 1.5, 5)])
def test_the_pep_solution_is_the_closed_form_and_a_family_through_it_is_the_worst_case(claim, family, h, steps):
    """The PEP's primal worst case (logdet-reduced, from the cache) has the closed form's rank, unit
    gradients and per-step decrease, and the family built through it reaches the bound."""
    data = cached_designer(claim)(h, steps)
    closed = (tooth_staircase if h <= 1 else zigzag)(h, steps)
    assert np.shape(data["g"])[1] == closed["g"].shape[1]
    assert np.allclose(np.sqrt(np.sum(data["g"] ** 2, axis=1)), 1, atol=1e-5)
    assert np.allclose(data["f"], closed["f"], atol=1e-5)
    against_f_n, _ = gd_ratio(family(designer=cached_designer(claim)), h, steps, TORCH)
    assert against_f_n == pytest.approx(1.0, abs=1e-5)
