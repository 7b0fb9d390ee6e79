"""Newton's method (docs/theory.md §8): the local rate is attained on the curvature-kink family,
pseudo-Huber's Newton map is x ↦ −x³/δ², the affine-invariance proof rejects gradient descent,
and every wrong variant is falsified."""
import mpmath
import numpy as np
import pytest

from odl_verify import CheckConfig, check
from odl_verify.core.profiles import QUICK_EXAMPLES
from odl_verify.definitions.backend import MpNamespace
from odl_verify.definitions.families import CurvatureKink, Instance, PseudoHuber
from odl_verify.definitions.trees import tree_map
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.newton import LOCAL_RATE, QUADRATIC_ONE_STEP, newton_step

VARIANTS = "tests/variants/newton_wrong.py"
SEEDS = range(5)


def _one_dimensional(family, pieces, x, xp):
    """A one-instance, one-dimensional member of a separable family, unrotated and centered at 0."""
    raw = {"pieces": {name: [[value]] for name, value in pieces.items()}, "center": [[0.0]],
           "reflectors": np.zeros((1, 0, 1))}
    params = family.constrain(tree_map(lambda a: xp.asarray(np.asarray(a, dtype=float)), raw), xp)
    return Instance(family, params, xp), xp.asarray(np.asarray([[x]], dtype=float))


def test_pseudo_huber_newton_map_is_minus_x_cubed_over_delta_squared_at_60_digits():
    with mpmath.workdps(60):
        xp = MpNamespace()
        instance, x = _one_dimensional(PseudoHuber(), {"log_weight": 0.0, "log_width": float(np.log(2.0))}, 1.1, xp)
        delta = instance.params["width"][0, 0]
        assert abs(newton_step(instance, x, 1)[0, 0] - (-x[0, 0] ** 3 / delta ** 2)) < mpmath.mpf(10) ** -55


def test_local_rate_is_an_equality_on_the_kink_side_of_the_minimizer():
    """f″ = μ + M|s − a| from x between 0 and a (x = a included): x⁺ = −Mx²/(2f″(x)) exactly."""
    with mpmath.workdps(60):
        xp = MpNamespace()
        for a, x in ((0.3, 0.3), (1.0, 0.4), (-2.0, -1.5)):
            instance, start = _one_dimensional(CurvatureKink(), {"log_mu": 0.0, "log_lipschitz": float(np.log(3.0)),
                                                                 "kink": a}, x, xp)
            m, x = instance.params["lipschitz"][0, 0], start[0, 0]
            bound = m * x ** 2 / (2 * instance.hessian(start)[0, 0, 0])
            assert abs(abs(newton_step(instance, start, 1)[0, 0]) - bound) < mpmath.mpf(10) ** -50


def test_global_convergence_is_falsified_by_a_start_beyond_the_width(falsified):
    shown = falsified(VARIANTS, "newton-local-rate~global-convergence").shown
    measured = shown["measured"]
    assert float(measured["dist_1"]) > float(measured["dist_0"]) > float(shown["parameters"]["width"][0])


def test_saddle_variant_lands_on_the_saddle(falsified):
    shown = falsified(VARIANTS, "newton-quadratic-one-step~avoids-saddles").shown
    assert float(shown["measured"]["f_1"]) == 0.0 > float(shown["measured"]["f_0"])
    assert float(shown["certified"]["lambda_min"]) < 0 < float(shown["certified"]["lambda_max"])


def test_gradient_descent_is_refuted_at_the_witness(repo_path):
    (wrong,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("gradient-descent")]
    verdict = check(wrong, CheckConfig())
    assert verdict.status == "falsified"
    assert any("at {'F1(u, v)': '2*u'" in line for line in verdict.details["failures"])


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("claim", [QUADRATIC_ONE_STEP, LOCAL_RATE], ids=lambda c: c.name)
def test_tight_claims_reach_tightness_on_every_seed(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=QUICK_EXAMPLES))
    assert verdict.status == "held" and verdict.tightness >= 0.999


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["newton-local-rate~global-convergence", "newton-quadratic-one-step~avoids-saddles"])
def test_wrong_variants_are_falsified_on_every_seed(falsified, name, seed):
    falsified(VARIANTS, name, seed=seed, examples=QUICK_EXAMPLES)
