"""Identity claims (a conclusion Eq(a, b)): the float64 tolerance is derived, high precision confirms
only deviations that survive a change of precision, and the checker rejects what it must."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import CheckConfig, UserCodeError, check, reproduce
from odl_verify.core.text import format_verdict
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import Quadratic
from odl_verify.definitions.forward_mode import Dual, DualNamespace
from odl_verify.engine.search import Candidate, confirm, evaluate

inner, value = sp.symbols("inner value", real=True)
xp = TorchNamespace("cpu")


def measure_euler(instance, x0, values, xp):
    """⟨x, ∇f(x)⟩ and f(x): for a quadratic, ⟨x, ∇f⟩ = 2f (Euler's identity, degree 2)."""
    return {"inner": xp.sum(x0 * instance.grad(x0)), "value": instance.value(x0)}


EULER = Claim("euler-quadratic", hypotheses=[], conclusion=sp.Eq(inner, 2 * value), measure=measure_euler,
              families=[Quadratic()], certified={}, dimensions=(1, 8))


def _candidate(claim, eigenvalues, x0, reflector=None):
    reflectors = np.array([reflector if reflector is not None else [0.0] * len(x0)], dtype=float)
    return Candidate(0, {"spectrum": np.array(eigenvalues, dtype=float), "reflectors": reflectors},
                     np.array(x0, dtype=float), {}, {})


def _float64(claim, candidate):
    batch = lambda a: torch.as_tensor(np.asarray(a)[None], dtype=torch.float64)
    _, deviation, tolerance, _ = evaluate(claim, claim.families[0], {k: batch(v) for k, v in candidate.raw.items()},
                                          batch(candidate.x0), {}, {}, xp)
    return float(deviation[0]), float(tolerance[0])


def test_a_true_identity_holds_and_reports_its_deviation_over_the_tolerance():
    verdict = check(EULER, CheckConfig(seed=0, device="cpu"))
    assert verdict.status == "held" and verdict.kind == "identity"
    assert verdict.tightness is None  # an identity is not a bound
    ratio = verdict.details["max_deviation_over_tolerance"]
    assert 0 <= ratio <= 1 and verdict.worst_slack >= 0
    assert verdict.details["refine_steps"] == 0
    text = format_verdict(verdict)
    assert "identity]" in text and "max |a - b| / tolerance" in text and "inner = 2·value" in text


def test_a_wrong_identity_is_falsified_with_both_sides_shown():
    wrong = EULER.variant("wrong-factor", conclusion=sp.Eq(inner, value))
    verdict = check(wrong, CheckConfig(seed=0, device="cpu"))
    assert verdict.status == "falsified", format_verdict(verdict)
    shown = verdict.counterexample.shown
    assert {"left side", "right side", "|left - right|"} <= set(shown)
    assert float(verdict.counterexample.slack_exact) < 0
    assert reproduce(wrong, verdict.counterexample.case)["violated"]


def test_a_real_deviation_of_one_part_in_a_trillion_is_found_and_confirmed():
    tiny = EULER.variant("off-by-1e-12", conclusion=sp.Eq(inner, 2 * value * (1 + sp.Rational(1, 10**12))))
    candidate = _candidate(tiny, [1.0, -2.0], [0.7, 0.3])
    deviation, tolerance = _float64(tiny, candidate)
    assert deviation > tolerance  # float64 resolves it
    exact = confirm(tiny, candidate)
    assert exact is not None and float(exact["gap"]) == pytest.approx(1e-12 * abs(float(exact["sides"][1])), rel=1e-9)


def test_a_deviation_below_float64_resolution_is_not_flagged_but_high_precision_sees_it():
    # 1e-30 relative is below what float64 can resolve: the search does not flag it (so no false
    # alarm from rounding), and the exact check, called on it, shows the same gap at both precisions
    faint = EULER.variant("off-by-1e-30", conclusion=sp.Eq(inner, 2 * value * (1 + sp.Rational(1, 10**30))))
    candidate = _candidate(faint, [1.0, -2.0], [0.7, 0.3])
    deviation, tolerance = _float64(faint, candidate)
    assert deviation <= tolerance
    assert confirm(faint, candidate) is not None


def test_rounding_error_that_float64_flags_is_rejected_because_it_shrinks_with_the_precision():
    # the identity holds exactly, but rounding (the reflection) makes its two sides differ in float64:
    # were that deviation flagged, the exact check would see it shrink from 10⁻⁶⁰ to 10⁻¹⁵⁰ and reject it
    candidate = _candidate(EULER, [3.0, -7.0, 0.1], [0.7, -3.3, 1.9], reflector=[0.3, -0.8, 0.5])
    deviation, tolerance = _float64(EULER, candidate)
    assert 0 < deviation <= tolerance
    assert confirm(EULER, candidate) is None


def test_the_tolerance_covers_an_ill_conditioned_measure_through_the_float32_reruns():
    # a − b computed through catastrophic cancellation: (x + 10⁸) − 10⁸ − x is pure rounding, about 10⁻⁸
    a, b = sp.symbols("a b", real=True)
    cancelled = Claim("cancellation", hypotheses=[], conclusion=sp.Eq(a, b), families=[Quadratic()], certified={},
                      measure=lambda instance, x0, values, xp: {"a": (x0[:, 0] + 1e8) - 1e8, "b": x0[:, 0]})
    candidate = _candidate(cancelled, [1.0], [0.123456789])
    deviation, tolerance = _float64(cancelled, candidate)
    assert 0 < deviation <= tolerance
    # without the float32 reruns the tolerance (the conclusion's own sensitivity) would flag it
    assert deviation > 8 * 2.0**-53 * 2 * 0.123456789


def test_an_identity_whose_float32_rerun_overflows_is_an_error_with_a_reason():
    a, b = sp.symbols("a b", real=True)
    huge = Claim("overflows-float32", hypotheses=[], conclusion=sp.Eq(a, b), families=[Quadratic()], certified={},
                 measure=lambda instance, x0, values, xp: {"a": xp.exp(0 * x0[:, 0] + 100), "b": xp.exp(0 * x0[:, 0] + 100)})
    verdict = check(huge, CheckConfig(seed=0, device="cpu", examples=2))
    assert verdict.status == "error" and "float32" in verdict.error and "range" in verdict.error


def test_a_measure_that_divides_by_zero_in_high_precision_confirms_nothing():
    a, b = sp.symbols("a b", real=True)
    ratio = Claim("ratio", hypotheses=[], conclusion=sp.Eq(a, b), families=[Quadratic()], certified={},
                  measure=lambda instance, x0, values, xp: {"a": x0[:, 0] / x0[:, 0], "b": 2 + 0 * x0[:, 0]})
    assert confirm(ratio, _candidate(ratio, [1.0], [0.0])) is None
    assert confirm(ratio, _candidate(ratio, [1.0], [0.5])) is not None


def test_conclusions_that_are_neither_relations_nor_equalities_are_rejected():
    with pytest.raises(Exception, match="must be =, <=, <, >= or >"):
        EULER.variant("x", conclusion=sp.Ne(inner, value))


def test_dual_numbers_give_exact_directional_derivatives_in_torch_and_mpmath():
    def f(x, ns):  # tanh, sqrt, division, a matrix product and a sum
        m = x[:, :, None] * x[:, None, :] + 1
        return ns.sum(ns.tanh(x) * ns.sqrt(1 + x * x) / (x * x + 2)) + ns.sum(ns.sum(m @ m))
    x = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64, requires_grad=True)
    direction = torch.tensor([[1.0, 0.5, -2.0]], dtype=torch.float64)
    (gradient,) = torch.autograd.grad(f(x, xp).sum(), x)
    dual = f(Dual(x.detach(), direction), DualNamespace(xp))
    assert float(dual.tangent) == pytest.approx(float((gradient * direction).sum()), rel=1e-13)
    mp = MpNamespace()
    with mpmath.workdps(50):
        point, step = mp.asarray(x.detach().numpy()), mp.asarray(direction.numpy())
        exact = f(Dual(point, step), DualNamespace(mp)).tangent[0]
        numeric = mpmath.diff(lambda h: f(point + h * step, mp)[0], 0)
        assert abs(exact - numeric) < mpmath.mpf(10) ** -40
    assert math.isfinite(float(exact))
