"""Newton's method: one step on quadratics, affine invariance, the local quadratic rate.

Method: (damped) Newton, x⁺ = x − η(∇²f(x))⁻¹∇f(x), the slides' form (η = 1: pure Newton), with
the Hessian from the family's exact oracle.

Theorems (Nesterov 2004, §1.2.4 and Thm 1.2.5; Boyd & Vandenberghe 2004, §9.5; docs/theory.md §8):

* **Quadratics**: on f = ½(x − x*)ᵀA(x − x*), A ≻ 0, x⁺ − x* = (1 − η)(x − x*): at η = 1 one
  step lands on the minimizer, from any x.
* **Affine invariance**: for g(y) = f(Ay + b), A invertible, one Newton step on g from y maps to
  one Newton step on f from Ay + b; by induction the whole trajectories correspond.
* **Local rate**: if ∇f(x*) = 0, ∇²f is M-Lipschitz on [x*, x] and μ = λ_min(∇²f(x)) > 0, then
  ‖x⁺ − x*‖ ≤ (M/(2μ))‖x − x*‖² (x⁺ − x* = ∇²f(x)⁻¹∫₀¹(∇²f(x) − ∇²f(x* + τ(x − x*)))(x − x*)dτ).

Hypotheses as checked: positive definite quadratics (κ up to 10⁶, dimensions 1 to 8), η ∈ (0, 1];
affine invariance in sympy for every gradient field and symmetric Hessian field (undefined
functions), every invertible 2×2 A, b and y, and every η; the local rate on separable functions
whose curvature is μᵢ + Mᵢ|s − aᵢ| and on pseudo-Huber functions (rotated, shifted, M certified,
μ measured at x), dimensions 1 to 3.

Tight: the quadratic step is an equality for every η; the local rate is attained on
f″(s) = μ + M|s − a| from any x on the same side of x* as the kink (a = x included), where the
curvature along [x*, x] is affine with slope M. Exact: affine invariance is an identity (the
difference of the two steps simplifies to 0).

Wrong variants (tests/variants/newton_wrong.py): "pure Newton converges globally on strictly
convex functions" (on √(δ² + x²) its map is x ↦ −x³/δ², so from |x| > δ it moves away),
"Newton avoids saddles" (on x² − y² it lands on the saddle in one step, where f is higher), and
"gradient descent is affine invariant" (refuted in sympy at a witness).
"""
import sympy as sp

from odl_verify.definitions.backend import SympyNamespace
from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import DEFINITE_QUADRATICS, CurvatureKink, PseudoHuber
from odl_verify.definitions.methods import Newton, iterates, per_instance
from odl_verify.engine.proofs import SymbolicFinding

eta = sp.Symbol("eta", positive=True)
#: certified: the Hessian's Lipschitz constant; measured: λ_min(∇²f(x)), distances to x*
M = sp.Symbol("M", positive=True)
mu_x, dist_0, dist_1 = sp.symbols("mu_x dist_0 dist_1", real=True)

LATEX_NAMES = {eta: r"\eta", M: "M", mu_x: r"\lambda_{\min}(\nabla^2 f(x))", dist_0: r"\|x - x^*\|",
               dist_1: r"\|x^+ - x^*\|"}


def newton_step(instance, x0, lr):
    """One Newton step from x0 with the family's exact Hessian."""
    return iterates(Newton(lr=lr), instance.grad, x0, instance.xp, 1, instance.hessian)[-1]


def distances(instance, x0, x1, xp):
    """‖x₀ − x*‖ and ‖x₁ − x*‖."""
    star = instance.minimizer()
    norm = lambda v: xp.sqrt(xp.sum(v * v))
    return {"dist_0": norm(x0 - star), "dist_1": norm(x1 - star)}


def quadratic_measure(instance, x0, values, xp):
    """One damped Newton step of length η; the distances to x* before and after."""
    return distances(instance, x0, newton_step(instance, x0, per_instance(values["eta"])), xp)


def local_measure(instance, x0, values, xp):
    """One pure Newton step; the distances to x* and λ_min of the Hessian at the start."""
    out = distances(instance, x0, newton_step(instance, x0, 1), xp)
    out["mu_x"] = xp.min(xp.eigvalsh(instance.hessian(x0)))
    return out


