"""Seed sweep of the theorems of docs/theory.md §7–§10 and §15 and their wrong variants.

    python benchmarks/theory_sweep.py [--seeds 0,1,2,3,4] [--out benchmarks/results/theory_sweep.json]

Checks every claim of theorems/{nesterov,newton,adam,adagrad,clipping,sgd}.py and every wrong variant of
tests/variants/<module>_wrong.py at the quick profile on each seed, one torch thread, and records per
run the status, tightness, CPU seconds and, for a falsified variant, its shrunk counterexample. The
thorough tests (``pytest --hypothesis-profile thorough``) assert the same matrix; this script keeps
the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import torch

from odl_verify import CheckConfig, check
from odl_verify.frontends.registry import checkables, load_file, theorem_modules

MODULES = ("nesterov", "newton", "adam", "adagrad", "clipping", "sgd")
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def row(statement, seed: int) -> dict:
    start = time.process_time()
    verdict = check(statement, CheckConfig(seed=seed, device="cpu"))
    out = {"claim": statement.name, "seed": seed, "status": verdict.status, "tightness": verdict.tightness,
           "cpu_seconds": round(time.process_time() - start, 2)}
    example = verdict.counterexample
    if example is not None:
        shown = example.shown
        out["counterexample"] = {"family": example.family, "dimension": example.dimension,
                                 "integers": shown.get("integers", {}), "hyperparameters": shown["hyperparameters"],
                                 "parameters": shown["parameters"], "x0": shown["x0"],
                                 "observed": shown["observed side"], "bound": shown["bound side"],
                                 "slack_exact": example.slack_exact}
    elif verdict.details.get("failures"):
        out["counterexample"] = {"failures": verdict.details["failures"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--out", default=os.path.join(REPOSITORY, "benchmarks", "results", "theory_sweep.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    modules = theorem_modules()
    rows = []
    for name in MODULES:
        variants = load_file(os.path.join(REPOSITORY, "tests", "variants", f"{name}_wrong.py"))
        for statement in checkables(modules[name]) + variants:
            for seed in seeds:
                rows.append(row(statement, seed))
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump({"seeds": seeds, "load_average_1_5_15": list(os.getloadavg()), "rows": rows}, handle, indent=1,
                  ensure_ascii=False)


if __name__ == "__main__":
    main()
