"""The reference rules of torch.optim's optimizers: each follows torch 2.13 step by step in float64,
runs unchanged on mpmath (60 digits) and on sympy symbols, and the float32 scalar state of NAdam
and ASGD is exactly what torch does when the default dtype is float32."""
import dataclasses

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify.definitions.backend import MpNamespace, SympyNamespace, TorchNamespace
from odl_verify.definitions.methods import iterates
from odl_verify.definitions.methods import torch_optim as T

CASES = [
    (T.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    (T.SGD, dict(lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True)),
    (T.Adagrad, dict(lr=0.1, lr_decay=0.3, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-3, maximize=True)),
    (T.RMSprop, dict(lr=0.1, alpha=0.7, eps=1e-3, weight_decay=0.1, momentum=0.5, centered=True, maximize=True)),
    (T.Adadelta, dict(lr=0.5, rho=0.7, eps=1e-3, weight_decay=0.1, maximize=True)),
    (T.Adam, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True, maximize=True)),
    (T.AdamW, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True)),
    (T.NAdam, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, momentum_decay=0.3, maximize=True)),
    (T.NAdam, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, decoupled_weight_decay=True)),
    (T.RAdam, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, maximize=True)),
    (T.RAdam, dict(lr=0.1, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1, decoupled_weight_decay=True)),
    (T.Adamax, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, maximize=True)),
    (T.ASGD, dict(lr=0.1, lambd=0.3, alpha=0.6, t0=2, weight_decay=0.1, maximize=True)),
    (T.Rprop, dict(lr=0.1, etas=(0.4, 1.3), step_sizes=(1e-3, 0.5), maximize=True)),
    (T.Adafactor, dict(lr=0.1, beta2_decay=-0.7, eps=(1e-3, 1e-2), d=1.5, weight_decay=0.1, maximize=True)),
]


@pytest.fixture
def float64_default():
    """torch keeps NAdam's and ASGD's scalar state in the default dtype: float64 here, so the
    exact rule is torch's (the float32 default is tested below as a declared deviation)."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(saved)


def _data(shape, steps=6):
    generator = torch.Generator().manual_seed(0)
    p = torch.randn(shape, dtype=torch.float64, generator=generator)
    grads = [torch.randn(shape, dtype=torch.float64, generator=generator) for _ in range(steps)]
    grads[2] = None  # no step: state and step count stay
    grads[3] = -grads[1]  # a sign flip (Rprop's backtracking)
    return p, grads


@pytest.mark.parametrize("shape", [(5,), (3, 4)], ids=["vector", "matrix"])
@pytest.mark.parametrize("cls, hp", CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)])
def test_reference_rule_follows_torch_and_runs_at_60_digits(float64_default, cls, hp, shape):
    p0, grads = _data(shape)
    rule = cls(**hp)
    reference = iterates(rule, grads, p0.clone(), TorchNamespace())
    param = p0.clone().requires_grad_(True)
    optimizer = getattr(torch.optim, cls.__name__)([param], **hp)
    with mpmath.workdps(60):
        mp = MpNamespace(60)
        exact = iterates(rule, [None if g is None else mp.asarray(g) for g in grads], mp.asarray(p0), mp)
    for g, expected, high in zip(grads, reference[1:], exact[1:]):
        param.grad = None if g is None else g.clone()
        optimizer.step()
        assert torch.allclose(param.detach(), expected, rtol=1e-14, atol=1e-15)
        high = np.asarray(high, dtype=object).reshape(-1)
        assert max(abs(float(h) - e) for h, e in zip(high, expected.reshape(-1).tolist())) < 1e-13


def test_sparse_adam_updates_only_the_entries_its_gradient_holds(float64_default):
    p0, grads = _data((6,))
    masks = [torch.tensor([1, 0, 1, 1, 0, 0], dtype=torch.bool), torch.tensor([0, 0, 1, 0, 1, 0], dtype=torch.bool),
             None, torch.zeros(6, dtype=torch.bool), torch.ones(6, dtype=torch.bool), torch.tensor([1, 0] * 3).bool()]
    pairs = [None if m is None else (torch.where(m, g, 0.0), m) for g, m in zip(grads, masks)]
    rule = T.SparseAdam(lr=0.1, betas=(0.8, 0.9), eps=1e-3, maximize=True)
    reference = iterates(rule, pairs, p0.clone(), TorchNamespace())
    param = p0.clone().requires_grad_(True)
    optimizer = torch.optim.SparseAdam([param], lr=0.1, betas=(0.8, 0.9), eps=1e-3, maximize=True)
    for pair, expected in zip(pairs, reference[1:]):
        param.grad = None if pair is None else pair[0].sparse_mask(pair[1].to_sparse())
        before = param.detach().clone()
        optimizer.step()
        assert torch.allclose(param.detach(), expected, rtol=1e-14, atol=1e-15)
        if pair is not None:
            assert torch.equal(param.detach()[~pair[1]], before[~pair[1]])  # absent entries untouched


def _objective(x, xp):
    """½Σλ(x − c)² + Σ log cosh x: smooth, not quadratic, so L-BFGS's memory and line search matter."""
    lam, c = xp.asarray([1.0, 3.0, 10.0, 0.5]), xp.asarray([1.0, -2.0, 0.5, 3.0])
    log_cosh = xp.log((xp.exp(x) + xp.exp(-x)) / 2)
    return xp.sum(0.5 * lam * (x - c) ** 2 + log_cosh), lam * (x - c) + (xp.exp(x) - xp.exp(-x)) / (xp.exp(x) + xp.exp(-x))


