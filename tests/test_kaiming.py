"""Kaiming initialization (docs/theory.md §4): the true claims hold at their stated false-alarm
rate, every wrong variant is falsified, the statistics behave as stated."""
import json
import math

import pytest
import sympy as sp
import torch
from scipy import stats

from odl_verify import check, CheckConfig, UsageError
from odl_verify.frontends.registry import load_file
from odl_verify.engine.statistics import binomial_tail, holm, mom_test
from odl_verify.theorems.kaiming import (FAN_IN, KAIMING_BACKWARD, KAIMING_FORWARD, SECOND_FACTOR, layer_moments, n_in,
                              n_out)

QUICK = CheckConfig(seed=0, device="cpu", examples=8)


def test_moments_are_derived_not_restated():
    # docs/theory.md §4: E[R] = 1, E[R²] = 1 + 5/n, Var R = 5/n under fan_in; the backward mean is 1 under fan_out
    assert sp.simplify(SECOND_FACTOR - (1 + 5 / n_out)) == 0
    theory, _, variance = layer_moments("forward", "relu", 1, FAN_IN, sp.Integer(1))
    assert theory == 1 and sp.simplify(variance - 5 / n_out) == 0
    assert layer_moments("backward", "relu", 1, 2 / n_out, sp.Integer(1))[0] == 1
    assert sp.simplify(layer_moments("forward", "linear", 1, 2 / (n_in + n_out), sp.Integer(1))[0]
                       .subs({n_in: 1, n_out: 3})) == sp.Rational(1, 2)


@pytest.fixture(scope="module")
def forward_verdict():
    return check(KAIMING_FORWARD, QUICK)


@pytest.mark.parametrize("claim", [KAIMING_FORWARD, KAIMING_BACKWARD], ids=lambda c: c.name)
def test_true_claims_hold_and_report_observed_beside_theory(claim, forward_verdict):
    verdict = forward_verdict if claim is KAIMING_FORWARD else check(claim, QUICK)
    assert verdict.status == "held", verdict.details["notes"]
    assert verdict.details["false_alarm"] == 1e-6
    tests = verdict.details["tests"]
    assert len(tests) >= 30 and not any(t["rejected"] for t in tests)
    assert all(math.isfinite(t["detectable"]) and t["detectable"] > t["critical"] > 0 for t in tests)
    assert min(min(w) for w in verdict.coverage["widths"]) == 1, "narrow widths must be drawn"
    assert all(len(w) == 31 for w in verdict.coverage["widths"])
    assert len(verdict.samples["theory"]) == len(verdict.samples["observed"]) > 0


def test_forward_verdict_keeps_the_slides_depth_plots(forward_verdict):
    verdict = forward_verdict
    plots = {p["title"].split(" against")[0]: p for p in verdict.details["plots"]}
    second = {s["label"]: s["y"] for s in plots["E[M_l^2]/M_0^2"]["series"]}
    assert plots["E[M_l^2]/M_0^2"]["yscale"] == "log" and len(second) == 5
    assert second["small N(0, 0.01^2)"][-1] < 1e-30 < 1e30 < second["large N(0, 1)"][-1]
    assert second["zero"][-1] == 0
    assert second["Kaiming theory prod(1 + 5/n_l)"][-1] == pytest.approx((1 + 5 / 32) ** 30)
    run = verdict.details["fixed_width_run"]
    assert run["dead_fraction_theory"] == pytest.approx(1 - (1 - 2.0**-32) ** 30)


@pytest.mark.parametrize("name", ["kaiming-forward~lecun-with-relu", "kaiming-forward~glorot-preserves-forward",
                                  "kaiming-forward~second-moment-preserved", "kaiming-backward~fan-in-backward"])
def test_wrong_variant_is_falsified_at_the_stated_rate(repo_path, name, wrong_variant):
    (claim,) = [c for c in load_file(repo_path("tests/variants/kaiming_wrong.py")) if c.name == name]
    verdict = wrong_variant(check(claim, QUICK))
    assert verdict.status == "falsified"
    rejected = [t for t in verdict.details["tests"] if t["rejected"]]
    # Holm at 1e-6 over every test of the run: the smallest p-value is below 1e-6/m
    assert min(t["p_value"] for t in rejected) <= 1e-6 / len(verdict.details["tests"])


@pytest.mark.thorough  # 60 checks: a calibration of the stated rate, not a behaviour that can regress silently per change
def test_empirical_false_alarm_rate_is_within_the_stated_rate():
    """Run a correct claim many times at a stated rate of 0.2 (small networks, depth 10, so the
    run is cheap): the number of false alarms must be consistent with Bin(runs, 0.2) (one-sided,
    at 1e-6); the same check on a claim off by 30% must exceed that ceiling."""
    runs, alpha = 30, 0.2
    ceiling = stats.binom.ppf(1 - 1e-6, runs, alpha)
    small = dict(networks=120, depth=10, alpha=alpha)
    correct = KAIMING_FORWARD.variant("rate", **small)
    off = KAIMING_FORWARD.variant("off-by-30-percent", variance=2.6 / n_in, **small)
    configs = [CheckConfig(seed=s, device="cpu", examples=4) for s in range(runs)]
    alarms = sum(check(correct, c).status == "falsified" for c in configs)
    assert alarms <= ceiling
    assert sum(check(off, c).status == "falsified" for c in configs) > ceiling


@pytest.mark.parametrize("at_least, n, p", [(0, 5, 0.2), (1, 1, 0.3), (5, 9, 0.25), (15, 29, 1e-5), (29, 29, 0.5)])
def test_binomial_tail_is_scipy_stats_upper_tail(at_least, n, p):
    assert binomial_tail(at_least, n, p) == pytest.approx(stats.binom.sf(at_least - 1, n, p), rel=1e-12, abs=0)


def test_mom_p_values_are_valid_and_holm_controls_the_family():
    generator = torch.Generator().manual_seed(0)
    samples = torch.randn(2000, 400, generator=generator, dtype=torch.float64)
    p = torch.tensor([mom_test("null", row, 0.0, 1.0).p_value for row in samples])
    for u in (0.01, 0.1, 0.5):  # super-uniform: P(p <= u) <= u, up to binomial noise at 1e-6
        assert int((p <= u).sum()) <= stats.binom.ppf(1 - 1e-6, len(p), u)
    shifted = [mom_test("shift", torch.randn(400, generator=generator, dtype=torch.float64) + 1.0, 0.0, 1.0)]
    assert holm(shifted, 1e-6)[0].rejected
    assert not any(t.rejected for t in holm([mom_test("null", row, 0.0, 1.0) for row in samples[:50]], 1e-6))


def test_same_seed_same_verdict_data():
    config, claim = CheckConfig(seed=5, device="cpu", examples=4), KAIMING_BACKWARD.variant("small", networks=200)
    first, second = (check(claim, config).to_dict() for _ in range(2))
    first.pop("seconds"), second.pop("seconds")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_bad_construction_is_a_usage_error():
    with pytest.raises(UsageError, match="activation must be relu or linear"):
        KAIMING_FORWARD.variant("tanh", activation="tanh")
    with pytest.raises(UsageError, match="backward law"):
        KAIMING_BACKWARD.variant("second", power=2)
