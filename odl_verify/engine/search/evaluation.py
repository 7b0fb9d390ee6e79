"""A claim's quantities on a batch of instances, in whichever namespace: the one place the
search, the confirmation and the replay run a claim's ``measure``, and where its outputs
are held to their contract (one value per instance, in the batch's dtype and device)."""
from __future__ import annotations

import torch

from ...definitions.backend import TorchNamespace
from ...definitions.claims import Claim
from ...definitions.families import Instance
from ...definitions.trees import tree_map
from ...errors import UserCodeError
from ..calls import current_case, user_code
from .identity import RERUNS, deviation_and_tolerance, nudged


def quantities(claim: Claim, family, raw, x0, tau: dict, integers: dict, xp) -> tuple[dict, dict]:
    """Every argument of the claim's conclusion on a batch (certified, integer, free, measured), and
    what the measure returned."""
    params = family.constrain(raw, xp)
    instance = Instance(family, params, xp)
    constants = instance.constants()
    values = {s: constants[name] for s, name in claim.certified.items()}
    values.update({s: xp.scalar(n, x0) for s, n in integers.items()})
    claim.free_values(tau, values, xp)
    given_values = {str(s): v for s, v in values.items()}
    given_values.update({str(s): int(n) for s, n in integers.items()})
    try:
        with user_code(f"{claim.name}: measure"):
            measured = claim.measure(instance, x0, given_values, xp)
    except Exception as exc:  # the claim's own code: a verdict, not a crash
        raise UserCodeError(f"{claim.name}: measure raised {type(exc).__name__}: {exc}", case=current_case()) from exc
    check_outputs(claim, measured, x0)
    for s in claim.measured:
        values[s] = measured[str(s)]
    return values, measured


def evaluate(claim: Claim, family, raw, x0, tau: dict, integers: dict, xp):
    """Quantities of the claim on a batch: returns (values, small, big, measured).

    (small, big) are the conclusion's sides small <= big; for an identity a = b they are
    (|a − b|, tolerance): the tolerance derived from float32 re-runs in torch
    (:mod:`.identity`), and 0 in high precision, where the confirmation decides."""
    values, measured = quantities(claim, family, raw, x0, tau, integers, xp)
    small, big = claim.sides(values, xp)
    if claim.identity:
        if xp.name == "torch":
            lowered, generator = TorchNamespace(xp.device, torch.float32), torch.Generator().manual_seed(0)
            reruns = []
            for run in range(RERUNS):
                low = lambda a: nudged(a, run, generator)
                reruns.append(quantities(claim, family, tree_map(low, raw), low(x0), {s: low(t) for s, t in tau.items()},
                                         integers, lowered)[0])
            small, big = deviation_and_tolerance(claim, values, (small, big), reruns, lowered)
        else:
            small, big = abs(big - small), 0 * small
    # constant sides (a bound of 0, say) broadcast to one entry per instance
    small, big = small + 0 * x0[:, 0], big + 0 * x0[:, 0]
    if xp.name == "torch" and not claim.refine:  # no gradient: the adversary keeps the drawn instances
        small, big = small.detach(), big.detach()
    return values, small, big, measured


def _shape(array) -> tuple | None:
    shape = getattr(array, "shape", None)
    return None if shape is None else tuple(shape)


def check_outputs(claim: Claim, measured, x0) -> None:
    """A measure returns ``{name: array}`` with one value per instance of the batch, in the
    batch's dtype and on its device: anything else would be broadcast or silently converted."""
    if not hasattr(measured, "keys"):
        raise UserCodeError(f"{claim.name}: measure returned a {type(measured).__name__}, not a dict of "
                            f"{list(map(str, claim.measured))}", case=current_case())
    missing = [str(s) for s in claim.measured if str(s) not in measured]
    if missing:
        raise UserCodeError(f"{claim.name}: measure did not return {missing} (it returned {sorted(measured)})",
                            case=current_case())
    batch = (_shape(x0)[0],)
    for s in claim.measured:
        value = measured[str(s)]
        got = _shape(value)
        wrong = None
        if got != batch:
            wrong = (f"shape {got}, expected {batch} (one value per instance of the batch)" if got is not None
                     else f"a {type(value).__name__}, expected an array of shape {batch}")
        elif getattr(value, "dtype", None) != getattr(x0, "dtype", None):
            wrong = f"dtype {value.dtype}, expected the batch's {x0.dtype}"
        elif str(getattr(value, "device", "")) != str(getattr(x0, "device", "")):
            wrong = f"device {value.device}, expected the batch's {x0.device}"
        if wrong:
            raise UserCodeError(f"{claim.name}: measure returned {s} with {wrong}", case=current_case())
