"""Statements: sympy claims, their domains, and their compiled forms (torch, mpmath, MathML)."""
from .checkable import Checkable, defining_file
from .claim import Claim, Measure
from .compile import compile_mp, compile_numpy, compile_torch, first
from .domains import Bound, Domain

__all__ = ["Bound", "Checkable", "Claim", "Domain", "Measure", "compile_mp",
           "compile_numpy", "compile_torch", "defining_file", "first"]
