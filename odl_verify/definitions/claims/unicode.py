"""Claims as one line of Unicode math, for terminals and plain-text reports:
``f(xₜ) − f(xₜ₊₁) ≥ η·‖∇f(xₜ)‖²·(1 − β·η/2)`` rather than sympy's
``-f_next + f_t >= eta*grad_sq*(-beta*eta/2 + 1)``.

Symbols take the claim's display names (the short LaTeX of ``latex_names``, read by a
converter for the few commands such names use) or else their own names with Greek letters
spelled out; terms with a plus sign come first, products are joined by a middle dot,
small integer powers are superscripts.
"""
from __future__ import annotations

import re
from typing import Mapping

import sympy as sp
from sympy.printing.pretty.pretty_symbology import greek_unicode
from sympy.printing.str import StrPrinter

_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUPERSCRIPTS = dict(zip("0123456789+-−=()*abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                         "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾⋆ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))
_COMMANDS = {**greek_unicode, "nabla": "∇", "partial": "∂", "infty": "∞", "ell": "ℓ", "varepsilon": "ε",
             "|": "‖", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "sim": "∼", "in": "∈",
             "min": "min", "max": "max", "log": "log", "exp": "exp", ",": " ", ";": " ", "quad": " "}
_RELATIONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
_LATEX_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([_^])|(\{)|(\})|(.)")


def _script(text: str, table: dict[str, str], marker: str) -> str:
    """``text`` in sub- or superscript characters when each has one, else ``_{text}`` / ``^(text)``."""
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if marker == "_":
        return f"_{text}" if len(text) == 1 else f"_{{{text}}}"
    return f"^{text}" if len(text) == 1 else f"^({text})"


def latex_name_to_unicode(tex: str) -> str:
    """A display name's short LaTeX (``f(x_{t+1})``, ``\\|\\nabla f\\|^2``) as Unicode; ValueError
    on a command it does not know."""
    out, stack, pending = [], [], []  # pending: the script marker (_ or ^) waiting for its argument
    after_command = False  # a space after a command only ends it

    def emit(text):
        if pending and not stack:
            marker = pending.pop()
            out.append(_script(text, _SUBSCRIPTS if marker == "_" else _SUPERSCRIPTS, marker))
        elif stack:
            stack[-1].append(text)
        else:
            out.append(text)

    for match in _LATEX_TOKEN.finditer(tex):
        command, marker, opening, closing, other = match.groups()
        if other is not None and not other.strip() and after_command:
            continue
        after_command = command is not None and command.isalpha()
        if command is not None:
            if command in ("left", "right", "mathrm", "operatorname", "text"):
                continue
            if command not in _COMMANDS:
                raise ValueError(f"unsupported LaTeX command \\{command}")
            emit(_COMMANDS[command])
        elif marker:
            pending.append(marker)
        elif opening:
            stack.append([])
        elif closing:
            if not stack:
                raise ValueError("unbalanced }")
            group = "".join(stack.pop())
            emit(group)
        elif other.strip():
            emit("−" if other == "-" else other)
        elif not stack:
            out.append(other)
    if stack or pending:
        raise ValueError("unbalanced braces or a script without its argument")
    return "".join(out)


def _symbol_name(name: str) -> str:
    """``lambda_min`` → ``λ_min``, ``eta`` → ``η``: Greek letters spelled out in a plain name."""
    head, sep, tail = name.partition("_")
    return greek_unicode.get(head, head) + sep + tail


class UnicodePrinter(StrPrinter):
    """sympy's one-line printer with Unicode operators, display names and superscripts."""

    def __init__(self, names: Mapping[sp.Symbol, str] | None = None):
        super().__init__({"order": "none"})
        self.names = {}
        for symbol, tex in (names or {}).items():
            try:
                self.names[symbol] = latex_name_to_unicode(tex)
            except ValueError:
                pass  # the symbol's own name, with Greek letters

    def _print_Symbol(self, expr):
        return self.names.get(expr) or _symbol_name(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Relational(self, expr):
        op = _RELATIONS.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Add(self, expr, order=None):
        terms = sorted(expr.as_ordered_terms(), key=lambda t: t.could_extract_minus_sign())  # stable: + first
        text = self._print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                text += " − " + self.parenthesize(-term, sp.printing.precedence.PRECEDENCE["Add"])
            else:
                text += " + " + self.parenthesize(term, sp.printing.precedence.PRECEDENCE["Add"])
        return text

    def _print_Mul(self, expr):
        text = super()._print_Mul(expr).replace("*", "·")
        return "−" + text[1:] if text.startswith("-") else text

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.as_base_exp()
        if exponent == sp.Rational(1, 2):
            inner = self._print(base)
            return f"√{inner}" if base.is_Atom else f"√({inner})"
        if (exponent.is_Integer and exponent > 1) or exponent.is_Symbol:
            return (self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"], strict=True)
                    + _script(self._print(exponent), _SUPERSCRIPTS, "^"))
        if exponent.is_Integer and exponent < 0:
            denominator = base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False)
            return "1/" + self.parenthesize(denominator, sp.printing.precedence.PRECEDENCE["Mul"], strict=True)
        return (self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"], strict=True)
                + "^" + self.parenthesize(exponent, sp.printing.precedence.PRECEDENCE["Pow"], strict=False))

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "−∞"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Min(self, expr):
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr):
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Piecewise(self, expr):
        pieces = [f"{self._print(e)} if {self._print(c)}" if c != sp.true else f"{self._print(e)} otherwise"
                  for e, c in expr.args]
        return "{" + "; ".join(pieces) + "}"

    def _print_Integer(self, expr):
        return str(expr.p).replace("-", "−")


def to_unicode(expr: sp.Basic, names: Mapping[sp.Symbol, str] | None = None) -> str:
    """One line of Unicode math for a sympy expression or relation."""
    return UnicodePrinter(names).doprint(expr)
