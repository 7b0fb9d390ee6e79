"""What the optimizer gate prints: the counterexample of a failing case with the two lines that
reproduce it (:mod:`..lines`), and :func:`replay`, which re-runs one printed case."""
from __future__ import annotations

import json
import math
import shlex

from ...core.config import CheckConfig
from ...core.loading import load_object
from ...core.verdict import Counterexample
from ...definitions.methods.catalog import optimizer
from ...errors import UserCodeError
from ..lines import DEFAULT_TIMEOUT, gate_line, replay_line


def _defect_lines(defects) -> str:
    return " | ".join(f"{q.name}: {q.reason}; reproduce: {q.reproduction}; leave it out with --domain "
                      f"{shlex.quote(f'not ({q.when})')}" for q in defects)


def counterexample(info, spec: str, config: CheckConfig, case: dict, headline, others: list, diagnosis: list,
                   defects: list, scenario, shrunk: bool = True) -> Counterexample:
    shown = {}
    if headline is not None:
        shown = {"check": headline.check, "what": headline.message, **headline.shown}
    if others:
        shown["also found on this case"] = [f"{f.check}: {f.message}" for f in others]
    if diagnosis:
        shown["diagnosis"] = "the target matches " + "; or ".join(diagnosis)
    elif any(f.check == "reference" for f in [headline, *others] if f is not None) and info.conventions:
        shown["diagnosis"] = ("the target matches none of the known variants: "
                              + ", ".join(info.conventions) + ", a group's option ignored")
    if defects:
        shown["known torch 2.13 defect"] = _defect_lines(defects)
    shown["replay (this case)"] = replay_line("odl_verify.gate.optimizers", info.name, spec, case)
    check = headline.check if headline is not None else "timeout"
    confirmation = (f"shrunk; the target fails the {check} check on this case" if shrunk else
                    "not shrunk (each call may take the whole timeout)")
    dimension = sum(math.prod(s) for s in scenario.shapes)
    return Counterexample(family=f"optimizer:{check}", dimension=dimension, case=case, shown=shown,
                          reproduce=gate_line(info.name, spec, config), confirmation=confirmation)


def replay(method: str, target, case: dict | str, timeout: float = DEFAULT_TIMEOUT) -> int:
    """Re-run one printed case with every check and print what fails (or that it passes). Returns the
    exit code of the gate: 0 passes, 1 falsified, 2 the target raised."""
    import torch

    from .diagnosis import diagnose, known_defects
    from .examine import accepted_hyperparameters, examine
    from .scenarios import Scenario
    from .theorem_checks import check_claims
    info = optimizer(method)
    obj = load_object(target) if isinstance(target, str) else target
    case = json.loads(case) if isinstance(case, str) else case
    accepted, _, _ = accepted_hyperparameters(obj, info)
    torch_class = getattr(torch.optim, info.torch_class)
    if "claim" in case:
        try:
            findings = [f for f in [check_claims(info, obj, case["quadratic"], accepted, timeout)] if f is not None]
        except UserCodeError as error:
            print(f"ERROR: {error}")
            return 2
        example = None
    else:
        scenario = Scenario.from_json(case["scenario"])
        context = {"device": "cpu", "fused_supported": "cpu" in info.fused_on}
        examination = examine(info, obj, scenario, timeout, context, accepted, case.get("exponent", 3),
                              everything=True, torch_class=None if obj is torch_class else torch_class)
        findings, example = examination.findings, examination.example
    if not findings:
        print("passes on this case")
        return 0
    for finding in findings:
        label = "ERROR" if finding.check == "raises" else "FALSIFIED"
        print(f"{label} ({finding.check}): {finding.message}")
        for key, value in finding.shown.items():
            print(f"  {key}: {value}")
    if example is not None:
        headline = findings[0]
        if headline.check == "reference":
            for match in diagnose(example):
                print(f"diagnosis: the target matches {match}")
        for quirk in known_defects(example, headline.check):
            print(f"known torch 2.13 defect: {_defect_lines([quirk])}")
    return 2 if findings[0].check == "raises" else 1
