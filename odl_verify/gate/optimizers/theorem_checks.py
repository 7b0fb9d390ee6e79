"""Theorems checked on the target itself: the catalog names claims by their registry names, and this
module binds each to a run of the target (which hyperparameters make the target the claim's
method). The instances come from the claims' own family (positive definite quadratics with
certified extreme eigenvalues), the step sizes from the claims' own domains (``free_values`` over
``tau_range``), the bounds from the claims' compiled conclusions: no formula is restated here.

* ``descent-lemma``: one plain step at η from the claim's domain, β drawn from [L, …);
* ``quadratic-contraction-general-step``: t plain steps at η in (0, 2/λ_max);
* ``heavy-ball-rate``: t steps with momentum at Polyak's (α*, β*) (torch's SGD with dampening 0 is
  the slides' heavy ball, ``heavy-ball-is-torch-sgd-momentum``).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil

import mpmath
import numpy as np
import torch
from hypothesis import strategies as st

from ...core.precision import CONFIRM_DIGITS
from ...definitions.backend import MpNamespace, TorchNamespace, to_mp
from ...definitions.claims import Claim
from ...definitions.claims.compile import first
from ...definitions.families import Quadratic
from ...engine.calls import call_user_code
from ...engine.trajectories import UNIT_ROUNDOFF
from .checks import Finding, tensor_list
from .running import host_copy, on_target_device

FAMILY = Quadratic(definite=True)


@functools.cache
def claim_named(name: str) -> Claim:
    """A shipped claim by its registry name (the theorems' modules list theirs in CLAIMS)."""
    from ... import theorems
    for module in pkgutil.iter_modules(theorems.__path__):
        for claim in getattr(importlib.import_module(f"{theorems.__name__}.{module.name}"), "CLAIMS", []):
            if claim.name == name:
                return claim
    raise KeyError(name)


@st.composite
def quadratic_cases(draw):
    d = draw(st.integers(1, 6))
    raw = draw(FAMILY.strategy(d))
    return {"raw": {k: np.asarray(v).tolist() for k, v in raw.items()}, "tau": draw(st.floats(0.0, 1.0)),
            "tau_beta": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.3))), "steps": draw(st.integers(1, 10)),
            "start": draw(st.sampled_from(["top-eigenvector", "bottom-eigenvector", "gaussian"])),
            "seed": draw(st.integers(0, 2 ** 16))}


class CaseQuadratic:
    """The case's quadratic f(x) = ½xᵀAx (one instance), its constants and start, in float64."""

    def __init__(self, case: dict):
        xp = TorchNamespace()
        self.params = FAMILY.constrain({k: torch.tensor(v, dtype=torch.float64)[None] for k, v in case["raw"].items()}, xp)
        self.constants = {k: v for k, v in FAMILY.constants(self.params, xp).items()}
        self.dimension = self.params["eigenvalues"].shape[-1]
        self.reflectors = self.params["reflectors"].shape[1]
        if case["start"] == "gaussian":
            generator = torch.Generator().manual_seed(case["seed"])
            self.x0 = torch.randn(self.dimension, generator=generator, dtype=torch.float64)
        else:
            self.x0 = FAMILY.direction(case["start"], self.params, xp)[0]

    def grad(self, x):
        """∇f at one point (on the target's device)."""
        return FAMILY.grad({k: v.to(x.device) for k, v in self.params.items()}, x[None], TorchNamespace(x.device))[0]

    def params_in(self, xp) -> dict:
        return self.params if xp.name == "torch" else {k: to_mp(v) for k, v in self.params.items()}

    def roundings_per_step(self) -> int:
        """Roundings of one gradient step, in units of u·|x|: two for the update, and per Householder
        reflection about 2(2d + 5) (v·x and ‖v‖² are d-term sums, then the update), once into the
        eigenbasis and once out."""
        return 2 + 4 * self.reflectors * (2 * self.dimension + 5)


