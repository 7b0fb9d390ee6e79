"""The HTML report: self-contained, complete for every kind of verdict, deterministic, and
written by ``check --report``, ``gate --report`` and ``pytest --odl-report``."""
import io
import json
import os
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
    # plots: bound against observed, tightness, and the attached ones (PNG past 3000 points); no plot
    # without data, and no histograms of what was drawn (the coverage table says it)
    assert page.count("<svg") == 3 and page.count("data:image/png;base64,") == 1
    assert "second moment vs depth" in page and "no data" not in page and "drawn eta" not in page
    # kinds in words, tight or upper bound only where it means something, and the tightness summary
    assert "sympy claim · tight" in page and "attained (0.9990)" in page
    assert "Tightness: 1 of 1 tight bounds attained" in page
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


def test_pytest_report_lists_the_wrong_variants_with_their_counterexamples(tmp_path):
    collector = ReportCollector(_Config, str(tmp_path / "suite.html"))
    wrong, survived = falsified_claim().to_dict(), held_claim().to_dict()
    survived["theorem"] = "descent-lemma~not-actually-wrong"
    for report in [_report("theorems/a.py::a", "passed", properties=[("odl_verdict", held_claim().to_dict())]),
                   _report("tests/test_b.py::test_wrong", "passed", properties=[("odl_variant_verdict", wrong)]),
                   _report("tests/test_c.py::test_again", "passed", properties=[("odl_variant_verdict", wrong)]),
                   _report("tests/test_d.py::test_survived", "failed", properties=[("odl_variant_verdict", survived)])]:
        collector.pytest_runtest_logreport(report)
    collector.pytest_sessionfinish(None, 0)
    data = json.loads((tmp_path / "suite.json").read_text())
    assert [v["theorem"] for v in data["verdicts"]] == ["descent-lemma"]  # variants are not theorem rows
    assert [v["theorem"] for v in data["wrong_variants"]] == ["descent-lemma~not-actually-wrong",
                                                              "descent-lemma~wrong"]  # one row per variant
    page = (tmp_path / "suite.html").read_text()
    variants = page[page.index('id="wrong-variants"'):page.index('id="environment"')]
    assert "Wrong variants: 1 of 2 falsified as expected" in variants
    assert variants.count('class="status expected">falsified as expected') == 2  # table row and section
    assert 'class="status unexpected">held on 30 instances: not falsified' in variants
    assert "exact slack -0.333333" in variants and "odl-verify reproduce &#39;v.py:descent-lemma~wrong&#39;" in variants


def test_environment_names_versions_and_commit():
    env = environment(seed=3)
    assert env["seed"] == 3 and env["versions"]["torch"] and "profile" in env


def test_a_proof_shows_its_equations_and_collapses_them_with_the_witness():
    from odl_verify.theorems.method_conventions import NESTEROV_SLIDES_IS_NOT_NESTEROV
    verdict = check(NESTEROV_SLIDES_IS_NOT_NESTEROV)
    page = render([verdict.to_dict()], ENV)
    section = page[page.index('<section id="t0">'):page.index("</section>")]
    assert "sympy proof" in section and "upper bound" not in section and "tight" not in section.split("</p>")[0]
    assert "0 instances" not in section and "What was drawn" not in section
    # every identity and difference as rendered MathML (4 + 2 equations), inside collapsed <details>
    assert section.count("<math ") == 6 and "<details open" not in section and section.count("<details>") == 3
    assert "Proved in sympy: 4 of 4 identities" in section and "x_2: slides vs Nesterov" in section
    assert "1/4" in section and "1/8" in section and "eta = 1/2" in section  # values at the witness, the witness
    assert "\\\\frac" not in section and "\\\\beta" not in section  # no LaTeX source


