"""The command line: verdicts, exit codes, and one-line reasons for bad input (user code
and outputs under faults: tests/test_faults.py)."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from odl_verify.frontends.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_statements_in_readable_math(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "descent-lemma" in out and "f(xₜ) − f(xₜ₊₁) ≥ η·‖∇f(xₜ)‖²·(1 − η·β/2)   given   β ≥ L, η > 0" in out
    assert "‖xₜ‖ ≤ ‖x₀‖·(1 − η·λₘᵢₙ)ᵗ" in out and "eta*" not in out.split("kaiming")[0]


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("odl-verify 0.")


def test_check_descent_lemma_exits_0_and_writes_json(capsys, tmp_path):
    path = tmp_path / "out" / "verdicts.json"
    code, out, _ = run(capsys, "check", "descent-lemma", "--examples", "6", "--device", "cpu",
                       "--json", str(path))
    assert code == 0
    assert "verdict:   HELD" in out and "tightness" in out
    assert "domain:    β ∈ [L, ∞); η ∈ (0, ∞)" in out
    # roundoff beside HELD is worded as roundoff, not as a near-violation
    assert "(float64 roundoff: a violation needs a slack below −1e-09 confirmed at 60 digits)" in out
    assert "cleared: roundoff, not violations" in out
    data = json.loads(path.read_text())
    assert data["verdicts"][0]["theorem"] == "descent-lemma"
    assert data["verdicts"][0]["status"] == "held"
    assert data["complete"] is True and data["planned"] == 1


def test_user_variant_file_is_falsified_with_reproduction(capsys, tmp_path):
    user = tmp_path / "my_variant.py"
    user.write_text(textwrap.dedent("""
        import sympy as sp
        from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, f_t, f_next, grad_sq, beta
        MINE = DESCENT_LEMMA.variant("mine", conclusion=sp.Ge(f_t - f_next, grad_sq / beta))
    """))
    code, out, _ = run(capsys, "check", os.path.relpath(user), "--device", "cpu", "--examples", "4")
    assert code == 1
    assert "FALSIFIED" in out and "descent-lemma~mine - Descent lemma (variant 'mine')" in out
    line = next(l for l in out.splitlines() if l.strip().startswith("reproduce:"))
    assert f"{user}:descent-lemma~mine" in line  # absolute: the line works from any directory
    argv = line.split("reproduce:", 1)[1].strip()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    replay = subprocess.run(argv, shell=True, capture_output=True, text=True, cwd=elsewhere)
    assert replay.returncode == 1, replay.stderr
    assert json.loads(replay.stdout)["violated"] is True


@pytest.mark.parametrize("argv, reason", [
    (["check", "no-such-theorem"], "unknown theorem 'no-such-theorem'"),
    (["check", "descent-lemma", "--examples", "zero"], "expected an integer"),
    (["check", "descent-lemma", "--device", "tpu"], "--device must be auto, cpu or cuda"),
    (["check", "missing.py"], "missing.py: no such file"),
    (["frobnicate"], "invalid choice"),
    (["reproduce", "descent-lemma", "--case", "{not json"], "--case is not valid JSON"),
    (["reproduce", "descent-lemma", "--case", "{}"], "--case does not describe an instance"),
])
def test_bad_usage_is_one_line_and_exit_2(capsys, argv, reason):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert reason in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cuda_without_gpu_is_a_usage_error(capsys):
    import torch
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    code, _, err = run(capsys, "check", "descent-lemma", "--device", "cuda")
    assert code == 2 and "no CUDA device" in err


def _user_file(tmp_path, body):
    path = tmp_path / "user_claims.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_file_without_claims(capsys, tmp_path):
    code, _, err = run(capsys, "check", _user_file(tmp_path, "X = 1\n"))
    assert code == 2 and "defines no claims" in err


def test_file_that_fails_to_import(capsys, tmp_path):
    code, _, err = run(capsys, "check", _user_file(tmp_path, "import no_such_module_xyz\n"))
    assert code == 2 and "importing it raised ModuleNotFoundError" in err


def test_module_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "odl_verify", "list", "--nope"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("odl-verify: error: unrecognized arguments: --nope")


def test_a_crashing_check_is_an_error_verdict_and_the_others_still_run(capsys, tmp_path, monkeypatch):
    def crash(claim, config=None):
        raise ZeroDivisionError("inside the engine")

    monkeypatch.setattr("odl_verify.engine.checking.falsify", crash)
    report = tmp_path / "verdicts.json"
    code, out, err = run(capsys, "check", "descent-lemma", "method-conventions", "--json", str(report))
    assert code == 2
    assert "descent-lemma crashed: ZeroDivisionError: inside the engine" in err and "Traceback" not in err
    statuses = [v["status"] for v in json.loads(report.read_text())["verdicts"]]
    assert statuses[0] == "error" and statuses[1:] and all(s == "held" for s in statuses[1:])