def _free(claim: Claim, taus: dict, known: dict) -> dict:
    """The claim's free symbols from τ ∈ [0, 1] each (kept inside ``tau_range``), by name."""
    symbols = {s.name: s for s in claim.arguments}
    tau = {}
    for domain in claim.domains:
        low, high = claim.tau_range(domain.symbol)
        tau[domain.symbol] = torch.tensor([low + (high - low) * taus[domain.symbol.name]], dtype=torch.float64)
    values = claim.free_values(tau, {symbols[k]: torch.tensor([float(v)], dtype=torch.float64)
                                     for k, v in known.items()}, TorchNamespace())
    return {s.name: float(v[0]) for s, v in values.items()}


def _run(target, quadratic: CaseQuadratic, hp: dict, steps: int, timeout: float) -> list[torch.Tensor]:
    x = on_target_device(quadratic.x0).clone().requires_grad_(True)
    optimizer = call_user_code("constructing the optimizer", timeout, target, [x], **hp)
    points = [quadratic.x0]
    for t in range(steps):
        x.grad = quadratic.grad(x.detach())
        call_user_code(f"step() {t + 1}", timeout, optimizer.step)
        points.append(host_copy(x))
    return points


def _plain(info, accepted: set[str]) -> dict:
    """torch's defaults for everything the target accepts but lr: the plain method."""
    return {k: v for k, v in info.defaults.items() if k in accepted and k != "lr"}


def check_descent_lemma(claim, info, target, case, quadratic, accepted, timeout) -> Finding | None:
    smooth = float(quadratic.constants["smoothness"][0])
    values = _free(claim, {"beta": case["tau_beta"], "eta": case["tau"]}, {"L": smooth})
    x, x_next = _run(target, quadratic, {**_plain(info, accepted), "lr": values["eta"]}, 1, timeout)
    with mpmath.workdps(CONFIRM_DIGITS):
        xp = MpNamespace(CONFIRM_DIGITS)
        params, point, moved = quadratic.params_in(xp), to_mp(x[None]), to_mp(x_next[None])
        g = FAMILY.grad(params, point, xp)
        grad_sq = xp.sum(g * g)
        named = {"L": smooth, **values, "f_t": FAMILY.value(params, point, xp),
                 "f_next": FAMILY.value(params, moved, xp), "grad_sq": grad_sq}
        small, big = (first(v) for v in claim.sides({s: named[s.name] for s in claim.arguments}, xp))
        # the target's x₁ is rounded: each entry by about r·u(|x| + η|g|), which moves f(x₁) by up to ‖∇f(x₁)‖
        # times that (past η = 2/L, ‖∇f(x₁)‖ exceeds ‖g‖), and f(x₀)'s gradient term covers x₀'s own rounding
        norm_g = float(mpmath.sqrt(first(grad_sq)))
        g_next = FAMILY.grad(params, moved, xp)
        norm_next = float(mpmath.sqrt(first(xp.sum(g_next * g_next))))
        allowance = (UNIT_ROUNDOFF[torch.float64] * quadratic.roundings_per_step() * (norm_g + norm_next)
                     * (float(x.norm()) + values["eta"] * norm_g))
        gap = float(big - small)
    if gap >= -allowance:
        return None
    shown = {"instance": "f(x) = ½xᵀAx", "eigenvalues": tensor_list(quadratic.params["eigenvalues"]),
             "start": tensor_list(x), "beta": values["beta"], "lr": values["eta"], "x_1": tensor_list(x_next),
             "gap (60 digits)": gap, "roundoff allowance": allowance}
    return Finding(claim.name, f"a plain step violates the descent lemma ({claim.statement()}) by {-gap:.3g}",
                   shown, step=1, theorem=True)


def _norm_bound(claim, named: dict, allowance, what: str, shown: dict) -> Finding | None:
    """The first step where ‖x_t‖ exceeds ``claim``'s bound by more than the roundoff ``allowance``."""
    small, big = claim.sides({s: named[s.name] for s in claim.arguments}, TorchNamespace())
    observed, bound = claim.observed_and_bound(small, big)
    over = (observed > bound + allowance).nonzero()
    if not len(over):
        return None
    step = int(over[0])
    return Finding(claim.name, f"{what}: ‖x_t‖ = {float(observed[step]):.17g} exceeds the bound "
                               f"{float(bound[step]):.17g} at t = {step} ({claim.statement()})", shown, step=step,
                   theorem=True)


