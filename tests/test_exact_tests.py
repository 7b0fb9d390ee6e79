"""The exact tests of odl_verify/engine (laws, exact_tests, edf): p-values calibrated under the null,
equal to independent references (scipy.stats, mpmath), power statements that hold when simulated
at the stated deviation, and rejections where they must reject."""
import math

import mpmath
import numpy as np
import pytest
import torch
from scipy import integrate, special, stats

from odl_verify.engine import edf, exact_tests as et
from odl_verify.engine.laws import SCORE_LIMIT, HaarEntry, Normal, TruncatedNormal, Uniform
from odl_verify.engine.statistics import holm, mom_test

RNG = np.random.default_rng(20240613)


def fraction_bounds(runs: int, u: float) -> tuple[float, float]:
    """Counts of p ≤ u that a calibrated p-value stays within, at 1e-6 each side."""
    return stats.binom.ppf(1e-6, runs, u), stats.binom.ppf(1 - 1e-6, runs, u)


def p_values(test, runs: int, n: int) -> np.ndarray:
    return np.array([test(RNG.standard_normal(n)).p_value for _ in range(runs)])


@pytest.mark.parametrize("name, test, conservative", [
    ("mean", lambda z: et.normal_mean_test("m", z, True), False),
    ("chi2", lambda z: et.chi2_variance_test("v", z, True), False),
    ("max |z|", lambda z: et.extreme_test("x", z, Normal(0, 1)), False),
    ("count |z| > 2", lambda z: et.tail_count_test("c", z, 2.0), True),
    ("correlation", lambda z: et.correlation_test("r", z[::2], z[1::2]), False),
    ("KS (DKW bound)", lambda z: edf.ks_test("k", np.sort(z)), True),
])
def test_p_values_are_calibrated_under_the_null(name, test, conservative):
    runs = 1000
    p = p_values(test, runs, 400)
    for u in (0.01, 0.1, 0.5):
        low, high = fraction_bounds(runs, u)
        assert np.sum(p <= u) <= high, f"{name}: too many p <= {u}"
        if not conservative:
            assert np.sum(p <= u) >= low, f"{name}: too few p <= {u} for an exact test"


def test_anderson_darling_is_calibrated_where_it_is_used():
    runs = 200
    p = p_values(lambda z: edf.anderson_darling_test("a", np.sort(z)), runs, edf.AD_MIN_SAMPLES)
    for u in (0.05, 0.5):
        low, high = fraction_bounds(runs, u)
        assert low <= np.sum(p <= u) <= high


def test_anderson_darling_law_against_its_exact_moments_and_tables():
    # E[A²] = Σ 1/(j(j+1)) = 1 and E[A⁴] = 1 + 2Σ 1/(j(j+1))² = 2π²/3 − 5, from the tail alone
    sf = np.vectorize(edf.ad_sf)
    first = integrate.fixed_quad(sf, 0, 60, n=160)[0]  # the tail beyond 60 is below 1e-27
    second = integrate.fixed_quad(lambda x: 2 * x * sf(x), 0, 60, n=160)[0]
    assert first == pytest.approx(1.0, rel=1e-9) and second == pytest.approx(2 * math.pi**2 / 3 - 5, rel=1e-9)
    assert edf.ad_critical(0.05) == pytest.approx(2.492, abs=5e-4)  # Anderson & Darling 1954
    assert edf.ad_critical(0.10) == pytest.approx(1.933, abs=5e-4)
    # the far tail approaches its leading term √3·P(χ²₁ > 2x) from above, like 1 + O(1/x)
    ratios = [edf.ad_sf(x) / (math.sqrt(3) * special.erfc(math.sqrt(x))) for x in (40.0, 80.0, 400.0)]
    assert 1 < ratios[1] < ratios[0] < 1.01 and ratios[2] == pytest.approx(1.0)


