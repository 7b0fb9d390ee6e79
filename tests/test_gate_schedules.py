"""The gates for torch.optim.lr_scheduler and gradient clipping: torch's own pass (its declared defects
left out), seeded faults are rejected with a case that replays, torch's defects are named."""
import math

import pytest
import sympy as sp
import torch

import faulty_schedules as F
from odl_verify import CheckConfig
from odl_verify.definitions.methods.catalog import METHODS
from odl_verify.definitions.schedules import BASE, CLOSED_FORMS, EPOCH, SCHEDULES
from odl_verify.gate import check

CLIPPING = {"clip_grad_norm": torch.nn.utils.clip_grad_norm_, "clip_grad_value": torch.nn.utils.clip_grad_value_}


def without_defects(quirks) -> tuple[str, ...]:
    return tuple(f"not ({q.when})" for q in quirks if q.kind == "defect")


def test_closed_forms_are_the_textbook_schedules():
    # StepLR decays by γ every step_size epochs; the cosine reaches η_min at T_max and η₀ again at 2T_max
    step = CLOSED_FORMS["StepLR"]({"step_size": 3, "gamma": 0.5})
    assert [step.subs({EPOCH: t, BASE: 1}) for t in (0, 2, 3, 6)] == [1, 1, sp.Rational(1, 2), sp.Rational(1, 4)]
    cosine = CLOSED_FORMS["CosineAnnealingLR"]({"T_max": 4, "eta_min": 0.0})
    assert [cosine.subs({EPOCH: t, BASE: 1}) for t in (0, 2, 4, 8)] == [1, sp.Rational(1, 2), 0, 1]
    restarts = CLOSED_FORMS["CosineAnnealingWarmRestarts"]({"T_0": 2, "T_mult": 2})
    # periods 2, 4, 8: restarts at t = 2 and t = 6, with T_cur = 1 of 4 at t = 3
    assert [restarts.subs({EPOCH: t, BASE: 1}) for t in (2, 6)] == [1, 1]
    assert restarts.subs({EPOCH: 3, BASE: 1}) == (1 + sp.cos(sp.pi / 4)) / 2


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_torch_schedulers_pass(name):
    info = SCHEDULES[name]
    verdict = check(name, getattr(torch.optim.lr_scheduler, info.torch_class),
                    CheckConfig(examples=4, seed=0, domain=without_defects(info.quirks)))
    assert verdict.status == "held", verdict.counterexample


@pytest.mark.thorough
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_torch_schedulers_pass_on_20_seeds(name):
    info = SCHEDULES[name]
    for seed in range(20):
        verdict = check(name, getattr(torch.optim.lr_scheduler, info.torch_class),
                        CheckConfig(examples=10, seed=seed, domain=without_defects(info.quirks)))
        assert verdict.status == "held", (seed, verdict.counterexample)


SCHEDULER_FAULTS = [("step_lr", F.StepLROffByOne), ("cosine_annealing_lr", F.CosineAnnealingWrongPhase),
                    ("chained_scheduler", F.ChainedForgetsOneFactor),
                    ("multi_step_lr", F.MultiStepLRCountsMilestonesOnce),
                    ("reduce_lr_on_plateau", F.PlateauPatienceOffByOne)]


@pytest.mark.parametrize("name, fault", SCHEDULER_FAULTS, ids=[f.__name__ for _, f in SCHEDULER_FAULTS])
def test_seeded_scheduler_fault_is_rejected_with_a_replayable_case(name, fault, capsys):
    verdict = check(name, fault, CheckConfig(examples=30, seed=0))
    assert verdict.status == "falsified"
    shown = verdict.counterexample.shown
    assert shown["check"] == "schedule" and shown["replay (this case)"].startswith("python -c ")
    from odl_verify.gate.schedulers import replay
    assert replay(name, fault, verdict.counterexample.case) == 1
    assert replay(name, getattr(torch.optim.lr_scheduler, SCHEDULES[name].torch_class),
                  verdict.counterexample.case) == 0


def test_a_scheduler_defect_of_torch_is_named():
    verdict = check("one_cycle_lr", torch.optim.lr_scheduler.OneCycleLR,
                    CheckConfig(examples=20, seed=0, domain=("pct_start * total_steps == 1",)))
    assert verdict.status == "error"
    assert verdict.counterexample.shown["known torch 2.13 defect"].startswith("one_cycle_lr-zero-length-phase")


@pytest.mark.parametrize("name", sorted(CLIPPING))
def test_torch_clipping_passes_outside_its_defects(name):
    quirks = METHODS["clip-by-norm" if name == "clip_grad_norm" else "clip-by-value"].quirks
    verdict = check(name, CLIPPING[name], CheckConfig(examples=20, seed=0, domain=without_defects(quirks)))
    assert verdict.status == "held", verdict.counterexample


def test_torch_clipping_leaves_the_norm_just_below_max_norm_which_passes():
    """(3, 4, 0) with max_norm 1: torch returns 5 and leaves norm 0.9999998 (its 1e-6), the documented form."""
    p = torch.zeros(3, requires_grad=True)
    p.grad = torch.tensor([3.0, 4.0, 0.0])
    assert float(torch.nn.utils.clip_grad_norm_([p], 1.0)) == 5.0
    assert float(p.grad.norm()) == pytest.approx(1 / (1 + 2e-7), rel=1e-7) and float(p.grad.norm()) < 1


@pytest.mark.parametrize("name, fault, defects", [
    ("clip_grad_norm", F.clip_norm_without_min, ("not (norm_type == inf and empty_gradients)", "not nonfinite")),
    ("clip_grad_value", F.clip_value_upper_only, ("not no_gradients",))])
def test_seeded_clipping_fault_is_rejected(name, fault, defects):
    verdict = check(name, fault, CheckConfig(examples=30, seed=0, domain=defects))
    assert verdict.status == "falsified" and verdict.counterexample.shown["check"] in ("clipped gradients", "total norm")


@pytest.mark.parametrize("name, domain, quirk", [
    ("clip_grad_value", ("no_gradients",), "clip_grad_value-without-gradients-raises"),
    ("clip_grad_norm", ("norm_type == inf", "empty_gradients"), "clip_grad_norm-inf-norm-of-an-empty-gradient-raises")])
def test_clipping_defects_of_torch_are_named(name, domain, quirk):
    verdict = check(name, CLIPPING[name], CheckConfig(examples=10, seed=0, domain=domain))
    assert verdict.status == "error" and verdict.counterexample.shown["known torch 2.13 defect"].startswith(quirk)
    assert math.isfinite(verdict.seconds)


def test_readme_documents_every_gate_and_every_declared_quirk(repo_path):
    from odl_verify.definitions.methods.catalog import OPTIMIZERS
    readme = open(repo_path("README.md"), encoding="utf-8").read()
    assert all(f"`{name}`" in readme for name in list(OPTIMIZERS) + list(SCHEDULES) + list(CLIPPING))
    quirks = [q for info in OPTIMIZERS.values() for q in info.quirks] + \
        [q for info in SCHEDULES.values() for q in info.quirks] + [q for m in METHODS.values() for q in m.quirks]
    for quirk in quirks:
        named = quirk.name if quirk.kind == "defect" else quirk.name.split("-", 1)[1]
        assert named in readme or quirk.name.replace("adamw", "adam") in readme, quirk.name
