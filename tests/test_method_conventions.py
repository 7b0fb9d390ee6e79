"""The sympy findings about methods: the shipped ones hold with their proofs in the verdict,
a wrong convention makes the prover fail (b = +v, no look-ahead, the slides' literal
Nesterov as torch's), and the distinguishing properties are the numbers docs/theory.md §6 gives."""
import os

import pytest
import sympy as sp

from odl_verify import check
from odl_verify.core.text import format_verdict
from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.frontends.registry import load_file
from odl_verify.theorems import method_conventions as mc
from odl_verify.theorems.method_conventions import (ADAGRAD_SLIDES_IS_NOT_SCALE_INVARIANT, ADAM_SLIDES_FIRST_STEP,
                                         HEAVY_BALL_IS_TORCH_SGD, NESTEROV_IS_TORCH_NESTEROV,
                                         NESTEROV_SLIDES_IS_NOT_NESTEROV, STEPS, WITNESS, eta)


def finding(agree=lambda: (), differ=lambda: ()):
    return SymbolicFinding("test-finding", title="t", reference="r", statement="s", method="m", agree=agree,
                           differ=differ, witness=WITNESS)


def test_heavy_ball_is_torch_sgd_with_every_step_proved():
    verdict = check(HEAVY_BALL_IS_TORCH_SGD)
    assert verdict.status == "held" and verdict.kind == "sympy proof"
    rows = verdict.details["identities"]
    assert len(rows) == 2 * STEPS
    assert all(row["difference"]["text"] == "0" for row in rows)
    # the proof is about an arbitrary gradient: the expressions carry g, not numbers
    assert "g(" in rows[-1]["lhs"]["text"] and rows[-1]["lhs"]["latex"]


def test_nesterov_is_torch_nesterov_at_the_look_ahead_points():
    verdict = check(NESTEROV_IS_TORCH_NESTEROV)
    assert verdict.status == "held"
    labels = [row["label"] for row in verdict.details["identities"]]
    assert labels[:2] == ["theta_1 = x + beta*v", "b_1 = -v/eta"]


def wrong(suffix: str):
    (found,) = [c for c in load_file(os.path.join(os.path.dirname(__file__), "variants", "method_conventions_wrong.py"))
                if c.name.endswith(suffix)]
    return found


def test_buffer_sign_plus_v_is_rejected_with_a_witness(wrong_variant):
    verdict = wrong_variant(check(wrong("buffer-plus-v")))
    assert verdict.status == "falsified"
    assert verdict.details["failures"][0].startswith("b_1 = +v")
    assert "at {'g(z)': 'z'" in verdict.details["failures"][0]
    assert "FAILED" in format_verdict(verdict)


def test_nesterov_without_look_ahead_is_rejected(wrong_variant):
    verdict = wrong_variant(check(wrong("without-look-ahead")))
    assert verdict.status == "falsified"
    assert verdict.details["failures"][0].startswith("theta_1 = x")


def test_the_slides_literal_nesterov_is_not_torchs_under_its_convention(wrong_variant):
    verdict = wrong_variant(check(wrong("slides-is-torchs")))
    assert verdict.status == "falsified"
    # step 1 agrees (v₀ = 0); the first difference is at step 2
    assert verdict.details["failures"][0].startswith("theta_2")


def test_a_difference_that_is_not_one_is_rejected():
    """Published AdaGrad *is* scale invariant, so claiming it differs under scaling must fail."""
    plain, scaled = mc._scaled_runs(mc.Adagrad(lr=eta, eps=0))
    verdict = check(finding(differ=lambda: [("published x_1(c*g) vs x_1(g)", scaled[0], plain[0])]))
    assert verdict.status == "falsified"
    assert "does not tell the two apart" in verdict.details["failures"][0]


def test_an_identity_that_only_simplify_can_see_is_proved():
    x = sp.Symbol("x", positive=True)
    assert check(finding(agree=lambda: [("sqrt", sp.sqrt(x ** 2), x),
                                        ("trig", sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)])).status == "held"


def test_slides_nesterov_agrees_only_at_unit_step_and_differs_by_the_numbers():
    verdict = check(NESTEROV_SLIDES_IS_NOT_NESTEROV)
    assert verdict.status == "held"
    x2, theta2 = verdict.details["differences"]
    # f = z²/2, η = β = ½, x₀ = 1: the slides reach 1/4, Nesterov 1/8
    assert (x2["lhs at witness"], x2["rhs at witness"]) == ("1/4", "1/8")
    assert x2["witness"] == {"g(z)": "z", "eta": "1/2", "beta": "1/2", "x0": "1"}
    assert theta2["difference at witness"] != "0"


def test_adagrad_published_is_scale_invariant_and_the_slides_scale_as_one_over_c():
    verdict = check(ADAGRAD_SLIDES_IS_NOT_SCALE_INVARIANT)
    assert verdict.status == "held"
    labels = [row["label"] for row in verdict.details["identities"]]
    assert sum(label.startswith("published") for label in labels) == STEPS - 1
    assert sum(label.startswith("slides c*") for label in labels) == STEPS - 1
    (row,) = verdict.details["differences"]
    # η = ½, x₀ = 1, g = 1, c = 2: x₁ = 1 − ½·2/4 = 3/4 against 1 − ½·1/1 = 1/2
    assert (row["lhs at witness"], row["rhs at witness"]) == ("3/4", "1/2")


def test_adam_without_bias_correction_steps_sqrt_10_times_as_far_at_the_defaults():
    verdict = check(ADAM_SLIDES_FIRST_STEP)
    assert verdict.status == "held"
    (row,) = verdict.details["differences"]
    slides, published = (sp.sympify(row[key]) for key in ("lhs at witness", "rhs at witness"))
    assert sp.simplify(slides / published - sp.sqrt(10)) == 0


@pytest.mark.thorough  # a second proof of every finding; tests/test_same_seed.py covers determinism in every run
def test_findings_are_deterministic():
    first, second = check(NESTEROV_IS_TORCH_NESTEROV).to_dict(), check(NESTEROV_IS_TORCH_NESTEROV).to_dict()
    first.pop("seconds"), second.pop("seconds")
    assert first == second
