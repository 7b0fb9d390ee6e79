"""A claim's quantities on a batch of instances, in whichever namespace: the one place the
search, the confirmation and the replay run a claim's ``measure``."""
from __future__ import annotations

from ...definitions.claims import Claim
from ...definitions.families import Instance
from ...errors import UserCodeError


def evaluate(claim: Claim, family, raw, x0, tau: dict, integers: dict, xp):
    """Quantities of the claim on a batch: returns (values, small, big)."""
    params = family.constrain(raw, xp)
    instance = Instance(family, params, xp)
    constants = instance.constants()
    values = {s: constants[name] for s, name in claim.certified.items()}
    values.update({s: xp.scalar(n, x0) for s, n in integers.items()})
    claim.free_values(tau, values, xp)
    given_values = {str(s): v for s, v in values.items()}
    given_values.update({str(s): int(n) for s, n in integers.items()})
    try:
        measured = claim.measure(instance, x0, given_values, xp)
    except Exception as exc:  # the claim's own code: a verdict, not a crash
        raise UserCodeError(f"{claim.name}: measure raised {type(exc).__name__}: {exc}") from exc
    missing = [str(s) for s in claim.measured if str(s) not in measured]
    if missing:
        raise UserCodeError(f"{claim.name}: measure did not return {missing} "
                                f"(it returned {sorted(measured)})")
    for s in claim.measured:
        values[s] = measured[str(s)]
    small, big = claim.sides(values, xp)
    # constant sides (a bound of 0, say) broadcast to one entry per instance
    return values, small + 0 * x0[:, 0], big + 0 * x0[:, 0], measured
