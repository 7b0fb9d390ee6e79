"""A confirmed violation as a person reads it, and the line that replays it."""
from __future__ import annotations

import dataclasses
import json
import os
import shlex

import mpmath
import numpy as np
import torch

from ...core.loading import is_shipped
from ...core.verdict import Counterexample
from ...core.precision import CONFIRM_DIGITS, RECONFIRM_DIGITS
from ...definitions.backend import TorchNamespace
from ...definitions.claims import Claim, first
from ...definitions.trees import tree_map
from .cases import Candidate
from .confirm import confirm
from .evaluation import evaluate


def _nstr(value) -> str:
    return mpmath.nstr(mpmath.mpf(value), 12)


def _tree_strings(tree):
    """One instance's parameters (batch dimension dropped) as nested lists of strings."""
    def strings(array):
        array = np.asarray(np.asarray(array, dtype=object)[0], dtype=object)  # a per-instance scalar: 0-d
        return _nstr(array.item()) if array.ndim == 0 else np.vectorize(_nstr, otypes=[object])(array).tolist()
    return tree_map(strings, tree)



def claim_reference(claim: Claim) -> str:
    """How ``odl-verify reproduce`` finds the claim again, from any directory: a shipped theorem
    by its name, a user's claim by the absolute path of its file."""
    if claim.origin and not is_shipped(claim.origin):
        return f"{os.path.abspath(claim.origin)}:{claim.name}"
    return claim.name


def build_counterexample(claim: Claim, candidate: Candidate, exact: dict, slack64: float) -> Counterexample:
    family = claim.families[candidate.family]
    values = exact["values"]
    shown = {
        "family": family.name,
        "parameters": _tree_strings(exact["params"]),
        "x0": [_nstr(v) for v in np.asarray(candidate.x0).ravel()],
        "hyperparameters": {str(s): _nstr(first(values[s])) for s in claim.free},
        **({"integers": {str(s): int(n) for s, n in candidate.integers.items()}} if candidate.integers else {}),
        "certified": {str(s): _nstr(first(values[s])) for s in claim.certified},
        "measured": {str(s): _nstr(first(values[s])) for s in claim.measured},
        "conclusion": claim.unicode()["conclusion"],
        **(dict(zip(("left side", "right side", "|left - right|"), map(_nstr, (*exact["sides"], exact["gap"]))))
           if claim.identity else dict(zip(("observed side", "bound side"),
                                           map(_nstr, claim.observed_and_bound(exact["small"], exact["big"]))))),
    }
    case = candidate.case_json(claim)
    line = shlex.join(["odl-verify", "reproduce", claim_reference(claim), "--case",
                       json.dumps(case, separators=(",", ":"))])
    return Counterexample(family=family.name, dimension=int(np.size(candidate.x0)), case=case, shown=shown,
                          reproduce=line, confirmation=f"shrunk; confirmed at {CONFIRM_DIGITS} and {RECONFIRM_DIGITS} digits",
                          slack_float64=float(slack64), slack_exact=mpmath.nstr(exact["slack"], 6))


def float64_sides(claim: Claim, candidate: Candidate) -> dict:
    """One candidate evaluated in float64 on the CPU, as the search saw it (for an identity the
    observed side is |a − b| and the bound side its tolerance)."""
    batch = lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64)
    _, small, big, _ = evaluate(claim, claim.families[candidate.family], tree_map(batch, candidate.raw),
                                batch(candidate.x0),
                                {s: torch.tensor([t], dtype=torch.float64) for s, t in candidate.tau.items()},
                                candidate.integers, TorchNamespace("cpu"))
    observed, bound = claim.observed_and_bound(small[0], big[0])
    return {"observed side": float(observed), "bound side": float(bound), "slack": float(claim.slack(small, big)[0])}


def reproduce(claim: Claim, case: dict) -> dict:
    """Replay a counterexample: float64 and high-precision sides, and whether it violates."""
    candidate = Candidate.from_json(claim, case)
    exact = confirm(claim, candidate)
    out = {"claim": claim.name, "float64": float64_sides(claim, candidate), "violated": exact is not None}
    if exact is not None:
        out["counterexample"] = dataclasses.asdict(build_counterexample(claim, candidate, exact,
                                                                        out["float64"]["slack"]))["shown"]
    return out
