"""What each method supports, as data (in the spirit of PyTorch's OptimizerInfo).

One :class:`MethodInfo` per method of the slides and of torch.optim: its hyperparameters with
their domains (sympy sets) and defaults, the forms available (the slides', the published one,
torch.optim's) with how each departs from the others, and the theorem-level properties that
apply, by the names ``odl-verify check`` knows them under. :func:`rule` builds a form's update
rule. :data:`OPTIMIZERS` (from :mod:`.optimizer_table`) is the table the optimizer gate runs
from: one row per torch.optim class, pointing back at these methods.
"""
from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import sympy as sp

from ...errors import UsageError
from .optimizer_table import OPTIMIZERS, OptimizerInfo, optimizer  # noqa: F401  (the gate's table)
from .torch_quirks import Quirk

POSITIVE = sp.Interval.open(0, sp.oo)
NONNEGATIVE = sp.Interval(0, sp.oo)
UNIT = sp.Interval.Ropen(0, 1)


@dataclasses.dataclass(frozen=True)
class Hyperparameter:
    #: keyword of the rule's dataclass
    name: str
    #: the slides' symbol
    symbol: str
    domain: sp.Set
    default: Any


@dataclasses.dataclass(frozen=True)
class Form:
    #: "module:Class" of the rule (resolved on use, so a form may live in a file still being written)
    rule: str
    source: str
    #: keywords that turn the class into this form (torch's Adadelta is Zeiler's at lr = 1)
    fixed: dict = dataclasses.field(default_factory=dict)
    note: str = ""
    #: False for a method written as its own loop rather than as an init/update rule
    rule_protocol: bool = True


@dataclasses.dataclass(frozen=True)
class MethodInfo:
    name: str
    title: str
    reference: str
    #: what the rule is given: "gradient", "gradient at a look-ahead point", "gradient and Hessian"
    oracle: str
    hyperparameters: tuple[Hyperparameter, ...]
    forms: dict[str, Form]
    #: names of the registered theorems and findings about this method
    claims: tuple[str, ...] = ()
    #: properties checked in tests (tests/test_methods.py), in words
    properties: tuple[str, ...] = ()
    #: torch 2.13's known quirks of its implementation (the gates name them beside a failing case)
    quirks: tuple[Quirk, ...] = ()

    def defaults(self) -> dict[str, Any]:
        return {h.name: h.default for h in self.hyperparameters}


_TEXTBOOK = "odl_verify.definitions.methods.textbook"
_TORCH = "odl_verify.definitions.methods.torch_optim"
_LR = Hyperparameter("lr", "η", POSITIVE, 1e-2)

