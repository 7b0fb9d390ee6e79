"""What the search draws and what a counterexample replays.

A :class:`Case` is one Hypothesis example: an *anchor* instance (family, dimension, raw
parameters, start point, τ per free hyperparameter, integer step counts) plus how many
jittered copies to refine beside it. A :class:`Candidate` is one instance of it in float64
numpy: the replayable content of a counterexample (``case_json``/``from_json``).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Sequence

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from ...definitions.backend import TorchNamespace
from ...definitions.claims import Claim
from ...definitions.families import Family, float_arrays
from ...definitions.trees import tree_map
from ...errors import UsageError
from .probes import designable, designs


@dataclasses.dataclass(frozen=True)
class Case:
    family: int
    dimension: int
    raw: dict
    start: str
    x0: np.ndarray
    tau: tuple[float, ...]
    integers: tuple[int, ...]
    restarts: int
    seed: int

    def key(self) -> str:
        return json.dumps(dataclasses.asdict(self), default=lambda a: np.asarray(a).tolist(), sort_keys=True)


@dataclasses.dataclass
class Candidate:
    """One instance, in float64 numpy: the replayable content of a counterexample."""

    family: int
    raw: dict
    x0: np.ndarray
    tau: dict[sp.Symbol, float]
    integers: dict[sp.Symbol, int]

    def case_json(self, claim: Claim) -> dict[str, Any]:
        return {"family": claim.families[self.family].name,
                "raw": tree_map(lambda a: np.asarray(a).tolist(), self.raw),
                "x0": np.asarray(self.x0).tolist(),
                "tau": {str(s): float(t) for s, t in self.tau.items()},
                "integers": {str(s): int(n) for s, n in self.integers.items()}}

    @classmethod
    def from_json(cls, claim: Claim, data: dict) -> "Candidate":
        names = [f.name for f in claim.families]
        try:
            family = names.index(data["family"])
            tau = {s: float(data["tau"][str(s)]) for s in claim.free}
            integers = {s: int(data["integers"][str(s)]) for s in claim.integers}
            raw = tree_map(lambda a: np.asarray(a, dtype=np.float64), data["raw"])
            x0 = np.asarray(data["x0"], dtype=np.float64)
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"--case does not describe an instance of {claim.name!r} "
                             f"(families: {', '.join(names)}): {exc!r}") from None
        return cls(family, raw, x0, tau, integers)


#: jittered copies always refined beside the anchor, so that a shrunk anchor sitting on a
#: degenerate point (a zero gradient, say) still has neighbours the adversary can move
MIN_RESTARTS = 3


def case_strategy(claim: Claim, max_dimension: int, restarts: int,
                  integer_ranges: dict | None = None, family: int | None = None) -> st.SearchStrategy[Case]:
    """Cases of ``claim``; of its ``family``-th family only when given (see :func:`family_shares`)."""
    low_dim = claim.dimensions[0]
    ranges = list((integer_ranges or claim.integers).values())
    indices = st.integers(0, len(claim.families) - 1) if family is None else st.just(family)

    def hyperparameters(draw):
        return (tuple(draw(st.floats(*claim.tau_range(s))) for s in claim.free),
                tuple(draw(st.integers(lo, hi)) for lo, hi in ranges))

    @st.composite
    def cases(draw):
        index = draw(indices)
        family = claim.families[index]
        d = draw(st.integers(max(low_dim, family.min_dim), max(max_dimension, family.min_dim, low_dim)))
        if designable(claim, family):  # the hyperparameters first: its instance is built for them
            tau, integers = hyperparameters(draw)
            tau_rows = {s: torch.tensor([t], dtype=torch.float64) for s, t in zip(claim.free, tau)}
            design = designs(claim, tau_rows, dict(zip(claim.integers, integers)), TorchNamespace(), 1)[0]
            raw = draw(family.strategy(d, design=design))
        else:
            raw = draw(family.strategy(d))
        start = draw(st.sampled_from(("random",) + family.directions))
        x0 = draw(float_arrays(d, -10.0, 10.0))
        if not designable(claim, family):
            tau, integers = hyperparameters(draw)
        return Case(index, d, raw, start, x0, tau, integers,
                    draw(st.integers(min(MIN_RESTARTS, restarts), restarts)), draw(st.integers(0, 2**32 - 1)))

    return cases()


def family_shares(families: Sequence[Family], examples: int, seed: int) -> list[tuple[int, int]]:
    """(family index, examples) for a run of ``examples`` over ``families``, in the order to run them:
    families that know their extreme instances (start directions, designs) first, then the others.
    As many families are served as get two examples each (a Hypothesis run starts with its simplest
    example, all zeros, so a single one would see nothing else), chosen in that order with each
    group rotated by the seed; the remainder is one more example each, in the same order.

    One Hypothesis run over all families spends most of a small budget mutating whichever family
    scored best first (20 examples drew the staircase 0 to 5 times by seed); a run per family
    gives each the same chance to show its worst case, whatever the seed."""
    groups = ([i for i, f in enumerate(families) if f.directions or f.design_roles],
              [i for i, f in enumerate(families) if not (f.directions or f.design_roles)])
    order = [group[(seed + k) % len(group)] for group in groups for k in range(len(group))]
    chosen = set(order[:max(1, min(len(order), examples // 2))])
    served = [i for group in groups for i in group if i in chosen]
    base, extra = divmod(examples, len(served))
    return [(index, base + (k < extra)) for k, index in enumerate(served)]
