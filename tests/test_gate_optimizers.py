"""The optimizer gate: torch.optim passes (its declared defects left out), seeded faults and imitations of
third-party deviations are rejected with a shrunk case and a diagnosis, torch 2.13's defects are found
and named, bad targets give one-line errors or an error verdict with the case."""
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
import torch

import faulty_optimizers as F
import faulty_third_party as T
from sweeps import quick_first
from odl_verify import CheckConfig
from odl_verify.definitions.backend import SympyNamespace
from odl_verify.definitions.methods import iterates, torch_optim
from odl_verify.definitions.methods.catalog import OPTIMIZERS
from odl_verify.errors import UsageError
from odl_verify.frontends.cli import main
from odl_verify.gate import assert_passes, check

sys.path.insert(0, os.path.dirname(__file__))


def without_known_defects(method: str) -> tuple[str, ...]:
    """The domain that leaves torch 2.13's declared defects of the method out."""
    return tuple(f"not ({q.when})" for q in OPTIMIZERS[method].quirks if q.kind == "defect")


def torch_class(method: str):
    return getattr(torch.optim, OPTIMIZERS[method].torch_class)


# ------------------------------------------------------------------ reference semantics
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
@pytest.mark.parametrize("method", quick_first({"sgd", "adam", "sparse_adam"}, sorted(OPTIMIZERS)))
def test_torch_optim_passes_outside_its_declared_defects(method):
    for seed in range(2):
        verdict = check(method, torch_class(method), CheckConfig(examples=2, seed=seed,
                                                                 domain=without_known_defects(method)))
        assert verdict.status == "held", (seed, verdict.error, verdict.counterexample)
        assert verdict.details["worst_error_over_tolerance"] < 1


@pytest.mark.thorough
@pytest.mark.parametrize("method", sorted(OPTIMIZERS))
def test_torch_optim_passes_on_20_seeds_with_every_flag_combination(method):
    """Every combination of the flags torch's class accepts that torch allows on the CPU, fixed by the
    domain, on seeds 0–19: held outside the declared defects."""
    from odl_verify.gate.optimizers.scenarios import flag_combinations
    info = OPTIMIZERS[method]
    for complex_ in (False, True):
        for flags in flag_combinations(list(info.flags), {"device": "cpu", "fused_supported": "cpu" in info.fused_on,
                                                          "complex": complex_}):
            pinned = tuple(f"{k} == {v!r}" for k, v in flags.items()) + (f"complex == {complex_}",)
            for seed in range(20):
                config = CheckConfig(examples=2, seed=seed, domain=without_known_defects(method) + pinned)
                try:
                    verdict = check(method, torch_class(method), config)
                except UsageError:  # this dtype is not drawn for the method
                    break
                assert verdict.status == "held", (flags, seed, verdict.error, verdict.counterexample)


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
    ("nadam", F.NAdamWithoutMomentumSchedule), ("radam", F.RAdamPaperThreshold), ("adamax", F.AdamaxEpsOutsideMax),
    ("asgd", F.ASGDEtaOffByOne), ("rprop", F.RpropWithoutBacktracking),
    ("adafactor", F.AdafactorWithoutRelativeStepDecay), ("sparse_adam", F.SparseAdamUpdatesEveryEntry),
    ("lbfgs", F.LBFGSWithoutMemory),
]


@pytest.mark.parametrize("method,fault", quick_first(
    {"AdamEpsInsideRoot", "AdamOffByOneBiasCorrection", "AdamSharedState", "SGDIgnoresDampening",
     "NAdamWithoutMomentumSchedule", "RpropWithoutBacktracking"}, FAULTS, ids=[f.__name__ for _, f in FAULTS]))
def test_seeded_fault_is_falsified_with_a_shrunk_replayable_case(method, fault):
    verdict = check(method, fault, CheckConfig(examples=40, seed=0, domain=without_known_defects(method)))
    assert verdict.status == "falsified", verdict.error
    example = verdict.counterexample
    shown = example.shown
    assert shown["check"] in ("reference", "state_dict", "state_dict interop"), shown
    if shown["check"] == "reference":
        assert shown["expected (reference, float64)"] != shown["got"]
        assert verdict.details["plots"][0]["series"][1]["label"] == "tolerance"
        # shrunk: the run stops at the first differing step, with few parameters
        assert len(example.case["scenario"]["kinds"]) == shown["first differing step"]
    assert len(example.case["scenario"]["shapes"]) <= 2
    assert "--seed 0" in example.reproduce and shown["replay (this case)"].startswith("python -c ")


