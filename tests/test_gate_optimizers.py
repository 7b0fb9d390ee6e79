"""The optimizer gate: torch.optim passes, seeded faults are rejected, bad targets give one-line errors."""
import os
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

import faulty_optimizers as F
from odl_verify.definitions.backend import MpNamespace, SympyNamespace, TorchNamespace
from odl_verify.errors import UsageError
from odl_verify.frontends.cli import main
from odl_verify import CheckConfig
from odl_verify.gate import check
from odl_verify.definitions.methods import iterates, torch_optim

sys.path.insert(0, os.path.dirname(__file__))

TORCH = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
         "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


# ------------------------------------------------------------------ reference semantics
HYPERPARAMETERS = [
    ("sgd", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("sgd", dict(lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True)),
    ("adagrad", dict(lr=0.1, lr_decay=0.3, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-3, maximize=True)),
    ("rmsprop", dict(lr=0.1, alpha=0.7, eps=1e-3, weight_decay=0.1, momentum=0.5, centered=True, maximize=True)),
    ("adadelta", dict(lr=0.5, rho=0.7, eps=1e-3, weight_decay=0.1, maximize=True)),
    ("adam", dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("adamw", dict(lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True)),
]


@pytest.mark.parametrize("method,hp", HYPERPARAMETERS)
def test_reference_rules_follow_torch_optim_and_run_in_mpmath(method, hp):
    generator = torch.Generator().manual_seed(0)
    p = torch.randn(5, dtype=torch.float64, generator=generator, requires_grad=True)
    grads = [torch.randn(5, dtype=torch.float64, generator=generator) for _ in range(6)]
    grads[2] = None  # no step: state and step count stay
    rule = torch_optim.REFERENCES[method](**hp)
    reference = iterates(rule, grads, p.detach().clone(), TorchNamespace())
    exact = iterates(rule, [None if g is None else MpNamespace().asarray(g) for g in grads], MpNamespace().asarray(p.detach()), MpNamespace())
    optimizer = TORCH[method]([p], **hp)
    for g, expected, high in zip(grads, reference[1:], exact[1:]):
        p.grad = None if g is None else g.clone()
        optimizer.step()
        assert torch.allclose(p.detach(), expected, rtol=1e-14, atol=1e-15)
        assert max(abs(float(h - e)) for h, e in zip(high, expected.tolist())) < 1e-14


def test_reference_rules_give_formulas_on_sympy_and_numbers_on_numpy():
    x, g, lr, mu, tau = sp.symbols("x g lr mu tau", positive=True)
    sgd = torch_optim.SGD(lr=lr, momentum=mu, dampening=tau)
    _, x1, x2 = iterates(sgd, [g, g], x, SympyNamespace())
    # no dampening on the first step, then b_2 = μ g + (1 − τ) g
    assert sp.simplify(x2 - (x - lr * g - lr * (mu * g + (1 - tau) * g))) == 0
    b1, b2, eps = sp.symbols("beta1 beta2 epsilon", positive=True)
    adam = torch_optim.Adam(lr=lr, betas=(b1, b2), eps=eps)
    step1 = iterates(adam, [g], x, SympyNamespace())[1]
    assert sp.simplify(step1 - (x - lr * g / (g + eps))) == 0  # bias correction makes step 1 lr·g/(|g| + ε)
    numpy_run = iterates(torch_optim.AdamW(lr=0.1), [np.full(3, 2.0)], np.ones(3), np)
    assert np.allclose(numpy_run[1], 1 - 0.1 * 1e-2 - 0.1 * 2 / (2 + 1e-8))


# ------------------------------------------------------------------ torch.optim passes
@pytest.mark.parametrize("method", sorted(TORCH))
def test_torch_optim_passes_on_20_seeds(method):
    for seed in range(20):
        verdict = check(method, TORCH[method], CheckConfig(examples=2, seed=seed))
        assert verdict.status == "held", (seed, verdict.error, verdict.counterexample)
        assert verdict.details["worst_error_over_tolerance"] < 1


def test_a_correct_custom_optimizer_passes_and_same_seed_gives_same_data():
    first = check("adam", F.CorrectAdam, CheckConfig(examples=4, seed=3))
    second = check("adam", F.CorrectAdam, CheckConfig(examples=4, seed=3))
    assert first.status == second.status == "held"
    assert first.coverage == second.coverage and first.details["worst_error_over_tolerance"] == \
        second.details["worst_error_over_tolerance"]


# ------------------------------------------------------------------ seeded faults are rejected
FAULTS = [
    ("adam", F.AdamEpsInsideRoot), ("adam", F.AdamNoBiasCorrection), ("adam", F.AdamOffByOneBiasCorrection),
    ("adamw", F.AdamWCoupledWeightDecay), ("adam", F.AdamSharedState), ("sgd", F.SGDIgnoresDampening),
    ("sgd", F.SGDIgnoresMaximize), ("sgd", F.SGDNesterovWithoutLookahead), ("sgd", F.SGDFirstGroupLr),
]


@pytest.mark.parametrize("method,fault", FAULTS, ids=[f.__name__ for _, f in FAULTS])
def test_seeded_fault_is_falsified_with_a_replayable_case(method, fault):
    verdict = check(method, fault, CheckConfig(examples=10, seed=0))
    assert verdict.status == "falsified", verdict.error
    shown = verdict.counterexample.shown
    assert shown["check"] == "reference"
    assert shown["expected (reference, float64)"] != shown["got"]
    assert "--seed 0" in verdict.counterexample.reproduce
    assert verdict.details["plots"][0]["series"][1]["label"] == "tolerance"


def test_the_reference_check_fires_on_the_fault_of_one_step(capsys):
    from odl_verify.gate.optimizers import Scenario, replay
    case = Scenario(method="adam", dtype="float64", shapes=[(2,)], defaults=dict(lr=0.1), groups=[([0], {})],
                    kinds=[["gaussian"]], scales=[0], init_scale=0, data_seed=1, roundtrip_step=0).to_json()
    replay("adam", F.AdamNoBiasCorrection, case)
    assert "FALSIFIED (reference): step 1" in capsys.readouterr().out
    replay("adam", torch.optim.Adam, case)
    assert "passes on this case" in capsys.readouterr().out


# ------------------------------------------------------------------ bad targets
@pytest.mark.parametrize("target,message", [(F.RaisingOptimizer, "raised RuntimeError"),
                                            (F.NaNOptimizer, "non-finite"),
                                            (F.HangingOptimizer, "did not return within 0.3 s")])
def test_raising_nan_and_hanging_targets_give_error_verdicts(target, message):
    verdict = check("sgd", target, CheckConfig(examples=3, timeout=0.3))
    assert verdict.status == "error" and message in verdict.error


def test_target_without_some_hyperparameters_is_checked_on_the_rest():
    verdict = check("sgd", F.only_lr_sgd, CheckConfig(examples=3))
    assert verdict.status == "held"
    assert verdict.details["skipped_hyperparameters"] == ["dampening", "maximize", "momentum", "nesterov",
                                                          "weight_decay"]
    assert any("not checked: dampening" in note for note in verdict.details["notes"])


@pytest.mark.parametrize("spec,reason", [
    ("tests/faulty_optimizers.py:no_parameters_factory", "takes no positional argument"),
    ("tests/faulty_optimizers.py:NOT_CALLABLE", "is not callable"),
    ("tests/faulty_optimizers.py:Missing", "has no attribute"),
    ("no_such_module_xyz:Adam", "cannot import"),
])
def test_cli_bad_target_exits_2_with_one_line(capsys, monkeypatch, repo_path, spec, reason):
    monkeypatch.chdir(repo_path())
    code = main(["gate", "adam", spec, "--examples", "1"])
    err = capsys.readouterr().err
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_cli_falsified_exits_1_and_prints_reproduction(capsys, monkeypatch, repo_path):
    monkeypatch.chdir(repo_path())
    code = main(["gate", "adam", "tests/faulty_optimizers.py:AdamNoBiasCorrection", "--examples", "3"])
    out = capsys.readouterr().out
    assert code == 1 and "FALSIFIED" in out
    assert "odl-verify gate adam tests/faulty_optimizers.py:AdamNoBiasCorrection --seed 0 --examples 3" in out
    assert "replay('adam', 'tests/faulty_optimizers.py:AdamNoBiasCorrection'" in out
    # a gate mismatch names the check it fails; it has no slack and no high-precision confirmation to claim
    (header,) = [line for line in out.splitlines() if line.strip().startswith("counterexample (")]
    assert "shrunk; the target fails the reference check on this case" in header and "slack" not in header


def test_cli_error_verdict_exits_2(capsys, monkeypatch, repo_path):
    monkeypatch.chdir(repo_path())
    code = main(["gate", "sgd", "tests/faulty_optimizers.py:RaisingOptimizer", "--examples", "1"])
    assert code == 2 and "raised RuntimeError" in capsys.readouterr().err


def test_unknown_method_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown gate method"):
        check("adamax", torch.optim.Adamax)


# ---------------------------------------------------------------- theorem-level checks on their own
QUADRATIC = {"spectrum": [1.0, 100.0], "tau": 1.0, "steps": 20, "start": "top eigenvector", "seed": 0}
ACCEPTED = {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"}


def _lr_times_1_5(params, lr, **options):
    return torch.optim.SGD(params, lr=1.5 * lr, **options)


def _momentum_0_99(params, lr, momentum=0.0, **options):
    return torch.optim.SGD(params, lr=lr, momentum=0.99 if momentum else 0.0, **options)


def test_theorem_checks_hold_for_torch_sgd():
    from odl_verify.gate.optimizers import check_sgd_theorems
    check_sgd_theorems(torch.optim.SGD, QUADRATIC, timeout=10.0, accepted=ACCEPTED)


@pytest.mark.parametrize("target, check", [(_lr_times_1_5, "descent-lemma"), (_momentum_0_99, "heavy-ball")])
def test_theorem_checks_reject_what_breaks_them(target, check):
    """At η = 1/β along the top eigenvector the descent lemma is tight, so a larger step breaks it;
    momentum 0.99 instead of Polyak's β* outgrows the heavy-ball transient bound by step 20."""
    from odl_verify.gate.optimizers import Mismatch, check_sgd_theorems
    with pytest.raises(Mismatch) as caught:
        check_sgd_theorems(target, QUADRATIC, timeout=10.0, accepted=ACCEPTED)
    assert caught.value.check == check
