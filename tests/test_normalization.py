"""Normalization and scale invariance (docs/theory.md §11): torch's layers against the formulas the
confirmation runs, the network family's derivatives, and the wrong variants shrunk to small networks."""
import mpmath
import numpy as np
import pytest
import torch

from odl_verify import CheckConfig, check, reproduce
from odl_verify.definitions import normalization
from odl_verify.definitions.backend import MpNamespace, TorchNamespace
from odl_verify.definitions.families.normalized_network import NormalizedNetwork, inner, scaled
from odl_verify.definitions.forward_mode import Dual, DualNamespace
from odl_verify.definitions.trees import tree_map
from odl_verify.theorems.normalization import BATCH_NORM_EVAL, CLAIMS, ORTHOGONAL_GRADIENT

VARIANTS = "tests/variants/normalization_wrong.py"
xp, mp = TorchNamespace("cpu"), MpNamespace()
LAYERS = [("group", 1), ("group", 2), ("group", 4), ("layer",), ("instance",), ("batch-train",), ("batch-eval",)]


@pytest.mark.parametrize("kind", LAYERS, ids=lambda k: "-".join(map(str, k)))
def test_torch_layers_compute_the_formulas_the_confirmation_runs(kind):
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ours = normalization.layer(xp, kind[0], x, *kind[1:])
    with mpmath.workdps(30):
        exact = normalization.formula(mp, kind[0], mp.asarray(x.numpy()), *kind[1:])
    error = np.abs(ours.numpy() - exact.astype(float)).max()
    assert error < 1e-13  # a few hundred float64 roundings of O(1) values; the formulas differ by ≥ 1e-2
    # and the check can fail: train mode with the unbiased variance is another formula
    if kind[0] == "batch-train":
        n = x.shape[1] * x.shape[3]
        assert np.abs(ours.numpy() * np.sqrt((n - 1) / n) - exact.astype(float)).max() > 1e-2


def test_torch_batch_norm_stores_the_unbiased_variance_after_a_momentum_1_update():
    x = torch.randn(60, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    layer = torch.nn.BatchNorm1d(1, momentum=1.0, affine=False, eps=normalization.TORCH_TRAINING_EPS).double()
    train = layer(x)
    layer.eval()
    ratio = (layer.running_var / x.var(unbiased=False)).item()
    assert ratio == pytest.approx(60 / 59, rel=1e-14)  # docs/theory.md §11
    assert (layer(x) / train).mean().item() == pytest.approx(0.99163, abs=1e-5)


def _network(norm, seed):
    """A two-layer network (4 samples, 2 inputs, widths 3 and 3, 2 outputs), batched as one instance."""
    family, g = NormalizedNetwork(norm), torch.Generator().manual_seed(seed)
    raw = {"inputs": torch.randn(1, 4, 2, generator=g, dtype=torch.float64),
           "targets": torch.randn(1, 4, 2, generator=g, dtype=torch.float64),
           "head": torch.randn(1, 2, 3, generator=g, dtype=torch.float64),
           "weights": {"0": torch.randn(1, 3, 2, generator=g, dtype=torch.float64),
                       "1": torch.randn(1, 3, 3, generator=g, dtype=torch.float64)}}
    return family, raw


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_backpropagation_and_forward_mode_match_autograd_and_the_loss_is_scale_invariant(norm):
    family, p = _network(norm, 3)
    weights = [w.clone().requires_grad_(True) for w in family.weights(p)]
    loss = family.loss(p, weights, xp)
    auto = torch.autograd.grad(loss.sum(), weights, create_graph=True)
    grads = family.gradient(p, [w.detach() for w in weights], xp)
    assert all(torch.allclose(a, g, atol=1e-13) for a, g in zip(auto, grads))
    # ∇²L(W)W by double backward, against forward mode through the hand-written backpropagation
    hvp_auto = torch.autograd.grad(sum((a * w.detach()).sum() for a, w in zip(auto, weights)), weights)
    duals = family.gradient(p, [Dual(w.detach(), w.detach()) for w in weights], DualNamespace(xp))
    assert all(torch.allclose(a, d.tangent, atol=1e-12) for a, d in zip(hvp_auto, duals))
    rescaled = family.loss(p, scaled(torch.tensor([7.5], dtype=torch.float64), family.weights(p)), xp)
    assert float(rescaled) == pytest.approx(float(loss.detach()), rel=1e-13)
    assert abs(float(inner(xp, family.weights(p), grads))) < 1e-14


def test_a_degenerate_network_is_outside_the_hypotheses_and_never_confirmed():
    # all samples equal: batch norm divides by a zero variance (spread 0), so nothing is checked there
    case = {"family": "batch-normalized-network", "x0": [0.0], "tau": {}, "integers": {},
            "raw": {"inputs": [[1.0], [1.0]], "targets": [[0.0], [1.0]], "head": [[1.0]], "weights": {"0": [[2.0]]}}}
    assert not reproduce(ORTHOGONAL_GRADIENT, case)["violated"]
    constants = NormalizedNetwork("batch").constants(tree_map(lambda a: torch.tensor([a], dtype=torch.float64),
                                                              case["raw"]), xp)
    assert float(constants["spread"]) == 0.0


def test_gd_rescaled_by_c_instead_of_c_squared_is_falsified_on_a_small_network(falsified):
    example = falsified(VARIANTS, "scale-invariant-gd-rescaling~step-scaled-by-c")
    weights = example.case["raw"]["weights"]
    assert len(weights) == 1 and np.size(weights["0"]) <= 3  # one normalized layer of at most 3 units
    assert len(example.case["raw"]["inputs"]) <= 3 and example.case["integers"]["T"] == 1  # a batch of two or three samples


def test_eval_mode_batch_norm_is_not_train_mode(falsified):
    example = falsified(VARIANTS, "batch-norm-eval-after-momentum-1~eval-equals-train")
    assert np.shape(example.case["raw"]["features"]) == (1, 1, 2)  # n = 2 values per channel: off by √(1/2)
    assert not reproduce(BATCH_NORM_EVAL, example.case)["violated"]


@pytest.mark.thorough
@pytest.mark.parametrize("seed", range(5))
def test_every_claim_holds_and_every_variant_falls_on_seeds_0_to_4(seed, falsified):
    for claim in CLAIMS:
        verdict = check(claim, CheckConfig(seed=seed, device="cpu"))
        assert verdict.status == "held", (claim.name, seed, verdict.error)
    for name in ("scale-invariant-gd-rescaling~step-scaled-by-c", "batch-norm-eval-after-momentum-1~eval-equals-train"):
        falsified(VARIANTS, name, seed=seed)