@pytest.mark.parametrize("method, correct", quick_first({"sparse_adam"}, [("sparse_adam", F.CorrectSparseAdam),
                                                                          ("lbfgs", F.LBFGSRule)], ["sparse_adam", "lbfgs"]))
def test_the_rule_optimizers_the_faults_change_pass(method, correct):
    verdict = check(method, correct, CheckConfig(examples=4, seed=1, domain=without_known_defects(method)))
    assert verdict.status == "held", verdict.counterexample


# ------------------------------------------------------------------ third-party conventions are named
# (complex parameters left out: these imitations, like many libraries, take g·g for |g|²)
IMITATIONS = [("rmsprop", T.TimmRMSpropTF, ["ε inside the square root", "started at 1"], ()),
              ("sgd", T.QHMLikeSGD, ["moving average"], ("momentum > 0", "lr > 0")),
              ("adamw", T.HeavyballAdamW, ["max(√v̂, ε)"], ()),
              ("adadelta", T.AdaDeltaIgnoresGroupMaximize, ["own maximize ignored"], ("groups > 1",))]


@pytest.mark.parametrize("method, imitation, named, domain", IMITATIONS, ids=[i.__name__ for _, i, _, _ in IMITATIONS])
def test_third_party_deviation_is_diagnosed(method, imitation, named, domain):
    verdict = check(method, imitation, CheckConfig(examples=60, seed=0, domain=("not complex",) + domain))
    assert verdict.status == "falsified"
    diagnosis = verdict.counterexample.shown["diagnosis"]
    assert all(words in diagnosis for words in named), diagnosis


def test_a_gradient_written_in_place_is_reported_beside_the_wrong_value():
    verdict = check("sgd", T.QHMLikeSGD, CheckConfig(examples=30, seed=0,
                                                     domain=("weight_decay > 0", "momentum > 0", "lr > 0")))
    shown = verdict.counterexample.shown
    found = {shown["check"]} | {line.split(":")[0] for line in shown["also found on this case"]}
    assert found == {"reference", "inputs"} and "moving average" in shown["diagnosis"]


def test_the_reference_check_fires_on_the_fault_of_one_step(capsys):
    from odl_verify.gate.optimizers import Scenario, replay
    case = {"scenario": Scenario(method="adam", dtype="float64", default_dtype="float32", shapes=[(2,)],
                                 defaults=dict(lr=0.1), groups=[([0], {})], flags={}, kinds=[["gaussian"]], scales=[0],
                                 init_scale=0, data_seed=1, roundtrip_step=0).to_json()}
    assert replay("adam", F.AdamNoBiasCorrection, case) == 1
    out = capsys.readouterr().out
    assert "FALSIFIED (reference): step 1" in out and "diagnosis: the target matches no bias correction" in out
    assert replay("adam", torch.optim.Adam, case) == 0
    assert "passes on this case" in capsys.readouterr().out


def test_the_printed_replay_line_reproduces_the_failure_in_a_shell(repo_path):
    verdict = check("adam", "tests/faulty_optimizers.py:AdamEpsInsideRoot", CheckConfig(examples=10, seed=0))
    line = verdict.counterexample.shown["replay (this case)"]
    environment = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    result = subprocess.run(line, shell=True, cwd=repo_path(), capture_output=True, text=True, env=environment)
    assert result.returncode == 1, result.stderr
    assert f"FALSIFIED (reference): step {verdict.counterexample.shown['first differing step']}" in result.stdout


# ------------------------------------------------------------------ torch 2.13's defects are found and named
DEFECTS = [
    ("sgd", "sgd-foreach-nesterov-writes-grad", ("foreach == True", "nesterov == True", "weight_decay == 0",
                                                 "not maximize"), "falsified", "inputs"),
    ("sgd", "sgd-fused-momentum-late-gradient", ("fused == True", "momentum > 0", "late_first_gradient"),
     "error", "raises"),
    ("adam", "adam-differentiable-lr-zero-nan", ("differentiable == True", "lr == 0"), "falsified", "reference"),
    ("adafactor", "adafactor-empty-parameter-zero-division", ("empty_parameters",), "error", "raises"),
    ("radam", "radam-foreach-masks-a-non-finite-rectified-step", ("foreach == True", "dtype == 'float16'"),
     "falsified", "reference"),
    ("lbfgs", "lbfgs-tensor-lr-aliased-step-length", ("tensor_lr", "schedule != 'none'", "max_iter <= 3"),
     "falsified", "reference"),
]


