"""Fault injection: user code and outputs under faults. Every hang is stopped, every broken
contract caught, every output written where it was asked for and no result lost; each case
ends with a one-line reason and a defined exit code within a bounded time.

The faulty claims and gate targets live in tests/faults/. Faults the gates already catch on
their own are tested beside them (tests/test_gate_optimizers.py: a target that raises, returns
NaN or hangs in Python; tests/test_gate_initializers.py: wrong signature, wrong shape); here
are the ones that cross the frontends, the worker and the outputs.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from _pytest.reports import TestReport

from odl_verify.frontends.cli import main
from odl_verify.frontends.pytest_plugin import ReportCollector

pytest_plugins = ["pytester"]

FAULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faults")
CLAIMS = os.path.join(FAULTS, "claims.py")
OPTIMIZERS = os.path.join(FAULTS, "optimizers.py")


def run(capsys, *argv):
    started = time.monotonic()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - started


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def written(path) -> list[dict]:
    return json.loads(path.read_text())["verdicts"]


# ------------------------------------------------------------------ a claim's measure
BROKEN_MEASURES = [
    ("one-value-for-the-batch", "measure returned grad_sq with shape (1,), expected ("),
    ("raises", "measure raised RuntimeError: boom"),
    ("crashes", "the worker running the check was killed by SIGSEGV in descent-lemma~crashes: measure"),
    ("returns-nan", "measure returned NaN or inf"),
    *[pytest.param(*case, marks=pytest.mark.thorough) for case in [
        ("misses-a-quantity", "measure did not return ['f_next', 'grad_sq']"),
        ("a-column", "measure returned f_t with shape ("),
        ("float32", "measure returned f_next with dtype torch.float32, expected the batch's torch.float64"),
        ("a-python-float", "measure returned f_t with a float, expected an array of shape ("),
        ("not-a-dict", "measure returned a list, not a dict"),
        ("exits", "raised SystemExit: 3"),
    ]],
]


@pytest.mark.parametrize("claim, reason", BROKEN_MEASURES)
def test_a_broken_measure_is_an_error_verdict_in_the_json(capsys, tmp_path, claim, reason):
    out_json = tmp_path / "verdicts.json"
    code, out, err, _ = run(capsys, "check", f"{CLAIMS}:descent-lemma~{claim}", "--examples", "2",
                            "--device", "cpu", "--json", str(out_json))
    assert code == 2 and reason in one_line(err)
    assert "verdict:   ERROR" in out
    (verdict,) = written(out_json)
    assert verdict["status"] == "error" and reason in verdict["error"]


def test_a_measure_stuck_in_c_is_stopped_at_its_call_timeout_naming_the_case():
    """One C call (``sum(range(10**13))``): no signal or thread can stop it; killing the worker does.
    The deadline is per call of the measure (CheckConfig.timeout), so the search's own set-up
    does not count."""
    from odl_verify import CheckConfig
    from odl_verify.engine.checking import check_guarded
    from odl_verify.frontends.registry import load_file
    (claim,) = [c for c in load_file(CLAIMS) if c.name == "descent-lemma~hangs-in-c"]
    started = time.monotonic()
    verdict = check_guarded(claim, CheckConfig(examples=2, timeout=1, device="cpu"))
    assert time.monotonic() - started < 30
    assert verdict.status == "error" and "descent-lemma~hangs-in-c: measure did not return within 1 s" in verdict.error
    case = verdict.details["case"]  # the example it hung on, as drawn
    assert case["family"] and case["dimension"] >= 1 and "x0" in case and f'"seed": {case["seed"]}' in verdict.error


def test_a_claim_past_its_timeout_is_stopped_and_the_other_claims_still_run(capsys, tmp_path):
    out_json, report = tmp_path / "verdicts.json", tmp_path / "report.html"
    # the hung claim first: the fine one, after it, must still run (within the same limit)
    code, out, err, seconds = run(capsys, "check", f"{CLAIMS}:descent-lemma~sleeps", f"{CLAIMS}:descent-lemma~fine",
                                  "--examples", "2", "--device", "cpu", "--timeout", "3", "--json", str(out_json),
                                  "--report", str(report))
    line = one_line(err)
    assert code == 2 and "descent-lemma~sleeps: the check did not finish within its time limit of 3 s" in line
    assert "(case: {" in line and seconds < 60
    hung, fine = written(out_json)
    assert fine["status"] == "held" and hung["status"] == "error" and hung["details"]["case"]["family"]
    assert [v["status"] for v in json.loads(report.with_suffix(".json").read_text())["verdicts"]] == ["error", "held"]
    assert "did not finish within its time limit" in report.read_text()


def test_the_pytest_plugin_stops_a_claim_past_odl_timeout(pytester):
    pytester.makeini("[pytest]\nodl_claims = my_claims.py\n")
    pytester.path.joinpath("my_claims.py").write_text(open(CLAIMS).read())
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "sleeps", "--odl-examples", "2",
                                          "--odl-timeout", "2", "--odl-device", "cpu")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*error:*descent-lemma~sleeps: the check did not finish within its time limit of 2 s*"])


def test_many_short_calls_under_a_deadline_are_never_stopped_wrongly():
    """The watcher reads each call's deadline while the worker rewrites it for the next one
    (hundreds of thousands of optimizer steps in a gate run): a read in the middle of a write
    must never pass for a deadline in the past."""
    from odl_verify.engine.calls import call_user_code, on_case, run_guarded

    def calls():
        started, count = time.monotonic(), 0
        with on_case({"calls": "many"}):
            while time.monotonic() - started < 0.6:
                call_user_code(f"step() {count}", 30.0, abs, -count)
                count += 1
        return count

    assert run_guarded(calls) > 10_000  # ~150,000 here: many announcements raced against the watcher


# ------------------------------------------------------------------ gate targets
def test_a_gate_target_stuck_in_c_is_stopped_and_every_output_is_written(capsys, tmp_path):
    out_json, report = tmp_path / "verdicts.json", tmp_path / "gate.html"
    code, out, err, seconds = run(capsys, "gate", "sgd", f"{OPTIMIZERS}:HangsInC", "--examples", "1",
                                  "--timeout", "1.5", "--device", "cpu", "--json", str(out_json),
                                  "--report", str(report))
    line = one_line(err)
    assert code == 2 and "step() 1 did not return within 1.5 s, so it was stopped" in line
    assert '"method": "sgd"' in line  # the scenario it hung on
    assert seconds < 30
    (verdict,) = written(out_json)
    assert verdict["status"] == "error" and verdict["details"]["case"]["method"] == "sgd"
    assert report.exists() and report.with_suffix(".json").exists()


@pytest.mark.parametrize("target, reason", [
    (f"{OPTIMIZERS}:WrongConstructor", "accepts no 'lr' keyword"),
    (os.path.join(FAULTS, "broken_import.py") + ":X", "importing it raised ImportError"),
])
def test_a_gate_target_that_cannot_run_is_an_error_verdict_in_every_output(capsys, tmp_path, target, reason):
    out_json, report = tmp_path / "verdicts.json", tmp_path / "gate.html"
    code, _, err, _ = run(capsys, "gate", "sgd", target, "--examples", "1", "--device", "cpu",
                          "--json", str(out_json), "--report", str(report))
    assert code == 2 and reason in one_line(err)
    assert reason in written(out_json)[0]["error"]
    assert reason in json.loads(report.with_suffix(".json").read_text())["verdicts"][0]["error"]


@pytest.mark.parametrize("target, check, what", [
    ("MutatesGrad", "inputs", "changed parameter 0's .grad"),
    ("ChangesShapes", "shape", "has shape"),
])
def test_gate_targets_that_corrupt_their_inputs_or_shapes_are_falsified(target, check, what):
    """A changed .grad is reported beside the wrong step it causes; a changed shape on its own."""
    from odl_verify import CheckConfig
    from odl_verify.gate import check as gate_check
    from odl_verify.core.loading import load_object
    verdict = gate_check("sgd", load_object(f"{OPTIMIZERS}:{target}"), CheckConfig(examples=1, device="cpu"))
    shown = verdict.counterexample.shown
    assert verdict.status == "falsified"
    found = {shown["check"]: shown["what"], **{f.split(":")[0]: f for f in shown.get("also found on this case", [])}}
    assert check in found and what in found[check], shown


# ------------------------------------------------------------------ claim files
def test_a_claim_file_that_fails_to_import_is_an_error_verdict_and_the_rest_still_run(capsys, tmp_path):
    out_json, report = tmp_path / "verdicts.json", tmp_path / "report.html"
    broken = os.path.join(FAULTS, "broken_import.py")
    code, out, err, _ = run(capsys, "check", broken, f"{CLAIMS}:descent-lemma~fine", "--examples", "2",
                            "--device", "cpu", "--json", str(out_json), "--report", str(report))
    assert code == 2 and "importing it raised ImportError: this claim file needs" in one_line(err)
    statuses = [(v["theorem"], v["status"]) for v in written(out_json)]
    assert statuses == [(broken, "error"), ("descent-lemma~fine", "held")]
    assert [v["status"] for v in json.loads(report.with_suffix(".json").read_text())["verdicts"]] == ["error", "held"]


# ------------------------------------------------------------------ outputs, checked before any work
def _unwritable(tmp_path):
    """A directory this process cannot create a file in (root ignores permission bits: a path
    under a regular file then)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        (locked / "probe").touch()
    except OSError:
        return locked
    (locked / "probe").unlink()
    (tmp_path / "a-file").write_text("")
    return tmp_path / "a-file"


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_an_unwritable_output_is_refused_before_any_work(capsys, tmp_path, option):
    where = _unwritable(tmp_path)
    path = where / ("out.json" if option == "--json" else "out.html")
    code, out, err, seconds = run(capsys, "check", "descent-lemma", option, str(path))
    assert code == 2 and f"{option} {path}: cannot write there" in one_line(err)
    assert out == ""  # nothing was checked


