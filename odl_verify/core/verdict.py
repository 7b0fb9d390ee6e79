"""What a check found, as plain data: printed by the CLI, asserted by pytest,
written to JSON and rendered into the HTML report."""
from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

HELD, FALSIFIED, ERROR = "held", "falsified", "error"


@dataclasses.dataclass
class Counterexample:
    """A confirmed violation, how it was confirmed, and what it takes to replay it."""

    family: str
    dimension: int
    #: the exact input to the reproduce line: raw parameters, start, τ, integers (or a gate's scenario)
    case: dict[str, Any]
    #: what a person reads: instance parameters, hyperparameters, measured quantities
    shown: dict[str, Any]
    reproduce: str
    #: how the violation was confirmed, in words, e.g. "confirmed at 60 and 150 digits"
    confirmation: str
    #: slacks of a claim's conclusion on the shrunk case; a gate's mismatch has none
    slack_float64: float | None = None
    slack_exact: str | None = None

    def summary(self) -> str:
        parts = [self.confirmation]
        if self.slack_exact is not None:
            parts.append(f"exact slack {self.slack_exact}")
        if self.slack_float64 is not None:
            parts.append(f"float64 slack {self.slack_float64:.6g}")
        return "; ".join(parts)


@dataclasses.dataclass
class Verdict:
    theorem: str
    title: str
    status: str
    statement: str
    reference: str = ""
    tight: bool = False
    method: str = ""
    kind: str = "claim"
    latex: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: presentation MathML of the same formulas, rendered from the claim's sympy
    mathml: dict[str, Any] = dataclasses.field(default_factory=dict)
    examples: int = 0
    instances: int = 0
    worst_slack: float | None = None
    tightness: float | None = None
    #: the worst case over the claim's function class over its bound, certified by a performance-estimation
    #: problem (the largest over its grid; per point in details["certified worst case"]); None without a PEP
    certified_tightness: float | None = None
    seconds: float = 0.0
    device: str = "cpu"
    seed: int = 0
    families: list[str] = dataclasses.field(default_factory=list)
    counterexample: Counterexample | None = None
    error: str | None = None
    #: candidates that float64 flagged and high precision cleared (roundoff, not violations)
    rejected_roundoff: int = 0
    #: distribution of what was drawn (dimensions, hyperparameters, constants)
    coverage: dict[str, list] = dataclasses.field(default_factory=dict)
    #: (bound, observed) pairs and other series for plots
    samples: dict[str, list] = dataclasses.field(default_factory=dict)
    #: free-form measurements of non-claim theorems (statistics, fits)
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def add_plot(self, title: str, series: list[dict], *, kind: str = "line", xlabel: str = "",
                 ylabel: str = "", xscale: str = "linear", yscale: str = "linear") -> None:
        """Attach a plot for the report: ``series`` is ``[{"label": str, "x": [...], "y": [...]}]``
        (``kind`` line, scatter or hist; a hist series needs only ``x``)."""
        self.details.setdefault("plots", []).append(
            {"title": title, "kind": kind, "xlabel": xlabel, "ylabel": ylabel, "xscale": xscale,
             "yscale": yscale, "series": series})

    @property
    def held(self) -> bool:
        return self.status == HELD

    def to_dict(self) -> dict[str, Any]:
        return _finite(dataclasses.asdict(self))

    def summary_line(self) -> str:
        parts = [f"{self.theorem}: {self.status.upper()}"]
        if self.status != ERROR:
            parts.append(f"{self.instances} instances in {self.examples} examples")
        if self.worst_slack is not None:
            parts.append(f"worst slack {self.worst_slack:.3g}")
        if self.tightness is not None:
            parts.append(f"tightness {self.tightness:.6f}")
        parts.append(f"{self.seconds:.1f}s on {self.device}")
        return ", ".join(parts)


def open_verdict(subject, *, seed: int, device, **fields) -> Verdict:
    """The one way a check starts its verdict: ``held`` until shown otherwise, described by its
    subject (a claim, a statistical claim, a proof, a gate: anything with ``name``, ``title``,
    ``reference``, ``tight``, ``method``, ``kind`` and ``statement()``, ``latex()``, ``mathml()``)."""
    return Verdict(theorem=subject.name, title=subject.title, status=HELD, statement=subject.statement(),
                   reference=subject.reference, tight=subject.tight, method=subject.method, kind=subject.kind,
                   latex=subject.latex(), mathml=subject.mathml(), device=str(device), seed=seed, **fields)


def error_verdict(name: str, title: str, error: str, *, seed: int = 0, device: str = "", kind: str = "claim",
                  **fields) -> Verdict:
    """The verdict of a check that could not run to the end (its code crashed, it hung, a file did
    not import): shown as an error, never dropped. ``device`` is empty where it is not known."""
    return Verdict(theorem=name, title=title, status=ERROR, statement="", error=error, seed=seed, device=device,
                   kind=kind, **fields)


def _finite(value):
    """JSON has no inf/nan: write them as strings so the file stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(verdicts: list[Verdict], **meta) -> str:
    return json.dumps({**meta, "verdicts": [v.to_dict() for v in verdicts]}, indent=1, sort_keys=True)