def _statistical(p_values, rejected) -> dict:
    tests = [{"name": f"layer {i}", "expected": 1.0, "observed": 1.0 + 0.1 * i, "variance": 5.0, "samples": 100,
              "blocks": 9, "p_value": p, "critical": 0.5, "detectable": 0.9, "rejected": r,
              "method": "median of means"} for i, (p, r) in enumerate(zip(p_values, rejected))]
    v = Verdict(theorem="kaiming-x", title="K", status=FALSIFIED if any(rejected) else HELD, statement="s",
                kind="statistical", details={"tests": tests, "false_alarm": 1e-6})
    return v.to_dict()


def test_statistical_tables_show_p_values_only_when_some_is_informative():
    quiet = render([_statistical([1.0, 1.0, 1.0], [False] * 3)], ENV)
    assert "<th>p</th>" not in quiet and "Holm level" not in quiet and "nan" not in quiet
    assert "Tests: 0 of 3 rejected, Holm-corrected at P(false alarm) ≤ 1e-06" in quiet
    assert "<th>rejects beyond ±</th>" in quiet
    loud = render([_statistical([1e-9, 0.5, 1.0], [True, False, False])], ENV)
    assert "<th>p</th><th>Holm level</th>" in loud
    row = loud[loud.index("<td>layer 0</td>"):].split("</tr>")[0]  # the rejected test comes first
    assert "1e-09" in row and "3.33e-07" in row and "rejected" in row  # Holm: 1e-6/3 for the smallest p


def test_axes_turn_logarithmic_only_where_the_data_span_more_than_two_decades():
    from odl_verify.frontends.report.plots import axis_scale, bound_against_observed, render as render_plot
    assert axis_scale([1e-8, 1.0]) == ("log", {})
    assert axis_scale([1.0, 50.0]) == ("linear", {})
    assert axis_scale([-1.0, 0.0, 1e-6, 10.0]) == ("symlog", {"linthresh": 1e-06})
    # roundoff beside real values sits in the linear part: eight decades below the largest, not 180
    assert axis_scale([-1e-190, 0.0, 3e-9, 2e-6]) == ("symlog", {"linthresh": 1e-14})
    assert axis_scale([1e-8, 1.0], "linear") != axis_scale([1e-8, 1.0], "symlog")  # a requested scale is kept
    spec = bound_against_observed({"bound": [1e-9, 1e-3, 1.0], "observed": [1e-9, 9e-4, 1.0]}, tight=True)
    svg = render_plot(spec, "u")
    assert "10^{-8}" in svg or "10^{-9}" in svg  # decade tick labels, not a linear axis with everything at 0


def test_tight_claims_that_were_not_reached_are_flagged():
    short = held_claim()
    short.tightness = 0.84
    page = render([short.to_dict()], ENV)
    assert "tight, reached 0.8400 only" in page and "not reached: descent-lemma" in page


# ---------------------------------------------------------------- the math font
def shipped_formulas() -> list[str]:
    """Every formula the report draws for the shipped theorems: each claim's hypotheses and
    conclusion (MathML from sympy, or LaTeX converted) and every equation of each sympy proof."""
    from odl_verify.engine.proofs import SymbolicFinding
    from odl_verify.frontends.registry import builtin_claims
    from odl_verify.frontends.report import formulas
    texts = []
    for claim in builtin_claims().values():
        texts += formulas({"mathml": claim.mathml(), "latex": claim.latex()})["all"]
        if isinstance(claim, SymbolicFinding):
            details = check(claim).details
            texts += [row["mathml"] for row in details["identities"] + details["differences"]]
    return texts


def test_embedded_font_draws_every_glyph_of_every_shipped_formula_and_stretches():
    from fontTools.ttLib import TTFont
    from odl_verify.frontends.report import fonts
    from odl_verify.theorems.heavy_ball import HEAVY_BALL_RATE
    texts = shipped_formulas()
    assert HEAVY_BALL_RATE.mathml()["conclusion"] in texts and len(texts) > 40
    text = "".join(texts)
    font = fonts.font_bytes(text)
    assert fonts.missing_glyphs(text, font) == set()
    assert "MATH" in TTFont(io.BytesIO(font))  # radicals and delimiters take their sizes from it
    assert fonts.unstretchable(font, "√()[]{|‖") == []
    # the heavy-ball rate has its square roots, and the font draws the radical sign they need
    assert HEAVY_BALL_RATE.mathml()["conclusion"].count("<msqrt>") == 8 and "√" not in HEAVY_BALL_RATE.mathml()["conclusion"]
    assert 0x221A in TTFont(io.BytesIO(font)).getBestCmap()
    assert len(font) < 80_000  # the subset, not the 186 kB source


