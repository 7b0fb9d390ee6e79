"""Nesterov acceleration (docs/theory.md §7): the FISTA rule, its known worst case reached on the
Huber family, Lessard–Recht–Packard's 3-cycle, and every wrong variant falsified."""
import mpmath
import numpy as np
import pytest
import torch

from odl_verify import CheckConfig, check
from odl_verify.core.profiles import QUICK_EXAMPLES
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families import Huber, LessardRechtPackard
from odl_verify.definitions.methods import FISTA, HeavyBall, iterates, trajectory
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.nesterov import FISTA_RATE, PEP_WORST_CASE, STRONGLY_CONVEX_RATE, huber_worst_case, k

VARIANTS = "tests/variants/nesterov_wrong.py"
SEEDS = range(5)


def test_fista_momentum_follows_beck_and_teboulle():
    """A constant gradient 1, step 1: t₁ = 1 makes the second step plain (x₂ = −2), then
    y₃ = x₂ + ((t₂ − 1)/t₃)(x₂ − x₁) with t₂ = (1 + √5)/2, t₃ = (1 + √(1 + 4t₂²))/2."""
    path = trajectory(FISTA(lr=1.0), lambda x: 0 * x + 1, torch.zeros(1, 1, dtype=torch.float64), TorchNamespace(), 3)
    t2 = (1 + 5 ** 0.5) / 2
    momentum = (t2 - 1) / ((1 + (1 + 4 * t2 ** 2) ** 0.5) / 2)
    assert [float(x) for x, _ in path[:3]] == [0.0, -1.0, -2.0]
    assert float(path[2][1]["momentum"]) == pytest.approx(momentum, rel=1e-15)
    assert float(path[3][0]) == pytest.approx(-3 - momentum, rel=1e-15)


def test_huber_reaches_the_known_worst_case_of_fista():
    """The 1-D Huber function from x₀ = 1 attains the performance-estimation values to 3 digits."""
    values = huber_worst_case(tuple(sorted(PEP_WORST_CASE)))
    assert [round(v, 3) for v in values] == [PEP_WORST_CASE[n] for n in sorted(PEP_WORST_CASE)]


@pytest.mark.thorough
@pytest.mark.parametrize("steps", [1, 2])
def test_search_reaches_the_worst_case_on_the_huber_family(steps):
    claim = FISTA_RATE.variant(f"huber-k{steps}", families=(Huber(),), integers={k: (steps, steps)}, quick_integers={})
    verdict = check(claim, CheckConfig(seed=0, device="cpu", examples=6))
    assert verdict.status == "held"
    assert verdict.tightness >= 0.99 * PEP_WORST_CASE[steps]


def test_piecewise_quadratic_ends_in_the_exact_3_cycle_under_polyak_parameters():
    """μ = 1, L = 25: α = 1/9, β = 4/9. From x₀ = 3.3 heavy ball approaches the cycle
    (792, −2208, 2592)/1225, which 60-digit arithmetic maps onto itself in three steps."""
    family = LessardRechtPackard()
    raw = {"pieces": {"log_curvature": np.zeros(1), "log_length": np.zeros(1)}, "reflectors": np.zeros((0, 1))}
    rule = HeavyBall(lr=1 / 9, momentum=4 / 9)
    cycle = [792 / 1225, -2208 / 1225, 2592 / 1225]
    xp = TorchNamespace()
    params = family.constrain({"pieces": {k: torch.as_tensor(v[None]) for k, v in raw["pieces"].items()},
                               "reflectors": torch.as_tensor(raw["reflectors"][None])}, xp)
    start = torch.tensor([[3.3]], dtype=torch.float64)
    tail = iterates(rule, lambda x: family.grad(params, x, xp), start, xp, 600)[-3:]
    assert sorted(float(x) for x in tail) == pytest.approx(sorted(cycle), abs=1e-9)
    with mpmath.workdps(60):
        mp = MpNamespace()
        mp_params = family.constrain({"pieces": {k: mp.asarray(v[None]) for k, v in raw["pieces"].items()},
                                      "reflectors": mp.asarray(raw["reflectors"][None])}, mp)
        exact = HeavyBall(lr=mpmath.mpf(1) / 9, momentum=mpmath.mpf(4) / 9)
        start = [mpmath.mpf(792) / 1225, mpmath.mpf(2592) / 1225]  # x₀ and the point before it
        state = {"velocity": mp.asarray([[(start[0] - start[1]) * 9]])}
        x = mp.asarray([[start[0]]])
        for _ in range(3):
            x, state = exact.update(x, family.grad(mp_params, x, mp), state, mp)
        assert abs(x[0, 0] - start[0]) < mpmath.mpf(10) ** -50


def test_strongly_convex_rate_without_distance_term_fails_at_k_1(falsified):
    assert falsified(VARIANTS, "nesterov-strongly-convex-rate~without-distance-term").shown["integers"] == {"k": 1}


def test_cubic_rate_is_falsified_at_k_2_on_a_one_dimensional_huber_function(falsified):
    shown = falsified(VARIANTS, "fista-rate~cubic-rate").shown
    assert shown["integers"] == {"k": 2} and shown["family"] == "huber" and shown["hyperparameters"] == {"beta": "1.0"}


@pytest.mark.thorough
def test_cubic_rate_cannot_fail_at_k_1(repo_path):
    """f(x₁) − f* ≤ ‖x₀ − x*‖²/6 < 2/8 of it: the search finds nothing at k = 1."""
    (cubic,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("cubic-rate")]
    at_1 = cubic.variant("k1", integers={k: (1, 1)}, quick_integers={})
    assert check(at_1, CheckConfig(seed=0, device="cpu", examples=QUICK_EXAMPLES)).status == "held"


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("claim", [FISTA_RATE, STRONGLY_CONVEX_RATE], ids=lambda c: c.name)
def test_upper_bounds_hold_on_every_seed(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=QUICK_EXAMPLES))
    assert verdict.status == "held" and 0 < verdict.tightness <= 1


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["fista-rate~cubic-rate", "nesterov-strongly-convex-rate~without-distance-term",
                                  "heavy-ball-rate~beyond-quadratics"])
def test_wrong_variants_are_falsified_on_every_seed(falsified, name, seed):
    """Heavy ball off quadratics runs here only (3.5 CPU seconds); the default suite checks its 3-cycle."""
    falsified(VARIANTS, name, seed=seed, examples=QUICK_EXAMPLES)
