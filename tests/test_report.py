"""The HTML report: self-contained, complete for every kind of verdict, deterministic, and
written by ``check --report``, ``gate --report`` and ``pytest --odl-report``."""
import json
import re

import pytest
from _pytest.reports import TestReport

from odl_verify import check, CheckConfig, Counterexample, Verdict
from odl_verify.frontends.cli import main
from odl_verify.gate import register
from odl_verify.frontends.pytest_plugin import ReportCollector
from odl_verify.frontends.report import environment, render
from odl_verify.core.verdict import ERROR, FALSIFIED, HELD
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA

ENV = {"seed": 0, "device": "cpu", "profile": "quick"}


def held_claim() -> Verdict:
    return Verdict(theorem="descent-lemma", title="Descent lemma", status=HELD, statement="s", tight=True,
                   reference="Nesterov 2004", instances=30, examples=2, worst_slack=1e-3, tightness=0.999,
                   mathml=DESCENT_LEMMA.mathml(), latex=DESCENT_LEMMA.latex(),
                   coverage={"family": ["quadratic", "logistic"], "dimension": [1, 7], "eta": [0.1, 0.9]},
                   samples={"bound": [1.0, 2.0], "observed": [1.0, 2.5], "tightness": [1.0, 0.8]})


def falsified_claim() -> Verdict:
    return Verdict(theorem="descent-lemma~wrong", title="Descent lemma", status=FALSIFIED, statement="s",
                   instances=4, examples=1, counterexample=Counterexample(
                       family="quadratic", dimension=1, case={"x0": [1.0]}, slack_float64=-0.3,
                       slack_exact="-0.333333", shown={"family": "quadratic", "x0": ["1.0"], "bound side": "1.0"},
                       reproduce="odl-verify reproduce 'v.py:descent-lemma~wrong' --case '{}'",
                       confirmation="shrunk; confirmed at 60 and 150 digits"))


def statistical_with_plots() -> Verdict:
    v = Verdict(theorem="kaiming-forward", title="Kaiming", status=HELD, statement="E[M_l] = 1", kind="statistical",
                latex={"hypotheses": [r"W_l \sim \mathcal N\left(0, \frac{2}{n_{in}}\right)"],
                       "conclusion": r"\mathbb E[X_l] = 1"}, coverage={"widths": [[1, 2], [3, 4]]})
    v.add_plot("second moment vs depth", [{"label": "M_l", "x": [1, 2, 3], "y": [1.0, 1e3, 1e6]}],
               yscale="log", xlabel="depth")
    v.add_plot("many points", [{"label": "", "x": list(range(5000)), "y": [i % 7 for i in range(5000)]}],
               kind="scatter")
    v.add_plot("no data", [{"label": "", "x": [], "y": []}])
    return v


def gate_falsified() -> Verdict:
    return Verdict(theorem="gate adam: mine.py:Adam", title="Adam gate", status=FALSIFIED, statement="", kind="gate",
                   details={"first differing step": 3, "expected": [0.1, 0.2], "got": [0.1, 0.25],
                            "trace": [{"step": i, "max abs diff": 0.0} for i in range(20)]})


def errored() -> Verdict:
    return Verdict(theorem="broken", title="Broken", status=ERROR, statement="", error="measure raised KeyError: 'x'")


def all_kinds() -> list[dict]:
    return [v.to_dict() for v in (held_claim(), falsified_claim(), statistical_with_plots(), gate_falsified(), errored())]


