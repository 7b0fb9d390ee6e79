"""Adaptive methods (docs/theory.md §9): the all-at-once steps on online losses equal torch.optim's
rules step by step, the projected walk composes exactly, Adam's step supremum is attained and
Kingma & Ba's bound is not, Reddi et al.'s problem ends where the theorem says, and every wrong
variant is falsified with its smallest counterexample."""
import dataclasses
import math

import mpmath
import pytest
import torch

from odl_verify import CheckConfig, check
from odl_verify.core.profiles import QUICK_EXAMPLES
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.claims import compile_torch
from odl_verify.definitions.families import Instance, ReddiProblem
from odl_verify.definitions.methods.online import (adagrad_steps, adam_steps, projected_final, projected_iterates,
                                                   step_numbers)
from odl_verify.definitions.methods.torch_optim import Adagrad, Adam
from odl_verify.theorems.adagrad import LEMMA, REGRET
from odl_verify.theorems.adam import (ADAM_WORST_POINT, AMSGRAD_OPTIMUM, PUBLISHED_BOUND, STEP_BOUND, SUPREMUM,
                                      beta1, beta2, reddi_gap, t)

ADAM_VARIANTS, ADAGRAD_VARIANTS = "tests/variants/adam_wrong.py", "tests/variants/adagrad_wrong.py"
SEEDS = range(5)
xp = TorchNamespace()
_supremum = compile_torch((beta1, beta2, t), SUPREMUM)
_published = compile_torch((beta1, beta2), PUBLISHED_BOUND)
number = lambda value: torch.tensor(float(value), dtype=torch.float64)


def supremum(b1, b2, steps) -> float:
    """S(t) from the claim's sympy, in float64."""
    return float(_supremum(number(b1), number(b2), number(steps)))


