"""Random networks simulated in batches: thousands of independent MLPs per torch call (bmm).

:func:`simulate` runs ReLU (or linear) MLPs with weights from any law (a theorem's Gaussian,
or a gate target's initializer) forward, or backward through each layer, and returns the
per-layer statistic; :func:`layer_tests` tests its claimed mean per layer and pooled over
layers (:mod:`.statistics`: median of means, exact null variance, no CLT).
:func:`haar_orthogonal` draws uniformly distributed orthogonal matrices, and
:data:`ORTHOGONALITY_ROUNDING` bounds how far a float64 one is from orthogonal.
"""
from __future__ import annotations

import math

import torch

from .statistics import Test, mom_test


def normal(shape, generator, device, std: float = 1.0) -> torch.Tensor:
    """N(0, std²) drawn in float32 (5x faster on CPU), then computed with in float64: the
    2^-24 granularity is far below the resolution of any test here."""
    return (torch.randn(shape, generator=generator) * std).to(device=device, dtype=torch.float64)


def gaussian_weights(variances: torch.Tensor, generator: torch.Generator, device):
    """W_l ~ N(0, variances[l]) for ``simulate``."""
    return lambda layer, shape: normal(shape, generator, device, math.sqrt(float(variances[layer])))


def simulate(widths: list[int], weights, *, activation: str = "relu", direction: str = "forward", power: int = 1,
             networks: int, generator: torch.Generator, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``networks`` independent networks at once, W_l = weights(l, (networks, n_l, n_{l−1})):
    the statistic X (L, N), whether each network was alive before each layer (L, N), and M (L+1, N)."""
    x0 = normal((widths[0], 1), generator, device)
    x = x0.expand(networks, -1, -1)
    m = [(x0.square().sum() / widths[0]).expand(networks)]
    stats, alive = [], []
    for layer, (width_in, width_out) in enumerate(zip(widths, widths[1:])):
        w = weights(layer, (networks, width_out, width_in))
        z = w @ x
        x = torch.relu(z) if activation == "relu" else z
        m.append(x.square().sum(dim=(1, 2)) / width_out)
        alive.append(m[-2] > 0)
        if direction == "forward":
            ratio = m[-1] / torch.where(alive[-1], m[-2], torch.ones_like(m[-2]))
            stats.append(ratio**power)
        else:
            g = normal((networks, width_out, 1), generator, device)
            back = w.transpose(1, 2) @ ((z > 0).to(z.dtype) * g if activation == "relu" else g)
            stats.append((back.square().sum(dim=(1, 2)) / width_in) ** power)
    return torch.stack(stats), torch.stack(alive), torch.stack(m)


#: c in ‖QᵀQ − I‖ ≤ c·n·2⁻⁵² for an n×n orthogonal Q computed in float64 (Householder QR: a small
#: multiple of n·u, Higham, Accuracy and Stability, Thm 19.4; 64 leaves room for the constant)
ORTHOGONALITY_ROUNDING = 64


def haar_orthogonal(count: int, n: int, generator: torch.Generator, device) -> torch.Tensor:
    """``count`` independent n×n orthogonal matrices, uniform (Haar): QR of a Gaussian with Q's
    columns multiplied by the signs of R's diagonal (Mezzadri 2007), in float64."""
    q, r = torch.linalg.qr(torch.randn((count, n, n), generator=generator, dtype=torch.float64))
    return (q * torch.sign(torch.diagonal(r, dim1=1, dim2=2))[:, None, :]).to(device)


#: networks alive at a layer below which its own test is skipped (the pooled test still counts them)
MIN_SAMPLES = 64


def layer_tests(label: str, widths: list[int], stats: torch.Tensor, alive: torch.Tensor,
                claimed: torch.Tensor, null_variance: torch.Tensor) -> list[Test]:
    """One test of E[X_l] = claimed_l per layer on the networks alive before it (their count is
    independent of X_l), and one of the per-network martingale Σ_l alive·(X_l − claimed_l)/σ_l
    (mean 0, variance ≤ L under the claim), which adds up small shifts of one sign."""
    stats, alive = stats.cpu(), alive.cpu()
    tests = []
    for layer in range(len(widths) - 1):
        samples = stats[layer][alive[layer]]
        if samples.numel() >= MIN_SAMPLES:
            tests.append(mom_test(f"{label} layer {layer + 1} ({widths[layer]}->{widths[layer + 1]})",
                                  samples, float(claimed[layer]), float(null_variance[layer])))
    standardized = torch.where(alive, (stats - claimed[:, None]) / null_variance[:, None].sqrt(),
                               torch.zeros_like(stats))
    tests.append(mom_test(f"{label} pooled over {len(widths) - 1} layers", standardized.sum(dim=0),
                          0.0, float(len(widths) - 1)))
    return tests

