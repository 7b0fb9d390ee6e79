"""The adversary: each Hypothesis example is refined toward violation by Adam on the slack,
differentiating through the unrolled method, with τ projected back into the hypotheses'
domain after each step; rows below ``-FLOAT_TOLERANCE`` go to high-precision confirmation."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
from hypothesis import target

from ...core.config import CheckConfig
from ...definitions.backend import TorchNamespace
from ...core.precision import FLOAT_TOLERANCE
from ...definitions.claims import Claim
from ...definitions.trees import tree_leaves, tree_map
from ...errors import UserCodeError
from ..calls import on_case
from ..harness import FailureBudget
from .cases import MIN_RESTARTS, Candidate, Case
from .confirm import Violation, confirm
from .evaluation import evaluate
from .probes import fill_probe_rows, probes


def condition_number(family, raw, xp) -> dict:
    """κ = λ_max/λ_min of the anchor, for coverage, where the family certifies a definite spectrum."""
    if not {"lambda_min", "lambda_max"} <= family.provides:
        return {}
    with torch.no_grad():
        constants = family.constants(family.constrain(tree_map(lambda a: a[:1], raw), xp), xp)
    low, high = float(constants["lambda_min"][0]), float(constants["lambda_max"][0])
    return {"condition number": high / low} if low > 0 else {}


#: refinement stops early once no row's slack has fallen by STALL_PROGRESS for STALL_PATIENCE steps:
#: rows that sit on a tight instance, or on a flat stretch, do not move in the remaining steps
STALL_PROGRESS, STALL_PATIENCE = 1e-7, 5


class Adversary:
    """State of one falsification run: statistics, caches and the shrink budget."""

    def __init__(self, claim: Claim, config: CheckConfig, xp: TorchNamespace):
        self.claim, self.config, self.xp = claim, config, xp
        self.examples = self.instances = self.rejected = 0
        self.worst_slack = math.inf
        self.tightness = -math.inf
        self.coverage: dict[str, list] = {"family": [], "dimension": []}
        self.samples: dict[str, list] = {"bound": [], "observed": []}
        self.outcomes: dict[str, BaseException | None] = {}
        self.budget = FailureBudget(config.shrink_calls)

    def attempt(self, case: Case) -> None:
        key = case.key()
        if key in self.outcomes:
            if self.outcomes[key] is not None:
                raise self.outcomes[key]
            return
        if not self.budget.allows_another():
            return  # budget spent: report the smallest failure found so far
        try:
            with on_case(self.described(case)):
                self._attempt(case, record=not self.budget.failed)
        except (Violation, UserCodeError) as exc:
            self.budget.record(exc)
            self.outcomes[key] = exc
            raise
        self.outcomes[key] = None

    def described(self, case: Case) -> dict:
        """The example as a hang or an error names it: family and symbols by name."""
        described = dataclasses.asdict(case)
        described.update(family=self.claim.families[case.family].name,
                         tau={str(s): t for s, t in zip(self.claim.free, case.tau)},
                         integers={str(s): n for s, n in zip(self.claim.integers, case.integers)})
        return described

    def batch(self, case: Case):
        """The example's rows: the anchor as drawn, its probe rows (:mod:`.probes`), then jittered
        copies with τ drawn uniformly: ``case.restarts`` rows in all after the anchor, of which at
        least ``MIN_RESTARTS`` jittered (so probes cost rows only where they outnumber the restarts)."""
        claim, xp, family = self.claim, self.xp, self.claim.families[case.family]
        generator = torch.Generator().manual_seed(case.seed)
        rows = probes(claim, family.directions, case.start)
        fixed = 1 + len(rows)  # the anchor and its probes are the anchor's own instance
        jittered = max(case.restarts - len(rows), min(MIN_RESTARTS, case.restarts))
        size = fixed + jittered

        def expand(array):
            anchor = torch.as_tensor(np.asarray(array), dtype=torch.float64)
            batch = anchor.expand(size, *anchor.shape).clone()
            if jittered:
                noise = torch.randn(batch[fixed:].shape, generator=generator, dtype=torch.float64)
                batch[fixed:] += 0.3 * noise * (anchor.abs() + 0.1)
            return batch.to(xp.device)

        raw = tree_map(expand, case.raw)
        x0 = expand(case.x0)
        tau = {}
        for position, (s, t) in enumerate(zip(claim.free, case.tau)):
            low, high = claim.tau_range(s)
            rest = low + (high - low) * torch.rand(jittered, generator=generator, dtype=torch.float64)
            probed = [float(p.tau[position]) if not p.special[position] else t for p in rows]
            tau[s] = torch.cat([torch.tensor([t, *probed], dtype=torch.float64), rest]).to(xp.device)
        integers = dict(zip(claim.integers, case.integers))
        starts = [case.start] + [p.start for p in rows] + [case.start] * jittered
        with torch.no_grad():
            tau, x0 = fill_probe_rows(claim, family, rows, raw, x0, tau, integers, starts, case.dimension, xp)
        return family, raw, x0, tau, integers

    def _attempt(self, case: Case, record: bool) -> None:
        claim, xp, tol = self.claim, self.xp, FLOAT_TOLERANCE
        family, raw, x0, tau, integers = self.batch(case)
        leaves = tree_leaves(raw) + [x0] + list(tau.values())
        for leaf in leaves:
            leaf.requires_grad_(True)
        optimizer = torch.optim.Adam(leaves, lr=self.config.learning_rate)
        size = x0.shape[0]
        best = torch.full((size,), math.inf, dtype=torch.float64, device=xp.device)
        best_state = None
        best_sides = (torch.zeros(size, dtype=torch.float64, device=xp.device),) * 2
        ranges = {s: claim.tau_range(s) for s in tau}
        stalled = 0
        for step in range(self.config.refine_steps + 1):
            values, small, big, _ = evaluate(claim, family, raw, x0, tau, integers, xp)
            slack = claim.slack(small, big)
            valid = torch.isfinite(slack)
            side = claim.side_conditions_hold(values)
            if side is not None:
                valid &= side
            if step == 0:
                if not bool(torch.isfinite(slack[0])) and (side is None or bool(side[0])):
                    raise UserCodeError(f"{claim.name}: measure returned NaN or inf on a drawn "
                                            f"{family.name} instance of dimension {case.dimension}")
                drawn = {str(s): float(values[s][0].detach()) for s in claim.certified.keys() | set(claim.free)}
                drawn.update(condition_number(family, raw, xp))
            current = torch.where(valid, slack, torch.full_like(slack, math.inf)).detach()
            improved = current < best
            state = (tree_map(lambda a: a.detach().clone(), raw), x0.detach().clone(),
                     {s: t.detach().clone() for s, t in tau.items()})
            if best_state is None:
                best_state = state
            else:
                pick = lambda new, old: torch.where(improved.view(-1, *[1] * (new.dim() - 1)), new, old)
                best_state = (tree_map(pick, state[0], best_state[0]), pick(state[1], best_state[1]),
                              {s: pick(state[2][s], best_state[2][s]) for s in tau})
            best_sides = tuple(torch.where(improved, new.detach(), old) for new, old in zip((small, big), best_sides))
            progress = torch.where(improved & torch.isfinite(best), best - current, improved.double())
            best = torch.minimum(best, current)
            stalled = stalled + 1 if float(progress.max()) < STALL_PROGRESS else 0
            if bool((best < -tol).any()) or step == self.config.refine_steps or stalled >= STALL_PATIENCE:
                break
            loss = torch.where(valid, slack, torch.zeros_like(slack)).sum()
            optimizer.zero_grad()
            if loss.requires_grad:
                loss.backward()
            for leaf in leaves:
                if leaf.grad is not None:
                    torch.nan_to_num_(leaf.grad, nan=0.0, posinf=0.0, neginf=0.0)
            if step == 0 and not any(leaf.grad is not None and bool(leaf.grad.any()) for leaf in leaves):
                break  # a zero gradient before Adam has momentum: no step moves, refining repeats this point
            optimizer.step()
            with torch.no_grad():
                for s, t in tau.items():
                    t.clamp_(*ranges[s])
        finite = torch.isfinite(best)
        if record:
            self._record(case, family, drawn, best, best_sides, finite, size)
        if finite.any():
            target(-float(best[finite].min()), label="negated worst slack")
        violators = torch.nonzero(best < -tol).flatten()
        for row in violators[torch.argsort(best[violators])][:2].tolist():
            candidate = Candidate(case.family, tree_map(lambda a: a[row].cpu().numpy(), best_state[0]),
                                  best_state[1][row].cpu().numpy(),
                                  {s: float(t[row]) for s, t in best_state[2].items()}, integers)
            exact = confirm(claim, candidate)
            if exact is not None:
                raise Violation(candidate, exact)
            self.rejected += 1

    def _record(self, case, family, drawn, best, sides, finite, size) -> None:
        """Coverage is what the anchor drew (hyperparameters, certified constants); samples and
        tightness come from the refined rows."""
        self.examples += 1
        self.instances += size
        self.coverage["family"].append(family.name)
        self.coverage["dimension"].append(case.dimension)
        for name, value in sorted(drawn.items()):
            self.coverage.setdefault(name, []).append(value)
        if not finite.any():
            return
        held = finite & (best >= 0)
        # rows below -tol were candidates: confirmed ones fail the example, the rest are roundoff
        within = finite & (best >= -FLOAT_TOLERANCE)
        if within.any():
            self.worst_slack = min(self.worst_slack, float(best[within].min()))
        small, big = sides
        ratio = torch.where(held & (big > 0) & (small >= 0), small / big, torch.full_like(big, -math.inf))
        if not bool((ratio > -math.inf).any()):
            # every row sits within roundoff below its bound (an identity, whose float64 sides differ by
            # an ulp either way, and refining finds the side below): each attains the bound
            ratio = torch.where(within & (big > 0) & (small >= 0), torch.clamp(small / big, max=1.0),
                                torch.full_like(big, -math.inf))
        has_ratio = bool((ratio > -math.inf).any())
        row = int(ratio.argmax()) if has_ratio else int(torch.argmin(torch.where(finite, best, torch.full_like(best, math.inf))))
        if has_ratio:
            self.tightness = max(self.tightness, float(ratio[row]))
            self.samples.setdefault("tightness", []).append(float(ratio[row]))
        observed, bound = self.claim.observed_and_bound(small[row], big[row])
        self.samples["bound"].append(float(bound))
        self.samples["observed"].append(float(observed))
