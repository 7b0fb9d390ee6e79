"""Throughput, scaling and memory of the batched torch path, against a per-instance loop.

    python benchmarks/run.py [--device auto|cpu|cuda] [--quick] [--out PATH]

For every shipped claim, one *instance-check* is the claim evaluated on one instance:
the family certified, the method run, the compiled sympy sides and the slack computed
(``odl_verify.engine.search.evaluate``). The batched path does it for a whole batch in torch;
the baseline runs the very same family, method and compiled conclusion through numpy
and scipy (``benchmarks/baseline.py``), one instance at a time in a Python loop. Both
run in the same process, one after the other, on the same instances.

Measured per claim: the ratio at each family (dimension 32), the scaling of cost with
dimension, batch size and trajectory length (gradient-descent steps, and the claim's
own step counts where it has them), peak memory, and the end-to-end quick-profile
search. Checkables that are not sympy claims (statistical theorems) and gates are timed
end to end only. Results go to ``benchmarks/results/throughput-<device>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.baseline import NumpyNamespace  # noqa: E402
from odl_verify import CheckConfig, check  # noqa: E402
from odl_verify.definitions.backend import TorchNamespace, resolve_device  # noqa: E402
from odl_verify.definitions.claims import Claim  # noqa: E402
from odl_verify.definitions.families import Instance  # noqa: E402
from odl_verify.definitions.methods import gradient_descent  # noqa: E402
from odl_verify.definitions.trees import tree_leaves, tree_map  # noqa: E402
from odl_verify.engine.search import Case, evaluate  # noqa: E402
from odl_verify.engine.search.adversary import Adversary  # noqa: E402
from odl_verify.errors import UsageError, UserCodeError  # noqa: E402
from odl_verify.frontends import registry  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
#: targets from the task: CPU ratio at d >= 32, GPU ratio
CPU_TARGET, GPU_TARGET = 20.0, 200.0


def environment(device: torch.device) -> dict:
    cuda = torch.cuda.is_available()
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "load_average_1_5_15": list(os.getloadavg()),
            "device": str(device), "cuda_available": cuda,
            "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
            "gpu_note": None if cuda else "no CUDA device on this machine: no GPU numbers were measured"}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def draw_raw(family, d: int, index: int) -> tuple[dict, np.ndarray]:
    """A deterministic drawn instance of ``family`` in dimension ``d``: of a few Hypothesis
    draws, the one with the most parameters (Hypothesis starts from the smallest)."""
    drawn = []

    @settings(max_examples=6, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @seed(index)
    @given(family.strategy(d))
    def grab(raw):
        drawn.append(raw)

    grab()
    raw = max(drawn, key=lambda r: sum(np.size(leaf) for leaf in tree_leaves(r)))
    return raw, np.random.default_rng(index).uniform(-3, 3, d)


def make_batch(claim: Claim, family_index: int, d: int, size: int, xp, integers=None):
    """The engine's own batch construction (an anchor, its probe rows, jittered copies), ``size`` rows of it."""
    family = claim.families[family_index]
    raw, x0 = draw_raw(family, d, family_index)
    ints = integers or tuple(lo for lo, _ in claim.integers.values())
    case = Case(family_index, d, raw, "random", x0, tuple(0.5 for _ in claim.free), ints, size - 1, seed=0)
    family, raw, x0, tau, integers = Adversary(claim, CheckConfig(device=str(xp.device)), xp).batch(case)
    rows = lambda a: a[:size]  # noqa: E731 - a batch smaller than the probes keeps its first rows
    return family, tree_map(rows, raw), rows(x0), {s: rows(t) for s, t in tau.items()}, integers


