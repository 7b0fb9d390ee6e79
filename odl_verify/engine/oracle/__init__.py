"""The performance-estimation oracle: the exact worst case of a claim's method over its function class.

A claim linked to a PEP (``Claim(worst_case=PerformanceEstimation(...))``, a rule of
:mod:`odl_verify.definitions.methods` on a class PEPit can express) is certified at each point of
its grid inside its domain: the worst case over the whole class divided by the claim's bound,
from PEPit's semidefinite program (:mod:`.solve`, Clarabel with SCS as fallback), cached as JSON
(:mod:`.cache`). A verdict shows it beside the tightness the search observed, so a gap says
whether the search or the theorem falls short; a certified ratio above 1 is evidence that the
bound is false on the class, which becomes a counterexample only once an explicit instance is
found and confirmed in high precision, as every counterexample is.
"""
from __future__ import annotations

import numpy as np

from ...definitions.claims import Claim
from ...errors import UsageError
from . import cache
from .problem import GridPoint, Problem, grid_points

#: what a row of a certification holds besides the grid point's parameters
ROW_FIELDS = ("certified", "solver", "status", "dual - primal", "PEP seconds")
#: singular values of a PEP's primal solution below this fraction of the largest are solver noise
NOISE_RANK = 1e-3
#: a certified ratio this far above 1 is evidence against the bound (the solvers' certificates
#: hold to about 1e-8 at these sizes; the cache records each solution's own accuracy)
EVIDENCE_MARGIN = 1e-6


def certify(claim: Claim) -> dict | None:
    """The cached certification of a claim's grid (no solve): per point its parameters, the certified
    ratio, the solver and its gap; the largest ratio; and the points not cached yet. None for a
    claim without a PEP link."""
    points = grid_points(claim)
    if not points:
        return None
    rows, missing = [], []
    for point in points:
        entry = cache.entries().get(point.problem.key)
        if entry is None:
            missing.append(point.parameters)
            continue
        rows.append({**point.parameters, "certified": point.tightness(entry["value"]), "solver": entry["solver"],
                     "status": entry["status"], "dual - primal": entry.get("accuracy", {}).get("dual - primal"),
                     "PEP seconds": entry["seconds"]})
    certified = max((r["certified"] for r in rows if r["status"] == "optimal"), default=None)
    return {"rows": rows, "missing": missing, "certified": certified,
            "versions": next((cache.entries()[p.problem.key]["versions"] for p in points
                              if p.problem.key in cache.entries()), None)}


def cached_designer(claim: Claim):
    """The PEP's own worst cases as a designer for the worst-case families (``SmoothInterpolant(designer=
    cached_designer(claim))``): (h, N) → the cached primal solution at the claim's grid point with step
    h = Lη and N steps (the nearest one cached, where that point is not), in coordinates of its
    numerical span (directions below 1e-3 of the largest are solver noise) and rescaled to gradients
    of norm at most 1. The family certifies its constants from the data, so any data give a true
    instance."""
    link = claim.worst_case
    designs = {}
    for point in grid_points(claim):
        entry = cache.entries().get(point.problem.key, {})
        if "worst case" in entry:
            steps = point.parameters.get(str(link.steps), link.steps)
            designs[(point.parameters[str(link.step)], steps)] = entry["worst case"]
    if not designs:
        raise UsageError(f"claim {claim.name!r} has no cached worst case to design from")

    def designer(h: float, steps: int) -> dict:
        nearest = min(designs, key=lambda design: (design[1] != steps, abs(design[0] - h)))
        worst = designs[nearest]
        x, g = np.asarray(worst["x"], dtype=np.float64), np.asarray(worst["g"], dtype=np.float64)
        _, singular, basis = np.linalg.svd(np.vstack([x, g]), full_matrices=False)
        basis = basis[:max(1, int(np.sum(singular > NOISE_RANK * singular[0])))]
        x, g = x @ basis.T, g @ basis.T
        scale = float(np.sqrt((g * g).sum(axis=1).max()))
        return {"x": x / scale, "g": g / scale, "f": np.asarray(worst["f"]) / scale ** 2}

    return designer


def regenerate(claims, force: bool = False, log=print) -> dict:
    """Solve (with PEPit) and cache every grid point of ``claims`` that is not cached yet (all of
    them with ``force``); returns the new entries by key. One solve at a time."""
    from .solve import solve
    new = {}
    for claim in claims:
        for point in grid_points(claim):
            key = point.problem.key
            if key in new or (key in cache.entries() and not force):
                continue
            new[key] = solve(point.problem, level=1 / point.scale)
            log(f"{claim.name} {point.parameters}: certified {point.tightness(new[key]['value']):.10g} "
                f"({new[key]['solver']}, {new[key]['seconds']:.2f}s)")
            cache.write({key: new[key]})
    return new


def _points(count: int) -> str:
    return f"{count} grid point{'' if count == 1 else 's'}"


def summary(certification: dict, observed: float | None) -> str:
    """One line for a verdict: the certified worst case over the class against the search's."""
    rows, missing = certification["rows"], certification["missing"]
    if not rows:
        return (f"no cached PEP solution for its {_points(len(missing))} "
                "(odl_verify.engine.oracle.regenerate([claim]) solves them, with odl-verify[pep])")
    solved = [r for r in rows if r["status"] == "optimal"]
    if not solved:
        return f"no grid point solved to optimality ({len(rows)} inaccurate)"
    best = max(solved, key=lambda r: r["certified"])
    where = ", ".join(f"{k}={v:g}" for k, v in best.items() if k not in ROW_FIELDS)
    gap = max(abs(r["dual - primal"] or 0.0) for r in solved)
    solvers = "/".join(sorted({r["solver"] for r in solved}))
    text = (f"worst case over the class {best['certified']:.6g} of the bound (at {where}; PEPit + {solvers}, "
            f"|dual - primal| <= {gap:.1g} per unit of the bound, {_points(len(solved))})")
    if len(solved) < len(rows):
        text += f"; {len(rows) - len(solved)} solved inaccurately, left out"
    if observed is not None:
        text += f"; the search observed {observed:.6g}"
    if best["certified"] > 1 + EVIDENCE_MARGIN:
        text += ": above 1, evidence that the bound is false on the class (a counterexample needs an instance)"
    if missing:
        text += f"; {_points(len(missing))} not cached"
    return text


__all__ = ["EVIDENCE_MARGIN", "GridPoint", "Problem", "cached_designer", "certify", "grid_points", "regenerate",
           "summary"]