def _rule_steps(rule, grads, lrs):
    """Δ_t of a torch.optim rule run step by step on given gradients, one learning rate per step."""
    x, state, steps = torch.zeros_like(grads[:, 0]), None, []
    for step, lr in enumerate(lrs):
        current = dataclasses.replace(rule, lr=lr)
        state = current.init(x, xp) if state is None else state
        x_next, state = current.update(x, grads[:, step], state, xp)
        steps.append(x - x_next)
        x = x_next
    return torch.stack(steps, dim=1)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_steps_all_at_once_equal_torch_adam_step_by_step(amsgrad):
    grads = torch.randn(1, 12, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    grads[0, 4] = 0  # a zero gradient on the way
    lrs = [0.3 / math.sqrt(s) for s in range(1, 13)]
    expected = _rule_steps(Adam(betas=(0.8, 0.95), eps=0.0, amsgrad=amsgrad), grads, lrs)
    lr = torch.tensor(lrs, dtype=torch.float64)[None, :, None]
    assert torch.allclose(adam_steps(xp, grads, lr, 0.8, 0.95, amsgrad), expected, rtol=1e-12, atol=1e-15)


def test_adagrad_steps_all_at_once_equal_torch_adagrad_step_by_step():
    grads = torch.randn(1, 9, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    expected = _rule_steps(Adagrad(eps=0.0), grads, [0.7] * 9)
    assert torch.allclose(adagrad_steps(xp, grads, 0.7), expected, rtol=1e-12, atol=1e-15)


def test_a_second_moment_of_exact_zeros_gives_a_zero_step_in_both_precisions():
    grads = torch.zeros(1, 3, 1, dtype=torch.float64)
    assert float(adam_steps(xp, grads, 1, 0.9, 0.999).abs().max()) == 0.0
    with mpmath.workdps(60):
        assert all(v == 0 for v in adagrad_steps(MpNamespace(), MpNamespace().asarray(grads.numpy()), 1).ravel())


def test_projected_walk_composes_exactly_in_float64_and_at_60_digits():
    generator = torch.Generator().manual_seed(2)
    steps = torch.randn(4, 37, 2, generator=generator, dtype=torch.float64)
    start, low = torch.randn(4, 2, generator=generator, dtype=torch.float64), -torch.rand(4, 2, generator=generator,
                                                                                          dtype=torch.float64)
    high = low + 1.5
    walk = projected_iterates(xp, start, steps, low, high)[-1]
    assert torch.allclose(projected_final(xp, start, steps, low, high), walk, rtol=0, atol=1e-13)
    with mpmath.workdps(60):
        mp = MpNamespace()
        one = lambda a: mp.asarray(a[:1].numpy())
        assert float(projected_final(mp, one(start), one(steps), one(low), one(high))[0, 0]) == pytest.approx(
            float(walk[0, 0]), abs=1e-12)


def _geometric(ratio, length):
    return (ratio ** (torch.arange(length, dtype=torch.float64) - (length - 1)))[None, :, None]


@pytest.mark.parametrize("b1, b2, steps", [(0.5, 0.75, 2), (0.9, 0.999, 210), (0.3, 0.5, 7)])
def test_adam_step_supremum_is_attained_by_the_geometric_sequence(b1, b2, steps):
    step = adam_steps(xp, _geometric(b2 / b1, steps), 1, b1, b2)[0, -1, 0]
    assert float(step) == pytest.approx(supremum(b1, b2, steps), rel=1e-12)


def test_published_bound_is_first_exceeded_at_t_210_by_the_defaults():
    at = lambda steps: supremum(0.9, 0.999, steps)
    claimed = float(_published(number(0.9), number(0.999)))
    assert claimed == pytest.approx(math.sqrt(10)) and at(209) < claimed < at(210)
    assert at(2) == pytest.approx(1.0013579, rel=1e-6) and supremum(0.5, 0.75, 2) == pytest.approx(1.01835, rel=1e-5)


@pytest.mark.parametrize("x1", [-1.0, 0.0, 1.0])
def test_reddi_problem_at_30000_steps(x1):
    """C = 3, α = 0.1 (docs/theory.md §9): Adam ends at +1, AMSGrad within 10⁻³ of the optimum −1."""
    family = ReddiProblem()
    instance = Instance(family, family.constrain({"C": torch.tensor([[3.0]], dtype=torch.float64)}, xp), xp)
    values = {"n": 10_000, "alpha": number(0.1)[None], "C": number(3.0)[None]}
    start = torch.tensor([[x1]], dtype=torch.float64)
    assert float(reddi_gap(amsgrad=False)(instance, start, values, xp)["gap"][0]) == 2.0
    assert 0 < float(reddi_gap(amsgrad=True)(instance, start, values, xp)["gap"][0]) < 1e-3


def test_step_numbers_are_one_to_t():
    assert step_numbers(xp, 4)[0, :, 0].tolist() == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("name", ["amsgrad-reddi-optimum~adam", "adam-reddi-worst-point~amsgrad"])
def test_wrong_adam_variant_is_falsified_with_confirmed_counterexample(falsified, name):
    assert falsified(ADAM_VARIANTS, name).dimension <= 3


def test_published_bound_fails_at_t_2_at_half_and_three_quarters(falsified):
    shown = falsified(ADAM_VARIANTS, "adam-step-bound~published-bound-at-0.5-0.75").shown
    assert shown["integers"] == {"t": 2} and float(shown["observed side"]) > 1.0 == float(shown["bound side"])


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
def test_published_bound_fails_at_the_defaults_from_t_210(falsified, seed):
    """At the quick profile on every seed (about 7 CPU seconds each: the shrink runs Adam for 210+ steps)."""
    shown = falsified(ADAM_VARIANTS, "adam-step-bound~published-bound-at-defaults", seed=seed,
                      examples=QUICK_EXAMPLES).shown
    assert shown["hyperparameters"] == {"beta1": "0.9", "beta2": "0.999"}
    assert shown["integers"]["t"] >= 210 and float(shown["observed side"]) > math.sqrt(10)


@pytest.mark.parametrize("name, steps", [("adagrad-lemma~constant-1", 2), ("adagrad-regret~without-sqrt-2", 2)])
def test_wrong_adagrad_variant_is_falsified_at_its_smallest_length(falsified, name, steps):
    assert falsified(ADAGRAD_VARIANTS, name).shown["integers"]["T"] <= steps


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("claim", [STEP_BOUND, ADAM_WORST_POINT, AMSGRAD_OPTIMUM], ids=lambda c: c.name)
def test_tight_adam_claims_reach_tightness_on_every_seed(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=QUICK_EXAMPLES))
    assert verdict.status == "held" and verdict.tightness >= 0.999


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("claim", [LEMMA, REGRET], ids=lambda c: c.name)
def test_adagrad_upper_bounds_hold_on_every_seed(claim, seed):
    verdict = check(claim, CheckConfig(seed=seed, device="cpu", examples=QUICK_EXAMPLES))
    assert verdict.status == "held" and 0 < verdict.tightness < 1


@pytest.mark.thorough
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variants, name", [
    (ADAM_VARIANTS, "adam-step-bound~published-bound"), (ADAM_VARIANTS, "adam-step-bound~published-bound-at-0.5-0.75"),
    (ADAM_VARIANTS, "amsgrad-reddi-optimum~adam"),
    (ADAM_VARIANTS, "adam-reddi-worst-point~amsgrad"), (ADAGRAD_VARIANTS, "adagrad-lemma~constant-1"),
    (ADAGRAD_VARIANTS, "adagrad-regret~without-sqrt-2")])
def test_wrong_variants_are_falsified_on_every_seed(falsified, variants, name, seed):
    falsified(variants, name, seed=seed, examples=QUICK_EXAMPLES)
