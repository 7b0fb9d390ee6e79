"""Falsification search: Hypothesis draws, an adversary refines, high precision confirms.

Each Hypothesis example is an *anchor* instance (family, dimension, raw parameters,
start point, τ per free hyperparameter, integer step counts) plus ``restarts``
jittered copies. The batch is refined toward violation by Adam on the slack,
differentiating through the unrolled method, with τ projected back into the
hypotheses' domain after each step. A row whose float64 slack is below
``-FLOAT_TOLERANCE`` is re-evaluated in ``CONFIRM_DIGITS``-digit mpmath; only a
confirmed violation fails the example, so Hypothesis shrinks real counterexamples
and roundoff is counted, never reported. The shrunk counterexample is then
simplified (entries snapped to short decimals) while it stays confirmed.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from typing import Any

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings, target
from hypothesis import strategies as st

from .backend import CONFIRM_DIGITS, MpNamespace, TorchNamespace, resolve_device
from .errors import UsageError
from ._internal.seeded import seed_only
from .claims import EXACT_TOLERANCE, FLOAT_TOLERANCE, Claim, Instance, first
from .instances import _array
from .verdict import ERROR, FALSIFIED, HELD, Counterexample, Verdict


@dataclasses.dataclass(frozen=True)
class CheckConfig:
    """How hard to search. ``examples=None`` takes the Hypothesis profile's max_examples."""

    examples: int | None = None
    seed: int = 0
    device: str = "auto"
    max_dimension: int | None = None
    restarts: int = 15
    refine_steps: int = 30
    learning_rate: float = 0.05
    #: Hypothesis calls allowed after the first failure (bounded and deterministic)
    shrink_calls: int = 100

    def example_count(self) -> int:
        count = self.examples if self.examples is not None else settings.default.max_examples
        if count < 1:
            raise UsageError(f"--examples must be at least 1, not {count}")
        return count


class UserFunctionError(Exception):
    """A claim's own code raised or produced NaN: reported as an error verdict."""


class Violation(Exception):
    """A confirmed counterexample, raised inside Hypothesis so that it shrinks."""

    def __init__(self, candidate: "Candidate", exact: dict):
        super().__init__(f"slack {exact['slack']}")
        self.candidate, self.exact = candidate, exact


# ---------------------------------------------------------------- trees
def tree_map(fn, tree, *rest):
    if isinstance(tree, dict):
        return {k: tree_map(fn, v, *(r[k] for r in rest)) for k, v in tree.items()}
    return fn(tree, *rest)


def tree_leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in tree_leaves(v)]
    return [tree]


# ---------------------------------------------------------------- cases
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
                  integer_ranges: dict | None = None) -> st.SearchStrategy[Case]:
    low_dim = claim.dimensions[0]
    ranges = list((integer_ranges or claim.integers).values())

    @st.composite
    def cases(draw):
        index = draw(st.integers(0, len(claim.families) - 1))
        family = claim.families[index]
        d = draw(st.integers(max(low_dim, family.min_dim), max(max_dimension, family.min_dim, low_dim)))
        raw = draw(family.strategy(d))
        start = draw(st.sampled_from(("random",) + family.directions))
        x0 = draw(_array(d, -10.0, 10.0))
        tau = tuple(draw(st.floats(*claim.tau_range(s))) for s in claim.free)
        integers = tuple(draw(st.integers(lo, hi)) for lo, hi in ranges)
        return Case(index, d, raw, start, x0, tau, integers,
                    draw(st.integers(min(MIN_RESTARTS, restarts), restarts)), draw(st.integers(0, 2**32 - 1)))

    return cases()


