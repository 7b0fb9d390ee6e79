"""Min–max dynamics (docs/theory.md §14): the game family's singular values, docs/theory.md's rates,
the GAN and FGSM identities, and the wrong variants shrunk to a scalar game or two points."""
import itertools
import math

import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import CheckConfig, check, reproduce
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.families.bilinear_game import BilinearGame
from odl_verify.theorems import min_max
from odl_verify.theorems.min_max import FGSM, GAN_VALUE, RHO_SQ, eta, sigma_max

VARIANTS = "tests/variants/min_max_wrong.py"
xp = TorchNamespace("cpu")


def _game(d, seed, monotone=False):
    family, g = BilinearGame(monotone=monotone), torch.Generator().manual_seed(seed)
    m, n = family.sizes(d)
    raw = {"log_sigma": torch.randn(1, n, generator=g, dtype=torch.float64),
           "left": torch.randn(1, 2, m, generator=g, dtype=torch.float64),
           "right": torch.randn(1, 2, n, generator=g, dtype=torch.float64), "mu": torch.tensor([[0.5]], dtype=torch.float64)}
    return family, family.constrain(raw, xp)


@pytest.mark.parametrize("d", [2, 5, 6])
def test_the_game_matrix_has_the_certified_singular_values_and_pairs(d):
    family, p = _game(d, d)
    m, n = family.sizes(d)
    matrix = torch.stack([family.apply(p, torch.eye(n, dtype=torch.float64)[j][None], xp)[0] for j in range(n)], 1)
    transpose = torch.stack([family.apply_transpose(p, torch.eye(m, dtype=torch.float64)[i][None], xp)[0]
                             for i in range(m)], 1)
    assert torch.allclose(matrix.T, transpose, atol=1e-14)
    values = family.constants(p, xp)
    singular = torch.linalg.svdvals(matrix)
    assert float(values["sigma_max"]) == pytest.approx(float(singular.max()), rel=1e-13)
    assert float(values["sigma_min"]) == (0.0 if m > n else pytest.approx(float(singular.min()), rel=1e-13))
    u, v = family.singular_pair("top", p, xp)
    assert torch.allclose(family.apply(p, v, xp), values["sigma_max"][:, None] * u, atol=1e-13)


def test_one_step_of_each_method_scales_a_singular_pair_by_docs_theory_factors():
    # σ = 1 (docs/theory.md §14): GDA 1 + η², extragradient 1 − η² + η⁴
    family, p = _game(2, 0)
    p = {**p, "sigma": torch.ones_like(p["sigma"])}
    z = family.direction("top-singular", p, xp)
    step = 0.3
    gda = z - step * family.field(p, z, xp)
    extragradient = z - step * family.field(p, z - step * family.field(p, z, xp), xp)
    assert float(gda.square().sum()) == pytest.approx(1 + step**2, rel=1e-14)
    assert float(extragradient.square().sum()) == pytest.approx(1 - step**2 + step**4, rel=1e-14)


def test_optimistic_gda_converges_exactly_below_one_over_sqrt_3():
    rho = lambda a: sp.sqrt(RHO_SQ.subs({eta: a, sigma_max: 1}))
    assert sp.simplify(rho(1 / sp.sqrt(3)) - 1) == 0
    # docs/theory.md §14: ρ = 0.99494, 0.94868, 0.70711, 1.0574 at η = .1, .3, .5, .6 (σ = 1)
    for a, expected in [(0.1, 0.99494), (0.3, 0.94868), (0.5, 0.70711), (0.6, 1.0574)]:
        assert float(rho(sp.Float(a))) == pytest.approx(expected, abs=5e-5)
    assert float(rho(sp.Float(0.577))) < 1 < float(rho(sp.Float(0.578)))


