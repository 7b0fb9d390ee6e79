"""Rows every example refines beside its anchor: the anchor's instance where tight cases live.

A random draw rarely lands on an edge of a domain (η = 1/β exactly, β = L exactly), at a claim's
special point, or on the start a family knows to be extreme (a quadratic's top eigenvector, the
staircase's origin), yet that is where bounds are attained and where a slightly wrong domain
fails. So each example's batch holds, besides the anchor and its jittered copies, *probe* rows:
the anchor's own instance, unjittered, at every corner of the τ box, at each special point of the
claim (the other symbols at their lower edges), from each of the family's start directions.
They are a deterministic function of the case, so a failure found on a probe replays and
shrinks like any other; their cost is a few more rows of a batch that is refined anyway.
"""
from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import torch

from ...definitions.claims import Claim
from ...definitions.trees import tree_map

#: at most this many probe rows per example (corners × specials × starts can grow quickly)
MAX_PROBES = 12
#: an open end of a domain is probed this far inside (in τ): at the limit itself (η → 0, δ → 0) both
#: sides of a conclusion vanish, and float64 cancellation sends every row to high-precision confirmation
OPEN_END = 1e-4


@dataclasses.dataclass(frozen=True)
class Probe:
    """A start and, per free symbol, τ itself (a float) or the index of one of its special points."""

    start: str
    tau: tuple[float | int, ...]
    special: tuple[bool, ...]


def probes(claim: Claim, directions: tuple[str, ...], start: str) -> list[Probe]:
    """The probe rows of an example started from ``start`` on a family with ``directions``:
    special points first (the claim declared them), then the corners of the τ box with the most
    lower edges first (β = L before β far above it), each from every start the family offers."""
    ranges = [(low if low == 0.0 else OPEN_END, high if high == 1.0 else 1 - OPEN_END)
              for low, high in (claim.tau_range(s) for s in claim.free)]
    vectors = []
    for index, symbol in enumerate(claim.free):
        for k in range(len(claim.special_points.get(symbol, ()))):
            vectors.append((tuple(k if i == index else low for i, (low, _) in enumerate(ranges)),
                            tuple(i == index for i in range(len(ranges)))))
    corners = sorted(itertools.product(*[(0, 1)] * len(ranges)), key=lambda c: (sum(c), c))
    vectors += [(tuple(r[c] for r, c in zip(ranges, corner)), (False,) * len(ranges)) for corner in corners]
    starts = [d for d in directions if d != start] + [start]
    rows = [Probe(s, tau, special) for tau, special in vectors for s in starts]
    return rows[:MAX_PROBES]


def resolve_special_points(claim: Claim, rows: list[Probe], tau: dict, known: dict, xp, first_row: int) -> dict:
    """τ of the probe rows that sit at a special point, given the rows' certified constants in
    ``known`` (torch, one entry per row of the batch): each special point's value is mapped back to
    τ through the domain's own map, symbol by symbol in domain order, since a special point (1/β)
    may depend on an earlier symbol."""
    known = dict(known)
    for domain in claim.domains:
        symbol = domain.symbol
        position = claim.free.index(symbol)
        picks = [(first_row + r, probe.tau[position]) for r, probe in enumerate(rows) if probe.special[position]]
        if picks:
            args = [known.get(a, torch.zeros_like(tau[symbol])) for a in claim.arguments]
            targets = tau[symbol].clone()
            for row, k in picks:
                value = claim.special_point_fns[symbol][k](*args) + torch.zeros_like(tau[symbol])
                targets[row] = claim.tau_of(symbol, value, known, xp)[row]
            tau[symbol] = targets
        known[symbol] = claim.free_value(domain, tau[symbol], known, xp)
    return tau



def designable(claim: Claim, family) -> bool:
    """Whether the search can ask ``family`` for its extreme instance at this claim's hyperparameters:
    the claim names (through its PEP link) a symbol for every role the family designs for."""
    roles = claim.worst_case.roles if claim.worst_case is not None else {}
    return bool(family.design_roles) and family.design_roles <= set(roles)


def designs(claim: Claim, tau: dict, integers: dict, xp, count: int) -> list[dict]:
    """Per row of τ (torch, ``count`` entries), the design a designed family builds for: the steps N
    and the step h = L·η, both read from the claim's values at smoothness 1 (every certified
    constant 1: designed instances are built with L = 1)."""
    roles = claim.worst_case.roles
    like = torch.zeros(count, dtype=torch.float64)
    values = {s: torch.ones_like(like) for s in claim.certified}
    values.update({s: xp.scalar(n, like) for s, n in integers.items()})
    claim.free_values(tau, values, xp)
    steps = integers[roles["steps"]] if "steps" in roles else claim.worst_case.steps
    step = values[roles["smoothness"]] * values[roles["step"]] if "step" in roles else None
    return [{"steps": steps, **({"step": float(step[row])} if step is not None else {})} for row in range(count)]


def fill_probe_rows(claim: Claim, family, rows: list[Probe], raw: dict, x0, tau: dict, integers: dict,
                    starts: list[str], dimension: int, xp):
    """Make rows 1…len(rows) of a batch (torch, no gradient) the probes they stand for: a family that
    designs worst cases gets its instance for each row's hyperparameters (raw is overwritten in place),
    special points are resolved against the rows' certified constants, and each row starts where its
    probe says. Returns (τ, x₀)."""
    if designable(claim, family) and rows:
        nominal = {s: torch.ones_like(x0[:, 0]) for s in claim.certified}
        nominal.update({s: xp.scalar(n, x0) for s, n in integers.items()})
        tau = resolve_special_points(claim, rows, tau, nominal, xp, first_row=1)
        probed = designs(claim, {s: t[1:1 + len(rows)] for s, t in tau.items()}, integers, xp, len(rows))
        for row, design in enumerate(probed, start=1):
            tree_map(lambda batch, one: batch[row].copy_(torch.as_tensor(np.asarray(one))),
                     raw, family.designed(design, dimension))
    params = family.constrain(raw, xp)
    if any(any(p.special) for p in rows):
        constants = family.constants(params, xp)
        known = {s: constants[name] + 0 * x0[:, 0] for s, name in claim.certified.items()}
        known.update({s: xp.scalar(n, x0) for s, n in integers.items()})
        tau = resolve_special_points(claim, rows, tau, known, xp, first_row=1)
    scale = x0.norm(dim=-1, keepdim=True)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    for start in dict.fromkeys(starts):
        if start != "random":
            chosen = torch.tensor([s == start for s in starts], device=x0.device)[:, None]
            x0 = torch.where(chosen, family.direction(start, params, xp) * scale, x0)
    return tau, x0
