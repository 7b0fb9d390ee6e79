"""odl-verify: theorems of optimization for deep learning as claims a machine tries to break."""
import importlib

from . import profiles  # registers the Hypothesis profiles before any search runs
from .errors import UsageError
from .verdict import Counterexample, Verdict

#: names imported on first use: the pytest plugin loads this package in every pytest run of the
#: environment (the xdist controller included), which should not pay for torch and sympy
_LAZY = {"Checkable": "claims", "Claim": "claims", "Instance": "claims",
         "CheckConfig": "search", "falsify": "search", "reproduce": "search"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["Checkable", "CheckConfig", "Claim", "Counterexample", "Instance", "UsageError", "Verdict",
           "falsify", "reproduce", "profiles"]