def test_p_values_equal_independent_references():
    z = RNG.standard_normal(5000) * 1.03
    chi2 = et.chi2_variance_test("v", z, True)
    s = float(np.sum(z * z))
    assert chi2.p_value == pytest.approx(2 * min(stats.chi2.cdf(s, 5000), stats.chi2.sf(s, 5000)), rel=1e-9)
    x, y = z[:2500], z[2500:] + 0.05 * z[:2500]
    r = et.correlation_test("r", x, y)
    t = r.observed * math.sqrt(2499 / (1 - r.observed**2))
    assert r.p_value == pytest.approx(2 * stats.t.sf(abs(t), 2499), rel=1e-9)
    count = et.binomial_count_test("b", 37, 1000, 0.05, "q")
    assert count.p_value == pytest.approx(2 * stats.binom.cdf(37, 1000, 0.05), rel=1e-9)
    # the max's law at 50 digits: P(max|z| <= m) = (1 − 2Φ(−m))^n
    n, m = 10**6, 4.0
    z = np.concatenate([[m], np.zeros(n - 1)])
    mpmath.mp.dps = 50
    exact = (1 - mpmath.erfc(mpmath.mpf(m) / mpmath.sqrt(2))) ** n
    assert et.extreme_test("x", z, Normal(0, 1)).p_value == pytest.approx(float(2 * exact), rel=1e-8)


@pytest.mark.parametrize("n, distance", [(100, 0.12), (1000, 0.05), (10000, 0.02)])
def test_ks_bound_is_never_below_the_exact_tail(n, distance):
    u = np.sort(np.concatenate([[distance / 2], np.linspace(0, 1, n)[1:-1], [1 - 1e-9]]))
    test = edf.ks_test("k", special.ndtri(u))
    assert test.p_value >= stats.kstwo.sf(test.observed, n)


def test_scores_are_accurate_in_both_tails():
    assert Normal(1.0, 2.0).scores(np.array([1.0 + 2 * 7.5]))[0] == 7.5
    uniform = Uniform(-2.0, 6.0)
    # 2^-37 from a bound is exact in float64: the tail is 2^-40 on either side
    assert uniform.scores(np.array([-2.0 + 2.0**-37]))[0] == pytest.approx(special.ndtri(2.0**-40), rel=1e-12)
    assert uniform.scores(np.array([6.0 - 2.0**-37]))[0] == pytest.approx(-special.ndtri(2.0**-40), rel=1e-12)
    assert uniform.scores(np.array([7.0]))[0] == SCORE_LIMIT  # outside the support: finite, extreme
    law = TruncatedNormal(0.5, 2.0, -1.0, 9.0)
    for w in (-1.0 + 1e-9, 0.0, 8.999):
        reference = stats.truncnorm(-0.75, 4.25, loc=0.5, scale=2.0)
        assert law.scores(np.array([w]))[0] == pytest.approx(special.ndtri(reference.cdf(w)), rel=1e-6, abs=1e-9)
    haar = HaarEntry(length=7, gain=2.0)
    for q in (-0.9, 0.1, 0.95):
        beyond = 0.5 * stats.beta.sf(q * q, 0.5, 3.0)
        cdf = beyond if q < 0 else 1 - beyond
        assert haar.scores(np.array([2.0 * q]))[0] == pytest.approx(special.ndtri(cdf), rel=1e-9)


