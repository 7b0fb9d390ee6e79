"""Initializer gates: torch's own initializers pass, seeded faults are falsified by the test meant
to catch them, every verdict lists its tests with their power, torch's sparse_ quirk is declared
for torch only, broken targets give an error verdict and exit code 2 with one line.

The default suite runs one seed per initializer and one fault per class; the 20-seed sweep of
torch's initializers and the 5-seed fault matrix are ``thorough``."""
import functools
import os
import subprocess

import pytest
import torch

from odl_verify import CheckConfig
from odl_verify.core.loading import import_path
from odl_verify.frontends.cli import main
from odl_verify.gate import check
from odl_verify.gate.initializers import INITIALIZERS
from odl_verify.gate.initializers.deterministic import INITIALIZERS as DETERMINISTIC
from sweeps import quick_first

FAULTS = "tests/faulty_initializers.py"
FAST = dict(examples=2, device="cpu")
METHODS = sorted(INITIALIZERS) + sorted(DETERMINISTIC)


def torch_target(method: str):
    return getattr(torch.nn.init, method if method == "calculate_gain" else method + "_")


@functools.cache
def verdict(method: str, target: str, seed: int):
    """A gate's verdict at FAST, once per process: several tests read the same run."""
    return check(method, target, CheckConfig(seed=seed, **FAST))


#: fault -> the gate that must falsify it (tests/faulty_initializers.py)
FAULT_GATES = import_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "faulty_initializers.py")).FAULTS


@pytest.mark.parametrize("method", quick_first({"kaiming_normal", "xavier_uniform", "orthogonal", "calculate_gain",
                                                 "dirac"}, METHODS))
def test_torch_initializer_passes_and_every_test_states_its_power(method):
    result = verdict(method, f"torch.nn.init:{torch_target(method).__name__}", 0)
    assert result.status == "held", result.details["notes"]
    tests = result.details["tests"]
    assert tests and all(t["power"] and t["exactness"] and t["level"] == pytest.approx(1e-6 / len(tests))
                         for t in tests)
    assert not any(t["rejected"] for t in tests)
    notes = " ".join(result.details["notes"])
    if method in INITIALIZERS:
        assert "NOT met" not in notes and notes.count("requirement: ") >= 1
        assert any(t["name"].startswith("generator on") for t in tests + result.details["waived"])
    if method in ("kaiming_normal", "xavier_uniform"):  # strongly non-square and conv shapes, both modes
        shapes = result.coverage["shape"]
        assert any(len(s) == 3 for s in shapes) and any(len(s) == 5 for s in shapes)
        assert all(s[0] != s[1] for s in shapes)
        assert any(t["name"].startswith(("kaiming forward network", "glorot backward network")) for t in tests)
    if method == "kaiming_normal":
        assert set(result.coverage["mode"]) == {"fan_in", "fan_out"}


@pytest.mark.thorough
@pytest.mark.parametrize("method", METHODS)
def test_torch_initializers_pass_on_seeds_0_to_19(method):
    verdicts = [check(method, torch_target(method), CheckConfig(seed=seed, examples=20, device="cpu"))
                for seed in range(20)]
    failed = {v.seed: v.details["notes"] for v in verdicts if not v.held}
    assert not failed, failed


#: one fault per class of the issue (on the cheapest gate that has it), and the test that must reject
#: it (the end of its name); every fault of tests/faulty_initializers.py runs in the thorough matrix
FAULT_CLASSES = {
    "variance_2_percent_high": "pooled over 11 cases: variance",
    "normal_clamped_at_3_sigma": "max |z|",
    "normal_drawn_uniform": "max |z|",
    "uniform_swapped_fan_mode": "variance",
    "relu_gain_always": "variance",
    "ignores_receptive_field": "variance",
    "normal_ignores_generator": "same seed, other global RNG state -> same tensor",
    "trunc_normal_bounds_in_sigma": "max |z|",
    "orthogonal_without_sign_fix": "diagonal signs fair",
    "sparse_floor_of_zeros": "zeros in every column",
    "eye_with_wrap": "1 where row = column, else 0",
    "dirac_ignores_groups": "at the kernel's centre, else 0",
    "constant_through_float32": "every entry val",
    "calculate_gain_tanh_is_1": "gain",
}


@pytest.mark.parametrize("fault, rejecting", quick_first(
    {"variance_2_percent_high", "normal_clamped_at_3_sigma", "normal_ignores_generator", "orthogonal_without_sign_fix",
     "calculate_gain_tanh_is_1", "eye_with_wrap"}, sorted(FAULT_CLASSES.items()), ids=sorted(FAULT_CLASSES)))
def test_seeded_fault_is_falsified_by_its_test(repo_path, fault, rejecting):
    method = FAULT_GATES[fault]
    result = verdict(method, f"{repo_path(FAULTS)}:{fault}", 3)
    assert result.status == "falsified", result.details["notes"]
    assert any(t["rejected"] and t["name"].endswith(rejecting) for t in result.details["tests"])
    shown = result.counterexample.shown
    assert shown["p-value"] <= shown["level (Holm's first)"] and shown["power"]
    expected = f"odl-verify gate {method} {repo_path(FAULTS)}:{fault} --seed 3 --examples 2"
    assert result.counterexample.reproduce == expected