def _timed(fn, rounds: int = 5, minimum: float = 0.06) -> float:
    """Seconds per call: the best of ``rounds`` rounds of at least ``minimum`` seconds each
    (after one warm-up), so that load from other processes on a shared machine is filtered out."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= minimum:
                break
        best = min(best, elapsed / calls)
    return best


def _sync(xp):
    if xp.device.type == "cuda":
        torch.cuda.synchronize(xp.device)


def batched_check(claim, batch, xp):
    family, raw, x0, tau, integers = batch

    def run():
        with torch.no_grad():
            _, small, big, _ = evaluate(claim, family, raw, x0, tau, integers, xp)
            claim.slack(small, big)
        _sync(xp)
    return run


def per_instance_loop(claim, batch, count: int):
    """The same work, one instance at a time, in numpy/scipy."""
    family, raw, x0, tau, integers = batch
    np_xp = NumpyNamespace()
    rows = [(tree_map(lambda a: a[i:i + 1].detach().cpu().numpy(), raw), x0[i:i + 1].detach().cpu().numpy(),
             {s: t[i:i + 1].detach().cpu().numpy() for s, t in tau.items()}) for i in range(count)]

    def run():
        for raw_i, x0_i, tau_i in rows:
            _, small, big, _ = evaluate(claim, family, raw_i, x0_i, tau_i, integers, np_xp)
            claim.slack(small, big)
    return run


def compare(claim, family_index: int, d: int, size: int, xp, loop_count: int = 64, integers=None) -> dict:
    """Instance-checks per second, batched torch vs per-instance numpy, on the same instances."""
    batch = make_batch(claim, family_index, d, size, xp, integers)
    if xp.device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(xp.device)
    batched = _timed(batched_check(claim, batch, xp))
    out = {"family": claim.families[family_index].name, "dimension": d, "batch": size,
           "batched_checks_per_s": round(size / batched), "batched_seconds_per_batch": batched}
    loop = per_instance_loop(claim, batch, min(loop_count, size))
    tracemalloc.start()
    try:
        looped = _timed(loop)
    except (UserCodeError, AttributeError, KeyError, TypeError) as exc:
        # a claim whose code is written for torch and mpmath only has no numpy twin to run
        out["per_instance_unavailable"] = f"{type(exc).__name__}: {exc}"
    else:
        loop_rate = min(loop_count, size) / looped
        out.update(per_instance_checks_per_s=round(loop_rate), speedup=round(size / batched / loop_rate, 1),
                   per_instance_loop_peak_traced_mib=round(tracemalloc.get_traced_memory()[1] / 2**20, 3))
    finally:
        tracemalloc.stop()
    out["process_peak_rss_mib"] = round(peak_rss_mib(), 1)
    if xp.device.type == "cuda":
        out["cuda_max_memory_allocated_mib"] = round(torch.cuda.max_memory_allocated(xp.device) / 2**20, 2)
    return out


def gd_trajectory(claim, family_index: int, d: int, size: int, steps: int, xp) -> dict:
    """Cost of the method itself over a trajectory: ``steps`` gradient-descent steps."""
    family, raw, x0, tau, _ = make_batch(claim, family_index, d, size, xp)
    eta = 0.01 * torch.ones(size, dtype=torch.float64, device=xp.device)
    params = family.constrain(raw, xp)

    def batched():
        with torch.no_grad():
            gradient_descent(Instance(family, params, xp).grad, x0, eta, steps)
        _sync(xp)

    np_xp = NumpyNamespace()
    count = min(size, 16)
    rows = [(Instance(family, family.constrain(tree_map(lambda a: a[i:i + 1].cpu().numpy(), raw), np_xp), np_xp),
             x0[i:i + 1].cpu().numpy()) for i in range(count)]

    def looped():
        for instance, start in rows:
            gradient_descent(instance.grad, start, np.full(1, 0.01), steps)

    batched_rate = size / _timed(batched)
    out = {"family": family.name, "dimension": d, "batch": size, "steps": steps,
           "batched_trajectories_per_s": round(batched_rate, 1)}
    try:
        loop_rate = count / _timed(looped)
    except (AttributeError, KeyError, TypeError) as exc:
        out["per_instance_unavailable"] = f"{type(exc).__name__}: {exc}"
    else:
        out.update(per_instance_trajectories_per_s=round(loop_rate, 1), speedup=round(batched_rate / loop_rate, 1))
    return out


def search_end_to_end(checkable, device: str, examples: int) -> dict:
    start = time.perf_counter()
    verdict = check(checkable, CheckConfig(examples=examples, device=device, seed=0))
    seconds = time.perf_counter() - start
    return {"status": verdict.status, "examples": verdict.examples, "instances": verdict.instances,
            "seconds": round(seconds, 3), "instances_per_s": round(verdict.instances / seconds, 1) if seconds else None}


def benchmark_claim(claim: Claim, xp, quick: bool) -> dict:
    low, high = claim.dimensions
    fit = lambda d: max(low, min(high, d))
    dims = sorted({fit(d) for d in ((8, 32, 128) if quick else (8, 32, 128, 512))})
    sizes = (16, 256, 4096) if quick else (1, 16, 256, 4096, 65536)
    d32 = fit(32)
    out = {"kind": "claim", "families": {}, "dimension": [], "batch": [], "trajectory": []}
    for index, family in enumerate(claim.families):
        if family.min_dim <= d32:
            out["families"][family.name] = compare(claim, index, d32, 1024, xp)
    for d in dims:
        out["dimension"].append(compare(claim, 0, d, 1024, xp))
    for size in sizes:
        out["batch"].append(compare(claim, 0, d32, size, xp))
    for steps in ((1, 10) if quick else (1, 10, 100)):
        out["trajectory"].append(gd_trajectory(claim, 0, d32, 1024, steps, xp))
    for symbol, (lo, hi) in list(claim.integers.items())[:1]:
        for n in sorted({lo, min(hi, max(lo, 10)), min(hi, max(lo, 100))}):
            integers = tuple(n if s == symbol else l for s, (l, _) in claim.integers.items())
            out.setdefault("step_counts", []).append({str(symbol): n, **compare(claim, 0, d32, 256, xp,
                                                                               loop_count=16, integers=integers)})
    ratios = [r["speedup"] for r in out["families"].values() if r["dimension"] >= 32 and "speedup" in r]
    out["min_speedup_dim_ge_32"] = min(ratios) if ratios else None
    return out


def benchmark_gates(device: str, examples: int) -> dict:
    from odl_verify import gate
    gate._load_gates()
    reference = {"sgd": "torch.optim:SGD", "adagrad": "torch.optim:Adagrad", "rmsprop": "torch.optim:RMSprop",
                 "adadelta": "torch.optim:Adadelta", "adam": "torch.optim:Adam", "adamw": "torch.optim:AdamW",
                 "kaiming_normal": "torch.nn.init:kaiming_normal_", "kaiming_uniform": "torch.nn.init:kaiming_uniform_"}
    out = {}
    for name in sorted(gate.GATES):
        target = reference.get(name)
        if target is None:
            out[name] = {"skipped": "no reference target known to the benchmark"}
            continue
        start = time.perf_counter()
        try:
            verdict = gate.check(name, target, CheckConfig(examples=examples, device=device))
            out[name] = {"target": target, "status": verdict.status, "instances": verdict.instances,
                         "seconds": round(time.perf_counter() - start, 3)}
        except UsageError as exc:
            out[name] = {"target": target, "error": str(exc)}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--quick", action="store_true", help="fewer sizes (a smoke run)")
    parser.add_argument("--only", nargs="*", default=None, help="theorem names to benchmark (default all)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: the per-instance loop is single-threaded too, and "
                             "one thread is not stalled by other processes on a shared machine)")
    parser.add_argument("--out", default=None, help="JSON path (default benchmarks/results/throughput-<device>.json)")
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
        checkables = registry.resolve(args.only or [])
    except UsageError as exc:
        print(f"benchmarks/run.py: error: {exc}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    xp = TorchNamespace(device)
    examples = 4 if args.quick else 20
    report = {"environment": environment(device), "claims": {}, "gates": {},
              "targets": {"cpu_speedup_dim_ge_32": CPU_TARGET, "gpu_speedup": GPU_TARGET}}
    for checkable in checkables:
        start = time.perf_counter()
        entry = benchmark_claim(checkable, xp, args.quick) if isinstance(checkable, Claim) else {
            "kind": checkable.kind, "note": "not a sympy claim: no per-instance baseline, timed end to end"}
        entry["search_quick_profile"] = search_end_to_end(checkable, str(device), examples)
        report["claims"][checkable.name] = entry
        print(f"{checkable.name}: {time.perf_counter() - start:.1f}s "
              f"min speedup (d>=32) {entry.get('min_speedup_dim_ge_32')}", flush=True)
    if not args.only:
        report["gates"] = benchmark_gates(str(device), examples)
    speedups = [c["min_speedup_dim_ge_32"] for c in report["claims"].values() if c.get("min_speedup_dim_ge_32")]
    target = GPU_TARGET if device.type == "cuda" else CPU_TARGET
    report["summary"] = {"min_speedup_dim_ge_32": min(speedups) if speedups else None, "target": target,
                         "met": bool(speedups) and min(speedups) >= target,
                         "gpu_targets": "measured" if device.type == "cuda" else
                         "not measured: no GPU (>= 200x speedup and the bandwidth bound of the "
                         "quadratic-contraction kernel need a CUDA device)",
                         "peak_rss_mib": round(peak_rss_mib(), 1)}
    path = args.out or os.path.join(RESULTS, f"throughput-{device.type}{'-quick' if args.quick else ''}.json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    print(f"wrote {path}: {json.dumps(report['summary'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
