"""Plain-text rendering of verdicts, for the terminal and for pytest failures."""
from __future__ import annotations

import json

from .precision import CONFIRM_DIGITS, FLOAT_TOLERANCE
from .verdict import ERROR, FALSIFIED, Verdict

#: longest case description put into a one-line error (the whole case is in the verdict's details)
CASE_WIDTH = 240


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def describe_case(case, width: int = CASE_WIDTH) -> str:
    """A case (a gate scenario, a search example) in one line: its short fields first, cut at
    ``width`` characters."""
    if not isinstance(case, dict):
        text = str(case)
    else:
        short = {k: v for k, v in case.items() if isinstance(v, (str, int, float, bool)) or v is None}
        rest = {k: v for k, v in case.items() if k not in short}
        text = json.dumps({**short, **rest}, separators=(", ", ": "), default=str)
    return text if len(text) <= width else text[:width - 1] + "…"


def user_code_error_text(error) -> str:
    """A UserCodeError's message, with the case it happened on when it names one."""
    case = getattr(error, "case", None)
    return str(error) if case is None else f"{error} (case: {describe_case(case)})"


def slack_wording(worst: float) -> str:
    """The worst slack, worded so that roundoff beside HELD does not read as a violation."""
    if worst >= 0:
        return f"worst slack {_fmt(worst)} (≥ 0: the conclusion held on every instance)"
    return (f"worst slack {_fmt(worst)} (float64 roundoff: a violation needs a slack below "
            f"−{FLOAT_TOLERANCE:g} confirmed at {CONFIRM_DIGITS} digits)")


def format_verdict(v: Verdict) -> str:
    searched = v.kind == "claim" or v.instances > 0  # a sympy proof, say, has no instances or slack
    kind = ("tight" if v.tight else "upper bound") if v.kind == "claim" else v.kind
    tags = [tag for tag in (v.reference, kind if v.statement else "") if tag]  # an error verdict has neither
    lines = [v.theorem + (f" - {v.title}" if v.title else "") + (f"  [{'; '.join(tags)}]" if tags else "")]
    if v.statement:
        lines.append(f"  claim:     {v.statement}")
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
            measured.append(slack_wording(v.worst_slack) if v.status != FALSIFIED
                            else f"worst slack {_fmt(v.worst_slack)}")
        if v.tightness is not None:
            measured.append(f"tightness {_fmt(v.tightness)} (1 = bound attained)")
        measured.append(f"{v.seconds:.1f}s on {v.device}")
        lines.append("  " + "; ".join(measured))
        if v.rejected_roundoff:
            lines.append(f"  roundoff:  {v.rejected_roundoff} float64 candidates below −{FLOAT_TOLERANCE:g} were "
                         f"recomputed at {CONFIRM_DIGITS} digits and cleared: roundoff, not violations")
    if v.details.get("certification"):
        lines.append(f"  certified: {v.details['certification']}")
    if not searched:
        lines.append(f"  time:      {v.seconds:.1f}s on {v.device or 'no device'}")
    if v.status == ERROR:
        lines.append(f"  error:     {v.error}")
    # a falsified claim's counterexample, or the case a target raised on (an error verdict may carry one)
    if v.status in (FALSIFIED, ERROR) and v.counterexample is not None:
        c = v.counterexample
        lines.append(f"  counterexample ({c.summary()}):")
        for key, value in c.shown.items():
            lines.append(f"    {key}: {value}")
        lines.append(f"  reproduce: {c.reproduce}")
    for line in v.details.get("notes", []):
        lines.append(f"  note:      {line}")
    return "\n".join(lines)