@pytest.mark.thorough
@pytest.mark.parametrize("fault", sorted(FAULT_GATES))
def test_every_fault_is_falsified_on_seeds_0_to_4(repo_path, fault):
    verdicts = [check(FAULT_GATES[fault], f"{repo_path(FAULTS)}:{fault}",
                      CheckConfig(seed=seed, examples=20, device="cpu")) for seed in range(5)]
    assert [v.status for v in verdicts] == ["falsified"] * 5


def test_torch_sparse_quirk_is_declared_and_waived_for_torch_only(repo_path):
    result = verdict("sparse", "torch.nn.init:sparse_", 0)
    assert result.status == "held"
    waived = result.details["waived"]
    assert {w["name"].split(": ")[-1] for w in waived} == {"positions follow the generator",
                                                            "positions depend on the generator seed"}
    assert all(w["p_value"] == 0.0 and "randperm" in w["reason"] for w in waived)  # observed, and said why
    assert not any("positions" in t["name"] for t in result.details["tests"] if t["name"].startswith("generator"))
    note = next(n for n in result.details["notes"] if n.startswith("declared quirk"))
    line = note.split("reproduce: ")[1].split("  #")[0]
    done = subprocess.run(line, shell=True, capture_output=True, text=True, cwd=repo_path())
    assert done.stdout.strip() == "False", done.stderr  # the same generator seed gives other zeros
    # the quirk is torch's: a sparse_ whose values ignore the generator too is falsified, nothing waived
    ignoring = verdict("sparse", f"{repo_path(FAULTS)}:sparse_ignores_generator", 0)
    assert ignoring.status == "falsified" and ignoring.details["waived"] == []
    assert ignoring.counterexample.shown["test"].endswith("same seed, other global RNG state -> same values")


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(20))
def test_sparse_with_the_generator_honoured_passes_with_nothing_waived(repo_path, seed):
    result = check("sparse", f"{repo_path(FAULTS)}:sparse_with_generator", CheckConfig(seed=seed, examples=20,
                                                                                      device="cpu"))
    assert result.status == "held" and result.details["waived"] == []


@pytest.mark.thorough  # a shell and a second Python (4 s); the optimizer gate's replay line runs in every suite
def test_replay_line_shows_the_failing_case(repo_path):
    result = verdict("kaiming_normal", f"{repo_path(FAULTS)}:relu_gain_always", 3)
    shown = result.counterexample.shown
    out = subprocess.run(shown["replay (this case)"], shell=True, capture_output=True, text=True,
                         cwd=repo_path()).stdout
    variance = next(row for row in out.splitlines() if row.strip().startswith("variance "))
    observed, law = float(variance.split()[1]), float(variance.split("law: ")[1].rstrip(")"))
    assert law == pytest.approx(shown["law's variance"], rel=1e-5)  # printed to 6 digits
    case = result.counterexample.case["case"]["arguments"]
    # ReLU's gain √2 whatever the nonlinearity and slope: variance 2/fan instead of gain²/fan
    gain = torch.nn.init.calculate_gain(case["nonlinearity"], case["a"])
    assert observed == pytest.approx(law * 2 / gain**2, rel=0.05)
    assert f"REJECTED {shown['test']}" in " ".join(out.split())


@pytest.mark.parametrize("target, reason", [
    ("raises", "raised ValueError: unsupported mode"),
    ("returns_nan", "NaN or inf"),
    ("wrong_signature", "wrong signature"),
    ("hangs", "did not return within 0.5 s"),
])
def test_broken_target_is_an_error_with_exit_2_and_one_line(repo_path, capsys, target, reason):
    code = main(["gate", "kaiming_normal", f"{repo_path(FAULTS)}:{target}", "--device", "cpu",
                 "--examples", "2", "--timeout", "0.5"])
    out, err = capsys.readouterr()
    assert code == 2 and "verdict:   ERROR" in out
    assert reason in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_target_with_another_initializers_signature_is_an_error():
    verdict = check("xavier_normal", torch.nn.init.normal_, CheckConfig(seed=0, **FAST))
    assert verdict.status == "error" and "wrong signature" in verdict.error and "xavier_normal_(tensor" in verdict.error


def test_cli_prints_the_power_and_exit_codes(repo_path, capsys):
    assert main(["gate", "uniform", "torch.nn.init:uniform_", "--device", "cpu", "--examples", "2"]) == 0
    out, _ = capsys.readouterr()
    assert "HELD" in out and "requirement: variance 1% high" in out and "power of pooled over 4 cases: KS" in out
    assert main(["gate", "eye", f"{repo_path(FAULTS)}:eye_with_wrap", "--device", "cpu", "--examples", "2"]) == 1
    out, _ = capsys.readouterr()
    assert "FALSIFIED" in out and "reproduce: odl-verify gate eye" in out


@pytest.mark.thorough  # the optimizer gate checks same seed, same data in every run
def test_same_seed_same_verdict():
    first = verdict("normal", "torch.nn.init:normal_", 0).to_dict()
    second = check("normal", "torch.nn.init:normal_", CheckConfig(seed=0, **FAST)).to_dict()
    first.pop("seconds"), second.pop("seconds")
    assert first == second
