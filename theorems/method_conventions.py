"""The slides' methods against torch.optim and the published forms, proved in sympy.

Method: the update rules of ``odl_verify.definitions.methods`` (the slides' forms in ``textbook``,
torch.optim's in ``torch_optim``) run on symbols: a generic gradient g (any f), symbolic
η, β, x₀, for ``STEPS`` steps.

Theorems (Polyak 1964; Sutskever et al. 2013; Duchi, Hazan, Singer 2011; Kingma & Ba 2015;
torch.optim's algorithm boxes; docs/theory.md §6):

* heavy-ball-is-torch-sgd-momentum: the slides' heavy ball (v⁺ = −g(x) + βv, x⁺ = x + ηv⁺)
  is torch.optim.SGD(lr=η, momentum=β, dampening=0) with θ = x and b = −v.
* nesterov-is-torch-nesterov: Nesterov with η folded into v (Sutskever et al. 2013) is
  torch's ``nesterov=True`` with θ_t = x_t + βv_t (torch's iterates are the look-ahead
  points) and b_t = −v_t/η (u = v/η is the velocity without η).
* nesterov-slides-is-not-nesterov: the slides' literal Nesterov (look-ahead x + βv, then
  x⁺ = x + ηv⁺) agrees with it only at η = 1; at η = β = ½ on f = z²/2 from x₀ = 1,
  x₂ = 1/4 where Nesterov gives 1/8.
* adagrad-slides-is-not-scale-invariant: Duchi et al.'s AdaGrad (G^{−1/2}) takes the same
  steps when every gradient is multiplied by c > 0 (ε → 0); the slides' (G + εI)⁻¹ takes
  steps 1/c as long.
* adam-slides-first-step: Adam's bias correction makes the first step η·sign(g) (ε → 0);
  the slides' Adam (no correction) steps η(1 − β₁)/√(1 − β₂)·sign(g), √10 ≈ 3.16 times as
  far at the default β₁ = 0.9, β₂ = 0.999.

Hypotheses as checked: none beyond the rules themselves: the gradient is an undefined sympy
function, the hyperparameters are symbols. The rules are coordinatewise and linear in the
gradient, so a scalar x with an arbitrary function g proves the vector statement too: the
same operations run in every coordinate.

Exact: every identity is the difference of the two runs simplified to 0 over ``STEPS``
steps; every difference is exhibited at an exact rational witness.

Wrong variants (tests/variants/method_conventions_wrong.py): torch's buffer read as +v,
torch's Nesterov iterates read without the look-ahead, and the slides' literal Nesterov
read as torch's.
"""
from __future__ import annotations

import sympy as sp

from odl_verify.definitions.backend import SympyNamespace
from odl_verify.definitions.methods import AdaGradSlides, AdamSlides, HeavyBall, Nesterov, iterates, trajectory
from odl_verify.definitions.methods.torch_optim import SGD, Adagrad, Adam
from odl_verify.engine.proofs import SymbolicFinding

#: steps over which each identity is proved
STEPS = 4
xp = SympyNamespace()
eta, beta, c = sp.symbols("eta beta c", positive=True)
beta1, beta2 = sp.symbols("beta1 beta2", positive=True)
x0 = sp.Symbol("x0", real=True)
z = sp.Symbol("z", real=True)
#: the gradient of an arbitrary f, and a gradient sequence (the online setting of AdaGrad)
g = sp.Function("g", real=True)
gradients = sp.symbols(f"g1:{STEPS}", real=True, nonzero=True)

#: f = z²/2 (g(z) = z), η = β = ½, x₀ = 1, c = 2, unit gradients, Adam's default β's
WITNESS = {g: sp.Lambda(z, z), eta: sp.Rational(1, 2), beta: sp.Rational(1, 2), x0: 1, c: 2,
           beta1: sp.Rational(9, 10), beta2: sp.Rational(999, 1000), **{s: 1 for s in gradients}}


def torch_sgd(nesterov: bool = False):
    return SGD(lr=eta, momentum=beta, dampening=0, nesterov=nesterov)


