"""What every checkable statement has: a name, a title, a reference and a statement.

:class:`Checkable` is what ``odl-verify check`` runs and what the registry collects;
``odl_verify.check(statement, config)`` (the engine) turns one into a verdict. Sympy claims
(:class:`~odl_verify.definitions.claims.claim.Claim`) are searched, statistical claims
run their experiment, sympy findings are proved: the engine knows which.
"""
from __future__ import annotations

import os
import sys

from ...core.loading import shipped_theorems_directory

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def defining_file(skip: int = 1) -> str | None:
    """The first file up the stack outside odl-verify's engine: where a statement was written
    (a shipped theorem module counts as outside: it is where the statement lives)."""
    frame = sys._getframe(skip)
    while frame is not None:
        path = frame.f_globals.get("__file__")
        if path:
            path = os.path.abspath(path)
            if not path.startswith(_PACKAGE + os.sep) or path.startswith(shipped_theorems_directory() + os.sep):
                return path
        frame = frame.f_back
    return None


class Checkable:
    """A named statement that can be checked: ``statement()`` says what, the engine says whether."""

    name: str
    title: str = ""
    reference: str = ""
    tight: bool = False
    method: str = ""
    #: "claim" (searched), "statistical", "exact", "sympy proof", "gate"
    kind = "claim"
    #: the file that defined it, so a counterexample can name where to reproduce it
    origin: str | None = None

    def statement(self) -> str:
        raise NotImplementedError

    def latex(self) -> dict[str, str]:
        """LaTeX of the hypotheses and conclusion, for the report."""
        return {}

    def mathml(self) -> dict[str, str]:
        """Presentation MathML of the hypotheses and conclusion, for the HTML report."""
        return {}
