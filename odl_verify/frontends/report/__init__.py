"""Writing results to disk: JSON verdicts and the self-contained HTML report.

The report is one HTML file that opens offline: inline CSS, plots as inline SVG (PNG for
very many points), formulas as MathML rendered from the claims' sympy, and a subset math
font embedded as base64. A Content-Security-Policy forbids every network fetch. It is
rendered from verdict dicts (``Verdict.to_dict()``), so the CLI and the pytest plugin,
which receives verdicts from xdist workers as dicts, share one renderer.
"""
from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from importlib import metadata
from typing import Any, Iterable

from ...core.verdict import ERROR, FALSIFIED, HELD, Counterexample, Verdict
from ...errors import UsageError
from . import sections as sections_module

#: keys of ``verdict.details`` that have their own place in a section (proofs and tests have
#: their own tables; a proof's notes restate its identities, so its notes are not repeated)
_DETAILS_SHOWN_ELSEWHERE = {"plots", "domains", "notes", "identities", "differences", "witness", "failures",
                            "tests", "false_alarm"}
#: longest list shown in full in a details table
_LIST_SHOWN = 12


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` so that readers see the old file or the whole new one, never half."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".odl-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is for reading
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def report_path(path: str) -> str:
    """Validate a ``--report`` path: an .html file whose JSON twin can sit beside it."""
    if os.path.splitext(path)[1].lower() not in (".html", ".htm"):
        raise UsageError(f"--report {path}: the report is HTML, give a path ending in .html")
    if os.path.isdir(path):
        raise UsageError(f"--report {path} is a directory; give a file path ending in .html")
    return path


def json_path(path: str) -> str:
    return os.path.splitext(path)[0] + ".json"


def check_output_paths(*, json: str | None = None, report: str | None = None) -> None:
    """Before any work: every file asked for can be written, and none would overwrite another
    (``--json x.json --report x.html`` would: the report's data is ``x.json``)."""
    paths = {}
    if report:
        paths["--report"] = report_path(report)
        paths["--report's data file"] = json_path(report)
    if json:
        paths["--json"] = json
    for option, path in paths.items():
        _check_writable(option, path)
    if json and report and os.path.realpath(json) in (os.path.realpath(report), os.path.realpath(json_path(report))):
        raise UsageError(f"--json {json} is where --report {report} writes its own data ({json_path(report)}); "
                         "give --json another path")


def _check_writable(option: str, path: str) -> None:
    """Create (and remove) a file beside ``path``: what a write at the end would do, tried now."""
    if os.path.isdir(path):
        raise UsageError(f"{option} {path} is a directory; give a file path")
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".odl-", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


def environment(**run) -> dict[str, Any]:
    """What the run ran on: versions, git commit, plus ``run`` (seed, profile, command...)."""
    from hypothesis import settings
    versions = {"python": sys.version.split()[0]}
    for package in ("odl-verify", "torch", "sympy", "hypothesis", "mpmath", "numpy", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    env = {"versions": versions, "git commit": _git_commit(),
           "profile": f"{getattr(settings, '_current_profile', None) or '?'} "
                      f"({settings.default.max_examples} examples per claim)"}
    env.update({k: v for k, v in run.items() if v is not None})
    return env


def _git_commit() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def write_report(path: str, verdicts: Iterable[Verdict | dict], env: dict[str, Any],
                 variants: Iterable[Verdict | dict] = ()) -> None:
    """The HTML report at ``path`` and the same data as JSON beside it (``.json``); ``variants``
    are the verdicts of wrong variants that a test suite expects to be falsified."""
    dicts = [v.to_dict() if isinstance(v, Verdict) else v for v in verdicts]
    variant_dicts = [v.to_dict() if isinstance(v, Verdict) else v for v in variants]
    data = {"environment": env, "verdicts": dicts}
    if variant_dicts:
        data["wrong_variants"] = variant_dicts
    atomic_write(json_path(path), json.dumps(data, indent=1, sort_keys=True))
    atomic_write(path, render(dicts, env, variant_dicts))


# ---------------------------------------------------------------- rendering
def render(verdicts: list[dict], env: dict[str, Any], variants: list[dict] = ()) -> str:
    """The report's HTML for verdict dicts; the same input gives the same bytes."""
    import jinja2
    from markupsafe import Markup

    from . import fonts
    # grouped by the theory section they check (stable: a run's order within a section stays)
    from . import plots
    order = sorted(range(len(verdicts)), key=lambda i: _section_number(verdicts[i]))
    shown = [(verdicts[i], f"t{i}") for i in order] + [(v, f"w{index}") for index, v in enumerate(variants)]
    specs = [_plot_specs(v) for v, _ in shown]
    rendered = iter(plots.render_all([(spec, f"{anchor}-{n}") for (_, anchor), section in zip(shown, specs)
                                      for n, spec in enumerate(section)]))
    all_sections = [_section(v, anchor, [next(rendered) for _ in section]) for (v, anchor), section in zip(shown, specs)]
    sections, variant_sections = all_sections[:len(order)], all_sections[len(order):]
    math_text = "".join(f for s in sections + variant_sections for f in s["formulas"])
    loader = jinja2.PackageLoader("odl_verify.frontends.report", "templates")
    templates = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                   undefined=jinja2.StrictUndefined)
    counts = Counter(v.get("status") for v in verdicts)
    expected = sum(1 for v in variants if v.get("status") == FALSIFIED)
    return templates.get_template("report.html.j2").render(
        sections=sections, variants=variant_sections, variants_falsified=expected, env=env, counts=counts,
        HELD=HELD, FALSIFIED=FALSIFIED, ERROR=ERROR, tightness=sections_module.tightness_summary(verdicts),
        font_css=Markup(fonts.font_face(math_text) if math_text else ""), font_family=fonts.FAMILY,
        env_table=Markup(details_table(env)))


def _section_number(v: dict) -> int:
    section = sections_module.theory_section(v)
    return int(section[1:]) if section else 1_000_000


def _plot_specs(v: dict) -> list[dict]:
    """The plots of one verdict's section: a claim's two sides and tightness, then its own plots."""
    from . import plots
    details = v.get("details") or {}
    specs = []
    if v.get("kind", "claim") == "claim":
        specs += [s for s in (plots.bound_against_observed(v.get("samples") or {}, bool(v.get("tight"))),
                              plots.tightness_histogram(v.get("samples") or {})) if s]
    return specs + [p for p in details.get("plots", []) if isinstance(p, dict)]


def _section(v: dict, anchor: str, rendered: list[str]) -> dict:
    from markupsafe import Markup

    shown = formulas(v)
    details = v.get("details") or {}
    proof = sections_module.proof(details)
    tests = sections_module.statistical_tests(details)
    shown_details = {k: d for k, d in details.items() if k not in _DETAILS_SHOWN_ELSEWHERE}
    counterexample = v.get("counterexample")
    return {
        "v": v, "anchor": anchor, "formulas": shown["all"] + sections_module.proof_formulas(proof),
        "hypotheses": [Markup(m) for m in shown["hypotheses"]],
        "conclusion": Markup(shown["conclusion"]) if shown["conclusion"] else None,
        "verdict_text": sections_module.verdict_text(v), "kind": sections_module.kind_label(v),
        "evidence": sections_module.evidence(v),
        "bound": sections_module.bound_label(v), "tightness": sections_module.tightness(v),
        "theory": sections_module.theory_section(v),
        "drew": bool(v.get("instances") or v.get("examples") or v.get("coverage")),
        "coverage": sections_module.coverage_rows(v.get("coverage") or {}),
        "proof": _markup_proof(proof), "tests": tests,
        "plots": [Markup(p) for p in rendered if p],
        "details": Markup(details_table(shown_details)) if shown_details else None,
        "counterexample": Markup(details_table(counterexample["shown"])) if counterexample else None,
        "counterexample_summary": Counterexample(**counterexample).summary() if counterexample else None,
    }


def _markup_proof(proof: dict | None) -> dict | None:
    from markupsafe import Markup
    if proof is None:
        return None
    for row in proof["identities"] + proof["differences"]:
        row["mathml"] = Markup(row["mathml"]) if row["mathml"] else None
    return proof


def formulas(v: dict) -> dict:
    """MathML from the verdict (the claim's sympy); else its LaTeX converted; else nothing,
    and the section shows the plain-text statement instead of any markup source."""
    from ...definitions.claims.mathml import latex_to_mathml
    mathml = v.get("mathml") or {}
    hypotheses, conclusion = list(mathml.get("hypotheses") or []), mathml.get("conclusion")
    if not conclusion and (v.get("latex") or {}).get("conclusion"):
        try:
            hypotheses = [latex_to_mathml(h) for h in v["latex"].get("hypotheses") or []]
            conclusion = latex_to_mathml(v["latex"]["conclusion"])
        except ValueError:
            hypotheses, conclusion = [], None
    return {"hypotheses": hypotheses, "conclusion": conclusion,
            "all": hypotheses + ([conclusion] if conclusion else [])}


def _blank(value) -> bool:
    """A table cell with nothing to say: None, empty, or a non-finite number."""
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, float) or value in ("nan", "inf", "-inf"):
        return sections_module.number(value) is None
    return False


def details_table(value, depth: int = 0) -> str:
    """Any JSON-like value as readable HTML: dicts as two-column tables, lists of dicts as
    tables with a column per key (columns blank in every row left out), other lists inline
    (long ones cut with a count)."""
    escape = html.escape
    if isinstance(value, dict):
        if not value:
            return "<em>none</em>"
        rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{details_table(v, depth + 1)}</td></tr>"
                       for k, v in value.items())
        return f'<table class="kv">{rows}</table>'
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(item, dict) for item in value) and depth < 4:
            columns = [c for c in dict.fromkeys(k for item in value for k in item)
                       if not all(_blank(item.get(c)) for item in value)]
            head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
            body = "".join("<tr>" + "".join(f"<td>{details_table(item.get(c, ''), depth + 1)}</td>"
                                            for c in columns) + "</tr>" for item in value[:_LIST_SHOWN])
            more = (f'<tr><td colspan="{len(columns)}">… {len(value) - _LIST_SHOWN} more rows (in the JSON)</td></tr>'
                    if len(value) > _LIST_SHOWN else "")
            return f'<table class="grid"><tr>{head}</tr>{body}{more}</table>'
        items = [details_table(item, depth + 1) for item in value[:_LIST_SHOWN]]
        more = f", … ({len(value) - _LIST_SHOWN} more)" if len(value) > _LIST_SHOWN else ""
        return f'<span class="list">[{", ".join(items)}{more}]</span>'
    if isinstance(value, float):
        return escape(sections_module.fmt(value))
    text = escape(str(value))
    return f"<code>{text}</code>" if "\n" in text or len(text) > 80 else text
