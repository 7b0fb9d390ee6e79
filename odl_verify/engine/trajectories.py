"""Comparing a computed trajectory with a reference under derived tolerances.

A trajectory is ``[t][i]``: per step t = 0..T the tensors θ_i (float64 copies, real views of
complex values). The tolerance of an entry after t steps, u the unit roundoff of the dtype the
trajectory was computed in:

    tol_t = u · (8·t·(max_s |θ_s| + max_s |θ_s − θ_{s−1}|) + 16·κ_t),

a few roundings per step on the magnitudes involved, plus κ_t = max_s |θ_s^lo − θ_s|/u_lo over
reference runs in lower precisions (each in its own ulps): the condition of the computation
(cancellation), which carries over to any dtype. A difference counts only if the reference
recomputed at high precision confirms it. Non-finite entries compare as values: NaN equals NaN,
±inf equals itself, and a non-finite entry against a finite one is a difference unless a
reference run in the same precision is non-finite there too (the dtype, not the computation).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable

import torch

UNIT_ROUNDOFF = {torch.float64: 2.0 ** -53, torch.float32: 2.0 ** -24, torch.bfloat16: 2.0 ** -8,
                 torch.float16: 2.0 ** -11, torch.complex128: 2.0 ** -53, torch.complex64: 2.0 ** -24}
#: roundings per step on the magnitudes involved, and the weight of the measured condition
STEP_ROUNDINGS, CONDITION_WEIGHT = 8, 16


def tolerances(reference: list[list[torch.Tensor]], lower: list[tuple[list[list[torch.Tensor]], float]],
               unit: float) -> list[list[torch.Tensor]]:
    """tol_t per entry (module docstring); ``lower`` holds (trajectory, its unit roundoff) pairs."""
    out, size, move, kappa = [], None, None, None
    for t, row in enumerate(reference):
        current = [r.abs() for r in row]
        moves = [(r - p).abs() for r, p in zip(row, reference[t - 1])] if t else [torch.zeros_like(r) for r in row]
        errors = [functools.reduce(torch.maximum, [torch.nan_to_num((run[t][i] - r).abs() / u, nan=math.inf)
                                                   for run, u in lower]) for i, r in enumerate(row)]
        size = current if size is None else [torch.maximum(a, b) for a, b in zip(size, current)]
        move = moves if move is None else [torch.maximum(a, b) for a, b in zip(move, moves)]
        kappa = errors if kappa is None else [torch.maximum(a, b) for a, b in zip(kappa, errors)]
        out.append([torch.nan_to_num(unit * (STEP_ROUNDINGS * t * (s + m) + CONDITION_WEIGHT * k), nan=math.inf)
                    for s, m, k in zip(size, move, kappa)])
    return out


def same_value(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Entrywise a == b with NaN equal to NaN."""
    return (a == b) | (torch.isnan(a) & torch.isnan(b))


@dataclasses.dataclass
class Difference:
    step: int
    index: int
    #: flat index of the first differing entry
    element: int
    #: "value" (finite, outside the tolerance, confirmed), "non-finite" (against a finite reference) or
    #: "shape" (the tensor changed shape: its entries cannot be compared)
    kind: str


@dataclasses.dataclass
class Comparison:
    first: Difference | None
    #: the largest |got − reference|/tolerance over finite entries
    worst: float
    #: entries non-finite in both the computation and a reference run in its own precision
    ill_conditioned: int


def compare(got: list[list[torch.Tensor]], reference: list[list[torch.Tensor]], tolerance: list[list[torch.Tensor]],
            same_precision: list[list[list[torch.Tensor]]],
            confirm: Callable[[int, int, torch.Tensor], bool] | None = None) -> Comparison:
    """The first step and tensor where ``got`` leaves the reference. ``same_precision``: reference
    runs in the computation's own precision (where they overflow too, a non-finite entry is the
    dtype's); ``confirm(t, i, outside)`` re-checks flagged entries in high precision."""
    worst, ill = 0.0, 0
    for t in range(1, len(got)):
        for i, (g, r, e) in enumerate(zip(got[t], reference[t], tolerance[t])):
            if g.shape != r.shape:  # broadcasting would compare entries that do not correspond
                return Comparison(Difference(t, i, 0, "shape"), worst, ill)
            finite_g, finite_r = torch.isfinite(g), torch.isfinite(r)
            nonfinite = ~finite_g & finite_r
            if nonfinite.any():
                explained = functools.reduce(torch.logical_or, [~torch.isfinite(run[t][i]) for run in same_precision],
                                             torch.zeros_like(nonfinite))
                ill += int((nonfinite & explained).sum())
                unexplained = nonfinite & ~explained
                if unexplained.any():
                    return Comparison(Difference(t, i, int(unexplained.reshape(-1).nonzero()[0]), "non-finite"),
                                      worst, ill)
            # both non-finite: equal only as the same value (NaN with NaN, inf with inf of its sign)
            mismatched = ~finite_g & ~finite_r & ~same_value(g, r)
            if mismatched.any():
                return Comparison(Difference(t, i, int(mismatched.reshape(-1).nonzero()[0]), "non-finite"), worst, ill)
            considered = finite_g & finite_r
            error = torch.where(considered, (g - r).abs(), torch.zeros_like(g))
            ratio = error / torch.where(e > 0, e, torch.full_like(e, 1e-300))
            if ratio.numel():
                worst = max(worst, float(ratio.max()))
            outside = considered & (error > e)
            if outside.any() and (confirm is None or confirm(t, i, outside)):
                return Comparison(Difference(t, i, int(outside.reshape(-1).nonzero()[0]), "value"), worst, ill)
    return Comparison(None, worst, ill)
