"""Wall time of the default test suite, in parallel and serially, and how a deep run scales.

    python benchmarks/suite_timing.py [--runs N] [--skip-suite] [--skip-scaling]

1. ``pytest -n auto`` and ``pytest -n 0`` on the whole default suite, each ``--runs``
   times, alternating so that load from other users hits both alike; the machine's
   load average is recorded beside every run (``os.getloadavg``). The speed-up is given
   best against best and pair by pair; the README's command (``--odl-report`` included)
   is timed once after them.
2. The cost of a falsification run against its number of Hypothesis examples
   (20/60/180 on the descent lemma, the thorough profile's 30x at the top): a linear
   fit of CPU seconds (one torch thread) = a + b·examples run, and its largest relative
   residual; wall seconds are recorded beside them.

Targets: ``-n auto`` under 90 s and at least 1.7x faster than ``-n 0``.
Results go to ``benchmarks/results/suite_timing.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
sys.path.insert(0, ROOT)

WALL_TARGET_S, PARALLEL_TARGET = 90.0, 1.7


def run_suite(workers: str, *extra: str) -> dict:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", workers, "-p", "no:cacheprovider", *extra],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-300:]
    counts = {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|skipped|errors?)", tail)}
    return {"workers": workers, "options": list(extra), "wall_s": round(wall, 2), "exit": proc.returncode, "summary": tail,
            "counts": counts, "load_average_1min_before": round(load, 2)}


def suite(runs: int) -> dict:
    parallel, serial = [], []
    for _ in range(runs):
        parallel.append(run_suite("auto"))
        serial.append(run_suite("0"))
    best_parallel = min(r["wall_s"] for r in parallel)
    best_serial = min(r["wall_s"] for r in serial)
    # each serial run over the parallel run just before it: the machine's speed drifts by 10-20 %
    # between minutes here, and a pair run back to back shares most of that drift
    paired = [round(s["wall_s"] / p["wall_s"], 2) for p, s in zip(parallel, serial)]
    with tempfile.TemporaryDirectory() as tmp:  # the README's command, report included, once
        readme = run_suite("auto", "--odl-report", os.path.join(tmp, "report.html"))
    return {"cpu_count": os.cpu_count(), "parallel": parallel, "serial": serial,
            "best_parallel_s": best_parallel, "best_serial_s": best_serial,
            "speedup": round(best_serial / best_parallel, 2), "paired_speedups": paired,
            "median_paired_speedup": float(np.median(paired)), "readme_command": readme,
            "targets": {"parallel_wall_s": WALL_TARGET_S, "speedup": PARALLEL_TARGET},
            "met": (max(best_parallel, readme["wall_s"]) < WALL_TARGET_S
                    and min(best_serial / best_parallel, float(np.median(paired))) >= PARALLEL_TARGET)}


#: seed 0 (and 3, 4) of the descent lemma stop early on a false counterexample at these budgets
#: (cancellation below 150 digits, see the README's performance section); seed 1 runs to the end
SCALING_SEED = 1


def scaling(counts=(20, 60, 180, 600), seed: int = SCALING_SEED) -> dict:
    from odl_verify import CheckConfig, check
    from odl_verify.theorems.descent_lemma import DESCENT_LEMMA
    import torch
    torch.set_num_threads(1)  # CPU seconds of one thread: steady on a machine shared with others
    check(DESCENT_LEMMA, CheckConfig(examples=5, device="cpu", seed=seed))  # warm-up: compile, import
    rows = []
    for examples in counts:
        wall, cpu = time.perf_counter(), time.process_time()
        verdict = check(DESCENT_LEMMA, CheckConfig(examples=examples, device="cpu", seed=seed))
        rows.append({"examples_requested": examples, "examples_run": verdict.examples,
                     "instances": verdict.instances, "status": verdict.status,
                     "wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)})
    x = np.array([r["examples_run"] for r in rows], dtype=float)
    y = np.array([r["cpu_s"] for r in rows])
    slope, intercept = np.polyfit(x, y, 1)
    residual = np.max(np.abs(y - (slope * x + intercept)) / y)
    return {"theorem": "descent-lemma", "seed": seed, "runs": rows, "cpu_seconds_per_example": round(float(slope), 4),
            "fixed_cpu_seconds": round(float(intercept), 3), "max_relative_residual": round(float(residual), 3),
            "note": "600 examples = the thorough profile (30x quick)"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each suite mode (best is reported)")
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--out", default=os.path.join(RESULTS, "suite_timing.json"))
    args = parser.parse_args(argv)
    report = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average_1_5_15": list(os.getloadavg())}
    if os.path.exists(args.out):  # keep the part of an earlier measurement that is not redone
        with open(args.out) as f:
            report = {**json.load(f), **report}
    if not args.skip_suite:
        report["suite"] = suite(args.runs)
        print(json.dumps({k: report["suite"][k] for k in ("best_parallel_s", "best_serial_s", "speedup",
                                                                 "median_paired_speedup", "met")}))
    if not args.skip_scaling:
        report["example_scaling"] = scaling()
        print(json.dumps({k: v for k, v in report["example_scaling"].items() if k != "runs"}))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