@pytest.mark.parametrize("json_name", ["run.json", "run.html"])
def test_the_json_never_collides_with_the_reports_data_file(capsys, tmp_path, json_name):
    code, out, err, _ = run(capsys, "check", "descent-lemma", "--json", str(tmp_path / json_name),
                            "--report", str(tmp_path / "run.html"))
    assert code == 2 and "is where --report" in one_line(err) and "give --json another path" in err
    assert out == "" and not list(tmp_path.iterdir())


def test_an_output_path_that_is_a_directory_is_refused(capsys, tmp_path):
    code, out, err, _ = run(capsys, "check", "descent-lemma", "--json", str(tmp_path))
    assert code == 2 and "is a directory" in one_line(err) and out == ""


@pytest.mark.parametrize("argv, reason", [
    (["--examples", "0"], "argument --examples: expected an integer ≥ 1, got '0'"),
    (["--examples", "-3"], "argument --examples: expected an integer ≥ 1, got '-3'"),
    (["--examples", "1.5"], "argument --examples: expected an integer ≥ 1, got '1.5'"),
    (["--seed", "-1"], "argument --seed: expected an integer ≥ 0, got '-1'"),
    (["--timeout", "0"], "argument --timeout: expected seconds > 0, got '0'"),
    (["--timeout", "nan"], "argument --timeout: expected seconds > 0, got 'nan'"),
    (["--timeout", "soon"], "argument --timeout: expected seconds > 0, got 'soon'"),
])
def test_bad_numbers_get_one_message_each(capsys, argv, reason):
    code, out, err, _ = run(capsys, "check", "descent-lemma", *argv)
    assert code == 2 and reason in one_line(err) and out == ""


