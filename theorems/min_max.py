"""Min–max dynamics: gradient descent–ascent on bilinear games, and the GAN and adversarial objectives.

Method: on games f(x, y) = (μ/2)‖x‖² + xᵀAy − (μ/2)‖y‖² (``BilinearGame``: A = U diag(σ)Vᵀ with
Householder-product U, V, so σ is certified; μ = 0 is the bilinear game xᵀAy), with the field
F(z) = (μx + Ay, μy − Aᵀx): simultaneous GDA z⁺ = z − ηF(z); alternating GDA x⁺ = x − ηAy,
y⁺ = y + ηAᵀx⁺; extragradient z⁺ = z − ηF(z − ηF(z)); optimistic GDA
z_{t+1} = z_t − 2ηF(z_t) + ηF(z_{t−1}), z₋₁ = z₀. The GAN objective of a discriminator D on two
distributions (``DistributionPair``), and the margin of a linear score under an ℓ∞-bounded
perturbation (``LinearScore``).

Theorems (Mescheder, Nowozin, Geiger 2017 and Daskalakis, Ilyas, Syrgkanis, Zeng, ICLR 2018 for the
dynamics; Goodfellow et al. 2014, Prop. 1 and Thm. 1; Goodfellow, Shlens, Szegedy, ICLR 2015;
docs/theory.md §14). Per singular value σ of A:

* **simultaneous GDA** expands: ‖z⁺‖² = (1 − ημ)²‖z‖² + η²(‖Ay‖² + ‖Aᵀx‖²), i.e. by 1 + η²σ² on
  xᵀAy (it diverges for every η > 0), and with μ > 0 and 0 < η < 2μ/(μ² + σ_max²) it converges:
  ‖z_t‖ ≤ ρᵗ‖z₀‖, ρ² = (1 − ημ)² + η²σ_max² < 1;
* **extragradient** contracts: ‖z⁺‖² = ‖z‖² − η²(‖Ay‖² + ‖Aᵀx‖²) + η⁴(‖AAᵀx‖² + ‖AᵀAy‖²), a factor
  1 − η²σ² + η⁴σ⁴ per singular value;
* **alternating GDA** conserves Q = ‖x‖² + ‖y‖² − ηxᵀAy: bounded for η < 2/σ_max, never convergent;
* **optimistic GDA**: along a singular pair (ζ = ⟨u, x⟩ + i⟨v, y⟩, α = ησ) the iterates satisfy
  ζ_{t+1} = (1 + 2iα)ζ_t − iαζ_{t−1}, whose roots λ± give e_t = ζ_t − λ₋ζ_{t−1} = λ₊ᵗe₀ with
  |λ₊|² = ρ(α)² = (1 + √(1 − 4α²))/2 for α ≤ ½ and 2α² + α√(4α² − 1) for α ≥ ½: it converges
  exactly when ρ < 1, i.e. α < 1/√3;
* **GAN**: V(D) = E_p log D + E_q log(1 − D) ≤ −log 4 + 2·JSD(p‖q), with equality at D* = p/(p + q);
* **FGSM**: for a linear score, min over ‖δ‖∞ ≤ ε of y·wᵀ(x + δ) is y·wᵀx − ε‖w‖₁, attained at
  δ = −εy·sign(w).

Hypotheses as checked: z ∈ [−10, 10]^d, dimensions 2 to 8 (A is ⌈d/2⌉ × ⌊d/2⌋: rectangular for
odd d, with σ_min = 0), σ ∈ [1/10, 10]; η ∈ (0, 2/σ_max] for the identities (alternating GDA up to
2/σ_max, where Q stays positive), ησ_max ≤ 1 for optimistic GDA, η ∈ (0, 2μ/(μ² + σ_max²)) for
convergence; 1 to 20 steps (1 to 4 at the quick budget); distributions on 1 to 8 points with logits
in [−5, 5]; linear scores in dimension 1 to 8, ε ∈ (0, 1].

Tight: GDA's rate along the top singular pair (z₀ = (u₁, v₁)/√2, drawn), where it is an equality;
the GAN bound at D* and the FGSM bound at its perturbation (both drawn as start directions). With
their extremal instances drawn directly, these three are not refined by gradient. The other
claims are identities, checked to a tolerance derived from the computation.

Wrong variants (tests/variants/min_max_wrong.py): "a method that converges on strongly
convex–concave games converges on xy" (GDA with a small step, on μ = 0: ‖z₁‖² = (1 + η²σ²)‖z₀‖²);
"the GAN value is JSD − log 4".
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.claims import Claim, compile_mp, compile_torch
from odl_verify.definitions.families.bilinear_game import BilinearGame
from odl_verify.definitions.families.distribution_pair import DistributionPair
from odl_verify.definitions.families.linear_score import LinearScore

BILINEAR, MONOTONE = BilinearGame(), BilinearGame(monotone=True)
MAX_STEPS, QUICK_MAX_STEPS = 20, 4
REFERENCE = "Mescheder, Nowozin, Geiger 2017; Daskalakis et al. 2018; docs/theory.md §14"

#: certified: μ and the extreme singular values of the map z ↦ (Ay, Aᵀx)
mu = sp.Symbol("mu", nonnegative=True)
sigma_max, sigma_min = sp.symbols("sigma_max sigma_min", nonnegative=True)
eta = sp.Symbol("eta", positive=True)
T = sp.Symbol("T", integer=True, positive=True)
#: measured: squared norms along the run and the Gram quantities of one step
norm_sq, norm_next_sq, Ay_sq, ATx_sq, AATx_sq, ATAy_sq = sp.symbols(
    "norm_sq norm_next_sq Ay_sq ATx_sq AATx_sq ATAy_sq", real=True)
norm_0, norm_T = sp.symbols("norm_0 norm_T", real=True)
conserved_0, conserved_T = sp.symbols("Q_0 Q_T", real=True)
e_0_sq, e_T_sq = sp.symbols("e_0_sq e_T_sq", real=True)

LATEX_NAMES = {mu: r"\mu", sigma_max: r"\sigma_{\max}", sigma_min: r"\sigma_{\min}", eta: r"\eta",
               norm_sq: r"\|z\|^2", norm_next_sq: r"\|z^+\|^2", Ay_sq: r"\|Ay\|^2", ATx_sq: r"\|A^\top x\|^2",
               AATx_sq: r"\|AA^\top x\|^2", ATAy_sq: r"\|A^\top Ay\|^2", norm_0: r"\|z_0\|", norm_T: r"\|z_T\|",
               conserved_0: "Q(z_0)", conserved_T: "Q(z_T)", e_0_sq: "|e_0|^2", e_T_sq: "|e_T|^2"}
GAME = dict(certified={mu: "mu", sigma_max: "sigma_max", sigma_min: "sigma_min"}, dimensions=(2, 8),
            reference=REFERENCE, latex_names=LATEX_NAMES)
STEPS = dict(integers={T: (1, MAX_STEPS)}, quick_integers={T: (1, QUICK_MAX_STEPS)})


def _sq(xp, v):
    return xp.sum(v * v)


def _gram_terms(family, p, z, xp):
    """‖z‖², ‖Ay‖², ‖Aᵀx‖², ‖AAᵀx‖², ‖AᵀAy‖² at z = (x, y)."""
    x, y = family.split(p, z)
    ay, atx = family.apply(p, y, xp), family.apply_transpose(p, x, xp)
    return {"norm_sq": _sq(xp, z), "Ay_sq": _sq(xp, ay), "ATx_sq": _sq(xp, atx),
            "AATx_sq": _sq(xp, family.apply(p, atx, xp)), "ATAy_sq": _sq(xp, family.apply_transpose(p, ay, xp))}


def _step(values):
    return values["eta"][:, None]


def measure_gda_step(instance, x0, values, xp):
    family, p = instance.family, instance.params
    after = x0 - _step(values) * family.field(p, x0, xp)
    return {**_gram_terms(family, p, x0, xp), "norm_next_sq": _sq(xp, after)}


def measure_extragradient_step(instance, x0, values, xp):
    family, p = instance.family, instance.params
    half = x0 - _step(values) * family.field(p, x0, xp)
    after = x0 - _step(values) * family.field(p, half, xp)
    return {**_gram_terms(family, p, x0, xp), "norm_next_sq": _sq(xp, after)}


def measure_gda_run(instance, x0, values, xp):
    family, p = instance.family, instance.params
    z = x0
    for _ in range(values["T"]):
        z = z - _step(values) * family.field(p, z, xp)
    return {"norm_0": xp.sqrt(_sq(xp, x0)), "norm_T": xp.sqrt(_sq(xp, z))}


def measure_alternating(instance, x0, values, xp):
    """Q = ‖x‖² + ‖y‖² − ηxᵀAy at z₀ and after T alternating steps (μ = 0)."""
    family, p = instance.family, instance.params
    step = _step(values)
    conserved = lambda x, y: _sq(xp, x) + _sq(xp, y) - values["eta"] * xp.sum(x * family.apply(p, y, xp))
    x, y = family.split(p, x0)
    q0 = conserved(x, y)
    for _ in range(values["T"]):
        x = x - step * family.apply(p, y, xp)
        y = y + step * family.apply_transpose(p, x, xp)
    return {"Q_0": q0, "Q_T": conserved(x, y)}


# ---------------------------------------------------------------- optimistic GDA along the top pair
alpha = eta * sigma_max
#: 1 − 4α² ≥ 0 (α ≤ ½), written on the discriminant itself so that a branch never takes the root of a
#: rounded negative number
REAL_ROOTS = sp.Ge(1 - 4 * alpha**2, 0)
#: the other root λ₋ of λ² − (1 + 2iα)λ + iα (real, imaginary), and ρ² = |λ₊|²
LAMBDA_MINUS = (sp.Piecewise(((1 - sp.sqrt(1 - 4 * alpha**2)) / 2, REAL_ROOTS), (sp.Rational(1, 2), True)),
                sp.Piecewise((alpha, REAL_ROOTS), (alpha - sp.sqrt(4 * alpha**2 - 1) / 2, True)))
RHO_SQ = sp.Piecewise(((1 + sp.sqrt(1 - 4 * alpha**2)) / 2, REAL_ROOTS),
                      (2 * alpha**2 + alpha * sp.sqrt(4 * alpha**2 - 1), True))
_ROOT = {name: compile_fn((eta, sigma_max), sp.Tuple(*LAMBDA_MINUS))
         for name, compile_fn in (("torch", compile_torch), ("mpmath", compile_mp))}


def measure_optimistic(instance, x0, values, xp):
    """|e_t|² at t = 0 and T, e_t = ζ_t − λ₋ζ_{t−1}, ζ = ⟨u₁, x⟩ + i⟨v₁, y⟩, on the run of optimistic GDA
    started on the top singular pair (z₀ is projected onto it)."""
    family, p = instance.family, instance.params
    u, v = family.singular_pair("top", p, xp)
    x, y = family.split(p, x0)
    z = family.join(xp, xp.sum(x * u)[:, None] * u, xp.sum(y * v)[:, None] * v)
    zeta = lambda point: (xp.sum(family.split(p, point)[0] * u), xp.sum(family.split(p, point)[1] * v))
    real, imaginary = _ROOT[xp.name](values["eta"], values["sigma_max"])

    def error(now, before):
        (a, b), (c, d) = zeta(now), zeta(before)
        return (a - (real * c - imaginary * d)) ** 2 + (b - (real * d + imaginary * c)) ** 2

    previous, field_before = z, family.field(p, z, xp)
    e0 = error(z, previous)
    for _ in range(values["T"]):
        field_now = family.field(p, z, xp)
        z, previous = z - _step(values) * (2 * field_now - field_before), z
        field_before = field_now
    return {"e_0_sq": e0, "e_T_sq": error(z, previous)}


GDA_EXPANSION = Claim(
    "gda-norm-identity", title="Simultaneous GDA: ‖z⁺‖² = (1 − ημ)²‖z‖² + η²(‖Ay‖² + ‖Aᵀx‖²)",
    hypotheses=[sp.Le(eta, 2 / sigma_max)],
    conclusion=sp.Eq(norm_next_sq, (1 - eta * mu) ** 2 * norm_sq + eta**2 * (Ay_sq + ATx_sq)),
    measure=measure_gda_step, families=[BILINEAR, MONOTONE], method="one step of simultaneous GDA", **GAME)

GDA_CONVERGES = Claim(
    "gda-converges-strongly-monotone",
    title="GDA converges on strongly convex–concave games: ‖z_t‖ ≤ ((1 − ημ)² + η²σ_max²)^(t/2)‖z₀‖",
    hypotheses=[sp.Gt(mu, 0), sp.Lt(eta, 2 * mu / (mu**2 + sigma_max**2))],
    conclusion=sp.Le(norm_T, ((1 - eta * mu) ** 2 + eta**2 * sigma_max**2) ** (T / 2) * norm_0),
    measure=measure_gda_run, families=[MONOTONE], tight=True, refine=False,
    method="T steps of simultaneous GDA", **GAME, **STEPS)

EXTRAGRADIENT = Claim(
    "extragradient-norm-identity",
    title="Extragradient: ‖z⁺‖² = ‖z‖² − η²(‖Ay‖² + ‖Aᵀx‖²) + η⁴(‖AAᵀx‖² + ‖AᵀAy‖²)",
    hypotheses=[sp.Le(eta, 2 / sigma_max)],
    conclusion=sp.Eq(norm_next_sq, norm_sq - eta**2 * (Ay_sq + ATx_sq) + eta**4 * (AATx_sq + ATAy_sq)),
    measure=measure_extragradient_step, families=[BILINEAR], method="one step of extragradient", **GAME)

ALTERNATING = Claim(
    "alternating-gda-conserves", title="Alternating GDA conserves ‖x‖² + ‖y‖² − ηxᵀAy",
    hypotheses=[sp.Le(eta, 2 / sigma_max)], conclusion=sp.Eq(conserved_T, conserved_0),
    measure=measure_alternating, families=[BILINEAR], method="T steps of alternating GDA", **GAME, **STEPS)

OPTIMISTIC = Claim(
    "optimistic-gda-rate", title="Optimistic GDA along a singular pair: |e_T|² = ρ(ησ)^(2T)|e_0|², ρ < 1 iff ησ < 1/√3",
    hypotheses=[sp.Le(eta, 1 / sigma_max)], conclusion=sp.Eq(e_T_sq, RHO_SQ**T * e_0_sq),
    measure=measure_optimistic, families=[BILINEAR],
    method="T steps of optimistic GDA from z_0 projected on the top singular pair", **GAME, **STEPS)


# ---------------------------------------------------------------- the GAN objective
value, jsd = sp.symbols("value jsd", real=True)


def _gan(instance, x, xp):
    """V(D) for D = sigmoid(x + log(p/q)), and JSD(p‖q) = ½KL(p‖m) + ½KL(q‖m), m = (p + q)/2."""
    family, p = instance.family, instance.params
    d = family.discriminator(p, x, xp)
    data, generator = p["p"], p["q"]
    middle = (data + generator) / 2
    divergence = (xp.sum(data * xp.log(data / middle)) + xp.sum(generator * xp.log(generator / middle))) / 2
    return {"value": xp.sum(data * xp.log(d)) + xp.sum(generator * xp.log(1 - d)), "jsd": divergence}


def measure_gan(instance, x0, values, xp):
    return _gan(instance, x0, xp)


def measure_gan_optimal(instance, x0, values, xp):
    return _gan(instance, 0 * x0, xp)


GAN_REFERENCE = "Goodfellow et al. 2014, Prop. 1 and Thm. 1; docs/theory.md §14"
GAN_NAMES = {value: "V(D)", jsd: r"\mathrm{JSD}(p\|q)"}
GAN_VALUE = Claim(
    "gan-value-at-optimal-discriminator", title="GAN: V(D*) = −log 4 + 2·JSD(p‖q) at D* = p/(p + q)",
    hypotheses=[], conclusion=sp.Eq(value + sp.log(4), 2 * jsd), measure=measure_gan_optimal,
    families=[DistributionPair()], certified={}, reference=GAN_REFERENCE, dimensions=(1, 8),
    method="V at D* = p/(p + q)", latex_names=GAN_NAMES)

GAN_OPTIMUM = Claim(
    "gan-optimal-discriminator", title="GAN: every discriminator has V(D) ≤ −log 4 + 2·JSD(p‖q)",
    hypotheses=[], conclusion=sp.Le(value + sp.log(4), 2 * jsd), measure=measure_gan,
    families=[DistributionPair()], certified={}, reference=GAN_REFERENCE, tight=True, refine=False,
    dimensions=(1, 8), method="V at D = sigmoid(x0 + log(p/q))", latex_names=GAN_NAMES)


# ---------------------------------------------------------------- FGSM
epsilon = sp.Symbol("epsilon", positive=True)
margin_drop, weight_l1 = sp.symbols("margin_drop weight_l1", real=True)


def measure_attack(instance, x0, values, xp):
    """How much δ = ε·clip(x0, −1, 1) lowers the margin, y·wᵀx − y·wᵀ(x + δ) = −y·wᵀδ, and ‖w‖₁."""
    p = instance.params
    w, label = p["weights"], p["label"][:, 0]
    delta = values["epsilon"][:, None] * xp.clip(x0, -1, 1)
    return {"margin_drop": -label * xp.sum(w * delta), "weight_l1": xp.sum(xp.abs(w))}


FGSM = Claim(
    "fgsm-optimal-linear", title="A linear score's margin drops by at most ε‖w‖₁ under ‖δ‖∞ ≤ ε, and FGSM's δ drops it that much",
    hypotheses=[sp.Le(epsilon, 1)], conclusion=sp.Le(margin_drop, epsilon * weight_l1), measure=measure_attack,
    families=[LinearScore()], certified={}, reference="Goodfellow, Shlens, Szegedy 2015; docs/theory.md §14",
    tight=True, refine=False, dimensions=(1, 8), method="delta = epsilon * clip(x0, -1, 1); FGSM is x0 = -y sign(w)",
    latex_names={epsilon: r"\varepsilon", margin_drop: r"y w^\top x - y w^\top (x + \delta)", weight_l1: r"\|w\|_1"})

CLAIMS = [GDA_EXPANSION, GDA_CONVERGES, EXTRAGRADIENT, ALTERNATING, OPTIMISTIC, GAN_VALUE, GAN_OPTIMUM, FGSM]
