"""The methods catalog: every rule against a per-step formula computed by hand, the same rule
in torch (batched) and mpmath, Newton's one-step and affine invariance, the table, and the
heavy-ball bound (tight at the top eigenvector, its wrong variant falsified)."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import CheckConfig, UsageError, check, reproduce
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.methods import (AdaDeltaSlides, AdaGradSlides, AdamSlides, ClipByNorm, GradientDescent, HeavyBall,
                                Nesterov, Newton, RMSPropSlides, iterates, per_instance)
from odl_verify.definitions.methods.catalog import METHODS, OPTIMIZERS, resolve, rule
from odl_verify.frontends.registry import builtin_claims, load_file
from odl_verify.theorems.heavy_ball import HEAVY_BALL_RATE

torch_xp = TorchNamespace("cpu")


def column(*values):
    return torch.tensor([[float(v)] for v in values], dtype=torch.float64)


def quadratic_gradient(x):  # f = x²/2
    return x


# ---------------------------------------------------------------- per-step formulas by hand
@pytest.mark.parametrize("rule_, expected", [
    (GradientDescent(lr=0.5), [1, 0.5, 0.25]),
    # v₁ = −1, x₁ = 1/2; v₂ = −1/2 − 1/2 = −1, x₂ = 0
    (HeavyBall(lr=0.5, momentum=0.5), [1, 0.5, 0.0]),
    # look-ahead x₁ + βv₁ = 0, so v₂ = βv₁ = −1/2 and x₂ = 1/2 − 1/4
    (Nesterov(lr=0.5, momentum=0.5, form="slides"), [1, 0.5, 0.25]),
    # v₁ = −1/2, x₁ = 1/2; look-ahead 1/4, v₂ = −1/4 − 1/8, x₂ = 1/8
    (Nesterov(lr=0.5, momentum=0.5, form="sutskever"), [1, 0.5, 0.125]),
], ids=["gd", "heavy-ball", "nesterov-slides", "nesterov-sutskever"])
def test_first_order_rules_match_hand_computed_steps_on_half_x_squared(rule_, expected):
    xs = iterates(rule_, quadratic_gradient, column(1.0), torch_xp, 2)
    assert [float(x) for x in xs] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("rule_, gradients, expected", [
    # G = 4 then 5, no root: steps 2/4 and 1/5
    (AdaGradSlides(lr=1.0, eps=0.0), [2.0, 1.0], [0.0, -0.5, -0.7]),
    # G₁ = ½·4 = 2, G₂ = 1 + 2 = 3: steps 2/√2 and 2/√3
    (RMSPropSlides(lr=1.0, decay=0.5, eps=0.0), [2.0, 2.0], [0.0, -math.sqrt(2), -math.sqrt(2) - 2 / math.sqrt(3)]),
    # m₁ = 1, G₁ = 2; m₂ = 3/2, G₂ = 3: steps 1/√2 and (3/2)/√3, no bias correction
    (AdamSlides(lr=1.0, betas=(0.5, 0.5), eps=0.0), [2.0, 2.0],
     [0.0, -1 / math.sqrt(2), -1 / math.sqrt(2) - 1.5 / math.sqrt(3)]),
    # G₁ = ½, Δ₁ = √(0 + 1)/√(3/2), u₁ = ½Δ₁² = 1/3; G₂ = 3/4, Δ₂ = √(4/3)/√(7/4)
    (AdaDeltaSlides(lr=1.0, rho=0.5, eps=1.0), [1.0, 1.0],
     [0.0, -1 / math.sqrt(1.5), -1 / math.sqrt(1.5) - math.sqrt(4 / 3) / math.sqrt(1.75)]),
], ids=["adagrad-slides", "rmsprop-slides", "adam-slides", "adadelta-slides"])
def test_adaptive_rules_match_hand_computed_steps(rule_, gradients, expected):
    xs = iterates(rule_, [column(g) for g in gradients], column(0.0), torch_xp)
    assert [float(x) for x in xs] == pytest.approx(expected, abs=1e-14)


def test_slides_adadelta_accumulates_the_squared_norm_of_the_whole_step():
    rule_ = AdaDeltaSlides(lr=1.0, rho=0.5, eps=1.0)
    _, state = rule_.update(torch.zeros(1, 2, dtype=torch.float64), torch.ones(1, 2, dtype=torch.float64),
                            rule_.init(torch.zeros(1, 2, dtype=torch.float64), torch_xp), torch_xp)
    # Δ = (1, 1)/√(3/2): ‖Δ‖² = 4/3 and u₁ = ½·4/3, one number (Zeiler's would be 1/3 per coordinate)
    assert state["acc_delta"].shape == (1,)
    assert float(state["acc_delta"][0]) == pytest.approx(2 / 3, abs=1e-15)


def test_clipping_rescales_to_the_threshold_keeps_small_and_zero_gradients():
    clip = ClipByNorm(GradientDescent(lr=1.0), max_norm=column(1.0, 1.0, 1.0, 10.0))
    g = torch.tensor([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [3.0, 4.0]], dtype=torch.float64)
    clipped = clip.clip(g, torch_xp)
    expected = torch.tensor([[0.6, 0.8], [0.3, 0.4], [0.0, 0.0], [3.0, 4.0]], dtype=torch.float64)
    assert torch.allclose(clipped, expected, rtol=0, atol=1e-15)
    x1 = clip.update(torch.zeros_like(g), g, clip.init(g, torch_xp), torch_xp)[0]
    assert torch.equal(x1, -clipped)


def test_clipping_passes_the_look_ahead_of_the_rule_it_wraps():
    inner = Nesterov(lr=0.5, momentum=0.5, form="sutskever")
    clipped = iterates(ClipByNorm(inner, max_norm=100.0), quadratic_gradient, column(1.0), torch_xp, 3)
    plain = iterates(inner, quadratic_gradient, column(1.0), torch_xp, 3)
    assert torch.equal(torch.cat(clipped), torch.cat(plain))


ALL_GRADIENT_RULES = [GradientDescent(lr=0.3), HeavyBall(lr=0.3, momentum=0.7),
                      Nesterov(lr=0.3, momentum=0.7), Nesterov(lr=0.3, momentum=0.7, form="sutskever"),
                      AdaGradSlides(lr=0.3, eps=1e-3), RMSPropSlides(lr=0.1, decay=0.9, eps=1e-3),
                      AdamSlides(lr=0.1, eps=1e-3), AdaDeltaSlides(lr=0.5, rho=0.9, eps=1e-3),
                      ClipByNorm(HeavyBall(lr=0.3, momentum=0.7), max_norm=0.5)]


@pytest.mark.parametrize("rule_", ALL_GRADIENT_RULES, ids=lambda r: type(r).__name__ + getattr(r, "form", ""))
def test_one_rule_runs_batched_in_torch_and_at_60_digits_in_mpmath(rule_):
    """f = ½xᵀdiag(1, 3)x + cos-free coupling: the torch batch row and the mpmath run agree to float64."""
    scales = np.array([1.0, 3.0])
    x0 = np.array([[1.0, -2.0], [0.5, 0.25]])
    batched = iterates(rule_, lambda x: x * torch.as_tensor(scales), torch.as_tensor(x0), torch_xp, 5)[-1]
    with mpmath.workdps(60):
        mp = MpNamespace(60)
        for row in range(2):
            exact = iterates(rule_, lambda x: x * mp.asarray(scales), mp.asarray(x0[row:row + 1]), mp, 5)[-1]
            assert np.allclose(np.asarray(exact, dtype=float), batched[row:row + 1].numpy(), rtol=1e-12, atol=1e-14)


def test_batched_hyperparameters_act_per_instance():
    rule_ = HeavyBall(lr=per_instance(torch.tensor([0.1, 0.2], dtype=torch.float64)),
                      momentum=per_instance(torch.tensor([0.5, 0.9], dtype=torch.float64)))
    batched = iterates(rule_, quadratic_gradient, column(1.0, 1.0), torch_xp, 4)[-1]
    for row, (lr, momentum) in enumerate([(0.1, 0.5), (0.2, 0.9)]):
        single = iterates(HeavyBall(lr=lr, momentum=momentum), quadratic_gradient, column(1.0), torch_xp, 4)[-1]
        assert float(batched[row]) == pytest.approx(float(single), abs=1e-15)


# ---------------------------------------------------------------- Newton
def _spd(generator, batch, d):
    m = torch.randn(batch, d, d, generator=generator, dtype=torch.float64)
    return m @ m.transpose(-1, -2) + torch.eye(d, dtype=torch.float64)


def test_newton_with_unit_step_solves_a_positive_definite_quadratic_in_one_step():
    generator = torch.Generator().manual_seed(0)
    a, b = _spd(generator, 8, 5), torch.randn(8, 5, generator=generator, dtype=torch.float64)
    grad = lambda x: (a @ x[..., None])[..., 0] - b
    x1 = iterates(Newton(lr=1.0), grad, torch.randn(8, 5, generator=generator, dtype=torch.float64), torch_xp, 1, hessian=lambda x: a)[-1]
    assert torch.allclose(x1, torch.linalg.solve(a, b), rtol=0, atol=1e-10)
    # a damped step only goes part of the way: it must not pass this check
    damped = iterates(Newton(lr=0.5), grad, torch.zeros(8, 5, dtype=torch.float64), torch_xp, 1, hessian=lambda x: a)[-1]
    assert not torch.allclose(damped, torch.linalg.solve(a, b), atol=1e-3)


def test_newton_iterates_are_invariant_under_affine_changes_of_variables():
    """f(x) = logsumexp(Ax) + ½‖x‖², h(y) = f(My + c): Newton on h from y₀ maps to Newton on f from My₀ + c."""
    generator = torch.Generator().manual_seed(1)
    batch, d = 4, 3
    a = torch.randn(batch, 6, d, generator=generator, dtype=torch.float64)
    m = torch.randn(batch, d, d, generator=generator, dtype=torch.float64) + 3 * torch.eye(d, dtype=torch.float64)
    c = torch.randn(batch, d, generator=generator, dtype=torch.float64)

    def grad_f(x):
        p = torch.softmax((a @ x[..., None])[..., 0], dim=-1)
        return (a.transpose(-1, -2) @ p[..., None])[..., 0] + x

    def hess_f(x):
        p = torch.softmax((a @ x[..., None])[..., 0], dim=-1)
        return a.transpose(-1, -2) @ (torch.diag_embed(p) - p[..., None] * p[..., None, :]) @ a + torch.eye(d)

    to_x = lambda y: (m @ y[..., None])[..., 0] + c
    grad_h = lambda y: (m.transpose(-1, -2) @ grad_f(to_x(y))[..., None])[..., 0]
    hess_h = lambda y: m.transpose(-1, -2) @ hess_f(to_x(y)) @ m
    y0 = torch.randn(batch, d, generator=generator, dtype=torch.float64)
    on_h = iterates(Newton(lr=0.7), grad_h, y0, torch_xp, 4, hess_h)
    on_f = iterates(Newton(lr=0.7), grad_f, to_x(y0), torch_xp, 4, hess_f)
    for y, x in zip(on_h, on_f):
        assert torch.allclose(to_x(y), x, rtol=0, atol=1e-10)
    # gradient descent is not affine invariant: the same comparison fails for it
    gd_h = iterates(GradientDescent(lr=0.05), grad_h, y0, torch_xp, 4)[-1]
    gd_f = iterates(GradientDescent(lr=0.05), grad_f, to_x(y0), torch_xp, 4)[-1]
    assert not torch.allclose(to_x(gd_h), gd_f, atol=1e-3)


def test_newton_runs_in_mpmath_and_sympy():
    with mpmath.workdps(60):
        mp = MpNamespace(60)
        a = mp.asarray(np.array([[[2.0, 1.0], [1.0, 3.0]]]))
        b = mp.asarray(np.array([[1.0, 1.0]]))
        x1 = iterates(Newton(), lambda x: (a @ x[..., None])[..., 0] - b, mp.asarray(np.zeros((1, 2))), mp, 1, lambda x: a)[-1]
        assert [mpmath.nstr(v, 30) for v in x1[0]] == [mpmath.nstr(mpmath.mpf(2) / 5, 30), mpmath.nstr(mpmath.mpf(1) / 5, 30)]
    from odl_verify.definitions.backend import SympyNamespace
    x, lam, target = sp.symbols("x lambda target", positive=True)
    step = iterates(Newton(), lambda p: lam * (p - target), x, SympyNamespace(), 1, lambda p: lam)[-1]
    assert sp.simplify(step - target) == 0


# ---------------------------------------------------------------- the table
def test_catalog_lists_every_method_of_the_slides_and_of_torch_optim():
    assert set(METHODS) == {"gd", "heavy-ball", "nesterov", "newton", "adagrad", "rmsprop", "adadelta", "adam",
                            "clip-by-norm", "perturbed-gd", "adamw", "nadam", "radam", "adamax", "asgd", "rprop",
                            "adafactor", "sparse-adam", "lbfgs", "clip-by-value"}
    # every optimizer row of the gate's table points back at methods of the catalog
    assert all(set(info.methods) <= set(METHODS) for info in OPTIMIZERS.values())


@pytest.mark.parametrize("name", sorted(METHODS))
def test_catalog_entries_resolve_and_their_defaults_lie_in_their_domains(name):
    info = METHODS[name]
    for h in info.hyperparameters:
        if h.default is not None:
            value = sp.Tuple(*h.default) if isinstance(h.default, tuple) else sp.sympify(h.default)
            assert h.domain.contains(value) == sp.true, h
    for form_name, form in info.forms.items():
        target = resolve(form.rule)
        if not form.rule_protocol:
            assert callable(target)
            continue
        extra = {"inner": GradientDescent()} if name.startswith("clip-by") else {}
        built = rule(name, form_name, **extra)
        assert hasattr(built, "init") and hasattr(built, "update")
        for key, value in form.fixed.items():
            assert getattr(built, key) == value
    known = builtin_claims()
    for claim in info.claims:
        assert claim in known, f"{name} lists {claim!r}, which odl-verify check does not know"


@pytest.mark.parametrize("call, message", [
    (lambda: rule("sgd-nesterov"), "unknown method"),
    (lambda: rule("adam", "amsgrad"), "has no form"),
    (lambda: rule("adadelta", "published", lr=0.5), "fixes lr=1.0"),
    (lambda: rule("perturbed-gd", "published"), "not an update rule"),
])
def test_catalog_rejects_bad_requests_with_a_reason(call, message):
    with pytest.raises(UsageError, match=message):
        call()


def test_nesterov_rejects_an_unknown_form():
    with pytest.raises(ValueError, match="form"):
        Nesterov(form="literal")


# ---------------------------------------------------------------- heavy ball at Polyak's parameters
def test_heavy_ball_bound_is_attained_along_the_top_eigenvector_at_60_digits():
    """κ = 4: x_t = (−ρ)ᵗ(1 + t(1 + ρ))x₀ along e_L, the bound with equality (ρ = 1/3)."""
    case = {"family": "quadratic-pd", "raw": {"spectrum": [math.log(4.0), 0.0], "reflectors": []},
            "x0": [1.0, 0.0], "tau": {}, "integers": {"t": 1}}
    for steps in (1, 2, 5, 12):
        case["integers"]["t"] = steps
        replay = reproduce(HEAVY_BALL_RATE, case)
        assert not replay["violated"]
        assert replay["float64"]["slack"] == pytest.approx(0.0, abs=1e-14)
        assert replay["float64"]["bound side"] == pytest.approx((1 + steps * 4 / 3) / 3 ** steps, rel=1e-13)


@pytest.mark.parametrize("x0, norm_1", [([0.0, 1.0], 5 / 9), ([1.0, 0.0], 7 / 9)], ids=["e_mu", "e_L"])
def test_spectral_radius_alone_is_falsified_at_kappa_4_and_t_1(repo_path, x0, norm_1):
    """κ = 4 (μ = 1, L = 4), α* = 4/9: x₁ = (1 − α*λ)x₀ is 5/9 along e_μ (docs/theory.md §3), −7/9 along e_L; ρ = 1/3."""
    (wrong,) = [c for c in load_file(repo_path("tests/variants/heavy_ball_wrong.py")) if c.name.endswith("spectral-radius-only")]
    case = {"family": "quadratic-pd", "raw": {"spectrum": [math.log(4.0), 0.0], "reflectors": []},
            "x0": x0, "tau": {}, "integers": {"t": 1}}
    replay = reproduce(wrong, case)
    assert replay["violated"]
    shown = replay["counterexample"]
    assert float(shown["measured"]["norm_t"]) == pytest.approx(norm_1, rel=1e-12)
    assert float(shown["observed side"]) == pytest.approx(norm_1, rel=1e-12)
    assert float(shown["bound side"]) == pytest.approx(1 / 3, rel=1e-12)


def test_search_falsifies_the_spectral_radius_variant_with_a_confirmed_shrunk_counterexample(repo_path, wrong_variant):
    (wrong,) = [c for c in load_file(repo_path("tests/variants/heavy_ball_wrong.py")) if c.name.endswith("spectral-radius-only")]
    verdict = wrong_variant(check(wrong, CheckConfig(seed=0, device="cpu")))
    assert verdict.status == "falsified"
    example = verdict.counterexample
    assert float(example.slack_exact) < 0
    assert example.case["integers"]["t"] == 1 and example.dimension <= 2
    assert reproduce(wrong, example.case)["violated"]