@pytest.mark.parametrize("method, quirk, domain, status, check_name", quick_first(
    {"sgd-foreach-nesterov-writes-grad", "sgd-fused-momentum-late-gradient", "adam-differentiable-lr-zero-nan",
     "adafactor-empty-parameter-zero-division"}, DEFECTS, ids=[d[1] for d in DEFECTS]))
def test_torch_defect_is_found_shrunk_and_named(method, quirk, domain, status, check_name):
    verdict = check(method, torch_class(method), CheckConfig(examples=10, seed=0, domain=domain))
    assert verdict.status == status
    shown = verdict.counterexample.shown
    assert shown["check"] == check_name and shown["known torch 2.13 defect"].startswith(quirk)
    assert len(verdict.counterexample.case["scenario"]["shapes"]) <= 2


def test_sgd_alone_finds_torchs_defects_by_drawing_the_flags():
    verdict = check("sgd", torch.optim.SGD, CheckConfig(examples=20, seed=0))  # the quick profile's count
    assert verdict.status in ("falsified", "error")
    assert verdict.counterexample.shown["known torch 2.13 defect"].startswith("sgd-")


@pytest.mark.thorough
def test_every_declared_reproduction_line_runs_as_printed():
    """Each quirk's line, run in a shell, prints what its comment says first (before any ': why')."""
    from odl_verify.definitions.methods.catalog import METHODS
    from odl_verify.definitions.schedules import SCHEDULES
    quirks = [q for table in (OPTIMIZERS, SCHEDULES, METHODS) for info in table.values() for q in info.quirks]
    environment = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    for quirk in quirks:
        line, comment = quirk.reproduction.split("  # ")
        result = subprocess.run(line, shell=True, capture_output=True, text=True, env=environment)
        assert comment.split(": ")[0] in result.stdout + result.stderr, (quirk.name, result)


# ------------------------------------------------------------------ domain narrowing, precisions, interop
def test_a_library_that_rejects_part_of_the_domain_can_be_narrowed():
    verdict = check("adadelta", F.AdaDeltaRejectsRhoOne, CheckConfig(examples=20, seed=0))
    assert verdict.status == "error" and "Invalid rho value" in verdict.error
    assert verdict.counterexample.case["scenario"]["defaults"]["rho"] == 1.0
    assert_passes("adadelta", F.AdaDeltaRejectsRhoOne, examples=5, domain=["rho < 1"])


@pytest.mark.parametrize("domain, message", quick_first(
    {"names rhoo", "not a condition", "not allowed"},
    [(["rhoo < 1"], "names rhoo"), (["rho <"], "not a condition"), (["__import__('os')"], "not allowed"),
     (["dtype == 'float64'", "dtype == 'float32'"], "leaves no case")],
    ids=["names rhoo", "not a condition", "not allowed", "leaves no case"]))
def test_a_bad_domain_is_a_usage_error(domain, message):
    with pytest.raises(UsageError, match=message):
        check("adadelta", torch.optim.Adadelta, CheckConfig(examples=2, domain=domain))


@pytest.mark.parametrize("dtype", quick_first({"float16", "complex64"}, ["bfloat16", "float16", "complex64"]))
def test_half_precision_and_complex_parameters_pass_for_torch_and_catch_a_fault(dtype):
    domain = (f"dtype == {dtype!r}",) + without_known_defects("adam")
    assert check("adam", torch.optim.Adam, CheckConfig(examples=3, seed=0, domain=domain)).status == "held"
    assert check("adam", F.AdamNoBiasCorrection, CheckConfig(examples=10, seed=0, domain=domain)).status == "falsified"


def test_a_wrong_state_dict_hand_over_is_caught_and_a_layout_of_its_own_is_noted(repo_path, monkeypatch):
    verdict = check("adam", F.AdamNegatedSecondMoment, CheckConfig(examples=40, seed=0))
    assert verdict.status == "falsified" and verdict.counterexample.shown["check"] == "state_dict interop"
    # the README's hand-written Adam keeps 'm' and 'v' (and takes g·g for |g|², so no complex parameters)
    monkeypatch.chdir(repo_path())
    noted = check("adam", "docs/examples/test_my_optimizer.py:MyAdam", CheckConfig(examples=3, seed=0,
                                                                                  domain=("not complex",)))
    assert noted.status == "held" and any("not interchangeable" in n for n in noted.details["notes"])


def test_a_schedule_the_target_ignores_is_caught():
    verdict = check("sgd", F.SGDLrReadOnce, CheckConfig(examples=20, seed=0, domain=("schedule != 'none'",)))
    assert verdict.status == "falsified" and verdict.counterexample.case["scenario"]["schedule"]