def test_report_is_self_contained_and_shows_every_kind_of_verdict():
    page = render(all_kinds(), ENV)
    # nothing fetched: no script, no external URL; CSP forbids any fetch but data: images and fonts
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)|url\((?!data:|#)""", page)
    assert "default-src 'none'" in page and "@font-face" in page and "data:font/ttf;base64," in page
    # formulas: MathML from sympy for the claim, from LaTeX for the statistical check; no LaTeX source
    assert page.count("<math ") == 3 + 2 and "<mfrac>" in page
    assert "\\frac" not in page and "\\mathbb" not in page
    # summary table rows and verdict wording
    assert "held on 30 instances" in page and page.count('class="status falsified"') == 2 * 2
    # counterexample with its reproduction line; the error's reason; the gate's details as a table
    assert "Counterexample (shrunk; confirmed" in page and "exact slack -0.333333" in page
    assert "odl-verify reproduce &#39;v.py:descent-lemma~wrong&#39;" in page
    assert "measure raised KeyError" in page
    assert "<th>first differing step</th><td>3</td>" in page and "<th>got</th>" in page
    assert "… 8 more rows (in the JSON)" in page
    # plots: bound against observed, tightness, coverage, and the attached ones (PNG past 3000 points)
    assert page.count("<svg") >= 5 and page.count("data:image/png;base64,") == 1
    assert "second moment vs depth" in page and "no data" not in page
    assert "1 … 4 (4 distinct)" not in page and "1, 2, 3, 4" in page  # list-valued coverage flattened
    assert len(page) < 1_000_000
    ids = re.findall(r'\sid="([^"]+)"', page)  # inline SVGs share one id space
    assert len(ids) == len(set(ids))


def test_same_seed_same_report_apart_from_timings():
    def run():
        verdicts = [check(DESCENT_LEMMA, CheckConfig(examples=2, seed=5, device="cpu")).to_dict()]
        for v in verdicts:
            v["seconds"] = 0.0
        return render(verdicts, ENV)
    assert run() == run()


def test_check_report_writes_html_and_json_even_with_errors(tmp_path, capsys):
    user = tmp_path / "broken.py"
    user.write_text("from odl_verify.theorems import descent_lemma as _lemma\n"
                    "def _bad(*a):\n    raise KeyError('x')\n"
                    "BROKEN = _lemma.DESCENT_LEMMA.variant('broken', measure=_bad)\n")
    out = tmp_path / "r" / "report.html"
    code = main(["check", str(user), "--examples", "2", "--device", "cpu", "--report", str(out)])
    assert code == 2  # an error in a claim's code
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["verdicts"][0]["status"] == ERROR and data["environment"]["seed"] == 0
    assert "measure raised KeyError" in out.read_text()
    assert not list(out.parent.glob(".odl-*"))  # no temporary file left behind


@pytest.mark.parametrize("path, reason", [("report.txt", "give a path ending in .html"),
                                          (".", "give a path ending in .html")])
def test_bad_report_path_is_a_one_line_usage_error(capsys, tmp_path, path, reason):
    code = main(["check", "descent-lemma", "--report", path])
    err = capsys.readouterr().err
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_report_path_that_is_a_directory_is_refused(capsys, tmp_path):
    (tmp_path / "d.html").mkdir()
    assert main(["check", "descent-lemma", "--report", str(tmp_path / "d.html")]) == 2
    assert "is a directory" in capsys.readouterr().err


@register("odl-report-test", "a gate that always reports its first difference")
def _differing_gate(target, spec, config):
    return gate_falsified()


def test_gate_report(tmp_path, capsys):
    out = tmp_path / "gate.html"
    code = main(["gate", "odl-report-test", "json:dumps", "--report", str(out)])
    assert code == 1
    page = out.read_text()
    assert "first differing step" in page and "Adam gate" in page


class _Config:
    """The pieces of a pytest config the collector reads."""

    class option:
        odl_seed, odl_device = 0, "cpu"

    class invocation_params:
        args = ("-n", "2")


def _report(nodeid, outcome, when="call", properties=()):
    return TestReport(nodeid, (nodeid, 0, nodeid), {}, outcome, "E   boom" if outcome == "failed" else None, when,
                      user_properties=list(properties))


def test_pytest_collector_merges_worker_verdicts_and_records_crashes(tmp_path):
    collector = ReportCollector(_Config, str(tmp_path / "suite.html"))
    held, falsified = held_claim().to_dict(), falsified_claim().to_dict()
    held["device"] = falsified["device"] = "cuda:0"  # as remote GPU workers would report them
    for report in [_report("theorems/b.py::b", "passed", properties=[("odl_verdict", held)]),
                   _report("theorems/a.py::a", "failed", properties=[("odl_verdict", falsified)]),
                   # crashed before any verdict: known as a claim item by the marker every claim item carries
                   _report("theorems/c.py::c", "failed", when="setup", properties=[("odl_claim", "c")]),
                   _report("tests/test_x.py::test_y", "failed")]:  # not a theorem: not in the report
        collector.pytest_runtest_logreport(report)
    collector.pytest_sessionfinish(None, 0)
    data = json.loads((tmp_path / "suite.json").read_text())
    assert [(v["theorem"], v["status"]) for v in data["verdicts"]] == [
        ("descent-lemma~wrong", FALSIFIED), ("descent-lemma", HELD), ("c", ERROR)]
    assert data["verdicts"][2]["error"] == "setup: E   boom"
    assert data["environment"]["command"] == "pytest -n 2"
    # the run's device is where the checks ran; the crash row, built on the controller, claims none
    assert data["environment"]["device"] == "cuda:0" and data["verdicts"][2]["device"] == ""


def test_environment_names_versions_and_commit():
    env = environment(seed=3)
    assert env["seed"] == 3 and env["versions"]["torch"] and "profile" in env
