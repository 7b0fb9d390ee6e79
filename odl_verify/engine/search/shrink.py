"""Simplifying a confirmed counterexample: entries snapped to short decimals, and hyperparameters to
the claim's special points (η = 1/β), while it stays confirmed."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from ...definitions.backend import TorchNamespace
from ...definitions.claims import Claim
from ...definitions.trees import tree_map
from .cases import Candidate
from .confirm import confirm


def special_taus(claim: Claim, candidate: Candidate, symbol) -> list[float]:
    """τ of each special point of ``symbol`` on this candidate (its own certified constants and the
    values of the symbols before it)."""
    if symbol not in claim.special_points:
        return []
    one = torch.zeros(1, dtype=torch.float64)
    xp = TorchNamespace("cpu")
    family = claim.families[candidate.family]
    raw = tree_map(lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64), candidate.raw)
    constants = family.constants(family.constrain(raw, xp), xp)
    values = {s: constants[name] + one for s, name in claim.certified.items()}
    values.update({s: xp.scalar(n, one) for s, n in candidate.integers.items()})
    claim.free_values({s: one + t for s, t in candidate.tau.items()}, values, xp)
    args = [values.get(a, one) for a in claim.arguments]
    return [float(claim.tau_of(symbol, fn(*args) + one, values, xp)[0]) for fn in claim.special_point_fns[symbol]]


def simplify(claim: Claim, candidate: Candidate, exact: dict, budget: int = 160):
    """Snap hyperparameters to the claim's special points, then entries to short decimals (0, then 1-3
    significant digits), while confirmed."""
    def slots():
        for path, array in _array_slots(candidate.raw, ("raw",)):
            for i in range(array.size):
                yield path, i
        for i in range(np.size(candidate.x0)):
            yield ("x0",), i
        for s in candidate.tau:
            yield ("tau", s), 0

    def get(c, path):
        if path[0] == "x0":
            return c.x0
        if path[0] == "tau":
            return None
        node = c.raw
        for k in path[1:]:
            node = node[k]
        return node

    if sum(1 for _ in slots()) > 96:
        return candidate, exact
    for path, i in list(slots()):
        if budget <= 0:
            break
        if path[0] == "tau":
            current = candidate.tau[path[1]]
            trials = (special_taus(claim, candidate, path[1]) + [0.0, 1.0, 0.5, 0.75, 0.25]
                      + [float(f"{current:.{k}g}") for k in (1, 2, 3)])
        else:
            current = float(get(candidate, path).flat[i])
            trials = [0.0, math.copysign(1.0, current), float(round(current))] + [
                float(f"{current:.{k}g}") for k in (1, 2, 3)]
        low, high = claim.tau_range(path[1]) if path[0] == "tau" else (-math.inf, math.inf)
        for trial in dict.fromkeys(trials):
            if trial == current or not low <= trial <= high or budget <= 0:
                continue
            budget -= 1
            trial_candidate = dataclasses.replace(candidate, raw=tree_map(np.copy, candidate.raw),
                                                  x0=np.copy(candidate.x0), tau=dict(candidate.tau))
            if path[0] == "tau":
                trial_candidate.tau[path[1]] = trial
            else:
                get(trial_candidate, path).flat[i] = trial
            result = confirm(claim, trial_candidate)
            if result is not None:
                candidate, exact = trial_candidate, result
                break
    return candidate, exact


def _array_slots(tree, path):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _array_slots(v, path + (k,))
    else:
        yield path, np.asarray(tree)
