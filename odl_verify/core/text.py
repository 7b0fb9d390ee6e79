"""Plain-text rendering of verdicts, for the terminal and for pytest failures."""
from __future__ import annotations

from .precision import CONFIRM_DIGITS, FLOAT_TOLERANCE
from .verdict import ERROR, FALSIFIED, Verdict


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def format_verdict(v: Verdict) -> str:
    searched = v.kind == "claim" or v.instances > 0  # a sympy proof, say, has no instances or slack
    kind = ("tight" if v.tight else "upper bound") if v.kind == "claim" else v.kind
    lines = [f"{v.theorem} - {v.title}  [{v.reference}; {kind}]",
             f"  claim:     {v.statement}"]
    if v.details.get("domains"):
        lines.append(f"  domain:    {'; '.join(v.details['domains'])}")
    if v.method:
        lines.append(f"  method:    {v.method}")
    if v.status != ERROR and searched:
        dims = v.coverage.get("dimension") or []
        families = set(v.coverage.get("family", []))
        over = f" over {len(families)} families" if families else ""
        span = f", dimensions {min(dims)}-{max(dims)}" if dims else ""
        lines.append(f"  tried:     {v.instances} instances in {v.examples} examples{over}{span}, seed {v.seed}")
    lines.append(f"  verdict:   {v.status.upper()}")
    if v.status != ERROR and searched:
        measured = []
        if v.worst_slack is not None:
            measured.append(f"worst slack {_fmt(v.worst_slack)} (violation below -{FLOAT_TOLERANCE:g})")
        if v.tightness is not None:
            measured.append(f"tightness {_fmt(v.tightness)} (1 = bound attained)")
        measured.append(f"{v.seconds:.1f}s on {v.device}")
        if v.rejected_roundoff:
            measured.append(f"{v.rejected_roundoff} float64 candidates cleared as roundoff at {CONFIRM_DIGITS} digits")
        lines.append("  " + "; ".join(measured))
    if v.details.get("certification"):
        lines.append(f"  certified: {v.details['certification']}")
    if not searched:
        lines.append(f"  time:      {v.seconds:.1f}s on {v.device}")
    if v.status == ERROR:
        lines.append(f"  error:     {v.error}")
    if v.status == FALSIFIED and v.counterexample is not None:
        c = v.counterexample
        lines.append(f"  counterexample ({c.summary()}):")
        for key, value in c.shown.items():
            lines.append(f"    {key}: {value}")
        lines.append(f"  reproduce: {c.reproduce}")
    for line in v.details.get("notes", []):
        lines.append(f"  note:      {line}")
    return "\n".join(lines)
