"""The performance-estimation oracle: regenerate its cache, and race the search against it.

    python benchmarks/pep_oracle.py regenerate [--force] [NAME | FILE.py ...]
    python benchmarks/pep_oracle.py compare [--seeds 0 1 2 3 4] [--jobs 2]

``regenerate`` solves (PEPit + Clarabel, SCS as fallback; needs ``pip install 'odl-verify[pep]'``)
every grid point of the named claims that is not cached yet, by default every shipped claim
with a PEP link, the variants in tests/variants/ and the pinned claims of
``benchmarks/pinned_stationarity.py``, and writes ``odl_verify/engine/oracle/cache/pep.json`` (without
names it also drops the entries no claim uses any more).

``compare`` runs, per pinned (h, N), PEPit's solve (live, Clarabel, value only) beside the
search on the pinned claim for each seed at the quick profile, and records how long the search
took to reach tightness 0.99 of the bound (the certified worst case is 1.000 there) and what it
reached in the end; ``benchmarks/results/pep-vs-search.json`` gets every number.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
sys.path.insert(0, ROOT)

THRESHOLD = 0.99


def linked_claims(names: list[str]) -> list:
    from odl_verify.frontends.registry import load_file, resolve
    if names:
        chosen = resolve(names)
    else:
        chosen = resolve([])
        for path in sorted(glob.glob(os.path.join(ROOT, "tests", "variants", "*.py"))):
            chosen += load_file(path)
        chosen += load_file(os.path.join(ROOT, "benchmarks", "pinned_stationarity.py"))
    return [c for c in chosen if getattr(c, "worst_case", None) is not None]


def regenerate(names: list[str], force: bool) -> None:
    """Solve what is missing; with no names, also drop the entries no claim uses any more."""
    from odl_verify.engine import oracle
    start = time.perf_counter()
    claims = linked_claims(names)
    new = oracle.regenerate(claims, force=force)
    print(f"{len(new)} problems solved in {time.perf_counter() - start:.0f}s")
    if not names:
        used = {point.problem.key for claim in claims for point in oracle.grid_points(claim)}
        print(f"dropped {len(oracle.cache.prune(used))} entries no claim uses")


def search_one(h: float, steps: int, seed: int) -> dict:
    """The search on the pinned claim, with the time at which its tightness first reached THRESHOLD."""
    import torch
    torch.set_num_threads(1)
    from benchmarks.pinned_stationarity import pinned
    from odl_verify import CheckConfig, check
    from odl_verify.engine.search import adversary

    reached, start, record = [], time.perf_counter(), adversary.Adversary._record

    def timed(self, *args):  # the benchmark's own probe: when the running tightness crosses the threshold
        record(self, *args)
        if not reached and self.tightness >= THRESHOLD:
            reached.append(time.perf_counter() - start)

    adversary.Adversary._record = timed
    try:
        verdict = check(pinned(h, steps), CheckConfig(seed=seed, device="cpu"))
    finally:
        adversary.Adversary._record = record
    return {"h": h, "N": steps, "seed": seed, "tightness": verdict.tightness, "status": verdict.status,
            "seconds_to_0.99": round(reached[0], 3) if reached else None, "seconds": round(verdict.seconds, 3),
            "certified": verdict.certified_tightness}


def pep_one(h: float, steps: int) -> dict:
    from benchmarks.pinned_stationarity import pinned
    from odl_verify.engine.oracle import grid_points
    from odl_verify.engine.oracle.solve import solve
    (point,) = grid_points(pinned(h, steps))
    entry = solve(point.problem, level=1 / point.scale, extract=False)
    return {"h": h, "N": steps, "pep_seconds": entry["seconds"], "solver": entry["solver"],
            "certified": point.tightness(entry["value"])}


def compare(seeds: list[int], jobs: int) -> None:
    from benchmarks.pinned_stationarity import COUNTS, STEPS
    points = [(h, n) for h in STEPS for n in COUNTS]
    pep = [pep_one(h, n) for h, n in points]  # one solve at a time, alone on the machine
    with ProcessPoolExecutor(jobs) as pool:
        runs = list(pool.map(search_one, *zip(*[(h, n, s) for h, n in points for s in seeds])))
    rows = []
    for solved in pep:
        mine = [r for r in runs if (r["h"], r["N"]) == (solved["h"], solved["N"])]
        times = [r["seconds_to_0.99"] for r in mine]
        rows.append({**solved, "search_tightness": [r["tightness"] for r in mine],
                     "search_seconds_to_0.99": times, "search_seconds": [r["seconds"] for r in mine],
                     "reached_on_every_seed": all(t is not None for t in times)})
        finite = [t for t in times if t is not None]
        print(f"h={solved['h']:<4g} N={solved['N']:<3d} PEPit {solved['pep_seconds']:6.2f}s "
              f"(certified {solved['certified']:.9f})  search to {THRESHOLD}: "
              f"{min(finite, default=float('nan')):6.2f}-{max(finite, default=float('nan')):6.2f}s, "
              f"tightness {min(r['tightness'] for r in mine):.6f}-{max(r['tightness'] for r in mine):.6f}")
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "pep-vs-search.json"), "w") as handle:
        json.dump({"threshold": THRESHOLD, "seeds": seeds, "profile": "quick", "rows": rows, "runs": runs,
                   "load_average_1min": os.getloadavg()[0]}, handle, indent=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    regenerating = commands.add_parser("regenerate")
    regenerating.add_argument("names", nargs="*")
    regenerating.add_argument("--force", action="store_true")
    comparing = commands.add_parser("compare")
    comparing.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    comparing.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.command == "regenerate":
        regenerate(args.names, args.force)
    else:
        compare(args.seeds, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
