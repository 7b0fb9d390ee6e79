"""Edges of the search that the theorems of docs/theory.md §7–§15 rely on: strict hypotheses stay
strict in float64, a hyperparameter pinned to one value is that value in every precision, an
identity's roundoff counts as attaining its bound (and a real excess does not), and a singular
Newton system is NaN for its instance only."""
import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from odl_verify import CheckConfig, check
from odl_verify.definitions.backend import MpNamespace, SympyNamespace, TorchNamespace
from odl_verify.definitions.claims import Claim
from odl_verify.definitions.families import DEFINITE_QUADRATICS

L = sp.Symbol("L", positive=True)
eta = sp.Symbol("eta", positive=True)
observed = sp.Symbol("observed", real=True)


def _claim(name, relative_excess, hypotheses=()):
    """observed = L(1 + excess) ≤ L: an identity up to ``relative_excess``."""
    measure = lambda instance, x0, values, xp: {"observed": values["L"] * (1 + relative_excess)}
    return Claim(name, hypotheses=list(hypotheses), conclusion=sp.Le(observed, L), measure=measure,
                 families=DEFINITE_QUADRATICS, certified={L: "lambda_max"}, tight=True, dimensions=(1, 2))


def test_a_bound_missed_by_one_ulp_everywhere_is_attained():
    """Every row is 2⁻⁵² above its bound: roundoff, not a violation, and the bound is attained."""
    verdict = check(_claim("one-ulp-above", 2.0 ** -52), CheckConfig(seed=0, device="cpu", examples=3))
    assert verdict.status == "held" and verdict.tightness == 1.0


def test_an_excess_beyond_roundoff_is_a_confirmed_violation():
    verdict = check(_claim("excess-1e-8", 1e-8), CheckConfig(seed=0, device="cpu", examples=3))
    assert verdict.status == "falsified" and float(verdict.counterexample.slack_exact) < -1e-9


def test_strict_side_conditions_are_strict_in_float64():
    claim = _claim("strict", 0.0, hypotheses=[sp.Gt(L, 1)])
    values = {s: torch.tensor([1.0, 1.5], dtype=torch.float64) for s in claim.arguments}
    assert claim.side_conditions_hold(values).tolist() == [False, True]
    lenient = _claim("lenient", 0.0, hypotheses=[sp.Ge(L, 1)])
    assert lenient.side_conditions_hold(values).tolist() == [True, True]


@pytest.mark.parametrize("tau", [0.0, 0.3, 1.0])
def test_a_pinned_hyperparameter_is_exactly_its_value_in_both_precisions(tau):
    third = sp.Rational(1, 3)
    claim = _claim("pinned", 0.0, hypotheses=[sp.Ge(eta, third), sp.Le(eta, third)])
    known = claim.free_values({eta: torch.tensor([tau], dtype=torch.float64)},
                              {L: torch.tensor([2.0], dtype=torch.float64)}, TorchNamespace())
    assert float(known[eta][0]) == 1 / 3
    with mpmath.workdps(60):
        mp = MpNamespace()
        values = claim.free_values({eta: mp.asarray([tau])}, {L: mp.asarray([2.0])}, mp)
        values[observed] = mp.asarray([2.0])
        assert values[eta][0] == mpmath.mpf(1) / 3 and not claim.exact_hypotheses_hold(values)


def test_a_singular_system_is_nan_for_its_instance_only():
    a = torch.stack([torch.eye(2, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64)])
    b = torch.ones(2, 2, dtype=torch.float64)
    solved = TorchNamespace().solve(a, b)
    assert solved[0].tolist() == [1.0, 1.0] and bool(torch.isnan(solved[1]).all())
    mp = MpNamespace()
    assert all(mpmath.isnan(v) for v in mp.solve(mp.asarray(np.zeros((1, 2, 2))), mp.asarray(np.ones((1, 2))))[0])


def test_sympy_solves_a_symbolic_matrix_by_its_adjugate():
    a11, a12, a22, g1, g2 = sp.symbols("a11 a12 a22 g1 g2")
    hessian = sp.Matrix([[a11, a12], [a12, a22]])
    solved = SympyNamespace.solve(hessian, sp.Matrix([g1, g2]))
    assert sp.simplify(hessian * solved - sp.Matrix([g1, g2])) == sp.zeros(2, 1)


def test_discounted_running_sums_agree_across_namespaces_and_with_the_recursion():
    values = torch.randn(2, 37, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    decay = torch.tensor([0.3, 0.95], dtype=torch.float64)[:, None, None]
    doubled = TorchNamespace.discounted_cumsum(values, decay)
    total, recursion = 0, []
    for t in range(37):
        total = decay[:, 0] * total + values[:, t]
        recursion.append(total)
    assert torch.allclose(doubled, torch.stack(recursion, dim=1), rtol=1e-13, atol=1e-14)
    mp = MpNamespace()
    exact = mp.discounted_cumsum(mp.asarray(values[:1].numpy()), mp.asarray(decay[:1].numpy()))
    assert np.allclose(exact.astype(float), doubled[:1].numpy(), rtol=1e-13, atol=1e-14)