# ---------------------------------------------------------------- evaluation
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
        raise UserFunctionError(f"{claim.name}: measure raised {type(exc).__name__}: {exc}") from exc
    missing = [str(s) for s in claim.measured if str(s) not in measured]
    if missing:
        raise UserFunctionError(f"{claim.name}: measure did not return {missing} "
                                f"(it returned {sorted(measured)})")
    for s in claim.measured:
        values[s] = measured[str(s)]
    small, big = claim.sides(values, xp)
    # constant sides (a bound of 0, say) broadcast to one entry per instance
    return values, small + 0 * x0[:, 0], big + 0 * x0[:, 0], measured


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
        if not all(xp.is_finite(v) for v in (small, big)):
            return None
        if claim.exact_hypotheses_hold(values):
            return None
        small, big = first(small), first(big)
        slack = (big - small) / (abs(big) + abs(small)) if (big or small) else mpmath.mpf(0)
        if slack >= -EXACT_TOLERANCE:
            return None
        if small - big <= claim.rounding_scale(values) * mpmath.mpf(10) ** (ROUNDING_MARGIN - digits):
            return None  # the gap is within what rounding the arguments could produce
        return {"slack": slack, "small": small, "big": big, "values": values,
                "params": family.constrain(raw, xp), "measured": measured}


#: a second working precision: cancellation that fools one does not repeat the same number at another
RECONFIRM_DIGITS = CONFIRM_DIGITS * 5 // 2


def confirm(claim: Claim, candidate: Candidate) -> dict | None:
    """Re-evaluate one candidate in high precision; the exact values if it violates.

    A violation counts only if it appears at ``CONFIRM_DIGITS`` digits and again, with
    the same slack and the same gap (small − big) to three digits, at
    ``RECONFIRM_DIGITS``: cancellation that fools one working precision does not
    reproduce the same number at another. The gap matters where a side is exactly 0 in
    real arithmetic: roundoff of 10⁻⁶¹ against a bound of 0 has slack −1 at every precision.
    """
    result = _exact_violation(claim, candidate, CONFIRM_DIGITS)
    if result is None:
        return None
    again = _exact_violation(claim, candidate, RECONFIRM_DIGITS)
    if again is None:
        return None
    gaps = [r["small"] - r["big"] for r in (result, again)]
    if (abs(again["slack"] - result["slack"]) > 1e-3 * abs(again["slack"])
            or abs(gaps[1] - gaps[0]) > 1e-3 * abs(gaps[1])):
        return None
    return result


def _nstr(value) -> str:
    return mpmath.nstr(mpmath.mpf(value), 12)


def _tree_strings(tree):
    """One instance's parameters (batch dimension dropped) as nested lists of strings."""
    def strings(array):
        array = np.asarray(array, dtype=object)[0]
        return _nstr(array) if array.ndim == 0 else np.vectorize(_nstr, otypes=[object])(array).tolist()
    return tree_map(strings, tree)


def simplify(claim: Claim, candidate: Candidate, exact: dict, budget: int = 160):
    """Snap entries to short decimals (0, then 1-3 significant digits) while confirmed."""
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
            trials = [0.0, 1.0, 0.5, 0.75, 0.25] + [float(f"{current:.{k}g}") for k in (1, 2, 3)]
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


def claim_reference(claim: Claim) -> str:
    """How ``odl-verify reproduce`` finds the claim again."""
    from . import registry
    if registry.is_builtin(claim):
        return claim.name
    if claim.origin:
        origin = os.path.relpath(claim.origin) if not os.path.relpath(claim.origin).startswith("..") else claim.origin
        return f"{origin}:{claim.name}"
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
        "conclusion": sp.sstr(claim.conclusion),
        **dict(zip(("observed side", "bound side"),
                   map(_nstr, claim.observed_and_bound(exact["small"], exact["big"])))),
    }
    case = candidate.case_json(claim)
    line = f"odl-verify reproduce '{claim_reference(claim)}' --case '{json.dumps(case, separators=(',', ':'))}'"
    return Counterexample(family=family.name, dimension=int(np.size(candidate.x0)), case=case, shown=shown,
                          reproduce=line, confirmation=f"shrunk; confirmed at {CONFIRM_DIGITS} and {RECONFIRM_DIGITS} digits",
                          slack_float64=float(slack64), slack_exact=mpmath.nstr(exact["slack"], 6))