def test_haar_entry_scores_of_haar_matrices_are_standard_normal():
    q, r = np.linalg.qr(RNG.standard_normal((4000, 5, 5)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    scores = HaarEntry(5).scores(q[:, 0, 0])
    assert edf.ks_test("k", np.sort(scores)).p_value > 1e-4


def test_chi2_power_holds_at_the_stated_ratio():
    n, level, runs = 1000, 1e-3, 300
    up, down = et.chi2_ratio_bounds(n, level)
    for ratio in (up, down):
        rejected = sum(et.chi2_variance_test("v", RNG.standard_normal(n) * math.sqrt(ratio), True).p_value <= level
                       for _ in range(runs))
        assert rejected >= runs - stats.binom.ppf(1 - 1e-6, runs, 1e-3)  # misses ≤ what 0.999 power allows
    assert et.samples_for_variance_ratio(0.01, 1e-8) == pytest.approx(1.56e6, rel=0.02)


def test_extreme_test_rejects_a_clamp_at_the_stated_point_with_probability_one():
    n, level = 20000, 1e-8
    power = et.extreme_test("x", RNG.standard_normal(n), Normal(0, 1)).power_at(level)
    sd = float(power.split("truncated at ")[1].split(" sd")[0])
    assert sd == pytest.approx(-special.ndtri(-math.expm1(math.log(level / 2) / n) / 2), rel=1e-3)
    for _ in range(20):
        clamped = np.clip(RNG.standard_normal(n), -(sd - 1e-3), sd - 1e-3)
        assert et.extreme_test("x", clamped, Normal(0, 1)).p_value <= level
    assert et.samples_for_tail_mass(special.erfc(3 / math.sqrt(2)), 1e-6 / 91) == 7036  # the prototype's number


def test_correlation_and_binomial_power_statements_hold():
    m, level, runs = 2000, 1e-3, 300
    rho = float(et.correlation_test("r", *RNG.standard_normal((2, m))).power_at(level).split(">= ")[1].split(" ")[0])
    misses = 0
    for _ in range(runs):
        x, e = RNG.standard_normal((2, m))
        misses += et.correlation_test("r", x, rho * x + math.sqrt(1 - rho**2) * e).p_value > level
    assert misses <= 3  # expected 0.3 (the statement is approximate: normal approximation of t)
    below, above = et.binomial_power(5000, 0.5, 1e-6)
    k_low = max(k for k in range(5000) if stats.binom.cdf(k, 5000, 0.5) <= 0.5e-6)
    assert stats.binom.cdf(k_low, 5000, below) == pytest.approx(0.999, abs=1e-9)
    assert below < 0.5 < above and above - 0.5 == pytest.approx(0.5 - below, rel=1e-6)


@pytest.mark.parametrize("what, draws, law, rejecting", [
    ("uniform where normal is due", lambda n: RNG.uniform(-math.sqrt(3), math.sqrt(3), n), Normal(0, 1), "max |z|"),
    ("normal where uniform is due", lambda n: RNG.standard_normal(n), Uniform(-math.sqrt(3), math.sqrt(3)), "support"),
    ("5% too much variance", lambda n: RNG.standard_normal(n) * math.sqrt(1.05), Normal(0, 1), "variance"),
    ("rows repeated", lambda n: np.repeat(RNG.standard_normal(n // 2), 2), Normal(0, 1), "adjacent entries"),
])
def test_the_battery_rejects_what_it_must(what, draws, law, rejecting):
    tests, _ = et.iid_tests("case", law, [draws(2**16).reshape(256, 256)])
    holm(tests, 1e-6)
    assert any(t.rejected and rejecting in t.name for t in tests), what
    null, _ = et.iid_tests("case", Normal(0, 1), [RNG.standard_normal((256, 256))])
    assert not any(t.rejected for t in holm(null, 1e-6))


def test_holm_states_every_tests_level_and_power():
    tests = [et.chi2_variance_test("v", RNG.standard_normal(1000), True),
             mom_test("m", torch.randn(100, dtype=torch.float64), 0, 1),
             et.deterministic_test("d", True, 0.0, 0.0, "exact")]
    holm(tests, 1e-6)
    assert all(t.level == pytest.approx(1e-6 / 3) and t.power for t in tests)
    assert "variance ratio >=" in tests[0].power and tests[1].detectable > 0
    assert tests[2].power.startswith("any violation")
    assert "power_at" not in tests[0].to_dict()
