"""The performance-estimation oracle: claims become normalised PEPs, the cache certifies every shipped
linked claim, variants read the same solutions, and bad links are rejected with a reason. No SDP is
solved here unless the run is thorough (and PEPit is installed)."""
import dataclasses
import importlib.util
import math

import pytest
import sympy as sp

from odl_verify import UsageError, check, CheckConfig
from odl_verify.core.text import format_verdict
from odl_verify.definitions.claims import PerformanceEstimation
from odl_verify.definitions.methods import GradientDescent, HeavyBall, Nesterov
from odl_verify.engine import oracle
from odl_verify.engine.oracle import cache, grid_points
from odl_verify.frontends.registry import builtin_claims, load_file
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA
from odl_verify.theorems.quadratic_contraction import SHORT_STEP
from odl_verify.theorems.stationarity import EXACT_F_STAR, EXACT_SHORT_STEP, T, TEXTBOOK, beta, eta, f_0, f_T, min_grad_sq

LINKED = sorted((c for c in builtin_claims().values() if getattr(c, "worst_case", None) is not None),
                key=lambda c: c.name)


def test_a_claim_at_a_grid_point_is_a_normalised_pep():
    points = {(p.parameters["eta"], p.parameters["T"]): p for p in grid_points(EXACT_SHORT_STEP)}
    assert set(points) == {(h, n) for h in (0.25, 0.5, 1.0) for n in (1, 2, 5, 10)}
    at_1 = points[(1.0, 10)]
    problem = at_1.problem.as_dict()
    # max min_k ‖g_k‖² subject to f(x₀) − f(x_N) ≤ 1, GD at η = 1 on 1-smooth functions
    assert problem["sense"] == "max" and problem["hyperparameters"] == {"lr": 1.0} and problem["N"] == 10
    assert problem["observed"] == [{"min_{k<N} |g_k|^2": 1.0}, {"|g_N|^2": 1.0}]
    assert problem["constraint"] == {"f(x_0)": 1.0, "f(x_N)": -1.0}
    assert at_1.scale == pytest.approx(4 / 3 / 10)  # c(1)/N
    assert at_1.tightness(4 / 3 / 10) == pytest.approx(1.0)


def test_a_lower_bound_is_a_minimisation_and_norms_enter_squared():
    (point,) = [p for p in grid_points(DESCENT_LEMMA) if p.parameters["eta"] == 1.5]
    assert point.problem.sense == "min" and point.problem.constraint == (("|g_0|^2", 1.0),)
    assert point.scale == pytest.approx(1.5 * (1 - 0.75)) and point.tightness(point.scale) == pytest.approx(1.0)
    squared = grid_points(SHORT_STEP)[0]
    assert squared.power == 2 and dict(squared.problem.constraint) == {"|x_0 - x*|^2": 1.0}
    assert squared.tightness(4 * squared.scale) == pytest.approx(2.0)


def test_a_stronger_variant_reads_the_same_solution_and_is_evidence_against_itself(repo_path):
    variants = {c.name: c for c in load_file(repo_path("tests/variants/stationarity_wrong.py"))}
    stronger = variants["stationarity-exact-constant~1-percent-too-strong"]
    assert [p.problem.key for p in grid_points(stronger)] == [p.problem.key for p in grid_points(EXACT_SHORT_STEP)]
    certification = oracle.certify(stronger)
    assert certification["certified"] == pytest.approx(1 / 0.99, rel=1e-7)
    assert "evidence that the bound is false" in oracle.summary(certification, observed=None)


def test_grid_points_outside_the_domain_are_left_out():
    pinned = EXACT_SHORT_STEP.variant("pinned", add=[sp.Ge(eta, 1 / (2 * beta)), sp.Le(eta, 1 / (2 * beta))],
                                      integers={T: (5, 5)})
    assert {(p.parameters["eta"], p.parameters["T"]) for p in grid_points(pinned)} == {(0.5, 5)}


@pytest.mark.parametrize("claim", LINKED, ids=[c.name for c in LINKED])
def test_every_linked_claim_is_certified_from_the_cache(claim):
    certification = oracle.certify(claim)
    assert not certification["missing"], "run python benchmarks/pep_oracle.py regenerate"
    assert all(row["status"] == "optimal" for row in certification["rows"])
    # no shipped claim is certified above its bound; a tight one attains it (the textbook rates too, at T = 1)
    assert certification["certified"] == pytest.approx(1.0, abs=1e-6)


