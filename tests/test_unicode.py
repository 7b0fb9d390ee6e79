"""Claims in one line of Unicode math (terminal, plain-text report): Claim.unicode()."""
import sympy as sp

from odl_verify.definitions.claims.unicode import latex_name_to_unicode, to_unicode
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA

x, y, eta, lambda_min = sp.symbols("x y eta lambda_min", positive=True)


def test_a_claim_reads_as_mathematics():
    assert DESCENT_LEMMA.unicode() == {"hypotheses": ["β ≥ L", "η > 0"],
                                       "conclusion": "f(xₜ) − f(xₜ₊₁) ≥ η·‖∇f(xₜ)‖²·(1 − η·β/2)"}
    assert DESCENT_LEMMA.statement() == "f(xₜ) − f(xₜ₊₁) ≥ η·‖∇f(xₜ)‖²·(1 − η·β/2)   given   β ≥ L, η > 0"


def test_operators_powers_and_functions():
    assert to_unicode(sp.Le(x**2 - y, sp.sqrt(x + y))) == "x² − y ≤ √(x + y)"
    assert to_unicode((1 - eta * lambda_min) ** y) == "(1 − η·λ_min)ʸ"
    assert to_unicode(x ** (y + 1)) == "x^(y + 1)" and to_unicode(1 / x**2) == "1/x²"
    assert to_unicode(sp.Max(sp.Abs(x - 1), y)) in ("max(|x − 1|, y)", "max(y, |x − 1|)")
    assert to_unicode(sp.Piecewise((x, x <= 1), (y, True))) == "{x if x ≤ 1; y otherwise}"
    assert to_unicode(sp.Interval(0, sp.oo).sup) == "∞" and to_unicode(-2 * x) == "−2·x"


def test_display_names_from_latex_with_fallbacks():
    assert latex_name_to_unicode(r"\|\nabla f(x_{t+1})\|^2") == "‖∇f(xₜ₊₁)‖²"
    assert latex_name_to_unicode(r"\min_{t<T} g") == "min_{t<T} g"  # no subscript form for '<': kept readable
    assert latex_name_to_unicode("f^*") == "f⋆" and latex_name_to_unicode(r"\lambda_{\max}") == "λₘₐₓ"
    # a command the converter does not know: the symbol's own name, Greek spelled out
    assert to_unicode(eta * x, {eta: r"\widehat{\eta}"}) == "η·x"