def _condition_number(family, raw, xp) -> dict:
    """κ = λ_max/λ_min of the anchor, for coverage, where the family certifies a definite spectrum."""
    if not {"lambda_min", "lambda_max"} <= family.provides:
        return {}
    with torch.no_grad():
        constants = family.constants(family.constrain(tree_map(lambda a: a[:1], raw), xp), xp)
    low, high = float(constants["lambda_min"][0]), float(constants["lambda_max"][0])
    return {"condition number": high / low} if low > 0 else {}


# ---------------------------------------------------------------- the run
class _Run:
    """State of one falsification run: statistics, caches and the shrink budget."""

    def __init__(self, claim: Claim, config: CheckConfig, xp: TorchNamespace):
        self.claim, self.config, self.xp = claim, config, xp
        self.examples = self.instances = self.rejected = 0
        self.worst_slack = math.inf
        self.tightness = -math.inf
        self.coverage: dict[str, list] = {"family": [], "dimension": []}
        self.samples: dict[str, list] = {"bound": [], "observed": []}
        self.outcomes: dict[str, BaseException | None] = {}
        self.failed = False
        self.shrink_calls = 0

    def attempt(self, case: Case) -> None:
        key = case.key()
        if key in self.outcomes:
            if self.outcomes[key] is not None:
                raise self.outcomes[key]
            return
        if self.failed:
            if self.shrink_calls >= self.config.shrink_calls:
                return  # budget spent: report the smallest failure found so far
            self.shrink_calls += 1
        try:
            self._attempt(case, record=not self.failed)
        except (Violation, UserFunctionError) as exc:
            self.failed = True
            self.outcomes[key] = exc
            raise
        self.outcomes[key] = None

    def _batch(self, case: Case):
        xp, family = self.xp, self.claim.families[case.family]
        generator = torch.Generator().manual_seed(case.seed)
        size = 1 + case.restarts

        def expand(array):
            anchor = torch.as_tensor(np.asarray(array), dtype=torch.float64)
            batch = anchor.expand(size, *anchor.shape).clone()
            if size > 1:
                noise = torch.randn(batch[1:].shape, generator=generator, dtype=torch.float64)
                batch[1:] += 0.3 * noise * (anchor.abs() + 0.1)
            return batch.to(xp.device)

        raw = tree_map(expand, case.raw)
        x0 = expand(case.x0)
        tau = {}
        for s, t in zip(self.claim.free, case.tau):
            low, high = self.claim.tau_range(s)
            rest = low + (high - low) * torch.rand(size - 1, generator=generator, dtype=torch.float64)
            tau[s] = torch.cat([torch.tensor([t], dtype=torch.float64), rest]).to(xp.device)
        if case.start != "random":
            with torch.no_grad():
                direction = family.direction(case.start, family.constrain(raw, xp), xp)
                scale = x0.norm(dim=-1, keepdim=True)
                x0 = direction * torch.where(scale > 0, scale, torch.ones_like(scale))
        integers = dict(zip(self.claim.integers, case.integers))
        return family, raw, x0, tau, integers

    def _attempt(self, case: Case, record: bool) -> None:
        claim, xp, tol = self.claim, self.xp, FLOAT_TOLERANCE
        family, raw, x0, tau, integers = self._batch(case)
        leaves = tree_leaves(raw) + [x0] + list(tau.values())
        for leaf in leaves:
            leaf.requires_grad_(True)
        optimizer = torch.optim.Adam(leaves, lr=self.config.learning_rate)
        size = x0.shape[0]
        best = torch.full((size,), math.inf, dtype=torch.float64, device=xp.device)
        best_state = None
        best_sides = (torch.zeros(size, dtype=torch.float64, device=xp.device),) * 2
        ranges = {s: claim.tau_range(s) for s in tau}
        for step in range(self.config.refine_steps + 1):
            values, small, big, _ = evaluate(claim, family, raw, x0, tau, integers, xp)
            slack = claim.slack(small, big)
            valid = torch.isfinite(slack)
            side = claim.side_conditions_hold(values)
            if side is not None:
                valid &= side
            if step == 0:
                if not bool(torch.isfinite(slack[0])) and (side is None or bool(side[0])):
                    raise UserFunctionError(f"{claim.name}: measure returned NaN or inf on a drawn "
                                            f"{family.name} instance of dimension {case.dimension}")
                drawn = {str(s): float(values[s][0].detach()) for s in claim.certified.keys() | set(claim.free)}
                drawn.update(_condition_number(family, raw, xp))
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
            best = torch.minimum(best, current)
            if bool((best < -tol).any()) or step == self.config.refine_steps:
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
        has_ratio = bool((ratio > -math.inf).any())
        row = int(ratio.argmax()) if has_ratio else int(torch.argmin(torch.where(finite, best, torch.full_like(best, math.inf))))
        if has_ratio:
            self.tightness = max(self.tightness, float(ratio[row]))
            self.samples.setdefault("tightness", []).append(float(ratio[row]))
        observed, bound = self.claim.observed_and_bound(small[row], big[row])
        self.samples["bound"].append(float(bound))
        self.samples["observed"].append(float(observed))