@pytest.mark.parametrize("log_sigma", [0.0, 0.7, -1.3])
def test_optimistic_gda_at_its_double_root_is_not_judged_in_float64_and_not_confirmed(log_sigma):
    # ησ = ½: λ₊ = λ₋, and ρ² = (1 + √(1 − 4α²))/2 has an infinite derivative there, so rounding α moves
    # the conclusion by any amount: the float64 tolerance is unbounded, and high precision finds nothing
    case = {"family": "bilinear-game", "x0": [1.0, 0.5], "tau": {"eta": 0.5}, "integers": {"T": 3},
            "raw": {"log_sigma": [log_sigma], "left": [[0.3]], "right": [[0.5]], "mu": [1.0]}}
    replay = reproduce(min_max.OPTIMISTIC, case)
    assert not replay["violated"]
    assert replay["float64"]["bound side"] == np.finfo(float).max and replay["float64"]["slack"] == 1.0


def test_fgsm_attains_the_minimum_over_every_vertex_of_the_box():
    # docs/theory.md §14: min over ‖δ‖∞ ≤ ε of y·wᵀ(x + δ) is attained at a vertex; enumerate all 2⁶
    g = np.random.default_rng(0)
    w, x, epsilon, label = g.normal(size=6), g.normal(size=6), 0.3, -1.0
    worst = min(label * w @ (x + epsilon * np.array(signs)) for signs in itertools.product((-1, 1), repeat=6))
    case = {"family": "linear-score", "x0": list(-label * np.sign(w) * 5), "integers": {},
            "raw": {"weights": list(w), "label": [label]}, "tau": {"epsilon": epsilon}}
    replay = reproduce(FGSM, case)
    assert not replay["violated"]
    assert replay["float64"]["observed side"] == pytest.approx(label * w @ x - worst, rel=1e-12)
    assert replay["float64"]["observed side"] == pytest.approx(replay["float64"]["bound side"], rel=1e-13)
    case["x0"][0] *= -1  # another vertex loses less
    assert reproduce(FGSM, case)["float64"]["observed side"] < replay["float64"]["bound side"] - 1e-3


def test_the_gan_value_at_the_optimal_discriminator_is_minus_log_4_plus_twice_the_jsd():
    p, q = np.array([0.1, 0.2, 0.3, 0.15, 0.25]), np.array([0.3, 0.3, 0.1, 0.2, 0.1])
    case = {"family": "distribution-pair", "x0": [0.0] * 5, "tau": {}, "integers": {},
            "raw": {"data": list(np.log(p)), "generator": list(np.log(q))}}
    replay = reproduce(GAN_VALUE, case)
    middle = (p + q) / 2
    jsd = (p @ np.log(p / middle) + q @ np.log(q / middle)) / 2
    value = p @ np.log(p / (p + q)) + q @ np.log(q / (p + q))
    assert not replay["violated"] and value == pytest.approx(-math.log(4) + 2 * jsd, rel=1e-14)


def test_gda_converging_on_bilinear_games_is_falsified_on_a_scalar_game(falsified):
    example = falsified(VARIANTS, "gda-converges-strongly-monotone~converges-on-bilinear")
    assert example.dimension == 2  # x, y ∈ ℝ: one singular value
    assert example.shown["certified"]["mu"] == "0.0"


def test_the_gan_value_without_its_factor_2_is_falsified_on_two_points(falsified):
    assert falsified(VARIANTS, "gan-value-at-optimal-discriminator~jsd-minus-log-4").dimension == 2


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(5))
def test_every_claim_holds_and_every_variant_falls_on_seeds_0_to_4(seed, falsified):
    for claim in min_max.CLAIMS:
        verdict = check(claim, CheckConfig(seed=seed, device="cpu"))
        assert verdict.status == "held", (claim.name, seed, verdict.error)
        if claim.tight:
            assert verdict.tightness >= 0.999, (claim.name, seed, verdict.tightness)
    assert falsified(VARIANTS, "gda-converges-strongly-monotone~converges-on-bilinear", seed=seed).dimension == 2
    assert falsified(VARIANTS, "gan-value-at-optimal-discriminator~jsd-minus-log-4", seed=seed).dimension == 2
