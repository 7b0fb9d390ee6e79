"""Presentation MathML for the report: sympy claims through sympy's own printer, and the
short LaTeX that claims give as symbol names (``f(x_{t+1})``, ``\\|\\nabla f\\|^2``).

A claim's formulas come from its sympy relations; only a symbol's display name is LaTeX,
and that goes through :func:`latex_to_mathml`, a converter for the small subset such names
use. LaTeX it does not understand raises :class:`ValueError`, so callers fall back to the
plain statement instead of showing LaTeX source.
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Mapping

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.pretty.pretty_symbology import greek_unicode

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
          "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
#: LaTeX commands for a single identifier (mi) or operator (mo)
_IDENTIFIERS = {name: greek_unicode[name] for name in _GREEK}
_IDENTIFIERS.update({"ell": "ℓ", "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "infty": "∞",
                     "nabla": "∇", "partial": "∂"})
_OPERATORS = {"|": "‖", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "lt": "<", "gt": ">", "cdot": "·",
              "times": "×", "neq": "≠", "approx": "≈", "to": "→", "in": "∈", "sim": "∼", "pm": "±",
              "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|", "lVert": "‖", "rVert": "‖",
              "sum": "∑", "prod": "∏", ",": "", ";": "", "!": "", "quad": "", "qquad": ""}
_UPRIGHT = {"log", "exp", "min", "max", "sup", "inf", "det", "tr", "sin", "cos", "lim", "Var"}
#: letter styles, written as Unicode mathematical letters: browsers implement no mathvariant but "normal"
_VARIANTS = {"mathbb": "DOUBLE-STRUCK", "mathcal": "SCRIPT", "mathbf": "BOLD"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([A-Za-z])|(\d+(?:\.\d+)?)|(\s+)|(.)")


class _Tokens:
    def __init__(self, text: str):
        self.items = [m for m in _TOKEN.finditer(text) if not m.group(4)]
        self.at = 0

    def peek(self):
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self):
        self.at += 1
        return self.items[self.at - 1]


def _group(tokens: _Tokens) -> str:
    """One argument: ``{...}`` or a single atom."""
    token = tokens.peek()
    if token is not None and token.group(5) == "{":
        tokens.take()
        inner = _sequence(tokens, closing="}")
        return f"<mrow>{inner}</mrow>"
    return _atom(tokens)


def _text_group(tokens: _Tokens) -> str:
    """The argument of \\mathrm, \\mathbb, ...: ``{text}`` or one letter (``\\mathbb E``)."""
    if tokens.peek() is None:
        raise ValueError("missing argument")
    first = tokens.take()
    if first.group(2):
        return first.group(2)
    if first.group(5) != "{":
        raise ValueError("expected {")
    words = []
    while (token := tokens.take()).group(5) != "}":
        words.append(token.group(0))
    return "".join(words)


def _styled(text: str, style: str) -> str:
    """``text`` in the mathematical letters of ``style`` (𝔼 for E double-struck, 𝒩 for N script);
    a few live in Letterlike Symbols (ℝ, ℒ), and characters without a styled form stay as they are."""
    letters = []
    for char in text:
        case = "CAPITAL" if char.isupper() else "SMALL"
        for name in (f"MATHEMATICAL {style} {case} {char.upper()}", f"{style} {case} {char.upper()}"):
            try:
                letters.append(unicodedata.lookup(name))
                break
            except KeyError:
                continue
        else:
            letters.append(char)
    return "".join(letters)


def _atom(tokens: _Tokens) -> str:
    token = tokens.take()
    return _atom_of(token, tokens)


def _atom_of(token, tokens: _Tokens | None = None) -> str:
    command, letter, number, _, other = token.groups()
    if command is not None:
        if command in _IDENTIFIERS:
            return f"<mi>{_IDENTIFIERS[command]}</mi>"
        if command in _OPERATORS:
            return f"<mo>{_OPERATORS[command]}</mo>" if _OPERATORS[command] else ""
        if command in _UPRIGHT:
            return f'<mi mathvariant="normal">{command}</mi>'
        if command == "frac":
            return f"<mfrac>{_group(tokens)}{_group(tokens)}</mfrac>"
        if command == "sqrt":
            return f"<msqrt>{_group(tokens)}</msqrt>"
        if command in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            return _atom(tokens) if tokens.peek() is not None else ""
        if command in ("mathrm", "operatorname", "text"):
            return f'<mi mathvariant="normal">{html.escape(_text_group(tokens))}</mi>'
        if command in _VARIANTS:
            return f"<mi>{html.escape(_styled(_text_group(tokens), _VARIANTS[command]))}</mi>"
        raise ValueError(f"unsupported LaTeX command \\{command}")
    if letter is not None:
        return f"<mi>{letter}</mi>"
    if number is not None:
        return f"<mn>{number}</mn>"
    if other in "{}_^":
        raise ValueError(f"unexpected {other!r}")
    return f"<mo>{html.escape(other)}</mo>"


#: a delimiter that opens a group, and what closes it: the group becomes one <mrow>, so the
#: fences are its first and last children (prefix and postfix forms: no infix spacing in f(x_t))
#: and a script after the closing fence applies to the whole group (‖∇f‖², not ‖∇f‖ then ‖²)
_FENCES = {"(": ")", "[": "]", "\\|": "\\|", "\\lVert": "\\rVert", "\\langle": "\\rangle"}


def _sequence(tokens: _Tokens, closing: str | None = None) -> str:
    parts: list[str] = []
    while (token := tokens.peek()) is not None:
        if closing is not None and token.group(0) == closing:
            tokens.take()
            return "".join(parts)
        if token.group(0) in _FENCES:
            tokens.take()
            opening, inner = _atom_of(token), _sequence(tokens, closing=_FENCES[token.group(0)])
            closing_fence = _atom_of(_TOKEN.match(_FENCES[token.group(0)]))
            if token.group(0) != "(":  # a display name's content is one line tall: bars at text size
                opening, closing_fence = (f.replace("<mo>", '<mo stretchy="false">') for f in (opening, closing_fence))
            parts.append(f"<mrow>{opening}{inner}{closing_fence}</mrow>")
            continue
        if token.group(5) in ("_", "^"):
            if not parts:
                raise ValueError(f"{token.group(5)} without a base")
            tokens.take()
            base, script = parts.pop(), _group(tokens)
            follow = tokens.peek()
            if follow is not None and follow.group(5) in ("_", "^") and follow.group(5) != token.group(5):
                tokens.take()
                other = _group(tokens)
                sub, sup = (script, other) if token.group(5) == "_" else (other, script)
                parts.append(f"<msubsup>{base}{sub}{sup}</msubsup>")
            else:
                tag = "msub" if token.group(5) == "_" else "msup"
                parts.append(f"<{tag}>{base}{script}</{tag}>")
            continue
        parts.append(_atom(tokens))
    if closing is not None:
        raise ValueError(f"missing {closing!r}")
    return "".join(parts)


def latex_to_mathml_inner(tex: str) -> str:
    """MathML content (no ``<math>`` wrapper) of a short LaTeX formula; ValueError if unsupported."""
    return f"<mrow>{_sequence(_Tokens(tex))}</mrow>"


def latex_to_mathml(tex: str) -> str:
    return _wrap(latex_to_mathml_inner(tex))


class _Printer(MathMLPresentationPrinter):
    """sympy's presentation printer, with claims' LaTeX display names for symbols."""

    def __init__(self, names: Mapping[sp.Symbol, str]):
        super().__init__({"order": "none"})
        self._names = names

    def _print_Symbol(self, sym, style="plain"):
        name = self._names.get(sym)
        if name is not None:
            try:
                return self._fragment(latex_to_mathml_inner(name))
            except ValueError:
                pass
        return super()._print_Symbol(sym, style)

    def _as_ordered_terms(self, expr, order=None):
        """Terms as sympy stores them, except that a negative constant goes last: √L/√μ − 1
        rather than −1 + √L/√μ (the sum is the same; the page reads as the claim is written)."""
        terms = list(super()._as_ordered_terms(expr, order=order))
        if len(terms) > 1 and terms[0].is_Number and terms[0].is_negative:
            terms = terms[1:] + terms[:1]
        return terms

    def _print_Piecewise(self, expr):
        """A brace and one row per piece: value, then "if condition" (or "otherwise")."""
        table = self.dom.createElement("mtable")
        for value, condition in expr.args:
            row = self.dom.createElement("mtr")
            for content in (self._print(value), self._condition(condition)):
                cell = self.dom.createElement("mtd")
                cell.appendChild(content)
                row.appendChild(cell)
            table.appendChild(row)
        brace = self.dom.createElement("mo")
        brace.appendChild(self.dom.createTextNode("{"))
        mrow = self.dom.createElement("mrow")
        mrow.appendChild(brace)
        mrow.appendChild(table)
        return mrow

    def _condition(self, condition):
        word = self.dom.createElement("mtext")
        mrow = self.dom.createElement("mrow")
        mrow.appendChild(word)
        if condition == sp.true:
            word.appendChild(self.dom.createTextNode("otherwise"))
        else:
            word.appendChild(self.dom.createTextNode("if\u00a0"))
            mrow.appendChild(self._print(condition))
        return mrow

    def _fragment(self, markup: str):
        from xml.dom.minidom import parseString
        return parseString(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{markup}</math>'
                           ).documentElement.firstChild


def _wrap(inner: str) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{inner}</math>'


#: sympy writes subtraction and negative numbers with the hyphen-minus, which a math font draws
#: as a short hyphen: the minus sign U+2212 instead
_HYPHEN_MINUS = ((re.compile(r"<mo>-</mo>"), "<mo>\u2212</mo>"),
                 (re.compile(r"<mn>-([^<]*)</mn>"), "<mrow><mo>\u2212</mo><mn>\\1</mn></mrow>"))


def sympy_to_mathml(expr: sp.Basic, names: Mapping[sp.Symbol, str] | None = None) -> str:
    """A ``<math>`` element for a sympy expression or relation."""
    markup = _Printer(names or {}).doprint(expr)
    for pattern, replacement in _HYPHEN_MINUS:
        markup = pattern.sub(replacement, markup)
    return _wrap(markup)
