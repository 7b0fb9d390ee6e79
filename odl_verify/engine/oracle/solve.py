"""Building and solving a normalised PEP with PEPit (an optional dependency: ``pip install odl-verify[pep]``).

The method runs through the project's own update rule (:mod:`odl_verify.definitions.methods`)
on PEPit's points: its bodies are plain arithmetic, so the rule that the search runs batched in
torch and the confirmation runs in mpmath is the rule whose worst case is certified here.
"""
from __future__ import annotations

import contextlib
import importlib.metadata
import io
import math
import time
import warnings

import numpy as np

from ...definitions import methods
from ...errors import UsageError
from .problem import EACH_STEP, Problem

#: solver tolerances: the extracted worst case should reproduce the value to about 1e-8
SOLVER_OPTIONS = {"CLARABEL": {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10},
                  "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200_000}}
#: the solver tried first, and the one a failure falls back to
SOLVERS = ("CLARABEL", "SCS")


def pepit():
    """The PEPit package, or a usage error saying how to install it."""
    try:
        import PEPit
    except ImportError:
        raise UsageError("live PEP solves need PEPit, cvxpy and Clarabel: pip install 'odl-verify[pep]' "
                         "(checks read the cached solutions without them)") from None
    return PEPit


def versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in ("pepit", "cvxpy", "clarabel", "scs")}


class PepNamespace:
    """What an update rule's body needs from a namespace, on PEPit points."""

    name = "pepit"

    @staticmethod
    def zeros_like(point):
        return pepit().null_point


def _function_class(problem: Problem):
    pepit()
    import PEPit.functions as functions
    if problem.function_class == "smooth":
        return functions.SmoothFunction, {"L": 1.0}
    if problem.function_class == "smooth convex":
        return functions.SmoothConvexFunction, {"L": 1.0}
    if problem.function_class == "smooth strongly convex":
        return functions.SmoothStronglyConvexFunction, {"L": 1.0, "mu": problem.strong_convexity}
    return functions.SmoothStronglyConvexQuadraticFunction, {"L": 1.0, "mu": problem.strong_convexity}


def build(problem: Problem, level: float = 1.0):
    """(PEPit problem, trace): the method run for N steps on the class, the quantities as PEPit
    expressions, the performance and the normalised constraint (form ≤ level, or ≥ level); trace
    keeps the points, gradients and values for extracting the worst case."""
    PEPit = pepit()
    pb = PEPit.PEP()
    cls, options = _function_class(problem)
    func = pb.declare_function(cls, **options)
    trace = {"x": [], "g": [], "f": []}

    def oracle(point):
        g, f = func.oracle(point)
        trace["x"].append(point), trace["g"].append(g), trace["f"].append(f)
        return g

    rule = getattr(methods, problem.method)(**dict(problem.hyperparameters))
    x0 = pb.set_initial_point()
    taken = len(trace["g"])
    iterates = methods.iterates(rule, oracle, x0, PepNamespace, problem.steps)
    steps_taken = trace["g"][taken:]
    g_0, f_0 = func.oracle(x0)
    g_N, f_N = oracle(iterates[-1]), trace["f"][-1]
    quantities = {"f(x_0)": f_0, "f(x_N)": f_N, "|g_0|^2": g_0 ** 2, "|g_N|^2": g_N ** 2}
    if problem.function_class == "smooth":
        # f* = inf f: a free scalar below every f_k − ‖g_k‖²/(2L), exact for L-smooth functions bounded
        # below (PEPit's stationary point would only be a critical value, and the PEP unbounded)
        f_star = PEPit.Expression()
        for g, f in zip(trace["g"] + [g_0], trace["f"] + [f_0]):
            pb.add_constraint(f - f_star >= g ** 2 / 2)
        quantities["f*"] = f_star
    else:
        x_star = func.stationary_point()
        quantities.update({"f*": func(x_star), "|x_0 - x*|^2": (x0 - x_star) ** 2,
                           "|x_N - x*|^2": (iterates[-1] - x_star) ** 2})
        trace["star"] = x_star

    def linear(form):
        return sum((coefficient * quantities[name] for name, coefficient in form), PEPit.null_expression)

    constraint = linear(problem.constraint)
    pb.set_initial_condition(constraint <= level if problem.sense == "max" else constraint >= level)
    for atom in problem.observed:
        names = dict(atom)
        if EACH_STEP in names:
            rest = [(n, c) for n, c in atom if n != EACH_STEP]
            for g in steps_taken:
                pb.set_performance_metric(names[EACH_STEP] * g ** 2 + linear(rest))
        else:
            pb.set_performance_metric(linear(atom) if problem.sense == "max" else -linear(atom))
    return pb, trace


