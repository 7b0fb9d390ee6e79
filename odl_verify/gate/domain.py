"""The domain language of the gates: conditions over a drawn case, as Python comparisons.

``--domain 'rho < 1'``, ``--domain 'not (foreach and nesterov)'``, ``--domain foreach=False`` (one
``=`` reads as ``==``): names are the hyperparameters of a parameter group, the implementation
flags and a few names of the case (see each gate); values are numbers, strings, True, False and
None (and ``inf``); ``and``, ``or``, ``not``, comparisons, ``in``, indexing (``betas[1] < 0.99``)
and arithmetic (``pct_start * total_steps > 1``). The
catalog states torch's validity rules and known quirks in the same language. Parsed with
:mod:`ast` and evaluated node by node: nothing is executed.
"""
from __future__ import annotations

import ast
import math
import operator
import re

from ..errors import UsageError

_COMPARISONS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
                ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
                ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
               ast.Mod: operator.mod, ast.Pow: operator.pow}
_SINGLE_EQUALS = re.compile(r"(?<![=<>!])=(?!=)")
#: names every condition may use besides the case's
CONSTANTS = {"inf": math.inf}


class Condition:
    """One condition, parsed once; :meth:`holds` evaluates it on a mapping of names to values."""

    def __init__(self, text: str):
        self.text = text.strip()
        try:
            self.tree = ast.parse(_SINGLE_EQUALS.sub("==", self.text), mode="eval").body
        except SyntaxError as exc:
            raise UsageError(f"domain {text!r} is not a condition: {exc.msg}") from None
        self.names = {node.id for node in ast.walk(self.tree) if isinstance(node, ast.Name)}
        for node in ast.walk(self.tree):
            if not isinstance(node, (ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare,
                                     ast.Name, ast.Constant, ast.Load, ast.Tuple, ast.Subscript, ast.BinOp,
                                     *_COMPARISONS, *_ARITHMETIC)):
                raise UsageError(f"domain {text!r}: {type(node).__name__} is not allowed (use comparisons of "
                                 "names with values, and/or/not)")

    def pinned(self) -> dict:
        """{name: value} when the condition fixes one name (``name == value``, ``name``, ``not name``),
        so a gate can draw that value instead of rejecting every draw without it."""
        node = self.tree
        if isinstance(node, ast.Name):
            return {node.id: True}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
            return {node.operand.id: False}
        if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)
                and isinstance(node.left, ast.Name) and isinstance(node.comparators[0], ast.Constant)):
            return {node.left.id: node.comparators[0].value}
        return {}

    def holds(self, values: dict) -> bool:
        values = {**CONSTANTS, **values}
        unknown = self.names - set(values)
        if unknown:
            raise UsageError(f"domain {self.text!r} names {', '.join(sorted(unknown))}; known here: "
                             f"{', '.join(sorted(values))}")
        return bool(self._evaluate(self.tree, values))

    def _evaluate(self, node, values):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Tuple):
            return tuple(self._evaluate(e, values) for e in node.elts)
        if isinstance(node, ast.Subscript):
            return self._evaluate(node.value, values)[self._evaluate(node.slice, values)]
        if isinstance(node, ast.UnaryOp):
            operand = self._evaluate(node.operand, values)
            return (not operand) if isinstance(node.op, ast.Not) else -operand
        if isinstance(node, ast.BinOp):
            return _ARITHMETIC[type(node.op)](self._evaluate(node.left, values), self._evaluate(node.right, values))
        if isinstance(node, ast.BoolOp):
            results = (self._evaluate(v, values) for v in node.values)
            return all(results) if isinstance(node.op, ast.And) else any(results)
        left = self._evaluate(node.left, values)
        for op, right_node in zip(node.ops, node.comparators):
            right = self._evaluate(right_node, values)
            try:
                if not _COMPARISONS[type(op)](left, right):
                    return False
            except TypeError:  # None < 1, say: the condition does not hold there
                return False
            left = right
        return True


def conditions(texts) -> tuple[Condition, ...]:
    return tuple(Condition(t) for t in texts)
