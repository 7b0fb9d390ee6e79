"""The search's reach is measured, not lucky: probe rows put every example's instance on the edges of
its domain, at the claim's special points and on its family's extreme starts; every family gets its
share of the examples; and the thorough sweeps hold the figures of the README on seeds 0-4 (every
tight claim at tightness ≥ 0.999, every near miss falsified, the pinned stationarity claims within
1 % of PEPit's certified worst case)."""
import glob
import os

import pytest
import torch

from odl_verify import CheckConfig, check
from odl_verify.core.verdict import FALSIFIED, HELD
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.families import SMOOTH_FAMILIES, Quadratic, Staircase
from odl_verify.engine.search.cases import family_shares
from odl_verify.engine.search.probes import MAX_PROBES, OPEN_END, probes
from odl_verify.frontends.registry import builtin_claims, load_file
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, L, beta, eta
from odl_verify.theorems.stationarity import EXACT_LONG_STEP, EXACT_SHORT_STEP

XP = TorchNamespace()
SEEDS = (0, 1, 2, 3, 4)
TIGHT = sorted(n for n, c in builtin_claims().items() if getattr(c, "tight", False) and c.kind == "claim")
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_free_values_and_their_inverse_agree_on_every_kind_of_domain():
    """[a, b] linearly, [a, ∞) by decades: τ → value → τ round-trips, and a value outside gives the edge."""
    known = {L: torch.tensor([0.5, 3.0, 40.0], dtype=torch.float64)}
    for claim in (DESCENT_LEMMA, EXACT_LONG_STEP):
        smoothness, step = claim.free  # β, η (each module's own symbols)
        tau = {smoothness: torch.tensor([0.0, 0.3, 0.9], dtype=torch.float64),
               step: torch.tensor([0.2, 0.5, 0.99], dtype=torch.float64)}
        values = claim.free_values(tau, dict(known), XP)
        assert torch.allclose(claim.tau_of(smoothness, values[smoothness], known, XP), tau[smoothness], atol=1e-12)
        assert torch.allclose(claim.tau_of(step, values[step], values, XP), tau[step], atol=1e-12)
    smoothness, step = EXACT_LONG_STEP.free
    outside = EXACT_LONG_STEP.tau_of(step, torch.tensor([10.0], dtype=torch.float64),
                                     {smoothness: torch.tensor([1.0], dtype=torch.float64)}, XP)
    assert float(outside) == EXACT_LONG_STEP.tau_range(step)[1]


def test_probes_cover_special_points_corners_and_starts():
    rows = probes(DESCENT_LEMMA, Quadratic().directions, "random")
    assert len(rows) == MAX_PROBES
    # the special points η = 1/β and 2/β come first, with β at its edge β = L, from every start
    assert [(p.start, p.special) for p in rows[:3]] == [(d, (False, True)) for d in
                                                       ("top-eigenvector", "bottom-eigenvector", "random")]
    corners = {p.tau for p in rows if not any(p.special)}
    assert (0.0, OPEN_END) in corners and (0.0, 1.0) in corners  # an open end is probed just inside
    assert {p.start for p in probes(EXACT_SHORT_STEP, Staircase().directions, "random")} == {"origin", "random"}


def test_a_special_point_is_hit_exactly():
    """A probe at η = 1/β on a quadratic of curvature 4 runs GD with η = 1/4 exactly."""
    from odl_verify.engine.search.adversary import Adversary
    from odl_verify.engine.search.cases import Case
    index = [f.name for f in DESCENT_LEMMA.families].index("quadratic")
    raw = {"spectrum": torch.tensor([4.0]).numpy(), "reflectors": torch.zeros(0, 1).numpy()}
    case = Case(index, 1, raw, "random", torch.tensor([1.0]).numpy(), (0.5, 0.5), (), 3, 0)
    family, raw, x0, tau, integers = Adversary(DESCENT_LEMMA, CheckConfig(), XP).batch(case)
    values = DESCENT_LEMMA.free_values(tau, {L: torch.full((len(x0),), 4.0, dtype=torch.float64)}, XP)
    assert float(values[beta][1]) == 4.0 and float(values[eta][1]) == 0.25  # the first probe row
    assert float(values[eta][4]) == 0.5  # η = 2/β


