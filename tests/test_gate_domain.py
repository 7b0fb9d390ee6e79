"""The gates' domain language and the catalog's table of optimizers: conditions parse and evaluate
without executing anything, and every drawn hyperparameter lies in its stated domain."""
import math

import pytest
import sympy as sp

from odl_verify.definitions.methods.catalog import OPTIMIZERS
from odl_verify.engine.harness import draw
from odl_verify.errors import UsageError
from odl_verify.gate.domain import Condition


@pytest.mark.parametrize("text, values, holds", [
    ("rho < 1", {"rho": 1.0}, False), ("rho<1", {"rho": 0.5}, True), ("foreach=False", {"foreach": False}, True),
    ("not (foreach and nesterov)", {"foreach": True, "nesterov": True}, False),
    ("pct_start * total_steps == 1", {"pct_start": 0.1, "total_steps": 10}, True),
    ("betas[1] < 0.99", {"betas": (0.9, 0.999)}, False), ("dtype in ('float16', 'bfloat16')", {"dtype": "float16"}, True),
    ("norm_type == inf", {"norm_type": math.inf}, True), ("lr > 0", {"lr": None}, False)])
def test_conditions_evaluate_python_comparisons(text, values, holds):
    assert Condition(text).holds(values) is holds


@pytest.mark.parametrize("text, message", [("__import__('os').system('true')", "not allowed"),
                                           ("lr.real > 0", "not allowed"), ("rho <", "not a condition")])
def test_anything_but_comparisons_is_refused(text, message):
    with pytest.raises(UsageError, match=message):
        Condition(text)


def test_a_condition_naming_an_unknown_quantity_says_what_is_known():
    with pytest.raises(UsageError, match="names rhoo; known here: inf, rho"):
        Condition("rhoo < 1").holds({"rho": 0.5})


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_drawn_hyperparameter_lies_in_its_domain(name):
    for key, space in OPTIMIZERS[name].spaces.items():
        if space.domain is None:
            continue
        for value in draw(space.draw, 15, 0):
            value = sp.Tuple(*value) if isinstance(value, tuple) else sp.sympify(int(value) if isinstance(value, bool)
                                                                                 else value)
            assert space.domain.contains(value) == sp.true, (name, key, value)
