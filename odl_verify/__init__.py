"""odl-verify: theorems of optimization for deep learning as claims a machine tries to break.

The public surface is this module's ``__all__`` (checked by a test), the errors of
:mod:`odl_verify.errors`, the gates of :mod:`odl_verify.gate`, the shipped theorems of
:mod:`odl_verify.theorems`, and the building blocks a claim is written with:
:mod:`odl_verify.definitions.families` and :mod:`odl_verify.definitions.methods`.
The engine underneath is layered: ``core`` < ``definitions`` < ``engine`` < ``theorems``
< ``gate`` < ``frontends``, each importing only from the layers below it.
"""
import importlib

from .core import profiles  # registers the Hypothesis profiles before any search runs
from .core.config import CheckConfig
from .core.verdict import Counterexample, Verdict
from .errors import UsageError, UserCodeError

#: names imported on first use: the pytest plugin loads this package in every pytest run of the
#: environment (the xdist controller included), which should not pay for torch and sympy
_LAZY = {"Checkable": "definitions.claims", "Claim": "definitions.claims", "Instance": "definitions.families",
         "StatisticalClaim": "engine.statistical", "SymbolicFinding": "engine.proofs",
         "check": "engine.checking", "falsify": "engine.search", "reproduce": "engine.search"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["CheckConfig", "Checkable", "Claim", "Counterexample", "Instance", "StatisticalClaim", "SymbolicFinding",
           "UsageError", "UserCodeError", "Verdict", "check", "falsify", "profiles", "reproduce"]
