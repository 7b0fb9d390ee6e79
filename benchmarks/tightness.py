"""Tightness the search reaches on the shipped tight claims, claims × seeds, at the quick profile.

    python benchmarks/tightness.py [--seeds 0 1 2 3 4] [--claims NAME ...] [--label after] [--jobs 2]

A claim marked tight must reach tightness ≥ 0.999 on every seed: the figure says how hard the search
tried, so a drop on one seed is a search that was lucky elsewhere. Each (claim, seed) runs in a worker
process (``--jobs``) with one torch thread; the table and the seconds of every check go to
``benchmarks/results/tightness-LABEL.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
sys.path.insert(0, ROOT)

#: the shipped claims marked tight that the search checks (kaiming's statistical claims are not searched)
TIGHT_CLAIMS = ("descent-lemma", "quadratic-contraction-short-step", "quadratic-contraction-general-step",
                "heavy-ball-rate", "stationarity-exact-constant", "stationarity-exact-constant-long-step",
                "stationarity-exact-constant-f-star", "strict-saddle-escape-not-faster",
                "matrix-factorization-strict-saddle")
TARGET = 0.999


def check_one(name: str, seed: int) -> dict:
    import torch
    torch.set_num_threads(1)
    from odl_verify import CheckConfig, check
    from odl_verify.frontends.registry import builtin_claims
    claim = builtin_claims()[name]
    verdict = check(claim, CheckConfig(seed=seed, device="cpu"))
    return {"claim": name, "seed": seed, "status": verdict.status, "tightness": verdict.tightness,
            "seconds": round(verdict.seconds, 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--claims", nargs="*", default=None)
    parser.add_argument("--label", default="after")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    from odl_verify.frontends.registry import builtin_claims
    known = builtin_claims()
    names = [n for n in (args.claims or TIGHT_CLAIMS) if n in known]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(check_one, *zip(*[(n, s) for n in names for s in args.seeds])))
    table = {n: {str(r["seed"]): r["tightness"] for r in rows if r["claim"] == n} for n in names}
    short = [n for n, by_seed in table.items() if any(t is None or t < TARGET for t in by_seed.values())]
    for n, by_seed in table.items():
        cells = "  ".join("  n/a " if t is None else f"{t:.4f}" for t in by_seed.values())
        print(f"{n:42s} {cells}")
    print(f"below {TARGET}: {short or 'none'}; {time.perf_counter() - start:.0f}s")
    os.makedirs(RESULTS, exist_ok=True)
    out = {"label": args.label, "profile": "quick", "seeds": args.seeds, "target": TARGET, "table": table,
           "below_target": short, "rows": rows}
    with open(os.path.join(RESULTS, f"tightness-{args.label}.json"), "w") as handle:
        json.dump(out, handle, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
