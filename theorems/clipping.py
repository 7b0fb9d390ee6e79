"""Gradient clipping under (L₀, L₁)-smoothness: one clipped step decreases f by a certified amount.

Method: one step of clipped gradient descent, the slides' clipping by norm wrapped around gradient
descent: x⁺ = x − η·g·min(1, c/‖g‖), g = ∇f(x), with η = 1/(3ℓ₀) and c = ℓ₀/ℓ₁, i.e. the step
h = min(1/(3ℓ₀), 1/(3ℓ₁‖g‖)) along −g.

Theorem (Zhang, He, Sra, Jadbabaie 2020, Lemma A.2 and Thm 3, in the form derived in
docs/theory.md §10): if f is (ℓ₀, ℓ₁)-smooth, ‖∇²f(x)‖ ≤ ℓ₀ + ℓ₁‖∇f(x)‖ for every x, then

    f(x) − f(x⁺) ≥ min(‖g‖²/(6ℓ₀), ‖g‖/(6ℓ₁)).

(Along the step ‖∇f‖ grows at most like (‖g‖ + ℓ₀/ℓ₁)e^{ℓ₁r} − ℓ₀/ℓ₁ (Grönwall), so
f(x − hg) ≤ f(x) − h‖g‖² + (ℓ₀ + ℓ₁‖g‖)h²‖g‖²ψ(ℓ₁h‖g‖) with ψ(u) = (eᵘ − 1 − u)/u² ≤ ψ(⅓) < 0.57.)

Hypotheses as checked: ℓ₀ and ℓ₁ anywhere at or above the certified (L₀, L₁) of the instance:
separable sums of x⁴ ((16/b², b) for each b), cosh (1, 1), eˣ and e^{−x} (0, 1), softplus (0, 1)
or (¼, 0), each scaled and stretched, then rotated and shifted (docs/theory.md §10); one to four
dimensions, any start.

Upper bound: the decrease is at least 1.25 times the bound by the proof, about 1.45 times on the
worst instances found (a rotated quartic): the reported tightness is bound over decrease.

Wrong variants (tests/variants/clipping_wrong.py): plain gradient descent with η = 1/L₀ (the
largest step of "η ≤ 1/L₀") decreases f: on x⁴ with (L₀, L₁) = (16, 1), η = 1/16, from x₀ = 3 it
jumps to −3.75 and f goes from 81 to 197.75 (GD on x⁴ diverges from |x₀| > 1/√(2η)), where the
clipped step decreases it; the search finds stretched quartics such as (1.3(x − 3))⁴ from 0.
"""
import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import L0_L1_FAMILIES
from odl_verify.definitions.methods import ClipByNorm, GradientDescent, iterates, per_instance

#: certified (L₀, L₁) of the instance and the declared constants of the theorem
L0, L1 = sp.symbols("L0 L1", nonnegative=True)
ell0, ell1 = sp.symbols("ell0 ell1", positive=True)
#: measured: f(x), f(x⁺), ‖∇f(x)‖
f_x, f_next, grad_norm = sp.symbols("f_x f_next grad_norm", real=True)

LATEX_NAMES = {L0: "L_0", L1: "L_1", ell0: r"\ell_0", ell1: r"\ell_1", f_x: "f(x)", f_next: "f(x^+)",
               grad_norm: r"\|\nabla f(x)\|"}


def before_and_after(instance, x0, rule, xp):
    """f before and after one step of ``rule`` from x0, and ‖∇f(x0)‖."""
    g = instance.grad(x0)
    x_next = iterates(rule, instance.grad, x0, xp, 1)[-1]
    return {"f_x": instance.value(x0), "f_next": instance.value(x_next), "grad_norm": xp.sqrt(xp.sum(g * g))}


def clipped_measure(instance, x0, values, xp):
    """One clipped step: η = 1/(3ℓ₀), threshold c = ℓ₀/ℓ₁."""
    rule = ClipByNorm(GradientDescent(lr=per_instance(1 / (3 * values["ell0"]))),
                      max_norm=per_instance(values["ell0"] / values["ell1"]))
    return before_and_after(instance, x0, rule, xp)


CLIPPED_DESCENT = Claim(
    "clipping-one-step-decrease",
    title="Clipped GD under (L₀, L₁)-smoothness: f(x) − f(x⁺) ≥ min(‖g‖²/(6ℓ₀), ‖g‖/(6ℓ₁))",
    hypotheses=[sp.Ge(ell0, L0), sp.Ge(ell1, L1)],
    conclusion=sp.Ge(f_x - f_next, sp.Min(grad_norm ** 2 / (6 * ell0), grad_norm / (6 * ell1))),
    measure=clipped_measure,
    families=L0_L1_FAMILIES,
    certified={L0: "L0", L1: "L1"},
    reference="Zhang, He, Sra, Jadbabaie 2020, Thm 3; docs/theory.md §10",
    tight=False,
    method="gradient descent clipped by norm, one step, eta = 1/(3 ell0), threshold ell0/ell1",
    dimensions=(1, 4),
    latex_names=LATEX_NAMES,
)

CLAIMS = [CLIPPED_DESCENT]
