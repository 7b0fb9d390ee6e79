"""Gate of orthogonal_: orthogonal to rounding, the Haar law, the generator contract, isometry.

Per case (shape, gain; trailing dimensions flattened to rows × cols) the target fills many tensors:

* orthogonality: max|WWᵀ − g²I| (rows ≤ cols, else WᵀW) ≤ c·max(rows, cols)·2⁻⁵²·g²
  (deterministic; c = ORTHOGONALITY_ROUNDING);
* diagonal signs: the Haar law is invariant under W → W·D for every D = diag(±1), which flips
  W_jj alone, so the signs of W_11, …, W_kk (k = min(rows, cols)) are independent fair coins:
  #positive ~ Bin(N, ½) exactly, per case and pooled. A QR without the sign fix of R's diagonal
  is orthogonal but not Haar: LAPACK makes R_11 = −sign(a_11)‖a_1‖, so W_11 < 0 always;
* the marginal of W_00: (W_00/g)² ~ Beta(½, (L − 1)/2), L = max(rows, cols), with a fair sign.
  One entry per call, so its normal scores are i.i.d. N(0, 1): the sample tests per case and pooled.

Then the generator contract (its deterministic part: the entries of one matrix are dependent)
and the dynamical isometry of a deep linear network built with the target (networks.py). The
plan: enough matrices that the pooled sign test detects P(W_jj > 0) off ½ by SIGN_BIAS.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ...core.config import CheckConfig
from ...engine.exact_tests import (binomial_count_test, binomial_power, deterministic_test, sample_tests,
                                   samples_for_binomial)
from ...engine.laws import Law
from ...engine.networks import ORTHOGONALITY_ROUNDING
from ...engine.statistical import FALSE_ALARM
from . import sampling
from .networks import network_tests
from .table import Case, Initializer
from .verdicts import Outcome, Requirement, cases_for, run_cases

#: what every run detects with probability ≥ 0.999: diagonal signs positive with probability off ½ by this
SIGN_BIAS = 0.02
#: tests a run holds at most (the plan's level), drawn cases (at most) and their matrices
PLANNED_TESTS, DRAWN_CASES, DRAWN_MATRICES = 400, 20, 64

DESCRIPTION = ("orthogonality to rounding; the Haar law: signs of the diagonal (exact binomial) and the Beta law of "
               "W[0, 0] (exact tests on its normal scores); the generator contract; isometry of a deep linear "
               "network built with the target; Holm at 1e-6")


def case_sample(initializer: Initializer, target, c: Case, label: str, seeds, timeout: float):
    """The tests of one case, the normal scores of W[0, 0] and the counts of positive diagonal entries."""
    gain, rows = float(c.kwargs["gain"]), c.shape[0]
    cols = math.prod(c.shape[1:])
    w = torch.stack([t.reshape(rows, cols) for t in sampling.draw(target, c, seeds, timeout)])
    gram = w @ w.mT if rows <= cols else w.mT @ w
    deviation = float((gram - gain**2 * torch.eye(min(rows, cols), dtype=torch.float64)).abs().max())
    tolerance = ORTHOGONALITY_ROUNDING * max(rows, cols) * 2.0**-52 * gain**2
    diagonal = torch.diagonal(w, dim1=1, dim2=2)
    positives, signs = int((diagonal > 0).sum()), diagonal.numel()
    law = initializer.law(c)
    scores = law.scores(w[:, 0, 0].numpy())
    tests = [deterministic_test(f"{label}: orthogonal to rounding", deviation <= tolerance, deviation, tolerance,
                                f"max |W W^T - g^2 I| <= {ORTHOGONALITY_ROUNDING} max(rows, cols) 2^-52 g^2"),
             binomial_count_test(f"{label}: diagonal signs fair", positives, signs, 0.5, "P(W_jj > 0)")]
    tests += sample_tests(f"{label}: W[0, 0]", scores, law)
    summary = {"largest |W W^T - g^2 I|": deviation, "positive diagonal entries": positives,
               "diagonal entries": signs, "max |z| of W[0, 0]": float(np.abs(scores).max())}
    return tests, scores, summary


def experiment(initializer: Initializer):
    def run(target, config: CheckConfig, device) -> Outcome:
        sampling.check_signature(target, initializer)
        cases = cases_for(initializer, config, DRAWN_CASES)
        drawn = cases[len(initializer.sentinels):]
        signs_per_call = sum(min(c.shape[0], math.prod(c.shape[1:])) for c in initializer.sentinels)
        matrices = math.ceil(samples_for_binomial(0.5, SIGN_BIAS, FALSE_ALARM / PLANNED_TESTS) / signs_per_call)
        outcome = Outcome([], examples=len(cases))
        scores, summaries = run_cases(
            outcome, cases, lambda index, c: matrices if index < len(initializer.sentinels) else DRAWN_MATRICES,
            lambda c, label, seeds: case_sample(initializer, target, c, label, seeds, config.timeout), config.seed)
        positives = sum(s["positive diagonal entries"] for s in summaries)
        signs = sum(s["diagonal entries"] for s in summaries)
        pooled = f"pooled over {len(cases)} cases"
        outcome.tests.append(binomial_count_test(f"{pooled}: diagonal signs fair", positives, signs, 0.5,
                                                 "P(W_jj > 0)"))
        outcome.tests += sample_tests(f"{pooled}: W[0, 0]", np.concatenate(scores), Law())
        outcome.tests += sampling.generator_tests(target, cases[0], None, config.seed, config.timeout)
        outcome.tests += network_tests(initializer, target, config.seed, config.timeout, device)

        def met(level: float) -> bool:
            below, above = binomial_power(signs, 0.5, level)
            return below >= 0.5 - SIGN_BIAS and above <= 0.5 + SIGN_BIAS
        outcome.requirements = [Requirement(f"P(W_jj > 0) off 1/2 by {SIGN_BIAS:g} (a QR without the sign fix)",
                                            f"{pooled}: diagonal signs fair", met)]
        outcome.notes.append(f"{len(cases)} cases ({len(initializer.sentinels)} fixed with {matrices} matrices each, "
                             f"{len(drawn)} drawn with {DRAWN_MATRICES}); {signs} diagonal signs")
        return outcome
    return run
