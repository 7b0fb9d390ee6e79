"""Initializer gates: ``odl-verify gate kaiming_normal|kaiming_uniform TARGET``.

TARGET has the signature of ``torch.nn.init.kaiming_normal_(tensor, a=0, mode='fan_in',
nonlinearity='leaky_relu', generator=None)`` and fills ``tensor`` in place (or returns it).

What is checked (docs/theory.md §4, torch.nn.init conventions), on Hypothesis-drawn shapes that
are strongly non-square (ratio ≥ 4) or conv-shaped (a fan_in/fan_out swap is invisible on a
square matrix, a forgotten receptive field on a linear one), both modes and several slopes a:

* mean 0 and variance σ² = 2/((1 + a²)·fan), fan including the kernel size (sympy
  ``KAIMING_VARIANCE`` of theorems/kaiming.py, compiled);
* kaiming_uniform: support within ±√3·σ (exact: a correct target never fails it);
* a depth-30 ReLU network built with the target (fan_in, a = 0) preserves E[M_l] at every
  layer (the theorem's per-layer and pooled tests; Var R ≤ 5/n_l for any symmetric weight
  law of kurtosis ≤ 3, normal and uniform included).

Every moment test is a median-of-means test with the exact per-sample variance under the
target law (w²: 2σ⁴ normal, 4σ⁴/5 uniform), CLT-free; all tests of a gate run are
Holm-corrected, so a correct initializer fails with probability ≤ 1e-6. The power of each
test (the shift it detects with probability ≥ 0.999) is on the verdict: with 2^15 entries per
shape the variance test detects a variance off by 22% (normal; 14% uniform) and rejects
beyond 13% (9%); every seeded fault changes it by ≥ 50% on one of the fixed shapes
(torch's own KS test at p > 1e-4 on small shapes misses such bugs).
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import time

import sympy as sp
import torch
from hypothesis import strategies as st

from ..core.config import CheckConfig
from ..core.verdict import ERROR, FALSIFIED, Verdict, open_verdict
from ..definitions.backend import resolve_device
from ..definitions.claims import compile_torch
from ..engine.calls import call_user_code
from ..engine.harness import draw
from ..engine.networks import layer_tests, simulate
from ..engine.statistical import FALSE_ALARM, describe
from ..engine.statistics import Test, holm, mom_test, support_test
from ..errors import UserCodeError
from . import GateStatement, register

#: entries drawn per shape (the target is called until it has filled this many)
ENTRIES = 2**15
#: networks and widths of the network check (non-square layers, depth 30)
NETWORKS, NETWORK_WIDTHS = 64, [24, 48, 8, 32, 16] * 6 + [24]
#: relative slack on the uniform support: the bound √3·σ is rounded once in float64
SUPPORT_ROUNDING = 1e-12


@dataclasses.dataclass(frozen=True)
class Case:
    shape: tuple[int, ...]
    mode: str
    a: float


def _shapes() -> st.SearchStrategy[tuple[int, ...]]:
    small, ratio = st.integers(4, 32), st.integers(4, 32)
    linear = st.tuples(small, ratio, st.booleans()).map(lambda t: (t[0] * t[1], t[0]) if t[2] else (t[0], t[0] * t[1]))
    conv = st.tuples(st.integers(4, 64), st.integers(4, 64), st.lists(st.integers(2, 5), min_size=1, max_size=3)).filter(
        lambda t: t[0] != t[1]).map(lambda t: (t[0], t[1], *t[2]))
    return st.one_of(linear, conv)


def cases() -> st.SearchStrategy[Case]:
    slopes = st.one_of(st.sampled_from([0.0, 0.5, 2.0, math.sqrt(5)]), st.floats(0.05, 3.0))
    return st.builds(Case, _shapes(), st.sampled_from(["fan_in", "fan_out"]), slopes)


#: always checked before the drawn cases: a fan swap, a forgotten receptive field and a wrong
#: slope each change the variance by a factor ≥ 1.5 on at least one of them
SENTINELS = (Case((512, 16), "fan_in", 0.0), Case((16, 512), "fan_out", math.sqrt(5)),
             Case((8, 64, 3, 3), "fan_in", 0.5), Case((64, 8, 5), "fan_out", 2.0))


def fans(shape: tuple[int, ...]) -> dict[str, int]:
    receptive = math.prod(shape[2:])
    return {"fan_in": shape[1] * receptive, "fan_out": shape[0] * receptive}


@functools.cache
def _compiled_law():
    from ..theorems.kaiming import KAIMING_VARIANCE, UNIFORM_BOUND, a, fan
    return compile_torch((a, fan), sp.Tuple(KAIMING_VARIANCE, UNIFORM_BOUND))


def expected_law(case: Case, uniform: bool) -> dict[str, float]:
    """σ², the per-entry variance of w² and the support bound (uniform) from the sympy statement."""
    variance, bound = (float(v) for v in _compiled_law()(
        torch.tensor(case.a, dtype=torch.float64), torch.tensor(float(fans(case.shape)[case.mode]), dtype=torch.float64)))
    # E[w⁴] − σ⁴: 3σ⁴ − σ⁴ for the normal, b⁴/5 − σ⁴ = 4σ⁴/5 for U(−b, b)
    return {"variance": variance, "square_variance": (0.8 if uniform else 2.0) * variance**2, "bound": bound}


# ---------------------------------------------------------------- calling the target
def call(target, shape, *, a: float, mode: str, seeds: list[int], timeout: float) -> torch.Tensor:
    """The target on fresh float64 tensors of ``shape``, one seeded call per seed (each under the
    timeout), stacked."""
    where = f"on shape {tuple(shape)}, a={a:g}, mode={mode!r}"

    def one(seed):
        with torch.random.fork_rng(devices=[]):
            tensor = torch.full(shape, math.nan, dtype=torch.float64)
            torch.manual_seed(seed)  # targets that ignore ``generator`` stay reproducible
            value = target(tensor, a=a, mode=mode, nonlinearity="leaky_relu",
                           generator=torch.Generator().manual_seed(seed))
        return value if isinstance(value, torch.Tensor) else tensor

    results = [call_user_code(f"the target {where}", timeout, one, seed) for seed in seeds]
    for result in results:
        if tuple(result.shape) != tuple(shape):
            raise UserCodeError(f"the target returned shape {tuple(result.shape)} {where}")
    stacked = torch.stack([r.detach().double() for r in results])
    if not math.isfinite(float(stacked.abs().max())):  # NaN propagates through max
        raise UserCodeError(f"the target left NaN or inf in the tensor {where}")
    return stacked


def entries(target, case: Case, seed: int, timeout: float) -> torch.Tensor:
    calls = -(-ENTRIES // math.prod(case.shape))
    return call(target, case.shape, a=case.a, mode=case.mode, seeds=[seed * 1000 + i for i in range(calls)],
                timeout=timeout).flatten()


def check_signature(target) -> None:
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return  # builtins without a signature are judged by calling them
    try:
        signature.bind(torch.empty(1, 1), a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None)
    except TypeError as exc:
        raise UserCodeError(f"wrong signature {signature}: {exc}; expected that of "
                           "torch.nn.init.kaiming_normal_(tensor, a=0, mode='fan_in', "
                           "nonlinearity='leaky_relu', generator=None)") from None


def reproduction(spec: str, case: Case, seed: int, expected: float) -> str:
    return (f"python -c \"import torch; from odl_verify.core.loading import load_object; "
            f"t = torch.empty({case.shape}, dtype=torch.float64); "
            f"load_object('{spec}')(t, a={case.a!r}, mode='{case.mode}', nonlinearity='leaky_relu', "
            f"generator=torch.Generator().manual_seed({seed * 1000})); "
            f"print('variance', t.var().item(), 'expected', {expected!r}, 'max |w|', t.abs().max().item())\"")


# ---------------------------------------------------------------- the gate
def network_tests(target, seed: int, timeout: float, device) -> list[Test]:
    """E[M_l]/E[M_{l−1}] = 1 at every layer of a depth-30 ReLU network whose weights the target draws."""
    from ..theorems.kaiming import FORWARD_VARIANCE_PER_LAYER

    def weights(layer, shape):
        networks, width_out, width_in = shape
        w = call(target, (networks * width_out, width_in), a=0.0, mode="fan_in", seeds=[seed * 7919 + layer],
                 timeout=timeout)  # fan_in of the stacked matrix is that of one layer
        return w.reshape(shape).to(device)

    widths = NETWORK_WIDTHS
    stats, alive, _ = simulate(widths, weights, networks=NETWORKS, generator=torch.Generator().manual_seed(seed),
                               device=device)
    depth = len(widths) - 1
    claimed = torch.ones(depth, dtype=torch.float64)
    shape = torch.tensor(widths, dtype=torch.float64)
    variance_bound = torch.as_tensor(FORWARD_VARIANCE_PER_LAYER(shape[:-1], shape[1:]), dtype=torch.float64)
    return layer_tests("ReLU network", widths, stats, alive, claimed, variance_bound)


def run_gate(target, spec: str, config: CheckConfig, *, uniform: bool) -> Verdict:
    method = "kaiming_uniform" if uniform else "kaiming_normal"
    device = resolve_device(config.device)
    statement = GateStatement(
        method, title=f"{spec} against torch.nn.init.{method}_",
        statement=(f"w ~ {'U(-sqrt(3) s, sqrt(3) s)' if uniform else 'N(0, s^2)'} i.i.d., s^2 = 2/((1 + a^2) fan), "
                   "fan with the receptive field; E[M_l] preserved in a ReLU network"),
        reference="He et al. 2015; torch.nn.init; docs/theory.md §4", description=method, tight=True)
    verdict = open_verdict(statement, seed=config.seed, device=device)
    start = time.perf_counter()
    drawn = list(SENTINELS) + draw(cases(), max(1, config.example_count() // 2),
                                   config.seed)
    tests, where = [], {}
    try:
        check_signature(target)
        for index, case in enumerate(drawn):
            seed = config.seed * 100_003 + index
            law = expected_law(case, uniform)
            w = entries(target, case, seed, config.timeout)
            label = f"shape {case.shape} mode {case.mode} a={case.a:.4g}"
            found = [mom_test(f"mean of {label}", w, 0.0, law["variance"]),
                     mom_test(f"variance of {label}", w.square(), law["variance"], law["square_variance"])]
            if uniform:
                found.append(support_test(f"support of {label}", w, law["bound"] * (1 + SUPPORT_ROUNDING)))
            for test in found:
                where[test.name] = (case, seed)
            tests += found
            verdict.coverage.setdefault("shape", []).append(list(case.shape))
            verdict.coverage.setdefault("mode", []).append(case.mode)
            verdict.coverage.setdefault("a", []).append(case.a)
        tests += network_tests(target, config.seed, config.timeout, device)
    except UserCodeError as exc:
        verdict.status, verdict.error = ERROR, f"gate:{method} {spec}: {exc}"
        verdict.seconds = time.perf_counter() - start
        return verdict
    holm(tests, FALSE_ALARM)
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances = len(drawn), sum(t.samples for t in tests)
    verdict.details["tests"] = [t.to_dict() for t in tests]
    verdict.details["false_alarm"] = FALSE_ALARM
    notes = verdict.details.setdefault("notes", [])
    notes.append(f"{len(drawn)} shapes ({len(SENTINELS)} fixed, the rest drawn) x {ENTRIES} entries and a "
                 f"depth-{len(NETWORK_WIDTHS) - 1} ReLU network; {len(tests)} tests, Holm-corrected: P(false alarm) <= {FALSE_ALARM:g}")
    rejected = sorted((t for t in tests if t.rejected), key=lambda t: t.p_value)
    if rejected:
        verdict.status = FALSIFIED
        first = rejected[0]
        notes.append(f"falsified: {describe(first)}")
        if first.name in where:
            case, seed = where[first.name]
            law = expected_law(case, uniform)
            verdict.details["failure"] = {"property": first.name.split(" of ")[0], "shape": list(case.shape),
                                          "mode": case.mode, "a": case.a, "expected": first.expected,
                                          "observed": first.observed, "variance_expected": law["variance"]}
            notes.append(f"reproduce: {reproduction(spec, case, seed, law['variance'])}")
        notes.append(f"{len(rejected)} of {len(tests)} tests rejected")
    return verdict


@register("kaiming_normal", "torch.nn.init.kaiming_normal_: N(0, 2/((1 + a²) fan)), fan_in or fan_out")
def kaiming_normal(target, spec: str, config: CheckConfig) -> Verdict:
    return run_gate(target, spec, config, uniform=False)


@register("kaiming_uniform", "torch.nn.init.kaiming_uniform_: U(±√3·σ), σ² = 2/((1 + a²) fan)")
def kaiming_uniform(target, spec: str, config: CheckConfig) -> Verdict:
    return run_gate(target, spec, config, uniform=True)
