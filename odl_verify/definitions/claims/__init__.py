"""Statements: sympy claims, their domains, and their compiled forms (torch, mpmath, MathML)."""
from .checkable import Checkable, defining_file
from .claim import Claim, Measure
from .compile import compile_mp, compile_numpy, compile_torch, first
from .domains import Bound, Domain
from .worst_case import FUNCTION_CLASSES, QUANTITIES, PerformanceEstimation

__all__ = ["Bound", "Checkable", "Claim", "Domain", "FUNCTION_CLASSES", "Measure", "PerformanceEstimation", "QUANTITIES",
           "compile_mp", "compile_numpy", "compile_torch", "defining_file", "first"]