def test_font_checks_reject_a_text_font_that_draws_no_radical():
    """The font the report embedded before: matplotlib's STIXGeneral cut to the formulas' text.
    It has no √ (an <msqrt> has none in its text) and no MATH table: the checks must say so."""
    import matplotlib
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from odl_verify.frontends.report import fonts
    from odl_verify.theorems.heavy_ball import HEAVY_BALL_RATE
    formula = HEAVY_BALL_RATE.mathml()["conclusion"]
    text_only = {ord(c) for c in re.sub(r"<[^>]*>", "", formula) if not c.isspace()}
    font = TTFont(os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "STIXGeneral.ttf"))
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(unicodes=text_only)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    assert "√" in fonts.missing_glyphs(formula, out.getvalue())
    assert set(fonts.unstretchable(out.getvalue(), "√()")) == set("√()")


def test_vendored_font_is_renamed_and_keeps_its_license():
    from fontTools.ttLib import TTFont
    from odl_verify.frontends.report import fonts
    names = TTFont(io.BytesIO(fonts.font_bytes("<math><mi>x</mi></math>")))["name"]
    assert names.getDebugName(1) == fonts.FAMILY and "STIX" in names.getDebugName(0)
    assert "Open Font License" in names.getDebugName(13)
    with open(os.path.join(os.path.dirname(fonts.SOURCE), "OFL.txt"), encoding="utf-8") as handle:
        license_text = handle.read()
    assert "SIL OPEN FONT LICENSE" in license_text and "STIX Fonts Project Authors" in license_text


def test_a_legend_names_no_curve_that_the_plot_cannot_show():
    from odl_verify.frontends.report.plots import render as render_plot
    spec = {"title": "moments", "kind": "line", "yscale": "log", "series": [
        {"label": "kaiming", "x": [0, 1, 2], "y": [1.0, 1.0, 1.0]},
        {"label": "zero", "x": [0, 1, 2], "y": [1.0, 0.0, 0.0]},  # positive at the start: drawn
        {"label": "dead", "x": [0, 1, 2], "y": [0.0, 0.0, 0.0]}]}
    svg = render_plot(spec, "v")
    assert "dead (not &gt; 0: off the log axis)" in svg and "zero (not" not in svg and "kaiming (not" not in svg


def test_a_falsified_tight_claim_is_not_counted_as_a_bound_not_reached():
    from odl_verify.frontends.report.sections import tightness, tightness_summary
    held = {"theorem": "a", "status": HELD, "kind": "claim", "tight": True, "tightness": 1.0}
    short = {"theorem": "b", "status": HELD, "kind": "claim", "tight": True, "tightness": 0.5}
    broken = {"theorem": "c", "status": FALSIFIED, "kind": "claim", "tight": True, "tightness": 0.65}
    summary = tightness_summary([held, short, broken])
    assert (summary["tight"], summary["attained"], summary["short"]) == (2, 1, ["b"])
    assert tightness(broken)["text"] == "n/a (falsified)" and tightness(short)["css"] == "short"


def test_plots_drawn_in_forked_workers_are_the_ones_drawn_here():
    from odl_verify.frontends.report.plots import PLOTS_PER_WORKER, render, render_all
    specs = [({"title": f"p{k}", "series": [{"label": "y", "x": [1, 2, 3], "y": [k, k + 1, k * k]}]}, f"u{k}")
             for k in range(2 * PLOTS_PER_WORKER)]
    assert render_all(specs) == [render(spec, uid) for spec, uid in specs]