def convention_pairs(textbook, torch_rule, theta, buffer, steps: int = STEPS):
    """θ_t = theta(x_t, s_t) and b_t = buffer(x_t, s_t) for t = 1..steps, both rules run on g from x₀.

    ``theta`` and ``buffer`` are (function, how it reads) pairs: the convention and its label.
    """
    ours = trajectory(textbook, g, x0, xp, steps)
    theirs = trajectory(torch_rule, g, x0, xp, steps)
    pairs = []
    for t, ((x, state), (param, torch_state)) in enumerate(zip(ours, theirs)):
        if t:
            pairs.append((f"theta_{t} = {theta[1]}", param, theta[0](x, state)))
            pairs.append((f"b_{t} = {buffer[1]}", torch_state["momentum_buffer"], buffer[0](x, state)))
    return pairs


HEAVY_BALL_IS_TORCH_SGD = SymbolicFinding(
    "heavy-ball-is-torch-sgd-momentum",
    title="Heavy ball on the slides is torch SGD with momentum",
    reference="Polyak 1964; torch.optim.SGD; docs/theory.md §6",
    statement=f"slides' heavy ball (v+ = -g(x) + beta*v, x+ = x + eta*v+) == torch SGD(lr=eta, momentum=beta, "
              f"dampening=0) with theta = x, b = -v, for every f, over {STEPS} steps",
    method="heavy ball, slides vs torch.optim.SGD",
    agree=lambda: convention_pairs(HeavyBall(lr=eta, momentum=beta), torch_sgd(),
                                   theta=(lambda x, s: x, "x"), buffer=(lambda x, s: -s["velocity"], "-v")),
    witness=WITNESS)

NESTEROV_IS_TORCH_NESTEROV = SymbolicFinding(
    "nesterov-is-torch-nesterov",
    title="Nesterov is torch SGD(nesterov=True) at the look-ahead points",
    reference="Sutskever et al. 2013; torch.optim.SGD; docs/theory.md §6",
    statement=f"Nesterov (v+ = beta*v - eta*g(x + beta*v), x+ = x + v+) == torch SGD(lr=eta, momentum=beta, "
              f"nesterov=True) with theta = x + beta*v, b = -v/eta, for every f, over {STEPS} steps",
    method="Nesterov (Sutskever form) vs torch.optim.SGD(nesterov=True)",
    agree=lambda: convention_pairs(Nesterov(lr=eta, momentum=beta, form="sutskever"), torch_sgd(nesterov=True),
                                   theta=(lambda x, s: x + beta * s["velocity"], "x + beta*v"),
                                   buffer=(lambda x, s: -s["velocity"] / eta, "-v/eta")),
    witness=WITNESS)


def _slides_vs_nesterov():
    slides = trajectory(Nesterov(lr=eta, momentum=beta, form="slides"), g, x0, xp, 2)
    nesterov = trajectory(Nesterov(lr=eta, momentum=beta, form="sutskever"), g, x0, xp, 2)
    torch_iterates = trajectory(torch_sgd(nesterov=True), g, x0, xp, 2)
    (x2, state), = slides[2:]
    return [("x_2: slides vs Nesterov", x2, nesterov[2][0]),
            ("theta_2 vs slides' look-ahead x_2 + eta*beta*v_2", torch_iterates[2][0],
             x2 + eta * beta * state["velocity"])]


def _slides_at_unit_step():
    slides = trajectory(Nesterov(lr=1, momentum=beta, form="slides"), g, x0, xp, STEPS)
    nesterov = trajectory(Nesterov(lr=1, momentum=beta, form="sutskever"), g, x0, xp, STEPS)
    return [(f"x_{t} at eta = 1", a[0], b[0]) for t, (a, b) in enumerate(zip(slides, nesterov)) if t]


NESTEROV_SLIDES_IS_NOT_NESTEROV = SymbolicFinding(
    "nesterov-slides-is-not-nesterov",
    title="The slides' Nesterov, taken literally, is another method",
    reference="slides 'Momentum: Nesterov Acceleration'; docs/theory.md §6",
    statement="slides' Nesterov (v+ = -g(x + beta*v) + beta*v, x+ = x + eta*v+) equals Nesterov only at eta = 1; "
              "for other eta its iterates differ (look-ahead x + beta*v misses eta)",
    method="Nesterov, slides vs Sutskever form vs torch.optim.SGD(nesterov=True)",
    agree=_slides_at_unit_step, differ=_slides_vs_nesterov, witness=WITNESS)