def _norms(points):
    norms = torch.stack([p.norm() for p in points])
    return norms, torch.cat([torch.zeros(1, dtype=torch.float64), torch.cumsum(norms[:-1], 0)])


def check_contraction(claim, info, target, case, quadratic, accepted, timeout) -> Finding | None:
    low, high = (float(quadratic.constants[k][0]) for k in ("lambda_min", "lambda_max"))
    eta = _free(claim, {"eta": case["tau"]}, {"lambda_min": low, "lambda_max": high})["eta"]
    steps = torch.arange(case["steps"] + 1, dtype=torch.float64)
    norms, carried = _norms(_run(target, quadratic, {**_plain(info, accepted), "lr": eta}, case["steps"], timeout))
    # each step rounds a magnitude ‖x‖ + η‖∇f‖ ≤ (1 + ηλ_max)‖x‖ a few times; ρ ≤ 1 carries it on; the norm adds d
    allowance = UNIT_ROUNDOFF[torch.float64] * (quadratic.roundings_per_step() * (1 + eta * high) * carried
                                                + quadratic.dimension * norms)
    as_tensor = lambda v: torch.tensor(v, dtype=torch.float64)
    return _norm_bound(claim, {"eta": as_tensor(eta), "lambda_min": as_tensor(low), "lambda_max": as_tensor(high),
                               "t": steps, "norm_t": norms, "norm_0": norms[0]},
                       allowance, "plain steps on a positive definite quadratic",
                       {"eigenvalues": tensor_list(quadratic.params["eigenvalues"]), "lr": eta,
                        "steps": case["steps"], "norms": norms.tolist()})


def check_heavy_ball(claim, info, target, case, quadratic, accepted, timeout) -> Finding | None:
    if "momentum" not in accepted:
        return None
    from ...theorems.heavy_ball import polyak_parameters
    low, high = (quadratic.constants[k] for k in ("lambda_min", "lambda_max"))
    alpha, momentum = (float(v[0]) for v in polyak_parameters(low, high, TorchNamespace()))
    steps = torch.arange(case["steps"] + 1, dtype=torch.float64)
    hp = {**_plain(info, accepted), "lr": alpha, "momentum": momentum, "dampening": 0.0}
    norms, carried = _norms(_run(target, quadratic, {k: v for k, v in hp.items() if k in accepted}, case["steps"],
                                 timeout))
    # each step rounds |x_t| + |x_{t−1}| + α|∇f| a few times, and the iteration's powers grow by at most 1 + 2t
    allowance = UNIT_ROUNDOFF[torch.float64] * (2 * quadratic.roundings_per_step() * (1 + 2 * steps) * carried
                                                + quadratic.dimension * norms)
    return _norm_bound(claim, {"mu": low[0], "L": high[0], "t": steps, "norm_t": norms, "norm_0": norms[0]},
                       allowance, f"momentum at Polyak's parameters (lr {alpha:.6g}, momentum {momentum:.6g})",
                       {"eigenvalues": tensor_list(quadratic.params["eigenvalues"]), "lr": alpha,
                        "momentum": momentum, "steps": case["steps"], "norms": norms.tolist()})


#: registry name of a claim → how the target is run to check it
BINDINGS = {"descent-lemma": check_descent_lemma, "quadratic-contraction-general-step": check_contraction,
            "heavy-ball-rate": check_heavy_ball}


def check_claims(info, target, case: dict, accepted: set[str], timeout: float) -> Finding | None:
    """The first of the row's claims the target violates on the case's quadratic."""
    quadratic = CaseQuadratic(case)
    for name in info.claims:
        finding = BINDINGS[name](claim_named(name), info, target, case, quadratic, accepted, timeout)
        if finding is not None:
            return finding
    return None