def test_every_family_gets_its_share_and_the_extreme_ones_come_first():
    families = SMOOTH_FAMILIES + (Staircase(),)
    runs = family_shares(families, 20, seed=3)
    assert [index for index, _ in runs][:2] == [0, len(families) - 1]  # the quadratic and the staircase run first
    shares = dict(runs)
    assert sorted(shares) == list(range(len(families))) and sum(shares.values()) == 20
    assert min(shares.values()) >= 2  # the simplest example, then at least one drawn
    few = dict(family_shares(families, 6, seed=0))
    assert sum(few.values()) == 6 and set(few.values()) == {2}
    assert {0, len(families) - 1} <= set(few)  # the quadratic and the staircase know their extreme starts
    assert dict(family_shares(families, 6, seed=1)) != few  # another seed serves other families
    assert family_shares(families, 1, seed=0) == [(0, 1)]


@pytest.mark.parametrize("name", ["quadratic-contraction-short-step~step-5-percent-too-wide",
                                  "quadratic-contraction-short-step~1-percent-too-strong"])
def test_a_near_miss_is_falsified(falsified, name):
    assert falsified("tests/variants/quadratic_contraction_wrong.py", name).dimension >= 1


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", TIGHT)
def test_every_tight_claim_reaches_its_bound_on_every_seed(name, seed):
    verdict = check(builtin_claims()[name], CheckConfig(seed=seed, examples=20, device="cpu"))
    assert verdict.status == HELD and verdict.tightness >= 0.999


def _near_misses():
    found = []
    for path in sorted(glob.glob(os.path.join(REPOSITORY, "tests", "variants", "*.py"))):
        found += [(os.path.relpath(path, REPOSITORY), c.name) for c in load_file(path)
                  if c.kind == "claim" and "percent" in c.name]
    return found


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path, name", _near_misses(), ids=[n for _, n in _near_misses()])
def test_every_near_miss_is_falsified_on_every_seed(falsified, path, name, seed):
    assert falsified(path, name, seed=seed) is not None


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("h, steps", [(h, n) for h in (0.5, 1.0, 1.5) for n in (1, 2, 5, 10, 20)])
def test_pinned_stationarity_reaches_the_certified_worst_case(h, steps, seed):
    from benchmarks.pinned_stationarity import pinned
    verdict = check(pinned(h, steps), CheckConfig(seed=seed, examples=20, device="cpu"))
    assert verdict.status == HELD and verdict.certified_tightness == pytest.approx(1.0, abs=1e-6)
    assert verdict.tightness >= 0.99 * verdict.certified_tightness


@pytest.mark.thorough
@pytest.mark.parametrize("h, steps", [(0.5, 10), (1.5, 5)])
def test_the_search_reaches_the_worst_case_from_the_pep_solution_alone(h, steps):
    """The same claims with the PEP's own primal solution as their only family (cached_designer)."""
    from benchmarks.pinned_stationarity import pinned
    from odl_verify.definitions.families import PiecewiseQuadratic, SmoothInterpolant
    from odl_verify.engine.oracle import cached_designer
    claim = pinned(h, steps)
    family = (PiecewiseQuadratic if h <= 1 else SmoothInterpolant)(designer=cached_designer(claim))
    verdict = check(claim.variant("from-the-pep", families=[family]), CheckConfig(seed=0, examples=6, device="cpu"))
    assert verdict.status == HELD and verdict.tightness >= 0.99
    assert check(claim.stronger("from-the-pep-1-percent", by=0.01, families=[family]),
                 CheckConfig(seed=0, examples=6, device="cpu")).status == FALSIFIED