def _scaled_runs(rule):
    """The rule on the gradient sequence g₁, g₂, … and on c·g₁, c·g₂, …: iterates t = 1..STEPS−1."""
    plain = iterates(rule, list(gradients), x0, xp)[1:]
    scaled = iterates(rule, [c * v for v in gradients], x0, xp)[1:]
    return plain, scaled


def _adagrad_scaling():
    published, published_scaled = _scaled_runs(Adagrad(lr=eta, eps=0))
    slides, slides_scaled = _scaled_runs(AdaGradSlides(lr=eta, eps=0))
    pairs = [(f"published x_{t}(c*g) = x_{t}(g)", a, b)
             for t, (a, b) in enumerate(zip(published_scaled, published), 1)]
    pairs += [(f"slides c*(x_{t}(c*g) - x0) = x_{t}(g) - x0", c * (a - x0), b - x0)
              for t, (a, b) in enumerate(zip(slides_scaled, slides), 1)]
    return pairs


def _adagrad_slides_first_steps():
    plain, scaled = _scaled_runs(AdaGradSlides(lr=eta, eps=0))
    return [("slides x_1(c*g) vs x_1(g)", scaled[0], plain[0])]


ADAGRAD_SLIDES_IS_NOT_SCALE_INVARIANT = SymbolicFinding(
    "adagrad-slides-is-not-scale-invariant",
    title="AdaGrad without the square root is not scale invariant",
    reference="Duchi, Hazan, Singer 2011; slides 'AdaGrad'; docs/theory.md §6",
    statement="with eps -> 0 and gradients multiplied by c > 0: Duchi et al.'s AdaGrad (G^(-1/2)) takes the same "
              "steps; the slides' (G + eps*I)^(-1) takes steps 1/c as long, so the two differ",
    method="AdaGrad, slides vs Duchi et al. (torch.optim.Adagrad)",
    agree=_adagrad_scaling,
    differ=_adagrad_slides_first_steps,
    witness=WITNESS)


def _adam_first_steps():
    published = iterates(Adam(lr=eta, betas=(beta1, beta2), eps=0), gradients[:1], x0, xp)[1] - x0
    slides = iterates(AdamSlides(lr=eta, betas=(beta1, beta2), eps=0), gradients[:1], x0, xp)[1] - x0
    return published, slides


ADAM_SLIDES_FIRST_STEP = SymbolicFinding(
    "adam-slides-first-step",
    title="Adam without bias correction takes a longer first step",
    reference="Kingma & Ba 2015, §3; slides 'Adam'; docs/theory.md §6",
    statement="with eps -> 0 the first step of Adam is -eta*sign(g); the slides' Adam (no bias correction) steps "
              "-eta*(1 - beta1)/sqrt(1 - beta2)*sign(g): sqrt(10) times as far at beta1 = 0.9, beta2 = 0.999",
    method="Adam, slides vs Kingma & Ba (torch.optim.Adam)",
    agree=lambda: [("published x_1 - x0 = -eta*sign(g)", _adam_first_steps()[0], -eta * sp.sign(gradients[0])),
                   ("slides x_1 - x0 = -eta*(1 - beta1)/sqrt(1 - beta2)*sign(g)", _adam_first_steps()[1],
                    -eta * (1 - beta1) / sp.sqrt(1 - beta2) * sp.sign(gradients[0]))],
    differ=lambda: [("first step: slides vs published", *reversed(_adam_first_steps()))],
    witness=WITNESS)

CLAIMS = [HEAVY_BALL_IS_TORCH_SGD, NESTEROV_IS_TORCH_NESTEROV, NESTEROV_SLIDES_IS_NOT_NESTEROV,
          ADAGRAD_SLIDES_IS_NOT_SCALE_INVARIANT, ADAM_SLIDES_FIRST_STEP]
