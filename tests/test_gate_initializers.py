"""Initializer gates: torch's own initializers pass on 20 seeds, seeded faults are falsified,
broken targets give an error verdict and exit code 2 with one line."""
import pytest
import torch

from odl_verify.frontends.cli import main
from odl_verify import CheckConfig
from odl_verify.gate import check

FAULTS = "tests/faulty_initializers.py"
FAST = dict(examples=2, device="cpu")


@pytest.mark.parametrize("method, target", [("kaiming_normal", torch.nn.init.kaiming_normal_),
                                            ("kaiming_uniform", torch.nn.init.kaiming_uniform_)])
def test_torch_initializers_pass_on_20_seeds(method, target):
    verdicts = [check(method, target, CheckConfig(seed=seed, **FAST)) for seed in range(20)]
    assert [v.status for v in verdicts] == ["held"] * 20, [v.details["notes"] for v in verdicts if not v.held]
    tests = verdicts[0].details["tests"]
    assert any(t["name"].startswith("ReLU network") for t in tests)
    shapes = verdicts[0].coverage["shape"]
    assert any(len(s) > 2 for s in shapes) and all(s[0] != s[1] for s in shapes)
    assert set(verdicts[0].coverage["mode"]) == {"fan_in", "fan_out"}


@pytest.mark.parametrize("method, fault, property_", [
    ("kaiming_normal", "swapped_fan_mode", "variance"),
    ("kaiming_normal", "missing_gain", "variance"),
    ("kaiming_normal", "ignores_receptive_field", "variance"),
    ("kaiming_normal", "wrong_a_handling", "variance"),
    ("kaiming_uniform", "uniform_without_sqrt3", "variance"),
    ("kaiming_uniform", "uniform_swapped_fan_mode", "support"),
    ("kaiming_uniform", "uniform_ignores_receptive_field", "support"),
    ("kaiming_uniform", "uniform_wrong_a_handling", "support"),
    ("kaiming_uniform", "uniform_but_normal", "support"),
])
def test_seeded_fault_is_falsified_with_a_reproduction(repo_path, method, fault, property_):
    verdict = check(method, f"{repo_path(FAULTS)}:{fault}", CheckConfig(seed=3, **FAST))
    assert verdict.status == "falsified"
    failure = verdict.details["failure"]
    assert failure["property"] == property_
    assert failure["expected"] != pytest.approx(failure["observed"], rel=0.05)
    assert any(note.startswith("reproduce: python -c") and fault in note for note in verdict.details["notes"])


def test_reproduction_line_shows_the_fault(repo_path):
    import subprocess
    verdict = check("kaiming_normal", f"{repo_path(FAULTS)}:missing_gain", CheckConfig(seed=0, **FAST))
    line = next(n for n in verdict.details["notes"] if n.startswith("reproduce: "))[len("reproduce: "):]
    out = subprocess.run(line, shell=True, capture_output=True, text=True, cwd=repo_path()).stdout.split()
    failure = verdict.details["failure"]
    # missing gain: variance 1/fan instead of 2/((1 + a²) fan), i.e. (1 + a²)/2 times too large
    assert out[0] == "variance" and float(out[3]) == pytest.approx(failure["expected"])
    assert float(out[1]) == pytest.approx(failure["expected"] * (1 + failure["a"] ** 2) / 2, rel=0.1)


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


def test_cli_exit_codes_for_held_and_falsified(repo_path, capsys):
    assert main(["gate", "kaiming_uniform", "torch.nn.init:kaiming_uniform_", "--device", "cpu",
                 "--examples", "2"]) == 0
    assert main(["gate", "kaiming_normal", f"{repo_path(FAULTS)}:swapped_fan_mode", "--device", "cpu",
                 "--examples", "2"]) == 1
    out, _ = capsys.readouterr()
    assert "HELD" in out and "FALSIFIED" in out and "expected" in out
