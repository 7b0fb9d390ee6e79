"""Adam: how far one step can go, and Reddi, Kale and Kumar's problem where it fails to converge.

Method: Adam as published and in torch.optim (Kingma & Ba 2015, Algorithm 1, ε = 0):
m_t = β₁m_{t−1} + (1 − β₁)g_t, v_t = β₂v_{t−1} + (1 − β₂)g_t², Δ_t = α(m_t/(1 − β₁ᵗ))/√(v_t/(1 − β₂ᵗ)),
coordinatewise; AMSGrad (Reddi et al. 2018; torch's ``amsgrad=True``) divides by the running
maximum of v instead. On online linear losses the gradients are given, so every step is computed
from the sequence at once (odl_verify.definitions.methods.online); projected onto the feasible set.

Theorems (Kingma & Ba 2015, §2.1; Reddi, Kale, Kumar 2018, Thm 1; docs/theory.md §9):

* **Step size, exactly**: for every gradient sequence, r = β₁²/β₂ < 1,
  |Δ_t| ≤ α·S(t), S(t) = [(1 − β₁)/(1 − β₁ᵗ)]·√((1 − β₂ᵗ)/(1 − β₂))·√((1 − rᵗ)/(1 − r))
  (Cauchy–Schwarz on m_t against v_t), with equality for g_j ∝ (β₁/β₂)^{t−j}. Kingma & Ba's
  §2.1 bound, α(1 − β₁)/√(1 − β₂) when 1 − β₁ > √(1 − β₂) and α otherwise, is false: S(2) = 1.018
  at β = (0.5, 0.75), and at the defaults (0.9, 0.999) S(t) first passes √10 ≈ 3.1623 at t = 210
  (S(210) = 3.1649) and tends to 7.27.
* **Reddi et al.'s problem**: f_t(x) = Cx for t ≡ 1 (mod 3), −x otherwise, on [−1, 1], C > 2, β₁ = 0,
  β₂ = 1/(1 + C²), α_t = α/√t, x₁ = Π(x₀). The optimum is x* = −1, yet Adam ends every period
  at the worst point +1; AMSGrad ends within its last two steps of x*:
  x_{T+1} + 1 ≤ α√(1 + C²)/C²·(1/√(T − 1) + 1/√T) (its steps after the first are at most
  α_t/√v₁ with v₁ = (1 − β₂)C², and the C-step lands on −1).

Hypotheses as checked: the step bound for every β₁ ∈ [0, 1), β₂ ∈ (0, 1) with β₁² < β₂ (the
condition of Kingma & Ba's own convergence theorem; beyond it S(t) grows like r^{t/2} without
bound and overflows float64 long before t = 1000), t from 1 to 1000 (250 in the quick profile), on
gradient sequences of one to three coordinates (periodic, geometric, or both; the adversary moves
every entry); Reddi et al.'s problem at C ∈ [5/2, 20], T = 3n steps, n from 150 to 10⁴ (to 200 in
the quick profile), every x₁ and α ∈ [20/√T, 1]: an asymptotic theorem checked at finite T, where
α√T ≥ 20 leaves both methods time to get there (Adam from x₁ = −1 needs α²T ≈ 20, AMSGrad from
x₁ = 1 at C = 5/2 about 190).

Tight: S(t) is attained by the geometric sequence with ratio β₂/β₁ (the family draws geometric
sequences and the adversary tunes the ratio); Adam's end point is exactly the worst point; the
AMSGrad bound is attained as C grows (0.99999 of it at C = 20).

Wrong variants (tests/variants/adam_wrong.py): Kingma & Ba's §2.1 bound over every β, at
β = (0.5, 0.75) (falsified at t = 2, g = (1, 1.5): |Δ₂| = 1.018α) and at the defaults (t ≥ 210);
"Adam converges on Reddi et al.'s problem" (AMSGrad's bound for Adam) and "AMSGrad also ends at
the worst point".
"""
import sympy as sp

from odl_verify.definitions.claims import Claim, compile_mp, compile_torch
from odl_verify.definitions.families import OnlineLinear, ReddiProblem
from odl_verify.definitions.methods.online import adam_steps, projected_final, step_numbers