@pytest.mark.parametrize("hp", [dict(), dict(lr=0.5, max_iter=5, history_size=2),
                                dict(line_search_fn="strong_wolfe", max_iter=3, history_size=3, lr=0.7)])
def test_lbfgs_follows_torch_with_and_without_line_search(hp):
    torch_xp = TorchNamespace()
    rule = T.LBFGS(**hp)
    reference = iterates(rule, [0, 0, 0], torch.zeros(4, dtype=torch.float64), torch_xp,
                         objective=lambda x: _objective(x, torch_xp))
    with mpmath.workdps(60):
        mp = MpNamespace(60)
        exact = iterates(rule, [0, 0, 0], mp.asarray(np.zeros(4)), mp, objective=lambda x: _objective(x, mp))
    x = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([x], **hp)

    def closure():
        loss, grad = _objective(x.detach(), torch_xp)
        x.grad = grad
        return loss

    for expected, high in zip(reference[1:], exact[1:]):
        optimizer.step(closure)
        assert torch.allclose(x.detach(), expected, rtol=1e-13, atol=1e-14)
        assert np.allclose(np.asarray(high, dtype=float), expected.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls, hp, quantity", [
    (T.NAdam, dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, momentum_decay=0.3), "mu_product"),
    (T.ASGD, dict(lr=0.1, lambd=0.3, alpha=0.6, t0=2, weight_decay=0.1), "eta"),
])
def test_float32_scalar_state_is_torchs_deviation_under_the_float32_default(cls, hp, quantity):
    """With float64 parameters and torch's float32 default dtype, torch rounds the scalar state to
    float32: the exact rule is off by far more than float64 roundoff, the declared variant is not."""
    assert torch.get_default_dtype() == torch.float32
    p0, grads = _data((5,), steps=30)
    grads = [g if g is not None else grads[0] for g in grads]
    rule = cls(**hp)
    exact = iterates(rule, grads, p0.clone(), TorchNamespace())
    stored = iterates(dataclasses.replace(rule, scalar_state="float32"), grads, p0.clone(), TorchNamespace())
    param = p0.clone().requires_grad_(True)
    optimizer = getattr(torch.optim, cls.__name__)([param], **hp)
    off_exact = off_stored = 0.0
    for g, e, s in zip(grads, exact[1:], stored[1:]):
        param.grad = g.clone()
        optimizer.step()
        off_exact = max(off_exact, float((param.detach() - e).abs().max()))
        off_stored = max(off_stored, float((param.detach() - s).abs().max()))
    assert optimizer.state[param][quantity].dtype == torch.float32
    assert off_exact > 1e-10 and off_stored < 1e-15


def test_rules_give_formulas_on_sympy():
    x, g, lr, eps = sp.symbols("x g lr epsilon", positive=True)
    b1, b2 = sp.Rational(9, 10), sp.Rational(999, 1000)
    sym = SympyNamespace()
    # Adamax: u₁ = |g| + ε and 1 − β₁ = m₁/g, so the first step is lr·g/(|g| + ε)
    step1 = iterates(T.Adamax(lr=lr, betas=(b1, b2), eps=eps), [g], x, sym)[1]
    assert sp.simplify(step1 - (x - lr * g / (g + eps))) == 0
    # Rprop: the first step is the (clamped) lr along sign(g); after a flip nothing moves
    _, x1, x2 = iterates(T.Rprop(lr=lr), [g, -g], x, sym)
    assert sp.simplify(x1 - (x - sp.Min(50, sp.Max(1e-6, lr)))) == 0 and sp.simplify(x2 - x1) == 0
    # NAdam's μ-schedule and ASGD's decay stay symbolic
    psi = sp.Symbol("psi", positive=True)
    nadam = iterates(T.NAdam(lr=lr, betas=(b1, b2), eps=0, momentum_decay=psi), [g], x, sym)[1]
    # at ψ = 0, μ_t = β₁/2 = μ: θ₁ = x − lr − lr·μ(1 − β₁)/(1 − μ²) (the gradient term is a unit step)
    mu = b1 / 2
    assert nadam.has(psi) and abs(float((nadam.subs(psi, 0) - (x - lr - lr * mu * (1 - b1) / (1 - mu ** 2))).subs(lr, 1))) < 1e-15
    lam = sp.Symbol("lambda", positive=True)
    asgd = iterates(T.ASGD(lr=lr, lambd=lam), [g], x, sym)[1]
    assert sp.simplify(asgd - (x * (1 - lam * lr) - lr * g)) == 0
    # SparseAdam with the entry present is Adam's first step; absent, nothing moves
    present, absent = iterates(T.SparseAdam(lr=lr, betas=(b1, b2), eps=0), [(g, True)], x, sym)[1], \
        iterates(T.SparseAdam(lr=lr, eps=0), [(g, False)], x, sym)[1]
    assert sp.simplify(present - (x - lr)) == 0 and absent == x
    # Adafactor on a scalar: β₂ = 0 at the first step, so u = g/|g| and the step is α = max(ε₂, |x|)·lr
    adafactor = iterates(T.Adafactor(lr=lr, eps=(0, sp.Rational(1, 1000))), [g], x, sym)[1]
    assert sp.simplify(adafactor.subs({lr: sp.Rational(1, 2), x: 3}) - (3 - sp.Rational(3, 2))) == 0
