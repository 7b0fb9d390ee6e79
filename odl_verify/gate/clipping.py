"""Gates for torch.nn.utils.clip_grad_norm_ and clip_grad_value_ against the slides' gradient clipping.

The reference is the catalog's clipping rule (``clip-by-norm``, ``clip-by-value``): g·min(1, c/‖g‖_p)
over all gradients together, or its torch form g·min(1, c/(‖g‖_p + 10⁻⁶)) (torch's documented 10⁻⁶
leaves the clipped norm at 0.9999998·c for ‖g‖ = 5, c = 1: its behaviour, not a defect, so either
passes), and every entry clamped into [−c, c]. Hypothesis draws one to four gradients (None, zero, Gaussian at a scale from 1e-6 to 1e6,
now and then one with an inf), float32, float64, bfloat16 or float16, max_norm around their norm
(so both clipped and untouched cases come up), norm_type 2, 1, 3, ½ or inf, foreach and
error_if_nonfinite. Checked: the returned total norm, the gradients after the call (within
u·(n + 8)·(|reference| + tiny), n the number of entries and tiny the dtype's smallest normal number,
confirmed at 60 digits), and a raise exactly when error_if_nonfinite meets a non-finite norm.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time

import mpmath
import numpy as np
import torch
from hypothesis import assume
from hypothesis import strategies as st

from ..core.config import CheckConfig
from ..core.loading import load_object
from ..core.precision import CONFIRM_DIGITS
from ..core.verdict import ERROR, FALSIFIED, Counterexample, Verdict, open_verdict
from ..definitions.backend import MpNamespace, TorchNamespace, to_mp
from ..definitions.methods.catalog import METHODS, rule
from ..engine.calls import call_user_code
from ..engine.trajectories import UNIT_ROUNDOFF, same_value
from ..errors import UsageError, UserCodeError, UserCodeTimeout
from . import GateStatement, register
from .domain import Condition, conditions
from .lines import gate_line, replay_line
from .search import first_failure

SHAPES = [(3,), (2, 3), (), (1,), (4,), (0,)]


@dataclasses.dataclass
class ClipCase:
    method: str
    dtype: str
    shapes: list
    #: per gradient: "gaussian", "zero", "none" or "inf" (one entry +inf)
    kinds: list
    scale: int
    data_seed: int
    bound: float
    norm_type: float
    foreach: bool | None
    error_if_nonfinite: bool

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def names(self) -> dict:
        """The case in the domain language."""
        return {"dtype": self.dtype, "norm_type": self.norm_type, "foreach": self.foreach,
                "error_if_nonfinite": self.error_if_nonfinite, "gradients": sum(k != "none" for k in self.kinds),
                "no_gradients": all(k == "none" for k in self.kinds), "nonfinite": "inf" in self.kinds,
                "empty_gradients": any(k != "none" and 0 in s for k, s in zip(self.kinds, self.shapes))}

    def gradients(self) -> list:
        generator = torch.Generator().manual_seed(self.data_seed)
        out = []
        for shape, kind in zip(self.shapes, self.kinds):
            value = torch.randn(shape, generator=generator, dtype=torch.float64) * 10.0 ** self.scale
            if kind == "inf" and value.numel():
                value.reshape(-1)[0] = math.inf
            out.append(None if kind == "none" else (value * 0 if kind == "zero" else value).to(getattr(torch, self.dtype)))
        return out


@st.composite
def cases(draw, method: str, domain=()):
    n = draw(st.integers(1, 4))
    case = ClipCase(method, draw(st.sampled_from(["float64", "float32", "float64", "float32", "bfloat16", "float16"])),
                    draw(st.lists(st.sampled_from(SHAPES), min_size=n, max_size=n)),
                    draw(st.lists(st.sampled_from(["gaussian", "gaussian", "gaussian", "zero", "none", "inf"]),
                                  min_size=n, max_size=n)),
                    draw(st.integers(-4, 3)), draw(st.integers(0, 2 ** 31 - 1)),
                    # the bound in units of the gradients' scale: clipped, untouched and in between
                    float(f"{10 ** draw(st.floats(-2.0, 2.0)):.3g}"),
                    draw(st.sampled_from([2.0, 1.0, 3.0, 0.5, math.inf])), draw(st.sampled_from([None, False, True])),
                    draw(st.booleans()))
    assume(all(c.holds(case.names()) for c in domain))
    return case


def reference(case: ClipCase, xp, convert, form: str = "slides"):
    """(clipped gradients, total norm) of the catalog's clipping (the slides' form, or torch's with its
    10⁻⁶) on all gradients as one vector."""
    grads = case.gradients()
    present = [g for g in grads if g is not None]
    flat = convert(torch.cat([g.double().reshape(-1) for g in present])[None]) if present else None
    bound = case.bound * 10.0 ** case.scale
    if case.method == "clip_grad_value":
        clipper = rule("clip-by-value", "torch.optim", clip_value=bound)
        return ([None if g is None else clipper.clip(convert(g.double()), xp) for g in grads], None)
    clipper = rule("clip-by-norm", form, max_norm=bound, norm_type=case.norm_type)
    if flat is None or not flat.shape[-1]:  # no entries at all: the norm is 0 and nothing moves
        return [None if g is None else convert(g.double()) for g in grads], 0.0
    clipped, norm = clipper.clip(flat, xp)[0], clipper.norm(flat, xp)[0]
    out, offset = [], 0
    for g in grads:
        if g is None:
            out.append(None)
            continue
        out.append(clipped[offset:offset + g.numel()].reshape(g.shape))
        offset += g.numel()
    return out, norm


def run_target(target, case: ClipCase, timeout: float):
    grads = case.gradients()
    params = [torch.zeros(g.shape if g is not None else (1,), dtype=getattr(torch, case.dtype), requires_grad=True)
              for g in grads]
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.clone()
    bound = case.bound * 10.0 ** case.scale
    if case.method == "clip_grad_value":
        returned = call_user_code("clip_grad_value_", timeout, target, params, bound, foreach=case.foreach)
    else:
        returned = call_user_code("clip_grad_norm_", timeout, target, params, bound, norm_type=case.norm_type,
                                  error_if_nonfinite=case.error_if_nonfinite, foreach=case.foreach)
    return [None if p.grad is None else p.grad.detach().double() for p in params], returned


def _count(case: ClipCase) -> int:
    return sum(math.prod(s) for s, k in zip(case.shapes, case.kinds) if k != "none")


#: the forms a clipped gradient may follow: the slides' math, and torch's documented 10⁻⁶ added to the norm
FORMS = ("slides", "torch.optim")


def examine(target, case: ClipCase, timeout: float) -> dict | None:
    """What is wrong with the target on the case (a dict to show), or None: the gradients must follow
    the slides' clipping or torch's documented form of it."""
    findings = []
    for form in FORMS if case.method == "clip_grad_norm" else FORMS[:1]:
        found = _examine(target, case, timeout, form)
        if found is None:
            return None
        findings.append(found)
    return findings[-1]


def _examine(target, case: ClipCase, timeout: float, form: str) -> dict | None:
    expected, norm = reference(case, TorchNamespace(), lambda a: a, form)
    nonfinite = case.method == "clip_grad_norm" and not math.isfinite(float(norm))
    try:
        got, returned = run_target(target, case, timeout)
    except UserCodeTimeout:
        raise
    except UserCodeError as error:
        if nonfinite and case.error_if_nonfinite:
            return None
        return {"check": "raises", "what": str(error)}
    if nonfinite and case.error_if_nonfinite:
        return {"check": "error_if_nonfinite", "what": "the total norm is not finite and error_if_nonfinite=True, "
                                                       "but the call returned instead of raising"}
    unit = UNIT_ROUNDOFF[getattr(torch, case.dtype)]
    width = _count(case) + 8  # the norm's sum of n terms, its root, the coefficient, the product, the dtype
    if norm is not None and returned is not None:
        got_norm = float(returned)
        if not same_value(torch.tensor(got_norm), torch.tensor(float(norm))) and \
                abs(got_norm - float(norm)) > unit * width * abs(float(norm)) and \
                _confirmed_norm(case, got_norm, unit * width, form):
            return {"check": "total norm", "what": f"returned {got_norm!r} as the total norm, not {float(norm)!r}"}
    tiny = torch.finfo(getattr(torch, case.dtype)).tiny  # below it (subnormals) the spacing is absolute
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is None:
            continue
        tolerance = unit * width * (e.abs() + tiny)
        differs = ~same_value(g, e) & ~((g - e).abs() <= tolerance)
        if differs.any() and _confirmed(case, i, g, tolerance, differs, form):
            return {"check": "clipped gradients", "what": f"gradient {i} after the call differs from the clipped "
                                                          f"gradient ({form} form)",
                    "expected (float64)": e.reshape(-1).tolist(), "got": g.reshape(-1).tolist(),
                    "tolerance": tolerance.reshape(-1).tolist()}
    return None


def _exact(case, form):
    with mpmath.workdps(CONFIRM_DIGITS):
        return reference(case, MpNamespace(CONFIRM_DIGITS), to_mp, form)


def _confirmed_norm(case, got: float, relative: float, form: str) -> bool:
    _, norm = _exact(case, form)
    return abs(mpmath.mpf(got) - norm) > relative * abs(norm)


def _confirmed(case, i, got, tolerance, differs, form: str) -> bool:
    exact = np.asarray(_exact(case, form)[0][i], dtype=object).reshape(-1)
    flat_got, flat_tol = got.reshape(-1).tolist(), tolerance.reshape(-1).tolist()
    return any(not (mpmath.isfinite(exact[j]) and math.isfinite(flat_got[j]))
               or abs(exact[j] - flat_got[j]) > flat_tol[j] for j in differs.reshape(-1).nonzero().reshape(-1).tolist())


def run_gate(method: str, target, spec: str, config: CheckConfig) -> Verdict:
    if not callable(target):
        raise UsageError(f"target {spec!r} is not callable")
    torch_name = f"{method}_"
    statement = GateStatement(
        method, title=f"{spec} computes torch.nn.utils.{torch_name}",
        statement=("the gradients after the call are g·min(1, c/‖g‖_p) over all of them (or torch's documented "
                   "g·min(1, c/(‖g‖_p + 1e-6))), and the total norm is returned" if method == "clip_grad_norm"
                   else "every gradient entry is clamped into [−c, c]"),
        reference="the slides' gradient clipping (catalog clip-by-norm / clip-by-value, torch form); "
                  "docs/theory.md §10", description=f"{method}: odl_verify.definitions.methods.textbook")
    verdict = open_verdict(statement, seed=config.seed, device=torch.device("cpu"))
    verdict.details["tolerance"] = ("u·(n + 8)·(|reference| + tiny) per entry, n the number of entries; confirmed at "
                                    "60 digits")
    domain = conditions(config.domain)
    stats = {"examples": 0}
    start = time.perf_counter()
    failure = first_failure(cases(method, domain), lambda case: examine(target, case, config.timeout), config,
                            lambda case: stats.update(examples=stats["examples"] + 1))
    if failure is not None and isinstance(failure[1], UserCodeTimeout):
        verdict.status, verdict.error = ERROR, f"{spec}: {failure[1]}"
    elif failure is not None:
        case, found = failure
        verdict.status = ERROR if found["check"] == "raises" else FALSIFIED
        if verdict.status == ERROR:
            verdict.error = f"{spec}: {found['what']} (case and replay line below)"
        shown = {**found, "case": case.to_json()}
        quirks = METHODS["clip-by-value" if method == "clip_grad_value" else "clip-by-norm"].quirks
        for quirk in quirks:
            if quirk.check == found["check"] and Condition(quirk.when).holds(case.names()):
                shown["known torch 2.13 defect"] = (f"{quirk.name}: {quirk.reason}; reproduce: {quirk.reproduction}; "
                                                    f"leave it out with --domain 'not ({quirk.when})'")
        shown["replay (this case)"] = replay_line("odl_verify.gate.clipping", method, spec, case.to_json())
        verdict.counterexample = Counterexample(
            family=f"clipping:{found['check']}", dimension=_count(case), case=case.to_json(), shown=shown,
            reproduce=gate_line(method, spec, config), confirmation=f"the target fails the {found['check']} check")
    verdict.seconds = time.perf_counter() - start
    verdict.examples = verdict.instances = stats["examples"]
    return verdict


def replay(method: str, target, case: dict | str, timeout: float = 10.0) -> int:
    obj = load_object(target) if isinstance(target, str) else target
    found = examine(obj, ClipCase(**(json.loads(case) if isinstance(case, str) else case)), timeout)
    if found is None:
        print("passes on this case")
        return 0
    print(f"{'ERROR' if found['check'] == 'raises' else 'FALSIFIED'} ({found['check']}): {found['what']}")
    return 2 if found["check"] == "raises" else 1


for _method in ("clip_grad_norm", "clip_grad_value"):
    register(_method, f"torch.nn.utils.{_method}_ against the slides' clipping")(
        lambda target, spec, config, _m=_method: run_gate(_m, target, spec, config))
