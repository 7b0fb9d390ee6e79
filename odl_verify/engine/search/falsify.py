"""Falsification search: Hypothesis draws, an adversary refines, high precision confirms.

Each Hypothesis example is an *anchor* instance plus ``restarts`` jittered copies
(:mod:`.cases`). The batch is refined toward violation by Adam on the slack
(:mod:`.adversary`). A row whose float64 slack is below ``-FLOAT_TOLERANCE`` is
re-evaluated in high-precision mpmath (:mod:`.confirm`); only a confirmed violation
fails the example, so Hypothesis shrinks real counterexamples and roundoff is counted,
never reported. The shrunk counterexample is then simplified (:mod:`.shrink`) while it
stays confirmed, and shown with the line that replays it (:mod:`.counterexample`).
"""
from __future__ import annotations

import math
import time

from hypothesis import Phase

from ...core.config import CheckConfig
from ...core.text import user_code_error_text
from ...core.verdict import ERROR, FALSIFIED, Verdict, open_verdict
from ...definitions.backend import TorchNamespace, resolve_device
from ...definitions.claims import Claim
from ...errors import UserCodeError
from .. import oracle
from ..harness import SEARCH_PHASES, run_search
from .adversary import Adversary
from .cases import case_strategy, family_shares
from .confirm import Violation
from .counterexample import build_counterexample, float64_sides
from .shrink import simplify


def falsify(claim: Claim, config: CheckConfig | None = None) -> Verdict:
    """Try to break ``claim``; a verdict with a confirmed, simplified counterexample if it breaks."""
    config = config or CheckConfig()
    device = resolve_device(config.device)
    xp = TorchNamespace(device)
    examples = config.example_count()
    max_dimension = config.max_dimension or claim.dimensions[1]
    run = Adversary(claim, config, xp)
    verdict = open_verdict(claim, seed=config.seed, device=device, families=[f.name for f in claim.families])
    start = time.perf_counter()
    try:
        # an identity's float64 deviation is rounding error: Hypothesis's hill climbing on it, like the
        # adversary's gradient, carries no information, so its draws are all generated
        phases = SEARCH_PHASES if not claim.identity else tuple(p for p in SEARCH_PHASES if p != Phase.target)
        for family, share in family_shares(claim.families, examples, config.seed):
            strategy = case_strategy(claim, max_dimension, config.restarts, claim.integer_ranges(examples), family)
            # one seed per (run seed, family): distinct for fewer than 1009 families
            run_search(strategy, run.attempt, examples=share, seed_value=config.seed * 1009 + family, phases=phases)
    except Violation as violation:
        candidate, exact = simplify(claim, violation.candidate, violation.exact)
        verdict.status = FALSIFIED
        # the shrunk case's own float64 slack, so the verdict and its reproduce line agree
        slack64 = float64_sides(claim, candidate)["slack"]
        verdict.counterexample = build_counterexample(claim, candidate, exact, slack64)
        run.worst_slack = min(run.worst_slack, slack64, float(exact["slack"]))
    except UserCodeError as exc:
        verdict.status, verdict.error = ERROR, user_code_error_text(exc)
        if exc.case is not None:
            verdict.details["case"] = exc.case
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances, verdict.rejected_roundoff = run.examples, run.instances, run.rejected
    verdict.worst_slack = run.worst_slack if math.isfinite(run.worst_slack) else None
    verdict.tightness = run.tightness if math.isfinite(run.tightness) else None
    verdict.coverage, verdict.samples = run.coverage, run.samples
    verdict.details["refine_steps"] = config.refine_steps if claim.refine else 0
    verdict.details["domains"] = claim.describe_domains()
    if claim.identity:
        # an identity is not a bound: the ratio the search tracked is its float64 deviation over the tolerance
        ratio, verdict.tightness = verdict.tightness, None
        verdict.details["max_deviation_over_tolerance"] = ratio
        if ratio is not None and verdict.status != FALSIFIED:
            verdict.details.setdefault("notes", []).append(
                f"identity: max |a - b| / tolerance = {ratio:.3g} over the instances that held in float64 "
                "(tolerance u*(8*S + 16*kappa): S the conclusion's sensitivity to its arguments, kappa the largest "
                "float32 re-run's error in float32 ulps)")
    certification = oracle.certify(claim)
    if certification is not None:
        verdict.certified_tightness = certification["certified"]
        verdict.details["certification"] = oracle.summary(certification, verdict.tightness)
        verdict.details["certified worst case"] = certification["rows"] + [
            {**point, "certified": "not cached"} for point in certification["missing"]]
    if claim.illustrate is not None:
        claim.illustrate(verdict)
    return verdict