# ------------------------------------------------------------------ bad targets
def test_a_raising_target_gives_an_error_verdict_with_its_case():
    verdict = check("sgd", F.RaisingOptimizer, CheckConfig(examples=3))
    assert verdict.status == "error" and "raised RuntimeError" in verdict.error
    assert verdict.counterexample.shown["replay (this case)"].startswith("python -c ")


def test_a_target_returning_nan_is_a_falsified_difference():
    verdict = check("sgd", F.NaNOptimizer, CheckConfig(examples=3))
    assert verdict.status == "falsified" and "non-finite" in verdict.counterexample.shown["what"]


def test_a_hanging_target_gives_an_error_verdict():
    verdict = check("sgd", F.HangingOptimizer, CheckConfig(examples=3, timeout=0.3))
    assert verdict.status == "error" and "did not return within 0.3 s" in verdict.error


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
    code = main(["gate", "adam", "tests/faulty_optimizers.py:AdamNoBiasCorrection", "--examples", "3",
                 "--domain", "not differentiable"])
    out = capsys.readouterr().out
    assert code == 1 and "FALSIFIED" in out
    assert ("odl-verify gate adam tests/faulty_optimizers.py:AdamNoBiasCorrection --seed 0 --examples 3 "
            "--domain 'not differentiable'") in out
    assert "replay('\"'\"'adam'\"'\"', '\"'\"'tests/faulty_optimizers.py:AdamNoBiasCorrection'" in out
    (header,) = [line for line in out.splitlines() if line.strip().startswith("counterexample (")]
    assert "shrunk; the target fails the reference check on this case" in header and "slack" not in header


def test_cli_error_verdict_exits_2_and_prints_the_case(capsys, monkeypatch, repo_path):
    monkeypatch.chdir(repo_path())
    code = main(["gate", "sgd", "tests/faulty_optimizers.py:RaisingOptimizer", "--examples", "1"])
    captured = capsys.readouterr()
    assert code == 2 and "raised RuntimeError" in captured.err and "replay (this case)" in captured.out


def test_unknown_method_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown gate method"):
        check("adamix", torch.optim.Adamax)


# ---------------------------------------------------------------- theorem-level checks on their own
#: f = ½(x₁² + 100x₂²) (no rotation), started on the top eigenvector, η at the top of each claim's range
QUADRATIC = {"raw": {"spectrum": [0.0, float(np.log(100.0))], "reflectors": [[0.0, 0.0]]}, "tau": 1.0,
             "tau_beta": 0.0, "steps": 20, "start": "top-eigenvector", "seed": 0}
ACCEPTED = {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"}


def _lr_times_1_5(params, lr, **options):
    return torch.optim.SGD(params, lr=1.5 * lr, **options)


def _momentum_0_99(params, lr, momentum=0.0, **options):
    return torch.optim.SGD(params, lr=lr, momentum=0.99 if momentum else 0.0, **options)


def test_theorem_checks_hold_for_torch_sgd():
    from odl_verify.gate.optimizers import check_claims
    assert check_claims(OPTIMIZERS["sgd"], torch.optim.SGD, QUADRATIC, ACCEPTED, timeout=10.0) is None


@pytest.mark.parametrize("target, claim", [(_lr_times_1_5, "descent-lemma"), (_momentum_0_99, "heavy-ball-rate")])
def test_theorem_checks_reject_what_breaks_them(target, claim):
    """At η = 1/β along the top eigenvector the descent lemma is tight, so a larger step breaks it;
    momentum 0.99 instead of Polyak's β* outgrows the heavy-ball transient bound by step 20."""
    from odl_verify.gate.optimizers import check_claims
    finding = check_claims(OPTIMIZERS["sgd"], target, QUADRATIC, ACCEPTED, timeout=10.0)
    assert finding is not None and finding.check == claim


def test_a_parameter_without_state_at_the_round_trip_keeps_its_scalar_state_in_the_default_dtype(capsys):
    """load_state_dict casts NAdam's μ-product to float64 for a parameter that had state; one whose first
    gradient comes after the round trip starts fresh in the float32 default dtype (found by the flag sweep)."""
    from odl_verify.gate.optimizers import Scenario, replay
    case = {"scenario": Scenario(method="nadam", dtype="float64", default_dtype="float32", shapes=[(2,), (2,)],
                                 defaults=dict(lr=0.1), groups=[([0, 1], {})], flags={},
                                 kinds=[["gaussian", "none"]] + [["gaussian", "gaussian"]] * 3, scales=[0] * 4,
                                 init_scale=0, data_seed=3, roundtrip_step=1).to_json()}
    assert replay("nadam", torch.optim.NAdam, case) == 0, capsys.readouterr().out