# ------------------------------------------------------------------ interruptions
def _ctrl_c_as_in_a_terminal() -> None:
    """In a started process: SIGINT at its default, as a terminal's Ctrl-C finds a foreground job.
    A suite started in the background (``&``) hands its children SIGINT ignored, and Python then
    keeps ignoring it, as POSIX asks of background jobs."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop, code", [(signal.SIGINT, 130),
                                        pytest.param(signal.SIGKILL, -signal.SIGKILL, marks=pytest.mark.thorough)])
def test_a_stopped_check_keeps_the_claims_it_finished(tmp_path, stop, code):
    """The first claim is written, the second hangs; Ctrl-C (or SIGKILL) leaves a valid JSON of
    the first, and no worker process behind."""
    out_json = tmp_path / "out.json"
    command = ["odl-verify", "check", f"{CLAIMS}:descent-lemma~fine", f"{CLAIMS}:descent-lemma~sleeps",
               "--examples", "2", "--device", "cpu", "--json", str(out_json)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 120
    while not out_json.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = []
    while not workers and process.poll() is None and time.monotonic() < deadline:  # the second claim's worker
        workers = _children(process.pid)
        time.sleep(0.05)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    data = json.loads(out_json.read_text())
    assert [v["theorem"] for v in data["verdicts"]] == ["descent-lemma~fine"] and data["planned"] == 2
    assert data["complete"] is False
    if stop == signal.SIGINT:
        assert data["interrupted"] is True and "interrupted after 1 of 2 claims" in one_line(err)
    time.sleep(0.5)
    assert workers and not [w for w in workers if _alive(w)]


def _verdict_report(nodeid, status):
    verdict = {"theorem": nodeid.split("::")[-1], "title": "", "status": status, "statement": "", "device": "cpu"}
    return TestReport(nodeid, (nodeid, 0, nodeid), {}, "passed", None, "call",
                      user_properties=[("odl_verdict", verdict)])


class _Config:
    class option:
        odl_seed = 0

    class invocation_params:
        args = ("-n", "2")

    class pluginmanager:
        @staticmethod
        def get_plugin(name):
            return None


def test_an_interrupted_pytest_run_never_replaces_a_report_with_an_empty_one(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("the previous run's report")
    path.with_suffix(".json").write_text("{}")
    ReportCollector(_Config, str(path)).pytest_sessionfinish(None, exitstatus=2)  # Ctrl-C before any claim
    assert path.read_text() == "the previous run's report"
    collector = ReportCollector(_Config, str(path))
    collector.pytest_runtest_logreport(_verdict_report("theorems/a.py::a", "held"))
    collector.pytest_sessionfinish(None, exitstatus=2)  # Ctrl-C after one
    data = json.loads(path.with_suffix(".json").read_text())
    assert [v["theorem"] for v in data["verdicts"]] == ["a"]
    assert data["environment"]["interrupted"].startswith("yes: the report holds the 1 checks that finished")
    assert "interrupted" in path.read_text()


@pytest.mark.thorough
def test_an_interrupted_pytest_n_2_keeps_a_report_of_what_finished(tmp_path, repo_path):
    """The real thing, as the issue saw it: ``pytest -n 2 --odl-report`` and Ctrl-C."""
    report = tmp_path / "report.html"
    report.write_text("previous")
    command = [sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "-q", repo_path("theorems"),
               "--odl-report", str(report)]
    process = subprocess.Popen(command, cwd=repo_path(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
    time.sleep(25)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    if report.read_text() == "previous":  # interrupted before the first claim finished
        assert "no claim was checked (interrupted)" in output and "is left as it was" in output
    else:
        data = json.loads(report.with_suffix(".json").read_text())
        assert data["verdicts"] and "interrupted" in data["environment"], output


# ------------------------------------------------------------------ the terminal
def test_a_closed_stdout_stops_the_printing_not_the_run(tmp_path, monkeypatch, capsys):
    read, write = os.pipe()
    os.close(read)  # the reader (``| head``) went away
    monkeypatch.setattr(sys, "stdout", os.fdopen(write, "w"))
    out_json = tmp_path / "verdicts.json"
    try:
        code = main(["check", f"{CLAIMS}:descent-lemma~fine", "--examples", "2", "--device", "cpu",
                     "--json", str(out_json)])
    finally:
        sys.stdout.close()
    assert code == 0 and written(out_json)[0]["status"] == "held"
    assert "Traceback" not in capsys.readouterr().err


def test_progress_on_stderr_only_when_asked_or_on_a_terminal(capsys):
    _, _, quiet, _ = run(capsys, "check", f"{CLAIMS}:descent-lemma~misses-a-quantity", "--device", "cpu")
    _, _, shown, _ = run(capsys, "check", f"{CLAIMS}:descent-lemma~misses-a-quantity", "--device", "cpu", "--progress")
    assert "[1/1]" not in quiet and "odl-verify: [1/1] descent-lemma~misses-a-quantity (elapsed" in shown


def test_version_and_help_load_neither_torch_nor_sympy():
    probe = ("import sys\nfrom odl_verify.frontends.cli import main\n"
             "for argv in (['--version'], ['--help'], ['check', '--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit as done:\n        assert done.code == 0\n"
             "heavy = sorted({'torch', 'sympy'} & set(sys.modules))\nassert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("odl-verify 0.") and "--timeout" in done.stdout