beta1 = sp.Symbol("beta1", nonnegative=True)
beta2 = sp.Symbol("beta2", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
#: measured: max over coordinates of |Δ_t|/α
step = sp.Symbol("step", real=True)

r = beta1 ** 2 / beta2
#: the exact supremum of |Δ_t|/α over gradient sequences
SUPREMUM = (1 - beta1) / (1 - beta1 ** t) * sp.sqrt((1 - beta2 ** t) / (1 - beta2)) * sp.sqrt((1 - r ** t) / (1 - r))
#: Kingma & Ba 2015, §2.1
PUBLISHED_BOUND = sp.Piecewise(((1 - beta1) / sp.sqrt(1 - beta2), 1 - beta1 > sp.sqrt(1 - beta2)), (1, True))

LATEX_NAMES = {beta1: r"\beta_1", beta2: r"\beta_2", step: r"|\Delta_t|/\alpha"}


def step_measure(instance, x0, values, xp):
    """Adam (ε = 0, α = 1) on the instance's gradient sequence g_1 … g_t: the largest |Δ_t|."""
    grads = instance.family.gradients(instance.params, values["t"], xp)
    column = lambda v: v[:, None, None]
    steps = adam_steps(xp, grads, 1, column(values["beta1"]), column(values["beta2"]))
    return {"step": xp.max(xp.abs(steps[:, -1]))}


STEP_BOUND = Claim(
    "adam-step-bound",
    title="Adam's step: |Δ_t| ≤ α·S(t), the exact supremum over gradient sequences",
    hypotheses=[sp.Lt(beta1, 1), sp.Lt(beta2, 1), sp.Lt(beta1 ** 2, beta2)],
    conclusion=sp.Le(step, SUPREMUM),
    measure=step_measure,
    families=(OnlineLinear(),),
    certified={},
    integers={t: (1, 1000)},
    quick_integers={t: (1, 250)},
    reference="Kingma & Ba 2015, §2.1 (corrected); docs/theory.md §9",
    tight=True,
    method="Adam (bias-corrected, eps = 0) on a given gradient sequence, step t",
    dimensions=(1, 3),
    latex_names=LATEX_NAMES,
)

# ---------------------------------------------------------------- Reddi, Kale and Kumar's problem
C = sp.Symbol("C", positive=True)
alpha = sp.Symbol("alpha", positive=True)
#: periods of three losses: T = 3n steps
n = sp.Symbol("n", integer=True, positive=True)
T = 3 * n
#: measured: x_{T+1} − x*, the distance of the last iterate from the optimum x* = −1
gap = sp.Symbol("gap", real=True)
#: the theorem's second-moment decay, compiled for the search and the confirmation
BETA2 = 1 / (1 + C ** 2)
_BETA2 = {"torch": compile_torch((C,), BETA2), "mpmath": compile_mp((C,), BETA2)}
AMSGRAD_BOUND = alpha * sp.sqrt(1 + C ** 2) / C ** 2 * (1 / sp.sqrt(T - 1) + 1 / sp.sqrt(T))
#: α√T ≥ 20: time enough to reach the end point from anywhere (see the docstring)
ENOUGH_STEPS = sp.Ge(alpha, 20 / sp.sqrt(T))


def reddi_gap(amsgrad: bool):
    """The measure: Adam or AMSGrad at β₁ = 0, β₂ = 1/(1 + C²), α_t = α/√t for T = 3n steps from x₁ = Π(x₀)."""
    def measure(instance, x0, values, xp):
        length = 3 * values["n"]
        grads = instance.family.gradients(instance.params, length, xp)
        lr = values["alpha"][:, None, None] / xp.sqrt(step_numbers(xp, length))
        beta2_value = _BETA2[xp.name](values["C"])[:, None, None]
        steps = adam_steps(xp, grads, lr, 0, beta2_value, amsgrad=amsgrad)
        low, high = instance.family.box(instance.params, xp)
        return {"gap": projected_final(xp, x0, steps, low, high)[:, 0] - low[:, 0]}
    return measure


_REDDI = dict(families=(ReddiProblem(),), certified={C: "C"}, integers={n: (150, 10_000)},
              quick_integers={n: (150, 200)}, dimensions=(1, 1), latex_names={alpha: r"\alpha", gap: "x_{T+1} - x^*"},
              reference="Reddi, Kale, Kumar 2018, Thm 1; docs/theory.md §9")
_HYPOTHESES = [sp.Ge(C, sp.Rational(5, 2)), ENOUGH_STEPS, sp.Le(alpha, 1)]

ADAM_WORST_POINT = Claim(
    "adam-reddi-worst-point",
    title="Adam ends at the worst point of Reddi et al.'s problem (x = +1, diameter 2 from x* = −1)",
    hypotheses=_HYPOTHESES,
    conclusion=sp.Ge(gap, 2),
    measure=reddi_gap(amsgrad=False),
    tight=True,
    method="Adam, beta1 = 0, beta2 = 1/(1 + C^2), alpha_t = alpha/sqrt(t), projected on [-1, 1], T = 3n steps",
    **_REDDI,
)

AMSGRAD_OPTIMUM = Claim(
    "amsgrad-reddi-optimum",
    title="AMSGrad ends within its last two steps of the optimum of Reddi et al.'s problem",
    hypotheses=_HYPOTHESES,
    conclusion=sp.Le(gap, AMSGRAD_BOUND),
    measure=reddi_gap(amsgrad=True),
    tight=True,
    method="AMSGrad (torch's amsgrad=True), beta1 = 0, beta2 = 1/(1 + C^2), alpha_t = alpha/sqrt(t), projected, T = 3n",
    **_REDDI,
)

CLAIMS = [STEP_BOUND, ADAM_WORST_POINT, AMSGRAD_OPTIMUM]
