"""The sympy claim is the check: domains, compiled sides, confirmation, variants."""
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import UsageError
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.engine.search import Candidate, confirm, evaluate
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, SMOOTHNESS, beta, eta

xp = TorchNamespace("cpu")
#: the lemma on the slides' range η ≤ 1/β, where τ = 1 is η = 1/β: the engine tests below replay its cases
SHORT_STEP_LEMMA = DESCENT_LEMMA.variant("up-to-1-over-beta", add=[sp.Le(eta, 1 / beta)])


def test_domains_are_read_from_the_hypotheses():
    assert DESCENT_LEMMA.free == (beta, eta)
    assert DESCENT_LEMMA.describe_domains() == ["β ∈ [L, ∞)", "η ∈ (0, ∞)"]
    assert SHORT_STEP_LEMMA.describe_domains() == ["β ∈ [L, ∞)", "η ∈ (0, 1/β]"]
    assert SHORT_STEP_LEMMA.tau_range(eta) == (1e-9, 1.0)


def _quadratic_case(x0, tau_beta, tau_eta, eigenvalue=1.0):
    index = [f.name for f in SHORT_STEP_LEMMA.families].index("quadratic")
    return Candidate(index, {"spectrum": np.array([eigenvalue]), "reflectors": np.zeros((0, 1))},
                     np.array([x0]), {beta: tau_beta, eta: tau_eta}, {})


def _float_slack(claim, candidate):
    family = claim.families[candidate.family]
    batch = lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64)
    raw = {k: batch(v) for k, v in candidate.raw.items()}
    tau = {s: torch.tensor([t], dtype=torch.float64) for s, t in candidate.tau.items()}
    _, small, big, _ = evaluate(claim, family, raw, batch(candidate.x0), tau, {}, xp)
    return float(claim.slack(small, big)[0])


def test_equality_on_the_tight_instance():
    # f = x²/2 (β = L = 1), η = 1/β: decrease 1/2 equals ‖g‖²/(2β)
    candidate = _quadratic_case(1.0, 0.0, 1.0)
    assert _float_slack(SHORT_STEP_LEMMA, candidate) == 0.0
    assert confirm(SHORT_STEP_LEMMA, candidate) is None


def test_roundoff_violations_are_rejected_in_high_precision():
    # f = x²/2 from x = 1e8 with a tiny step: f(x) − f(x⁺) cancels catastrophically in float64
    flagged = []
    for k in range(200):
        candidate = _quadratic_case(1e8 + 37.0 * k, 0.0, 1e-11)
        if _float_slack(SHORT_STEP_LEMMA, candidate) < -1e-9:
            flagged.append(candidate)
    assert flagged, "expected float64 to show spurious violations on this instance"
    assert all(confirm(SHORT_STEP_LEMMA, c) is None for c in flagged)


def test_a_real_violation_is_confirmed_exactly():
    wrong = SHORT_STEP_LEMMA.variant("no-smoothness", drop=[SMOOTHNESS])
    # β = 0.5 below the curvature 1, η = 1/β = 2: f(x⁺) = f(x), no decrease at all
    candidate = _quadratic_case(1.0, 0.0, 1.0)
    domain_low = wrong.free_values({beta: torch.tensor([0.0]), eta: torch.tensor([1.0])},
                                   {sp.Symbol("L", nonnegative=True): torch.tensor([1.0])}, xp)
    assert float(domain_low[beta][0]) == pytest.approx(1e-9)  # β may go to 0 once smoothness is dropped
    tau_for_half = float(np.log10(1 + 0.5) / 3)  # β = 0 + 1·(10^{3τ} − 1) = 0.5
    candidate.tau[beta] = tau_for_half
    exact = confirm(wrong, candidate)
    assert exact is not None and exact["slack"] < 0
    assert float(exact["values"][beta][0]) == pytest.approx(0.5)


def test_variant_errors_name_what_is_wrong():
    with pytest.raises(UsageError, match="is not a hypothesis"):
        DESCENT_LEMMA.variant("x", drop=[sp.Le(eta, 7)])
    with pytest.raises(UsageError, match="must be =, <=, <, >= or >"):
        DESCENT_LEMMA.variant("x", conclusion=sp.Ne(eta, 1))


def test_cancellation_below_working_precision_is_not_a_violation():
    # f(x) − f(x⁺) is about 1e-161 here: both precisions round it to 0 against a bound of 8e-162,
    # and the gap is far below what rounding f's value (about 1.5) can produce
    index = [f.name for f in SHORT_STEP_LEMMA.families].index("cosine-sum")
    candidate = Candidate(index, {"a": np.array([1.0, 1.0]), "w": np.array([[5e-27], [0.0]]),
                                  "b": np.array([0.0, 1.0]), "c": np.array([0.0])},
                          np.array([5e-27]), {beta: 1.0, eta: 1.0}, {})
    assert _float_slack(SHORT_STEP_LEMMA, candidate) == -1.0
    assert confirm(SHORT_STEP_LEMMA, candidate) is None