def test_the_textbook_rate_is_certified_tight_only_at_one_step():
    """At h = 1 the worst min_{t<T}‖g_t‖² is 4β(f₀ − f_T)/(3T − 1) (the PEP), against the textbook's 2β(f₀ − f_T)/T."""
    at = {(r["eta"], r["T"]): r["certified"] for r in oracle.certify(TEXTBOOK)["rows"]}
    for steps in (1, 2, 5, 10):
        assert at[(1.0, steps)] == pytest.approx(2 * steps / (3 * steps - 1), rel=1e-7)


def test_a_verdict_shows_the_certified_worst_case_beside_the_observed():
    verdict = check(EXACT_F_STAR, CheckConfig(seed=0, examples=3, device="cpu"))
    assert verdict.certified_tightness == pytest.approx(1.0, abs=1e-6)
    line = next(line for line in format_verdict(verdict).splitlines() if line.strip().startswith("certified:"))
    assert "PEPit" in line and "|dual - primal|" in line and f"observed {verdict.tightness:.6g}" in line
    assert len(verdict.details["certified worst case"]) == 4
    assert verdict.to_dict()["certified_tightness"] == verdict.certified_tightness


def test_bad_links_are_rejected_with_a_reason():
    with pytest.raises(UsageError, match="function class"):
        PerformanceEstimation(method=GradientDescent(lr=eta), function_class="lipschitz", smoothness=beta, steps=T,
                              quantities={}, grid={})
    with pytest.raises(UsageError, match="quantities"):
        PerformanceEstimation(method=GradientDescent(lr=eta), function_class="smooth", smoothness=beta, steps=T,
                              quantities={f_0: "f(x_7)"}, grid={})
    not_linear = EXACT_SHORT_STEP.variant("squared", conclusion=sp.Le(min_grad_sq, beta * (f_0 - f_T) ** 2))
    with pytest.raises(UsageError, match="linear"):
        grid_points(not_linear)
    no_eta = EXACT_SHORT_STEP.variant("no-eta-grid", worst_case=PerformanceEstimation(
        method=GradientDescent(lr=eta), function_class="smooth", smoothness=beta, steps=T,
        quantities=EXACT_SHORT_STEP.worst_case.quantities, grid={T: (1,)}))
    with pytest.raises(UsageError, match="gives no value for"):
        grid_points(no_eta)


@pytest.mark.thorough
@pytest.mark.skipif(importlib.util.find_spec("PEPit") is None, reason="PEPit not installed (pip install 'odl-verify[pep]')")
def test_a_live_solve_reproduces_the_cached_value():
    from odl_verify.engine.oracle.solve import solve
    (point,) = [p for p in grid_points(EXACT_SHORT_STEP) if (p.parameters["eta"], p.parameters["T"]) == (0.5, 2)]
    entry = solve(point.problem, level=1 / point.scale)
    assert entry["status"] == "optimal"
    assert entry["value"] == pytest.approx(cache.entries()[point.problem.key]["value"], rel=1e-7)
    assert point.tightness(entry["value"]) == pytest.approx(1.0, abs=1e-7)
    assert math.isfinite(entry["accuracy"]["dual - primal"]) and entry["worst case"]["rank"] == 1


@pytest.mark.thorough
@pytest.mark.skipif(importlib.util.find_spec("PEPit") is None, reason="PEPit not installed (pip install 'odl-verify[pep]')")
@pytest.mark.parametrize("rule", [HeavyBall(lr=eta, momentum=0), Nesterov(lr=eta, momentum=0, form="sutskever")],
                         ids=["heavy-ball", "nesterov"])
def test_momentum_rules_run_on_pepit_points(rule):
    """Heavy ball and Nesterov through the same update rules, at momentum 0, certify gradient descent's value."""
    from odl_verify.engine.oracle.solve import solve
    link = dataclasses.replace(EXACT_SHORT_STEP.worst_case, method=rule, grid={eta: (0.5,), T: (2,)})
    (point,) = grid_points(EXACT_SHORT_STEP.variant("momentum-0", worst_case=link))
    (gradient_descent,) = [p for p in grid_points(EXACT_SHORT_STEP) if (p.parameters["eta"], p.parameters["T"]) == (0.5, 2)]
    assert point.problem.key != gradient_descent.problem.key
    entry = solve(point.problem, level=1 / point.scale, extract=False)
    assert entry["value"] == pytest.approx(cache.entries()[gradient_descent.problem.key]["value"], rel=1e-7)