QUADRATIC_ONE_STEP = Claim(
    "newton-quadratic-one-step",
    title="Damped Newton on a positive definite quadratic: ‖x⁺ − x*‖ = |1 − η|‖x − x*‖ (η = 1 solves it)",
    hypotheses=[sp.Le(eta, 1)],
    conclusion=sp.Le(dist_1, sp.Abs(1 - eta) * dist_0),
    measure=quadratic_measure,
    families=DEFINITE_QUADRATICS,
    certified={},
    reference="Nesterov 2004, §1.2.4; docs/theory.md §8",
    tight=True,
    method="damped Newton, one step, exact Hessian",
    dimensions=(1, 8),
    latex_names=LATEX_NAMES,
)

LOCAL_RATE = Claim(
    "newton-local-rate",
    title="Newton's local rate: ‖x⁺ − x*‖ ≤ (M/(2μ))‖x − x*‖², μ = λ_min(∇²f(x))",
    hypotheses=[],
    conclusion=sp.Le(dist_1, M / (2 * mu_x) * dist_0 ** 2),
    measure=local_measure,
    families=(CurvatureKink(), PseudoHuber()),
    certified={M: "hessian_lipschitz"},
    reference="Nesterov 2004, Thm 1.2.5; docs/theory.md §8",
    tight=True,
    method="pure Newton (eta = 1), one step, exact Hessian",
    dimensions=(1, 3),
    latex_names=LATEX_NAMES,
)

# ---------------------------------------------------------------- affine invariance, in sympy
xp = SympyNamespace()
#: the change of variables x = Ay + b and the point y, in two dimensions
A = sp.Matrix(2, 2, sp.symbols("a11 a12 a21 a22", real=True))
b = sp.Matrix(sp.symbols("b1 b2", real=True))
y = sp.Matrix(sp.symbols("y1 y2", real=True))
#: an arbitrary gradient field and symmetric Hessian field of f, as undefined functions of x
GRADIENT = [sp.Function(f"F{i}", real=True) for i in (1, 2)]
HESSIAN = {(1, 1): sp.Function("H11", real=True), (1, 2): sp.Function("H12", real=True),
           (2, 2): sp.Function("H22", real=True)}
_u, _v = sp.symbols("u v", real=True)
#: f = x₁² + x₂²/2 (∇f = (2x₁, x₂)), A = diag(2, 1), b = 0, y = (1, 1), η = 1/2: where gradient descent's
#: step on g(y) = f(Ay) is not its step on f
WITNESS = {GRADIENT[0]: sp.Lambda((_u, _v), 2 * _u), GRADIENT[1]: sp.Lambda((_u, _v), _v),
           HESSIAN[1, 1]: sp.Lambda((_u, _v), 2), HESSIAN[1, 2]: sp.Lambda((_u, _v), 0),
           HESSIAN[2, 2]: sp.Lambda((_u, _v), 1), **dict(zip(A, (2, 0, 0, 1))), **dict(zip(b, (0, 0))),
           **dict(zip(y, (1, 1))), eta: sp.Rational(1, 2)}


def gradient_f(x):
    return sp.Matrix([F(*x) for F in GRADIENT])


def hessian_f(x):
    h = {key: F(*x) for key, F in HESSIAN.items()}
    return sp.Matrix([[h[1, 1], h[1, 2]], [h[1, 2], h[2, 2]]])


def affine_pairs(rule):
    """One step of ``rule`` on g(y) = f(Ay + b) from y, mapped by y ↦ Ay + b, against one step on f
    from Ay + b: ∇g(y) = Aᵀ∇f(Ay + b), ∇²g(y) = Aᵀ∇²f(Ay + b)A (the chain rule)."""
    to_x = lambda point: A * point + b
    on_g = iterates(rule, lambda point: A.T * gradient_f(to_x(point)), y, xp, 1,
                    lambda point: A.T * hessian_f(to_x(point)) * A)[-1]
    on_f = iterates(rule, gradient_f, to_x(y), xp, 1, hessian_f)[-1]
    mapped = to_x(on_g)
    return [(f"x_1[{i}] = (A y_1 + b)[{i}]", on_f[i], mapped[i]) for i in range(2)]


AFFINE_INVARIANCE = SymbolicFinding(
    "newton-affine-invariance",
    title="Newton's method is affine invariant",
    reference="Boyd & Vandenberghe 2004, §9.5.1; docs/theory.md §8",
    statement="for g(y) = f(Ay + b) with A invertible (2x2, symbolic), one damped Newton step on g from y, mapped "
              "by y -> Ay + b, is the Newton step on f from Ay + b, for every gradient field and symmetric Hessian "
              "field of f; by induction every iterate corresponds",
    method="damped Newton on symbols",
    agree=lambda: affine_pairs(Newton(lr=eta)),
    witness=WITNESS,
)

CLAIMS = [QUADRATIC_ONE_STEP, LOCAL_RATE, AFFINE_INVARIANCE]
