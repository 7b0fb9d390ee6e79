"""The exact-constant stationarity claims pinned at one step h = βη and one step count N.

At a pinned point the search has nothing to find but the worst case itself, so these variants
measure how close it comes to the certified one (PEPit): h ∈ {0.5, 1, 1.5} (the tooth staircase,
the staircase, the zigzag) and N ∈ {1, 2, 5, 10, 20}. They are true claims, used by
``benchmarks/pep_oracle.py`` and the thorough tests, not shipped.
"""
import sympy as sp

from odl_verify.theorems.stationarity import EXACT_LONG_STEP, EXACT_SHORT_STEP, T, beta, eta

STEPS = (0.5, 1.0, 1.5)
COUNTS = (1, 2, 5, 10, 20)


def pinned(h: float, steps: int):
    """The exact-constant claim whose domain holds h (the short-step one at h = 1) with η = h/β and T = N."""
    claim = EXACT_SHORT_STEP if h <= 1 else EXACT_LONG_STEP
    ratio = sp.nsimplify(h)
    return claim.variant(f"pinned-h{h:g}-N{steps}", add=[sp.Ge(eta, ratio / beta), sp.Le(eta, ratio / beta)],
                         integers={T: (steps, steps)}, quick_integers={},
                         worst_case=claim.worst_case.at(eta=(h,), T=(steps,)))


CLAIMS = [pinned(h, n) for h in STEPS for n in COUNTS]