METHODS: dict[str, MethodInfo] = {m.name: m for m in (
    MethodInfo(
        "gd", "Gradient descent", "Cauchy 1847; slides 'Gradient descent for non-convex optimization'",
        "gradient", (_LR,),
        {"slides": Form(f"{_TEXTBOOK}:GradientDescent", "slides"),
         "torch.optim": Form(f"{_TORCH}:SGD", "torch.optim.SGD", note="momentum 0: the same rule")},
        claims=("descent-lemma", "sgd-expected-descent", "sgd-constant-step-plateau", "sgd-decreasing-schedule")),
    MethodInfo(
        "heavy-ball", "Heavy ball", "Polyak 1964; docs/theory.md §3, §6", "gradient",
        (_LR, Hyperparameter("momentum", "β", UNIT, 0.9)),
        {"slides": Form(f"{_TEXTBOOK}:HeavyBall", "slides"),
         "torch.optim": Form(f"{_TORCH}:SGD", "torch.optim.SGD", {"dampening": 0},
                             note="the same iterates under b = −v, μ = β (proved in sympy)")},
        claims=("heavy-ball-rate", "heavy-ball-is-torch-sgd-momentum")),
    MethodInfo(
        "nesterov", "Nesterov acceleration", "Nesterov 1983; Sutskever et al. 2013; docs/theory.md §6",
        "gradient at a look-ahead point",
        (_LR, Hyperparameter("momentum", "β", UNIT, 0.9)),
        {"slides": Form(f"{_TEXTBOOK}:Nesterov", "slides", {"form": "slides"},
                        note="look-ahead x + βv ignores η: a different method unless η = 1"),
         "sutskever": Form(f"{_TEXTBOOK}:Nesterov", "Sutskever et al. 2013", {"form": "sutskever"},
                           note="η folded into v, the form the look-ahead is consistent with"),
         "torch.optim": Form(f"{_TORCH}:SGD", "torch.optim.SGD", {"dampening": 0, "nesterov": True},
                             note="iterates are the look-ahead points θ = x + βv, b = −v/η (proved in sympy)"),
         "fista": Form("odl_verify.definitions.methods.accelerated:FISTA", "Beck & Teboulle 2009",
                       note="momentum (t_k − 1)/t_{k+1} from t_1 = 1 instead of a constant β")},
        claims=("nesterov-is-torch-nesterov", "nesterov-slides-is-not-nesterov", "fista-rate",
                "nesterov-strongly-convex-rate")),
    MethodInfo(
        "newton", "Newton's method (damped)", "slides 'Newton's Method'; docs/theory.md §6, §8",
        "gradient and Hessian", (Hyperparameter("lr", "η", POSITIVE, 1.0),),
        {"slides": Form(f"{_TEXTBOOK}:Newton", "slides")},
        claims=("newton-quadratic-one-step", "newton-local-rate", "newton-affine-invariance"),
        properties=("η = 1 solves a positive definite quadratic in one step",
                    "iterates are invariant under affine changes of variables")),
    MethodInfo(
        "adagrad", "AdaGrad", "Duchi, Hazan, Singer 2011; docs/theory.md §6", "gradient",
        (_LR, Hyperparameter("eps", "ε", POSITIVE, 1e-10)),
        {"slides": Form(f"{_TEXTBOOK}:AdaGradSlides", "slides",
                        note="(G + εI)⁻¹ without the square root: steps scale as 1/c when gradients scale by c"),
         "published": Form(f"{_TORCH}:Adagrad", "Duchi et al. 2011", {"lr_decay": 0, "initial_accumulator_value": 0},
                           note="δ + G^{1/2}: invariant to rescaling the gradients as ε → 0"),
         "torch.optim": Form(f"{_TORCH}:Adagrad", "torch.optim.Adagrad")},
        claims=("adagrad-slides-is-not-scale-invariant", "adagrad-lemma", "adagrad-regret")),
    MethodInfo(
        "rmsprop", "RMSProp", "Hinton, Srivastava, Swersky 2012 (lecture 6e); docs/theory.md §6", "gradient",
        (_LR, Hyperparameter("decay", "β", UNIT, 0.99), Hyperparameter("eps", "ε", POSITIVE, 1e-8)),
        {"slides": Form(f"{_TEXTBOOK}:RMSPropSlides", "slides", note="ε inside the square root"),
         "torch.optim": Form(f"{_TORCH}:RMSprop", "torch.optim.RMSprop",
                             note="ε outside the square root; decay is called alpha")}),
    MethodInfo(
        "adadelta", "AdaDelta", "Zeiler 2012; docs/theory.md §6", "gradient",
        (Hyperparameter("lr", "η", POSITIVE, 1.0), Hyperparameter("rho", "ρ", UNIT, 0.9),
         Hyperparameter("eps", "ε", POSITIVE, 1e-6)),
        {"slides": Form(f"{_TEXTBOOK}:AdaDeltaSlides", "slides",
                        note="u accumulates ‖Δx‖² (one number), Zeiler an elementwise E[Δx²]"),
         "published": Form(f"{_TORCH}:Adadelta", "Zeiler 2012", {"lr": 1.0}),
         "torch.optim": Form(f"{_TORCH}:Adadelta", "torch.optim.Adadelta")}),
    MethodInfo(
        "adam", "Adam", "Kingma & Ba 2015; docs/theory.md §6", "gradient",
        (Hyperparameter("lr", "η", POSITIVE, 1e-3), Hyperparameter("betas", "(β₁, β₂)", UNIT * UNIT, (0.9, 0.999)),
         Hyperparameter("eps", "ε", POSITIVE, 1e-8)),
        {"slides": Form(f"{_TEXTBOOK}:AdamSlides", "slides",
                        note="no bias correction, ε inside the root: the first step is (1 − β₁)/√(1 − β₂) "
                             "times Adam's (≈ 3.16 at the defaults)"),
         "published": Form(f"{_TORCH}:Adam", "Kingma & Ba 2015", {"weight_decay": 0, "amsgrad": False},
                           note="bias-corrected m̂/(√v̂ + ε)"),
         "torch.optim": Form(f"{_TORCH}:Adam", "torch.optim.Adam")},
        claims=("adam-slides-first-step", "adam-step-bound", "adam-reddi-worst-point", "amsgrad-reddi-optimum")),
    MethodInfo(
        "adamw", "AdamW", "Loshchilov & Hutter 2019", "gradient",
        (Hyperparameter("lr", "η", POSITIVE, 1e-3), Hyperparameter("weight_decay", "λ", NONNEGATIVE, 1e-2)),
        {"published": Form(f"{_TORCH}:AdamW", "Loshchilov & Hutter 2019, Algorithm 2",
                           note="θ ← θ − η_t(α·m̂/(√v̂ + ε) + λθ): the decay follows the schedule multiplier η_t, "
                                "torch's follows lr (θ(1 − lr·λ)); the same rule at η_t = lr/α"),
         "torch.optim": Form(f"{_TORCH}:AdamW", "torch.optim.AdamW")}),
    MethodInfo(
        "nadam", "NAdam", "Dozat 2016; torch.optim.NAdam", "gradient",
        (Hyperparameter("lr", "η", POSITIVE, 2e-3), Hyperparameter("momentum_decay", "ψ", NONNEGATIVE, 4e-3)),
        {"published": Form(f"{_TORCH}:NAdam", "Dozat 2016", {"momentum_decay": 4e-3},
                           note="μ_t = β₁(1 − ½·0.96^{t/250}): torch's momentum_decay ψ = 1/250"),
         "torch.optim": Form(f"{_TORCH}:NAdam", "torch.optim.NAdam")}),
    MethodInfo(
        "radam", "RAdam", "Liu et al. 2020", "gradient", (Hyperparameter("lr", "η", POSITIVE, 1e-3),),
        {"published": Form(f"{_TORCH}:RAdam", "Liu et al. 2020, Algorithm 2", {"sma_threshold": 4, "eps": 0},
                           note="rectified step from ρ_t > 4 and no ε; torch (and the authors' code) use ρ_t > 5"),
         "torch.optim": Form(f"{_TORCH}:RAdam", "torch.optim.RAdam")}),
    MethodInfo(
        "adamax", "Adamax", "Kingma & Ba 2015, §7.1", "gradient", (Hyperparameter("lr", "η", POSITIVE, 2e-3),),
        {"published": Form(f"{_TORCH}:Adamax", "Kingma & Ba 2015, Algorithm 2", {"eps": 0},
                           note="u_t = max(β₂u, |g|) without ε; torch adds ε inside the max"),
         "torch.optim": Form(f"{_TORCH}:Adamax", "torch.optim.Adamax")}),
    MethodInfo(
        "asgd", "Averaged SGD", "Polyak & Juditsky 1992; step sizes of Bottou 2012", "gradient",
        (Hyperparameter("lr", "η", POSITIVE, 1e-2), Hyperparameter("lambd", "λ", NONNEGATIVE, 1e-4),
         Hyperparameter("alpha", "α", NONNEGATIVE, 0.75), Hyperparameter("t0", "t₀", NONNEGATIVE, 1e6)),
        {"torch.optim": Form(f"{_TORCH}:ASGD", "torch.optim.ASGD",
                             note="η_t = lr/(1 + λ·lr·t)^α, averaging from t₀ on; the average lives in the state")}),
    MethodInfo(
        "rprop", "Rprop", "Riedmiller & Braun 1993; Igel & Hüsken 2000 (iRprop⁻)", "gradient (signs only)",
        (Hyperparameter("lr", "Δ₀", POSITIVE, 1e-2),),
        {"torch.optim": Form(f"{_TORCH}:Rprop", "torch.optim.Rprop",
                             note="iRprop⁻: a sign change shrinks the step and skips the update; Riedmiller & "
                                  "Braun's original reverts the previous step instead (not provided)")}),
    MethodInfo(
        "adafactor", "Adafactor", "Shazeer & Stern 2018", "gradient",
        (Hyperparameter("lr", "ρ", POSITIVE, 1e-2), Hyperparameter("d", "d", sp.Interval(1, sp.oo), 1.0)),
        {"published": Form(f"{_TORCH}:Adafactor", "Shazeer & Stern 2018, Algorithms 4 and 5",
                           {"eps": (1e-30, 1e-3), "beta2_decay": -0.8, "d": 1.0},
                           note="the paper adds ε₁ to g² before averaging, torch clamps v̂ at ε₁²; lr plays the "
                                "paper's 10⁻² in ρ_t = min(10⁻², 1/√t); neither has a first moment"),
         "torch.optim": Form(f"{_TORCH}:Adafactor", "torch.optim.Adafactor")}),
    MethodInfo(
        "sparse-adam", "SparseAdam", "torch.optim.SparseAdam", "sparse gradient",
        (Hyperparameter("lr", "η", POSITIVE, 1e-3),),
        {"torch.optim": Form(f"{_TORCH}:SparseAdam", "torch.optim.SparseAdam",
                             note="Adam on the entries the sparse gradient holds; one step count per parameter")}),
    MethodInfo(
        "lbfgs", "L-BFGS", "Nocedal 1980; Liu & Nocedal 1989; Schmidt's minFunc", "objective and gradient (closure)",
        (Hyperparameter("lr", "η", POSITIVE, 1.0),),
        {"torch.optim": Form(f"{_TORCH}:LBFGS", "torch.optim.LBFGS",
                             note="up to max_iter two-loop iterations per step; fixed steps unless "
                                  "line_search_fn='strong_wolfe' (the published method uses a Wolfe search)")}),
    MethodInfo(
        "clip-by-norm", "Gradient clipping by norm", "slides 'Gradient Clipping'; Pascanu et al. 2013",
        "gradient (a transform wrapping any rule)", (Hyperparameter("max_norm", "c", POSITIVE, 1.0),),
        {"slides": Form(f"{_TEXTBOOK}:ClipByNorm", "slides", note="g·min(1, c/‖g‖), then the wrapped rule"),
         "torch.optim": Form(f"{_TEXTBOOK}:ClipByNorm", "torch.nn.utils.clip_grad_norm_", {"eps": 1e-6},
                             note="g·min(1, c/(‖g‖ + 10⁻⁶)): the clipped norm is c‖g‖/(‖g‖ + 10⁻⁶), 0.9999998c "
                                  "at ‖g‖ = 5, c = 1 (torch's documented behaviour, not a defect)")},
        claims=("clipping-one-step-decrease",),
        properties=("the clipped gradient has norm min(‖g‖, c) and the direction of g",),
        quirks=(Quirk("clip_grad_norm-inf-norm-of-an-empty-gradient-raises", "defect",
                      "norm_type == inf and empty_gradients", "raises",
                      "torch 2.13's clip_grad_norm_ takes the inf-norm of each gradient first, and the max of an "
                      "empty one has no identity: it raises although the norm over all gradients exists",
                      "python -c 'import torch; a, b = torch.zeros(2, requires_grad=True), torch.zeros(0, "
                      "requires_grad=True); a.grad, b.grad = torch.ones(2), torch.zeros(0); "
                      "torch.nn.utils.clip_grad_norm_([a, b], 1.0, norm_type=float(\"inf\"))'  # RuntimeError"),)),
    MethodInfo(
        "clip-by-value", "Gradient clipping by value", "torch.nn.utils.clip_grad_value_",
        "gradient (a transform wrapping any rule)", (Hyperparameter("clip_value", "c", POSITIVE, 1.0),),
        {"torch.optim": Form(f"{_TEXTBOOK}:ClipByValue", "torch.nn.utils.clip_grad_value_",
                             note="every entry clamped into [−c, c]")},
        properties=("entries within [−c, c] are unchanged",),
        quirks=(Quirk("clip_grad_value-without-gradients-raises", "defect", "no_gradients", "raises",
                      "torch 2.13's clip_grad_value_ hands the (empty) list of gradients to a foreach kernel even "
                      "with foreach=False, which raises when no parameter has a gradient (clip_grad_norm_ returns 0)",
                      "python -c 'import torch; torch.nn.utils.clip_grad_value_([torch.zeros(3, requires_grad=True)], "
                      "1.0, foreach=False)'  # RuntimeError"),)),
    MethodInfo(
        "perturbed-gd", "Perturbed gradient descent", "Jin, Ge, Netrapalli, Kakade, Jordan 2017; docs/theory.md §5",
        "function value, gradient and random perturbations",
        (Hyperparameter("ell", "ℓ", POSITIVE, None), Hyperparameter("rho", "ρ", POSITIVE, None),
         Hyperparameter("epsilon", "ε", POSITIVE, None), Hyperparameter("delta", "δ", sp.Interval.open(0, 1), None),
         Hyperparameter("delta_f", "Δ_f", POSITIVE, None), Hyperparameter("c", "c", POSITIVE, None)),
        {"published": Form("odl_verify.definitions.methods.perturbed_gd:perturbed_gradient_descent", "Jin et al. 2017, Algorithm 2",
                           rule_protocol=False,
                           note="a random, torch-only loop with its own state (PGDState, pgd_step); "
                                "jin_parameters turns (d, ℓ, ρ, ε, δ, Δ_f, c) into η, r, g_thres, f_thres, t_thres")}),
)}


def resolve(reference: str):
    """The object named by ``module:attr`` (or the module for a bare module path)."""
    module_name, _, attr = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise UsageError(f"{reference}: {exc}") from None
    return getattr(module, attr) if attr else module


def rule(method: str, form: str = "slides", **hyperparameters):
    """An update rule: ``rule("adam", "published", lr=1e-3)``."""
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    info = METHODS[method]
    if form not in info.forms:
        raise UsageError(f"{method} has no form {form!r}; forms: {', '.join(info.forms)}")
    chosen = info.forms[form]
    if not chosen.rule_protocol:
        raise UsageError(f"{method} ({form}) is not an update rule: call {chosen.rule.replace(':', '.')} ({chosen.note})")
    clashes = {k for k, v in hyperparameters.items() if k in chosen.fixed and v != chosen.fixed[k]}
    if clashes:
        raise UsageError(f"the {form} form of {method} fixes {', '.join(f'{k}={chosen.fixed[k]!r}' for k in sorted(clashes))}")
    return resolve(chosen.rule)(**{**hyperparameters, **chosen.fixed})
