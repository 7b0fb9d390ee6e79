"""What one verdict shows in the report, as plain data for the template: the tightness in words,
the proof of a sympy finding as equations, the statistical tests that matter, what was drawn.
Everything here reads verdict dicts (``Verdict.to_dict()``) and returns strings, numbers or
HTML fragments; :mod:`odl_verify.frontends.report` assembles the page."""
from __future__ import annotations

import math
import re
from collections import Counter

from ...core.verdict import ERROR, FALSIFIED, HELD, Counterexample

#: a tight claim counts as attained when the search came this close to equality
ATTAINED = 0.999
#: longest list of tests shown (the rest stay in the JSON)
TESTS_SHOWN = 12
#: the label of each kind of statement in the report
KIND_LABELS = {"claim": "sympy claim", "statistical": "statistical", "exact": "exact computation",
               "sympy proof": "sympy proof", "gate": "gate"}
_SECTION = re.compile(r"docs/theory\.md §(\d+)")


def number(value) -> float | None:
    """A finite float from a JSON value ('nan' and 'inf' strings, None and text give None)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def kind_label(v: dict) -> str:
    return KIND_LABELS.get(v.get("kind", "claim"), str(v.get("kind")))


def theory_section(v: dict) -> str:
    """"§3" for a verdict whose reference cites docs/theory.md §3, else ""."""
    match = _SECTION.search(v.get("reference") or "")
    return f"§{match.group(1)}" if match else ""


def bound_label(v: dict) -> str:
    """What the bound claims to be: attained somewhere (tight) or only an upper bound; a proof
    is exact and a gate compares implementations, so neither has one."""
    if v.get("kind") in ("sympy proof", "gate"):
        return ""
    return "tight" if v.get("tight") else "upper bound"


def tightness(v: dict) -> dict:
    """The tightness cell: text, a CSS class and whether it is what the claim promises.

    A tight claim should be attained (observed/bound ≥ 0.999 somewhere); an upper bound may
    sit anywhere below 1; a proof is exact."""
    status, kind, ratio = v.get("status"), v.get("kind", "claim"), number(v.get("tightness"))
    if status == ERROR:
        return {"text": "n/a (error)", "css": "error"}
    if status == FALSIFIED and kind != "sympy proof":  # the bound does not hold: how close it came is moot
        return {"text": "n/a (falsified)", "css": ""}
    if kind == "sympy proof":
        return {"text": "exact (proved)" if status == HELD else "refuted", "css": "exact"}
    if kind == "gate":
        return {"text": "n/a", "css": ""}
    if ratio is None:
        if kind == "statistical":
            return {"text": "equality in expectation" if v.get("tight") else "bound in probability", "css": "exact"}
        return {"text": "not measured", "css": ""}
    if v.get("tight"):
        if ratio >= ATTAINED:
            return {"text": f"attained ({ratio:.4f})", "css": "attained"}
        return {"text": f"tight, reached {ratio:.4f} only", "css": "short"}
    return {"text": f"upper bound, closest {ratio:.3g}", "css": "bound"}


def tightness_summary(verdicts: list[dict]) -> dict:
    """How many tight claims that held reached their bound, for the line at the top of the report
    (a falsified claim has no bound to reach)."""
    tight = [v for v in verdicts if v.get("tight") and number(v.get("tightness")) is not None
             and v.get("status") == HELD]
    attained = [v for v in tight if number(v["tightness"]) >= ATTAINED]
    short = [v["theorem"] for v in tight if number(v["tightness"]) < ATTAINED]
    bounds = sum(1 for v in verdicts if not v.get("tight") and v.get("kind", "claim") in ("claim", "exact", "statistical"))
    proofs = sum(1 for v in verdicts if v.get("kind") == "sympy proof")
    return {"tight": len(tight), "attained": len(attained), "short": short, "bounds": bounds, "proofs": proofs}


def evidence(v: dict) -> str:
    """In one line, what shows a falsified statement false: the counterexample, the identity that
    failed with its value at the witness, or the rejected tests."""
    counterexample = v.get("counterexample")
    details = v.get("details") or {}
    if counterexample:
        return f"{counterexample.get('family', '')}, d = {counterexample.get('dimension', '?')}: " \
               f"{Counterexample(**counterexample).summary()}"
    failed = [row for row in details.get("identities") or [] if "at witness" in row]
    if failed:
        return f"{failed[0]['label']}: the two sides differ by {failed[0]['at witness']} at the witness"
    if details.get("failures"):
        return details["failures"][0]
    tests = details.get("tests") or []
    if tests:
        return f"{sum(bool(t.get('rejected')) for t in tests)} of {len(tests)} tests rejected"
    return v.get("error") or ""


def verdict_text(v: dict) -> str:
    status = v.get("status")
    if status == HELD:  # a proof or exact computation draws no instances
        return f"held on {v['instances']} instances" if v.get("instances") else "held"
    return "falsified" if status == FALSIFIED else "error"


def coverage_rows(coverage: dict) -> list[dict]:
    """One row per drawn quantity: the range of numbers, or counts of categories."""
    from .plots import numeric_values
    rows = []
    for key in sorted(coverage):
        values, numbers = coverage[key], numeric_values(coverage[key])
        if numbers:
            distinct = sorted(set(numbers))
            shown = (", ".join(fmt(x) for x in distinct) if len(distinct) <= 8
                     else f"{fmt(distinct[0])} … {fmt(distinct[-1])} ({len(distinct)} distinct)")
        else:
            counts = sorted(Counter(map(str, values)).items())
            shown = ", ".join(f"{name} ×{n}" for name, n in counts[:8])
            shown += f", … ({len(counts) - 8} more kinds)" if len(counts) > 8 else ""
        rows.append({"name": key, "count": len(values), "shown": shown})
    return rows


# ---------------------------------------------------------------- sympy proofs
def proof(details: dict) -> dict | None:
    """A sympy finding's identities and differences, each with its equation (MathML), for the
    template; None for verdicts that are not proofs."""
    identities, differences = details.get("identities"), details.get("differences")
    if identities is None and differences is None:
        return None
    proved = [{"label": row.get("label", ""), "mathml": row.get("mathml", ""),
               "holds": (row.get("difference") or {}).get("text") == "0",
               "difference": (row.get("difference") or {}).get("text", ""),
               "at_witness": row.get("at witness"), "witness": _witness_text(row.get("witness"))}
              for row in identities or []]
    shown = [{"label": row.get("label", ""), "mathml": row.get("mathml", ""),
              "lhs": row.get("lhs at witness", ""), "rhs": row.get("rhs at witness", ""),
              "differs": row.get("difference at witness") not in (None, "0"),
              "witness": _witness_text(row.get("witness"))}
             for row in differences or []]
    return {"identities": proved, "differences": shown, "witness": _witness_text(details.get("witness")),
            "failures": details.get("failures") or []}


def _witness_text(witness) -> str:
    if not witness:
        return ""
    return ", ".join(f"{k} = {v}" for k, v in witness.items())


def proof_formulas(p: dict | None) -> list[str]:
    if p is None:
        return []
    return [row["mathml"] for row in p["identities"] + p["differences"] if row["mathml"]]


# ---------------------------------------------------------------- statistical tests
def statistical_tests(details: dict) -> dict | None:
    """The tests of a statistical or exact check: every rejected one, then those closest to
    rejection, with only the columns that carry information for this check (a p-value column only
    where some p-value is below 1, power columns only for tests that have them)."""
    tests = details.get("tests")
    if not tests:
        return None
    alpha = number(details.get("false_alarm"))
    m = len(tests)
    # Holm: the i-th smallest p-value is compared with alpha/(m − i)
    order = sorted(range(m), key=lambda i: (number(tests[i].get("p_value")) or 0.0, i))
    holm_level = {index: alpha / (m - rank) for rank, index in enumerate(order)} if alpha else {}
    rows = []
    for index, test in enumerate(tests):
        expected, observed = number(test.get("expected")), number(test.get("observed"))
        critical, detectable = number(test.get("critical")), number(test.get("detectable"))
        deviation = abs(observed - expected) if expected is not None and observed is not None else None
        closeness = (deviation / critical if critical and deviation is not None
                     else 1.0 - (number(test.get("p_value")) or 0.0))
        rows.append({"name": test.get("name", ""), "expected": expected, "observed": observed,
                     "critical": critical, "detectable": detectable, "samples": test.get("samples"),
                     "p": number(test.get("p_value")), "level": holm_level.get(index),
                     "rejected": bool(test.get("rejected")), "method": test.get("method", ""),
                     "closeness": closeness})
    rows.sort(key=lambda r: (not r["rejected"], -(r["closeness"] or 0.0)))
    shown = rows[:TESTS_SHOWN]
    methods = sorted({r["method"] for r in rows})
    return {"count": m, "rejected": sum(r["rejected"] for r in rows), "rows": shown, "hidden": m - len(shown),
            "alpha": alpha, "methods": methods,
            "show_p": any(r["p"] is not None and r["p"] < 1 for r in rows),
            "show_power": any(r["critical"] is not None for r in shown)}
