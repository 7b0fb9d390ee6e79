"""Normalization makes the loss scale invariant, and that fixes how gradient descent moves.

Method: gradient descent W_{t+1} = W_t − η∇L(W_t) on the weights feeding the normalizations of a
network drawn by Hypothesis (``NormalizedNetwork``: 1–2 tanh layers behind batch or layer norm
with ε = 0, widths 1–3, 2–4 samples, an MSE head), with and without weight decay; its gradient
by hand-written backpropagation and its Hessian-vector product by forward mode (dual numbers),
in torch and in mpmath. And torch's normalization layers (``torch.nn.functional``) on drawn
feature maps.

Theorems (Li & Arora, ICLR 2020; Arora, Li, Lyu, ICLR 2019; Wu & He 2018 for group norm;
docs/theory.md §11). If L(cW) = L(W) for every c > 0, then

* ⟨W, ∇L(W)⟩ = 0, ∇L(cW) = ∇L(W)/c and ∇²L(W)W = −∇L(W) (Euler's identity for the
  degree −1 homogeneous ∇L);
* gradient descent grows the norm by exactly its step: ‖W_T‖² = ‖W_0‖² + η²Σ_{t<T}‖∇L(W_t)‖²;
* GD from (cW_0, c²η) is c times GD from (W_0, η), step by step;
* GD with weight decay, W_{t+1} = (1 − ηλ)W_t − η∇L(W_t), is GD without it at the exponentially
  growing rate η_t = η(1 − ηλ)^{−(2t+1)}, up to the scale (1 − ηλ)ᵗ.

And for torch's layers (eps = 0, no affine part): group norm with one group is layer norm, with
one group per channel it is instance norm; batch norm in eval mode, after one momentum-1
update on the same batch, is √((n − 1)/n) times batch norm in training (n values per channel:
the running variance is the unbiased one).

Hypotheses as checked: every drawn network whose normalized layers have a variance of at least
10⁻⁹·(1 + mean square) (``spread``; 0 is where ε = 0 divides by zero); c = e^s with
s ∈ [−5, 5] (gradient scaling) or [−3, 3] (GD); η ∈ (0, 2]; weight decay λ ∈ (0, 1] with
ηλ ≤ 9/10; 1 to 20 GD steps (1 to 4 at the quick budget; 1 to 10 with weight decay, whose
exponential rate would leave float32's range, which the tolerance is derived in). Vector
identities u = cv are checked in Gram form, ‖u‖² − 2c⟨u, v⟩ + c²‖v‖² = 0. Feature maps
(N, C, S) with N, C ≤ 3, 2 ≤ S ≤ 3, entries in [−3, 3].

Exact: every claim is an identity, checked in float64 to a tolerance derived from the
computation (odl_verify.engine.search.identity) and confirmed in high precision only if the
deviation does not shrink with the working precision. torch's layers run in the float64 search;
the confirmation runs the formulas they implement (odl_verify.definitions.normalization,
compared with torch's layers in tests/test_normalization.py).

Wrong variants (tests/variants/normalization_wrong.py): GD from (cW, cη) is c times GD from
(W, η) (the step must scale by c²); eval-mode batch norm reproduces train-mode output.
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.claims import Claim, compile_mp, compile_torch
from odl_verify.definitions.families.base import total
from odl_verify.definitions.families.feature_maps import FeatureMaps
from odl_verify.definitions.families.normalized_network import NormalizedNetwork, inner, scaled
from odl_verify.definitions.forward_mode import Dual, DualNamespace
from odl_verify.definitions.normalization import SPREAD_FLOOR, layer

NETWORKS = (NormalizedNetwork("batch"), NormalizedNetwork("layer"))
MAX_STEPS, QUICK_MAX_STEPS, MAX_DECAY_STEPS = 20, 4, 10

#: certified: the smallest spread (variance over 1 + mean square) a normalization divides by
spread = sp.Symbol("spread", nonnegative=True)
#: free: log of the scale c, step size, weight decay
log_c = sp.Symbol("s", real=True)
eta, lam = sp.symbols("eta lambda", positive=True)
T = sp.Symbol("T", integer=True, positive=True)
c = sp.exp(log_c)
#: measured: ⟨W, ∇L⟩; Gram entries of two vectors u, v (‖u‖², ⟨u, v⟩, ‖v‖²); norms along GD
inner_w_grad = sp.Symbol("inner_w_grad", real=True)
u_sq, u_v, v_sq = sp.symbols("u_sq u_v v_sq", real=True)
norm_0_sq, norm_T_sq, grad_sq_sum = sp.symbols("norm_0_sq norm_T_sq grad_sq_sum", real=True)

WELL_DEFINED = sp.Ge(spread, SPREAD_FLOOR)
LOG_SCALE = [sp.Ge(log_c, -5), sp.Le(log_c, 5)]
GD_LOG_SCALE = [sp.Ge(log_c, -3), sp.Le(log_c, 3)]
STEP = sp.Le(eta, 2)

#: the scale c = eᔆ, and the rate of GD without decay that replays GD with decay (docs/theory.md §11)
_t = sp.Symbol("t", integer=True, nonnegative=True)
EXPONENTIAL_RATE = eta * (1 - eta * lam) ** (-(2 * _t + 1))
_COMPILED = {name: (compile_fn([log_c], c), compile_fn([eta, lam, _t], EXPONENTIAL_RATE))
             for name, compile_fn in (("torch", compile_torch), ("mpmath", compile_mp))}


def gram(u: sp.Expr = sp.Integer(1)) -> sp.Expr:
    """‖u − c·v‖² written from the Gram entries: 0 exactly when u = c·v."""
    return u_sq - 2 * u * u_v + u**2 * v_sq


def _point(instance):
    family, p = instance.family, instance.params
    return family, p, family.weights(p)


def _gd(family, p, weights, eta_value, steps, xp, decay=None):
    """GD (with weight decay λ when given, or a per-step rate eta_value(t)) from ``weights``:
    the final weights and Σ_t ‖∇L(W_t)‖²."""
    grad_sq = 0
    for t in range(steps):
        grads = family.gradient(p, weights, xp)
        grad_sq = grad_sq + inner(xp, grads, grads)
        rate = eta_value(t) if callable(eta_value) else eta_value
        kept = weights if decay is None else scaled(1 - rate * decay, weights)
        weights = [w - g for w, g in zip(kept, scaled(rate, grads))]
    return weights, grad_sq


def measure_orthogonal(instance, x0, values, xp):
    """⟨W, ∇L(W)⟩ at the drawn weights."""
    family, p, w = _point(instance)
    return {"inner_w_grad": inner(xp, w, family.gradient(p, w, xp))}


def measure_gradient_scaling(instance, x0, values, xp):
    """Gram entries of u = ∇L(W), v = ∇L(cW) (u = c·v)."""
    family, p, w = _point(instance)
    scale = _COMPILED[xp.name][0](values["s"])
    grads, grads_c = family.gradient(p, w, xp), family.gradient(p, scaled(scale, w), xp)
    return {"u_sq": inner(xp, grads, grads), "u_v": inner(xp, grads, grads_c), "v_sq": inner(xp, grads_c, grads_c)}


def measure_hessian(instance, x0, values, xp):
    """Gram entries of u = ∇²L(W)W (forward mode through the gradient) and v = ∇L(W) (u = −v)."""
    family, p, w = _point(instance)
    duals = family.gradient(p, [Dual(a, a) for a in w], DualNamespace(xp))
    hvp, grads = [d.tangent for d in duals], [d.value for d in duals]
    return {"u_sq": inner(xp, hvp, hvp), "u_v": inner(xp, hvp, grads), "v_sq": inner(xp, grads, grads)}


def measure_norm_growth(instance, x0, values, xp):
    """‖W_0‖², ‖W_T‖² and Σ_t ‖∇L(W_t)‖² along T steps of GD."""
    family, p, w = _point(instance)
    final, grad_sq = _gd(family, p, w, values["eta"], values["T"], xp)
    return {"norm_0_sq": inner(xp, w, w), "norm_T_sq": inner(xp, final, final), "grad_sq_sum": grad_sq}


def rescaled_gd(step_power: int):
    """Gram entries of u = GD_T(cW, c^step_power·η), v = GD_T(W, η) (u = c·v when step_power = 2)."""
    def measure(instance, x0, values, xp):
        family, p, w = _point(instance)
        scale = _COMPILED[xp.name][0](values["s"])
        plain, _ = _gd(family, p, w, values["eta"], values["T"], xp)
        rescaled, _ = _gd(family, p, scaled(scale, w), scale ** step_power * values["eta"], values["T"], xp)
        return {"u_sq": inner(xp, rescaled, rescaled), "u_v": inner(xp, rescaled, plain),
                "v_sq": inner(xp, plain, plain)}
    return measure


def measure_weight_decay(instance, x0, values, xp):
    """Gram entries of u = GD_T at the exponential rate η_t, v = GD_T with weight decay λ."""
    family, p, w = _point(instance)
    rate = lambda t: _COMPILED[xp.name][1](values["eta"], values["lambda"], t)
    exponential, _ = _gd(family, p, w, rate, values["T"], xp)
    decayed, _ = _gd(family, p, w, values["eta"], values["T"], xp, decay=values["lambda"])
    return {"u_sq": inner(xp, exponential, exponential), "u_v": inner(xp, exponential, decayed),
            "v_sq": inner(xp, decayed, decayed)}


def _network_claim(name, title, conclusion, measure, hypotheses=(), **options):
    return Claim(name, title=title, hypotheses=[WELL_DEFINED, *hypotheses], conclusion=conclusion, measure=measure,
                 families=NETWORKS, certified={spread: "spread"}, dimensions=(1, 1),
                 reference="Li & Arora 2020; Arora, Li, Lyu 2019; docs/theory.md §11",
                 latex_names={spread: r"\mathrm{spread}", log_c: "s", eta: r"\eta", lam: r"\lambda",
                              inner_w_grad: r"\langle W, \nabla L(W)\rangle", norm_0_sq: r"\|W_0\|^2",
                              norm_T_sq: r"\|W_T\|^2", grad_sq_sum: r"\sum_{t<T}\|\nabla L(W_t)\|^2"},
                 **options)


ORTHOGONAL_GRADIENT = _network_claim(
    "scale-invariance-orthogonal-gradient", "Scale invariance: the gradient is orthogonal to the weights",
    sp.Eq(inner_w_grad, 0), measure_orthogonal, method="gradient by backpropagation at W")

GRADIENT_SCALING = _network_claim(
    "scale-invariance-gradient-scaling", "Scale invariance: ∇L(cW) = ∇L(W)/c",
    sp.Eq(gram(c), 0), measure_gradient_scaling, LOG_SCALE,
    method="gradients at W and at cW, c = e^s; Gram form of ∇L(W) = c∇L(cW)")

HESSIAN_EULER = _network_claim(
    "scale-invariance-hessian", "Scale invariance: ∇²L(W)W = −∇L(W)",
    sp.Eq(gram(-1), 0), measure_hessian,
    method="Hessian-vector product by forward mode (dual numbers) through backpropagation")

NORM_GROWTH = _network_claim(
    "scale-invariant-gd-norm-growth", "GD on a scale-invariant loss grows ‖W‖² by exactly η²‖∇L‖² per step",
    sp.Eq(norm_T_sq, norm_0_sq + eta**2 * grad_sq_sum), measure_norm_growth, [STEP],
    integers={T: (1, MAX_STEPS)}, quick_integers={T: (1, QUICK_MAX_STEPS)}, method="gradient descent, T steps")

GD_RESCALING = _network_claim(
    "scale-invariant-gd-rescaling", "GD from (cW, c²η) is c times GD from (W, η)",
    sp.Eq(gram(c), 0), rescaled_gd(step_power=2), [*GD_LOG_SCALE, STEP],
    integers={T: (1, MAX_STEPS)}, quick_integers={T: (1, QUICK_MAX_STEPS)},
    method="gradient descent, T steps from (W, eta) and from (cW, c^2 eta), c = e^s")

WEIGHT_DECAY = _network_claim(
    "weight-decay-is-exponential-lr", "Weight decay is an exponentially growing learning rate",
    sp.Eq(gram((1 - eta * lam) ** (-T)), 0), measure_weight_decay,
    [STEP, sp.Le(lam, 1), sp.Le(eta, sp.Rational(9, 10) / lam)], integers={T: (1, MAX_DECAY_STEPS)},
    quick_integers={T: (1, QUICK_MAX_STEPS)},
    method="GD with weight decay lambda, and GD without it at eta_t = eta(1 - eta lambda)^-(2t+1), T steps")


# ---------------------------------------------------------------- torch's layers
samples_per_channel = sp.Symbol("n", integer=True, positive=True)
spread_batch, spread_layer, spread_instance = sp.symbols("spread_batch spread_layer spread_instance", nonnegative=True)


def layers_gram(*pairs):
    """Gram entries of u = (layer aₖ(x))ₖ and v = (layer bₖ(x))ₖ on the drawn feature maps x, for the
    ``pairs`` (aₖ, bₖ) of layer names (group norm's group count is 1 or "C", the channels)."""
    def measure(instance, x0, values, xp):
        x = instance.params["features"]
        run = lambda kind: layer(xp, kind[0], x, *[x.shape[2] if a == "C" else a for a in kind[1:]])
        outputs = [(run(first), run(second)) for first, second in pairs]
        return {"u_sq": sum(total(xp, u * u) for u, _ in outputs), "u_v": sum(total(xp, u * v) for u, v in outputs),
                "v_sq": sum(total(xp, v * v) for _, v in outputs)}
    return measure


def _layer_claim(name, title, conclusion, measure, spreads, method):
    return Claim(name, title=title, hypotheses=[sp.Ge(s, SPREAD_FLOOR) for s in spreads], conclusion=conclusion,
                 measure=measure, families=[FeatureMaps()],
                 certified={**{s: s.name for s in spreads}, samples_per_channel: "samples_per_channel"},
                 dimensions=(1, 1), method=method,
                 reference="Ioffe & Szegedy 2015; Wu & He 2018; torch.nn.functional; docs/theory.md §11")


GROUP_NORM_EXTREMES = _layer_claim(
    "group-norm-extremes", "GroupNorm with one group is LayerNorm; with one group per channel, InstanceNorm",
    sp.Eq(gram(), 0), layers_gram((("group", 1), ("layer",)), (("group", "C"), ("instance",))),
    [spread_layer, spread_instance],
    "torch group_norm(x, 1) against layer_norm(x, x.shape[1:]) and group_norm(x, C) against instance_norm(x), eps = 0")

BATCH_NORM_EVAL = _layer_claim(
    "batch-norm-eval-after-momentum-1", "Eval-mode BatchNorm is √((n − 1)/n) times train mode after a momentum-1 update",
    sp.Eq(gram(sp.sqrt((samples_per_channel - 1) / samples_per_channel)), 0),
    layers_gram((("batch-eval",), ("batch-train",))), [spread_batch],
    "torch batch_norm in eval mode after one momentum-1 training update on the same batch (u), and in training (v)")

CLAIMS = [ORTHOGONAL_GRADIENT, GRADIENT_SCALING, HESSIAN_EULER, NORM_GROWTH, GD_RESCALING, WEIGHT_DECAY,
          GROUP_NORM_EXTREMES, BATCH_NORM_EVAL]