def falsify(claim: Claim, config: CheckConfig | None = None) -> Verdict:
    """Try to break ``claim``; a verdict with a confirmed, simplified counterexample if it breaks."""
    config = config or CheckConfig()
    device = resolve_device(config.device)
    xp = TorchNamespace(device)
    examples = config.example_count()
    max_dimension = config.max_dimension or claim.dimensions[1]
    run = _Run(claim, config, xp)

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              report_multiple_bugs=False, print_blob=False,
              phases=(Phase.generate, Phase.target, Phase.shrink))
    @seed(config.seed)
    @given(case_strategy(claim, max_dimension, config.restarts, claim.integer_ranges(examples)))
    def attempt(case):
        run.attempt(case)

    verdict = Verdict(theorem=claim.name, title=claim.title, status=HELD, statement=claim.statement(),
                      reference=claim.reference, tight=claim.tight, method=claim.method, latex=claim.latex(), mathml=claim.mathml(),
                      device=str(device), seed=config.seed, families=[f.name for f in claim.families])
    start = time.perf_counter()
    try:
        with torch.random.fork_rng(devices=[]), seed_only():
            attempt()
    except Violation as violation:
        candidate, exact = simplify(claim, violation.candidate, violation.exact)
        verdict.status = FALSIFIED
        # the shrunk case's own float64 slack, so the verdict and its reproduce line agree
        slack64 = _float64_sides(claim, candidate)["slack"]
        verdict.counterexample = build_counterexample(claim, candidate, exact, slack64)
        run.worst_slack = min(run.worst_slack, slack64, float(exact["slack"]))
    except UserFunctionError as exc:
        verdict.status, verdict.error = ERROR, str(exc)
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances, verdict.rejected_roundoff = run.examples, run.instances, run.rejected
    verdict.worst_slack = run.worst_slack if math.isfinite(run.worst_slack) else None
    verdict.tightness = run.tightness if math.isfinite(run.tightness) else None
    verdict.coverage, verdict.samples = run.coverage, run.samples
    verdict.details["refine_steps"] = config.refine_steps
    verdict.details["domains"] = claim.describe_domains()
    return verdict


def _float64_sides(claim: Claim, candidate: Candidate) -> dict:
    """One candidate evaluated in float64 on the CPU, as the search saw it."""
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
    out = {"claim": claim.name, "float64": _float64_sides(claim, candidate), "violated": exact is not None}
    if exact is not None:
        out["counterexample"] = dataclasses.asdict(build_counterexample(claim, candidate, exact,
                                                                        out["float64"]["slack"]))["shown"]
    return out
