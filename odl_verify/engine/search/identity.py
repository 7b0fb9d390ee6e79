"""Identities a = b in floating point: |a − b| against a tolerance derived from the computation.

A claim whose conclusion is ``Eq(a, b)`` holds exactly in real arithmetic, so in float64 the
deviation |a − b| is rounding error, and the question is how much rounding error the
computation can make. First-order error analysis answers it: the error of a computation is
u·Σₖ cₖδₖ, linear in the unit roundoff u, with fixed sensitivities cₖ and rounding errors
|δₖ| ≤ 1. Two terms bound it here:

* **the conclusion itself**: S = Σ_q |q·∂(b − a)/∂q| over its arguments q (certified, free and
  measured quantities, from the sympy conclusion: :meth:`Claim.sensitivity`) is how far the gap
  moves per unit relative error in them; each argument is at best correctly rounded and the
  conclusion takes a few operations, so ``ARGUMENT_ROUNDINGS`` roundings are charged to each;
* **the measure's own error**: the same measure re-run in float32 makes the same first-order
  error at u₃₂ instead of u₆₄, so κ = |gap₃₂ − gap₆₄|/u₃₂ is the computation's error in units of
  the roundoff (its condition, cancellation included), which carries over to float64 as u₆₄·κ;
  the two runs draw independent roundings, so ``RERUN_SPREAD`` allows one to exceed the other.
  One float32 run can be exact by coincidence where float64 is not (two standardized samples
  are exactly ±1 in one precision and not in the other), so κ is the largest of ``RERUNS``
  float32 runs: the drawn instance, and copies whose inputs are moved by a few float32 ulps (a
  true identity holds there too, so their gap is rounding error alone, rounded otherwise). A
  real violation's gap is nearly the same in every run, so it stays far above the tolerance.

    tolerance = u₆₄·(ARGUMENT_ROUNDINGS·S + RERUN_SPREAD·κ)

This is the optimizer gate's recipe (a few roundings on the magnitudes involved plus the
float32 error in float32 ulps). The float64 search checks |a − b| ≤ tolerance (so the sides it
reports are (|a − b|, tolerance) and the slack is (tolerance − |a − b|)/(tolerance + |a − b|));
a row beyond it goes to high precision, where the tolerance is 0 and a deviation counts only if
it is the same at two working precisions (a true identity's shrinks with the precision,
:mod:`.confirm`). A float64 deviation below the tolerance is not resolved: with the measures'
errors ~ u·(magnitudes), that is a relative discrepancy of about 1e-14, or of about 1e-7 for a
vector identity written in Gram form (‖u‖² − 2⟨u, v⟩ + ‖v‖² = 0).
"""
from __future__ import annotations

import functools

import torch

from ...definitions.claims import Claim
from ...errors import UserCodeError

UNIT_ROUNDOFF = {torch.float32: 2.0 ** -24, torch.float64: 2.0 ** -53}
#: float32 runs per evaluation: the drawn instance and copies moved by a few float32 ulps
RERUNS = 3
#: how far the moved copies' inputs are moved, relative (four float32 ulps)
NUDGE = 2.0 ** -21
#: roundings charged to each argument of the conclusion: its own rounding and the conclusion's few operations
ARGUMENT_ROUNDINGS = 8
#: how far the rounding error of one run may exceed that of a run with independent roundings
RERUN_SPREAD = 16
#: the least tolerance, far below any rounding error and far above Claim.slack's 1e-300 guard
TOLERANCE_FLOOR = 1e-280


def nudged(array: torch.Tensor, run: int, generator: torch.Generator) -> torch.Tensor:
    """A float32 copy of ``array``; from the second run on, each entry moved by ±NUDGE relative."""
    low = array.detach().to(torch.float32)
    if run == 0:
        return low
    signs = torch.randint(0, 2, low.shape, generator=generator).to(low) * 2 - 1
    return low * (1 + NUDGE * signs.to(low.device))


def deviation_and_tolerance(claim: Claim, values: dict, sides, reruns: list[dict], rerun_xp):
    """(|a − b|, tolerance) per instance, from the float64 ``values`` (whose conclusion has the
    ``sides`` (a, b)) and the same quantities re-run in float32 (``reruns``, in ``rerun_xp``)."""
    left, right = sides
    gap = right - left
    gaps32 = []
    for rerun_values in reruns:
        left32, right32 = claim.sides(rerun_values, rerun_xp)
        gaps32.append(torch.as_tensor(right32 - left32).to(gap.dtype) + 0 * gap)
    gap32 = functools.reduce(lambda a, b: torch.where((b - gap).abs() > (a - gap).abs(), b, a), gaps32)
    checked = torch.isfinite(gap)
    side = claim.side_conditions_hold(values)
    if side is not None:  # an instance outside the hypotheses (a degenerate one, say) is not judged
        checked = checked & side
    lost = checked & ~functools.reduce(torch.logical_and, [torch.isfinite(g) for g in gaps32])
    if bool(lost.any()):
        raise UserCodeError(f"{claim.name}: the float32 re-run that derives the identity's tolerance is not finite "
                            f"where float64 is ({int(lost.sum())} of {gap.numel()} drawn instances): state "
                            "hypotheses that keep the measured quantities within float32's range")
    kappa = (gap32 - gap).abs() / UNIT_ROUNDOFF[torch.float32]
    scale = claim.sensitivity(values) + 0 * gap
    tolerance = UNIT_ROUNDOFF[gap.dtype] * (ARGUMENT_ROUNDINGS * scale + RERUN_SPREAD * kappa)
    # where the conclusion is not differentiable in its arguments (a square root at 0), rounding can move
    # it by any amount: the tolerance is unbounded (the largest float, so the slack stays a number), and
    # high precision never confirms there either (Claim.rounding_scale is infinite)
    tolerance = torch.nan_to_num(tolerance, nan=torch.inf).clamp(TOLERANCE_FLOOR, torch.finfo(gap.dtype).max)
    # an exact agreement at 0 has slack 1 (Claim.slack guards its denominator with 1e-300)
    return gap.abs(), tolerance
