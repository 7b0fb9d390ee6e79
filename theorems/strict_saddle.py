"""Strict saddles: gradient descent escapes them only off the stable manifold, at a rate set by λ_min.

Method: gradient descent x_{t+1} = x_t − η∇f(x_t) for N steps, from a start whose escape
coordinate y₁ (the component along the Hessian's negative direction) is set to δ.

Theorems (Lee, Simchowitz, Jordan, Recht 2016; docs/theory.md §5), on
f = φ(y₁) + Σ_{i≥2} λᵢyᵢ²/2, y = Qx, φ(s) = −γs²/2 + s⁴/4 (a strict saddle at 0 with
λ_min = −γ), R = ½√γ the escape radius, L = max(11γ, λ_max) the smoothness on the region GD
never leaves, η ≤ 1/L:

* **stable manifold**: GD started with y₁ = 0 (at the saddle, or anywhere on its stable
  manifold) has y₁ = 0 forever: it never escapes, which is why noise is needed.
* **escape, not faster than**: |y₁,N| ≤ δ(1 + ηγ)ᴺ.
* **escape, at least this fast**: |y₁,N| ≥ min(R, δ(1 + ¾ηγ)ᴺ), because |1 + ηγ − ηy²| ≥ 1 + ¾ηγ
  while |y| ≤ R. Together: GD from y₁ = δ escapes in between log(R/δ)/log(1 + ηγ) and
  log(R/δ)/log(1 + ¾ηγ) steps (the sandwich ``ESCAPE_STEPS_AT_LEAST``/``_AT_MOST``).

Hypotheses as checked: ``SaddleFamily`` instances (rotated by one to three Householder
reflections, and axis-aligned, where y₁ = 0 is exact in every precision: the stable-manifold
claim runs there), γ and λᵢ in [0.1, 10], dimensions 2 to 4, η anywhere in (0, 1/L], δ in
(0, R], N up to 16 steps (6 at the quick budget: the N = 1 tight case and the escape branch
of Min(R, ·) are both reached within 6 steps).

Tight: "not faster than" as δ → 0 at N = 1. Upper bound: "at least this fast" (a rate
guarantee; the true growth is between the two factors).

Wrong variants (tests/variants/strict_saddle_wrong.py): dropping strictness (f = x²/2 + y³/3,
GD from y₀ ∈ (0, ½] moves *toward* the saddle), and the never-escape claim started off the
stable manifold.
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import SADDLE_FAMILIES, SaddleFamily
from odl_verify.definitions.methods import gradient_descent_step

#: certified: smoothness on the invariant region, saddle strictness γ = −λ_min, escape radius ½√γ
L = sp.Symbol("L", positive=True)
gamma = sp.Symbol("gamma", nonnegative=True)
R = sp.Symbol("R", positive=True)
eta = sp.Symbol("eta", positive=True)
#: the start's escape coordinate: δ > 0 off the stable manifold, δ ≥ 0 for the manifold claim
delta = sp.Symbol("delta", positive=True)
delta_0 = sp.Symbol("delta", nonnegative=True)
N = sp.Symbol("N", integer=True, nonnegative=True)
#: measured: |y₁| after N steps
escape = sp.Symbol("escape", real=True)

#: per-step growth factors of |y₁| near the saddle: at most 1 + ηγ, at least 1 + ¾ηγ while |y₁| ≤ R
GROWTH_AT_MOST = 1 + eta * gamma
GROWTH_AT_LEAST = 1 + 3 * eta * gamma / 4
#: the escape-time sandwich they give (steps until |y₁| ≥ R)
ESCAPE_STEPS_AT_LEAST = sp.log(R / delta) / sp.log(GROWTH_AT_MOST)
ESCAPE_STEPS_AT_MOST = sp.log(R / delta) / sp.log(GROWTH_AT_LEAST)

LATEX_NAMES = {L: "L", gamma: r"\gamma", R: "R", eta: r"\eta", delta: r"\delta", delta_0: r"\delta",
               escape: r"|y_{1,N}|"}
CERTIFIED = {L: "smoothness", gamma: "gamma", R: "escape_radius"}
#: steps of GD per instance: up to 16 at full size, up to 6 at the quick budget (the N = 1 tight
#: case and the escape branch of Min(R, ·) are both reached within 6 steps)
MAX_STEPS, QUICK_MAX_STEPS = 16, 6

STEP = sp.Le(eta, 1 / L)
STRICT = sp.Gt(gamma, 0)
OFF_MANIFOLD = sp.Le(delta, R)
ON_MANIFOLD = sp.Le(delta_0, 0)


def measure(instance, x0, values, xp):
    """Set the start's escape coordinate to δ, run N gradient steps, measure |y₁,N|."""
    family, p = instance.family, instance.params
    x = family.place(p, x0, values["delta"], xp)
    for _ in range(values["N"]):
        x = gradient_descent_step(x, instance.grad(x), values["eta"])
    return {"escape": xp.abs(family.escape_coordinate(p, x, xp))}


def _claim(name, title, hypotheses, conclusion, families, tight, reference):
    return Claim(name, title=title, hypotheses=hypotheses, conclusion=conclusion, measure=measure,
                 families=families, certified=CERTIFIED, integers={N: (1, MAX_STEPS)},
                 quick_integers={N: (1, QUICK_MAX_STEPS)}, reference=reference,
                 tight=tight, method="gradient descent, N steps from y₁ = δ", dimensions=(2, 4),
                 latex_names=LATEX_NAMES)


STABLE_MANIFOLD = _claim(
    "strict-saddle-stable-manifold", "GD on the stable manifold of a strict saddle never escapes",
    [STEP, STRICT, ON_MANIFOLD], sp.Le(escape, 0), [SaddleFamily(rotated=False)], False,
    "Lee, Simchowitz, Jordan, Recht 2016; docs/theory.md §5")

ESCAPE_NOT_FASTER = _claim(
    "strict-saddle-escape-not-faster", "GD escapes a strict saddle no faster than (1 + ηγ)^N",
    [STEP, STRICT, OFF_MANIFOLD], sp.Le(escape, delta * GROWTH_AT_MOST ** N), SADDLE_FAMILIES, True,
    "docs/theory.md §5 (escape in ≈ log(½√γ/δ)/log(1 + ηγ) steps)")

ESCAPE_AT_LEAST = _claim(
    "strict-saddle-escape", "GD off the stable manifold escapes a strict saddle at rate ≥ 1 + ¾ηγ",
    [STEP, STRICT, OFF_MANIFOLD], sp.Ge(escape, sp.Min(R, delta * GROWTH_AT_LEAST ** N)), SADDLE_FAMILIES,
    False, "Lee, Simchowitz, Jordan, Recht 2016; docs/theory.md §5")

CLAIMS = [STABLE_MANIFOLD, ESCAPE_NOT_FASTER, ESCAPE_AT_LEAST]
