"""odl-verify: theorems of optimization for deep learning as claims a machine tries to break."""
from . import profiles  # registers the Hypothesis profiles before any search runs
from .backend import UsageError
from .claims import Checkable, Claim, Instance
from .search import CheckConfig, falsify, reproduce
from .verdict import Counterexample, Verdict

__all__ = ["Checkable", "CheckConfig", "Claim", "Counterexample", "Instance", "UsageError", "Verdict",
           "falsify", "reproduce", "profiles"]
