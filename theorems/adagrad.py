"""AdaGrad: the lemma behind its step sizes, and its diagonal regret bound on online linear losses.

Method: diagonal AdaGrad with ε = 0 (Duchi, Hazan, Singer 2011; torch.optim.Adagrad), projected
onto a box K = Πᵢ[loᵢ, hiᵢ]: x_{t+1} = Π_K(x_t − η_t ⊙ g_t), η_{t,i} = Dᵢ/√(2Σ_{s≤t} g_{s,i}²),
Dᵢ = hiᵢ − loᵢ, x₁ = Π_K(x₀); its steps on given gradients are computed all at once
(odl_verify.definitions.methods.online).

Theorems (Duchi, Hazan, Singer 2011, Lemma 4 and Thm 5; McMahan & Streeter 2010; docs/theory.md §9):

* **Lemma**: for a_t ≥ 0, Σ_{t≤T} a_t/√(Σ_{s≤t} a_s) ≤ 2√(Σ_{t≤T} a_t) (terms with a zero sum are 0).
* **Regret**: for linear losses f_t(x) = ⟨g_t, x⟩ on K,
  R_T = Σ_t⟨g_t, x_t⟩ − min_{x∈K} Σ_t⟨g_t, x⟩ ≤ √2·Σᵢ Dᵢ‖g_{1:T,i}‖₂
  (online gradient descent's D²/(2η_T) + Σ_t η_t g_t²/2 per coordinate, then the lemma).

Hypotheses as checked: a_t = ‖g_t‖² and g_t from online gradient sequences of one to three
coordinates (one or two for the lemma, where only ‖g_t‖ enters; periodic, geometric or both,
entries moved by the adversary), T from 1 to 200
(lemma) and 1 to 40 (regret), to 50 and 12 in the quick profile, any box and start.

Upper bound: both. The lemma's ratio tends to 1 for a_t ≡ 1 as T → ∞ (Σ 1/√t ≈ 2√T − 1.46), so no
constant below 2 holds for every T, but at finite T the ratio stays below 1; the regret bound is
loose by a constant (0.74 of it at most in a one-dimensional exhaustive check, docs/theory.md §9).

Wrong variants (tests/variants/adagrad_wrong.py): the lemma with constant 1 (a = (1, 1):
1 + 1/√2 > √2) and the regret bound without √2 (K = [0, 1], x₁ = 0, g = (−3, −1):
R = 4 − 1/√2 > √10).
"""
import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import OnlineLinear
from odl_verify.definitions.methods.online import adagrad_steps, nonzero, projected_iterates

T = sp.Symbol("T", integer=True, positive=True)
#: measured: Σ a_t/√(Σ_{s≤t} a_s), Σ a_t; the regret R_T and Σᵢ Dᵢ‖g_{1:T,i}‖₂
weighted_sum, total, regret, scale = sp.symbols("weighted_sum total regret scale", real=True)

LATEX_NAMES = {weighted_sum: r"\sum_t a_t/\sqrt{\sum_{s\le t} a_s}", total: r"\sum_t a_t", regret: "R_T",
               scale: r"\sum_i D_i \|g_{1:T,i}\|_2"}


def lemma_measure(instance, x0, values, xp):
    """a_t = ‖g_t‖² of the instance's sequence: Σ a_t/√(Σ_{s≤t} a_s) and Σ a_t."""
    grads = instance.family.gradients(instance.params, values["T"], xp)
    a = xp.sum(grads * grads)
    running = xp.cumsum(a)
    return {"weighted_sum": xp.sum(a / xp.sqrt(nonzero(xp, running))), "total": running[:, -1]}


def regret_measure(instance, x0, values, xp):
    """Projected diagonal AdaGrad on the instance's losses from Π_K(x₀): the regret against the best
    point of K and Σᵢ Dᵢ‖g_{1:T,i}‖₂."""
    grads = instance.family.gradients(instance.params, values["T"], xp)
    low, high = instance.family.box(instance.params, xp)
    width = high - low
    steps = adagrad_steps(xp, grads, width[:, None, :] / 2 ** 0.5)
    played = projected_iterates(xp, x0, steps, low, high)[:-1]
    loss = sum(xp.sum(grads[:, s] * x) for s, x in enumerate(played))
    summed = xp.sum(xp.transpose(grads), axis=-1)  # Σ_t g_t, (B, d)
    best = xp.sum(xp.minimum(summed * low, summed * high))
    return {"regret": loss - best, "scale": xp.sum(width * xp.sqrt(xp.sum(xp.transpose(grads * grads), axis=-1)))}


LEMMA = Claim(
    "adagrad-lemma",
    title="AdaGrad's lemma: Σ a_t/√(Σ_{s≤t} a_s) ≤ 2√(Σ a_t)",
    hypotheses=[],
    conclusion=sp.Le(weighted_sum, 2 * sp.sqrt(total)),
    measure=lemma_measure,
    families=(OnlineLinear(),),
    certified={},
    integers={T: (1, 200)},
    quick_integers={T: (1, 50)},
    reference="Duchi, Hazan, Singer 2011, Lemma 4; docs/theory.md §9",
    tight=False,
    method="the sum AdaGrad's step sizes telescope into, on a_t = ||g_t||^2",
    dimensions=(1, 2),
    latex_names=LATEX_NAMES,
)

REGRET = Claim(
    "adagrad-regret",
    title="Diagonal AdaGrad's regret on linear losses over a box: R_T ≤ √2 Σᵢ Dᵢ‖g_{1:T,i}‖₂",
    hypotheses=[],
    conclusion=sp.Le(regret, sp.sqrt(2) * scale),
    measure=regret_measure,
    families=(OnlineLinear(),),
    certified={},
    integers={T: (1, 40)},
    quick_integers={T: (1, 12)},
    reference="Duchi, Hazan, Singer 2011, Thm 5; docs/theory.md §9",
    tight=False,
    method="projected diagonal AdaGrad, eta_t,i = D_i/sqrt(2 sum_s g_s,i^2), eps = 0",
    dimensions=(1, 3),
    latex_names=LATEX_NAMES,
)

CLAIMS = [LEMMA, REGRET]