def _solve_once(problem: Problem, solver: str, reduce: str | None, level: float):
    pb, trace = build(problem, level)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        dual = pb.solve(wrapper="cvxpy", solver=solver, verbose=0, return_primal_or_dual="dual",
                        dimension_reduction_heuristic=reduce, tol_dimension_reduction=1e-8,
                        **SOLVER_OPTIONS[solver])
        seconds = time.perf_counter() - start
    return pb, trace, dual, seconds


def solve(problem: Problem, level: float = 1.0, extract: bool = True) -> dict:
    """The PEP's optimal value per unit of the constraint (PEPit's dual value: its certified bound),
    the solver's accuracy, and with ``extract`` a low-rank worst case (PEPit's logdet heuristic), as
    a cache entry. The problem is homogeneous, so it is solved at the constraint ``level`` where the
    claim's bound is 1 (its value then near 1 when the bound is tight: the solvers' tolerances are
    absolute) and divided by it; ``status`` is the solver's, and only "optimal" counts as certified."""
    failures = []
    for solver in SOLVERS:
        try:
            pb, trace, dual, seconds = _solve_once(problem, solver, None, level)
            if pb.wrapper.prob.status == "optimal":
                break
            failures.append(f"{solver}: status {pb.wrapper.prob.status}")
        except Exception as exc:  # cvxpy's SolverError and numerical failures: the next solver
            failures.append(f"{solver}: {type(exc).__name__}: {exc}")
    else:
        if not failures or "status" not in failures[-1]:
            raise RuntimeError("; ".join(failures))
    entry = {"problem": problem.as_dict(), "solver": solver, "versions": versions(), "seconds": round(seconds, 4),
             "level": level, "status": pb.wrapper.prob.status}
    if failures:
        entry["failures"] = failures
    if dual is None:  # PEPit found no finite worst case
        return {**entry, "value": math.inf if problem.sense == "max" else -math.inf, "unbounded": True}
    sign = 1 if problem.sense == "max" else -1
    primal = float(pb.objective.eval())
    stats = pb.wrapper.prob.solver_stats
    entry.update(value=sign * float(dual) / level, accuracy={
        "primal": sign * primal / level, "dual - primal": (float(dual) - primal) / level,
        "gram min eigenvalue": float(np.min(np.linalg.eigvalsh(pb.G_value))), "iterations": stats.num_iters})
    if extract:
        entry["worst case"] = _extracted(problem, solver, level)
    return entry


def _extracted(problem: Problem, solver: str, level: float) -> dict:
    """The worst case's points, gradients and values in coordinates of its own span, after PEPit's
    logdet rank reduction (two re-solves; without them where they fail)."""
    for reduce in ("logdet2", None):
        try:
            _, trace, _, seconds = _solve_once(problem, solver, reduce, level)
            break
        except Exception:  # the reduction's re-solves are harder than the PEP itself
            continue
    x = np.array([np.atleast_1d(p.eval()) for p in trace["x"]])
    g = np.array([np.atleast_1d(p.eval()) for p in trace["g"]])
    f = np.array([float(v.eval()) for v in trace["f"]])
    origin = x[0]
    _, singular, basis = np.linalg.svd(np.vstack([x - origin, g]), full_matrices=False)
    rank = int(np.sum(singular > 1e-6 * singular[0])) if singular[0] > 0 else 0
    basis = basis[:rank]
    return {"x": ((x - origin) @ basis.T).tolist(), "g": (g @ basis.T).tolist(), "f": (f - f[0]).tolist(),
            "rank": rank, "heuristic": reduce or "none", "seconds": round(seconds, 4)}

