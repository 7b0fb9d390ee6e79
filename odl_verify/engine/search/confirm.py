"""Confirmation in high precision: a float64 violation counts only if it shows again at
``CONFIRM_DIGITS`` and ``RECONFIRM_DIGITS`` digits, by more than rounding could explain."""
from __future__ import annotations

import mpmath
import numpy as np

from ...core.precision import CONFIRM_DIGITS, EXACT_TOLERANCE, RECONFIRM_DIGITS
from ...definitions.backend import MpNamespace
from ...definitions.claims import Claim, first
from ...definitions.trees import tree_map
from ...errors import UserCodeError
from ..calls import on_case
from .cases import Candidate
from .evaluation import evaluate


class Violation(Exception):
    """A confirmed counterexample, raised inside Hypothesis so that it shrinks."""

    def __init__(self, candidate: "Candidate", exact: dict):
        super().__init__(f"slack {exact['slack']}")
        self.candidate, self.exact = candidate, exact


#: digits of working precision assumed lost to rounding in the measured quantities
ROUNDING_MARGIN = 10


def _exact_violation(claim: Claim, candidate: Candidate, digits: int) -> dict | None:
    family = claim.families[candidate.family]
    with mpmath.workdps(digits):
        xp = MpNamespace(digits)
        raw = tree_map(lambda a: xp.asarray(np.asarray(a)[None]), candidate.raw)
        x0 = xp.asarray(np.asarray(candidate.x0)[None])
        tau = {s: xp.asarray([t]) for s, t in candidate.tau.items()}
        try:
            values, small, big, measured = evaluate(claim, family, raw, x0, tau, candidate.integers, xp)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        except UserCodeError as exc:  # the measure's arithmetic failed (a zero variance, say): nothing to confirm
            if isinstance(exc.__cause__, (ZeroDivisionError, ValueError, OverflowError)):
                return None
            raise
        if not all(xp.is_finite(v) for v in (small, big)):
            return None
        if claim.exact_hypotheses_hold(values):
            return None
        small, big = first(small), first(big)
        if claim.identity:  # (small, big) = (|a − b|, 0): the slack is the relative deviation
            sides = tuple(map(first, claim.sides(values, xp)))
            gap, scale = small, abs(sides[0]) + abs(sides[1])
            slack = -gap / scale if gap else mpmath.mpf(0)
        else:
            sides, gap, scale = (small, big), small - big, abs(big) + abs(small)
            slack = (big - small) / scale if (big or small) else mpmath.mpf(0)
        if slack >= -EXACT_TOLERANCE:
            return None
        if gap <= claim.rounding_scale(values) * mpmath.mpf(10) ** (ROUNDING_MARGIN - digits):
            return None  # the gap is within what rounding the arguments could produce
        return {"slack": slack, "small": small, "big": big, "gap": gap, "sides": sides, "values": values,
                "params": family.constrain(raw, xp), "measured": measured}


def confirm(claim: Claim, candidate: Candidate) -> dict | None:
    """Re-evaluate one candidate in high precision; the exact values if it violates.

    A violation counts only if it appears at ``CONFIRM_DIGITS`` digits and again, with
    the same slack and the same gap (small − big) to three digits, at
    ``RECONFIRM_DIGITS``: cancellation that fools one working precision does not
    reproduce the same number at another. The gap matters where a side is exactly 0 in
    real arithmetic: roundoff of 10⁻⁶¹ against a bound of 0 has slack −1 at every precision.
    For an identity a = b the gap is |a − b| and the slack −|a − b|/(|a| + |b|): a true
    identity's gap shrinks with the working precision (10⁻⁶⁰ against 10⁻¹⁵⁰), a real
    violation's does not.
    """
    with on_case(candidate.case_json(claim)):  # the replayable form, should the measure hang or raise here
        result = _exact_violation(claim, candidate, CONFIRM_DIGITS)
        if result is None:
            return None
        again = _exact_violation(claim, candidate, RECONFIRM_DIGITS)
    if again is None:
        return None
    gaps = [r["gap"] for r in (result, again)]
    if (abs(again["slack"] - result["slack"]) > 1e-3 * abs(again["slack"])
            or abs(gaps[1] - gaps[0]) > 1e-3 * abs(gaps[1])):
        return None
    return result
