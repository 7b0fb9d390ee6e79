"""Findings about methods proved in sympy: the same update rules run on symbols.

A :class:`SymbolicFinding` is a Checkable built from sympy pairs that a function
computes by running update rules on symbols (a generic gradient ``g``, symbolic
hyperparameters, k steps):

* ``agree``: pairs ``(label, lhs, rhs)`` that must be identical (the difference
  simplifies to 0): a convention such as θ_t = x_t + βv_t;
* ``differ``: pairs that must not be: each is evaluated exactly at the finding's
  *witness* (rational hyperparameters, a concrete gradient such as g(z) = z for
  f = z²/2), where the difference must be a nonzero number.

The verdict is ``held`` when every agree pair is an identity and every differ pair is
nonzero at the witness; otherwise ``falsified``, with the pair that failed, its
simplified difference and, when the witness shows it, the number. The expressions go
into ``verdict.details`` so the report can show the proof.
"""
from __future__ import annotations

import time
from typing import Callable, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..core.config import CheckConfig
from ..core.verdict import FALSIFIED, Verdict, open_verdict
from ..definitions.claims import Checkable
from ..definitions.claims.mathml import sympy_to_mathml

Pair = tuple[str, sp.Expr, sp.Expr]


def at_witness(expr: sp.Expr, witness: Mapping) -> sp.Expr:
    """``expr`` with undefined functions replaced by concrete ones and symbols by numbers."""
    functions = {f: v for f, v in witness.items() if isinstance(f, sp.FunctionClass)}
    values = {s: v for s, v in witness.items() if not isinstance(s, sp.FunctionClass)}
    for function, concrete in functions.items():
        expr = expr.replace(function, concrete)
    return sp.nsimplify(sp.simplify(expr.subs(values)))


def _show(expr: sp.Expr) -> dict[str, str]:
    return {"text": sp.sstr(expr), "latex": sp.latex(expr)}


def _equation(relation, lhs: sp.Expr, rhs: sp.Expr) -> str:
    """MathML of ``lhs = rhs`` (or ≠) as written, unevaluated, for the report."""
    return sympy_to_mathml(relation(lhs, rhs, evaluate=False))


class SymbolicFinding(Checkable):
    """A statement about update rules decided in sympy (see the module docstring)."""

    kind = "sympy proof"

    def __init__(self, name: str, *, title: str, reference: str, statement: str, method: str,
                 agree: Callable[[], Sequence[Pair]] = lambda: (),
                 differ: Callable[[], Sequence[Pair]] = lambda: (), witness: Mapping | None = None):
        self.name, self.title, self.reference, self.method = name, title, reference, method
        self._statement, self._agree, self._differ = statement, agree, differ
        self.witness = dict(witness or {})
        self.tight = False

    def statement(self) -> str:
        return self._statement

    def _witness_text(self, expr: sp.Expr | None = None) -> dict[str, str]:
        """The witness (only what ``expr`` uses, when given), functions written as g(z) = …."""
        used = lambda k: expr is None or (expr.has(k) if isinstance(k, sp.FunctionClass) else k in expr.free_symbols)
        def shown(key, value):
            if not isinstance(key, sp.FunctionClass):
                return str(key), sp.sstr(value)
            variables = value.variables if isinstance(value, sp.Lambda) else (None,)
            # one argument reads z (sympy renames a one-argument Lambda's variable); several keep their names
            arguments = tuple(sp.Symbol("z" if len(variables) == 1 else v.name) for v in variables)
            return f"{key}({', '.join(map(str, arguments))})", sp.sstr(value(*arguments))
        return dict(shown(k, v) for k, v in self.witness.items() if used(k))

    def _agrees(self, label, lhs, rhs) -> tuple[bool, dict]:
        row = {"label": label, "lhs": _show(lhs), "rhs": _show(rhs), "mathml": _equation(sp.Eq, lhs, rhs)}
        # cancel puts a rational function (a symbolic matrix solve, say) in lowest terms, fast: an
        # identity becomes 0 before expand multiplies out its numerator and denominator. Applications
        # of undefined functions are opaque atoms to it, and plain symbols are cheaper atoms.
        opaque = {f: sp.Dummy() for f in (lhs - rhs).atoms(AppliedUndef)}
        if sp.cancel(sp.together((lhs - rhs).xreplace(opaque))) == 0:
            return True, {**row, "difference": _show(sp.Integer(0))}
        difference = sp.expand(lhs - rhs)
        if difference != 0 and self.witness:
            value = at_witness(difference, self.witness)
            if value != 0:  # not an identity: a concrete instance shows it, no simplification needed
                return False, {**row, "difference": _show(difference), "at witness": sp.sstr(value),
                               "witness": self._witness_text(difference)}
        if difference != 0:
            difference = sp.simplify(difference)
        return difference == 0, {**row, "difference": _show(difference)}

    def _differs(self, label, lhs, rhs) -> tuple[bool, dict]:
        value = at_witness(lhs - rhs, self.witness)
        return value != 0, {"label": label, "lhs": _show(lhs), "rhs": _show(rhs), "mathml": _equation(sp.Ne, lhs, rhs),
                            "witness": self._witness_text(lhs - rhs),
                            "lhs at witness": sp.sstr(at_witness(lhs, self.witness)),
                            "rhs at witness": sp.sstr(at_witness(rhs, self.witness)),
                            "difference at witness": sp.sstr(value)}

    def verify(self, config: CheckConfig) -> Verdict:
        """Prove every identity and exhibit every difference; exact, so the seed plays no part."""
        start = time.perf_counter()
        verdict = open_verdict(self, seed=config.seed, device="cpu")
        proved, shown, failures = [], [], []
        for label, lhs, rhs in self._agree():
            ok, row = self._agrees(label, lhs, rhs)
            proved.append(row)
            if not ok:
                failures.append(f"{label}: {row['lhs']['text']} - ({row['rhs']['text']}) simplifies to "
                                f"{row['difference']['text']}"
                                + (f", {row['at witness']} at {row['witness']}" if "at witness" in row else ""))
        for label, lhs, rhs in self._differ():
            ok, row = self._differs(label, lhs, rhs)
            shown.append(row)
            if not ok:
                failures.append(f"{label}: equal at the witness ({row['lhs at witness']}), "
                                "so it does not tell the two apart")
        verdict.details.update({"identities": proved, "differences": shown, "witness": self._witness_text()})
        identities = [row["label"] for row in proved if row["difference"]["text"] == "0"]
        notes = [f"proved (difference simplifies to 0): {'; '.join(identities)}"] if identities else []
        notes += [f"differs {row['label']}: {row['lhs at witness']} vs {row['rhs at witness']} at "
                  f"{row['witness']}" for row in shown]
        if failures:
            verdict.status = FALSIFIED
            verdict.details["failures"] = failures
            notes = [f"FAILED {line}" for line in failures] + notes
        verdict.details["notes"] = notes
        verdict.seconds = time.perf_counter() - start
        return verdict

    def __repr__(self) -> str:
        return f"SymbolicFinding({self.name!r})"
