"""Falsification search over a claim's whole hypothesis domain (see :mod:`.falsify`)."""
from .cases import Candidate, Case, case_strategy
from .confirm import Violation, confirm
from .counterexample import build_counterexample, claim_reference, float64_sides, reproduce
from .evaluation import evaluate
from .falsify import falsify

__all__ = ["Candidate", "Case", "Violation", "build_counterexample", "case_strategy",
           "claim_reference", "confirm", "evaluate", "falsify", "float64_sides", "reproduce"]
