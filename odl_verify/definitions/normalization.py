"""Normalization layers with ε = 0, written against an array namespace, and torch's own layers.

The formulas run in every namespace (batched torch, mpmath, duals); :func:`layer` runs
``torch.nn.functional``'s layer in torch and the formula elsewhere, so a claim's float64 search
exercises torch's kernels while its high-precision confirmation runs the formula they implement
(tests/test_normalization.py checks that they agree). Feature maps are (B, N, C, S): B instances,
N samples, C channels, S spatial positions.

* batch norm: over (N, S) per channel, biased variance in training; the running variance a
  momentum-1 update stores is the unbiased one, n/(n − 1) times it (n = N·S), and eval mode
  divides by its square root;
* layer norm: over (C, S) per sample; group norm with G groups: over (C/G, S) per sample and
  group, so G = 1 is layer norm and G = C is instance norm (over S per sample and channel).
"""
from __future__ import annotations

import numpy as np
import torch

#: torch's batch norm refuses ε = 0 in training; 1e-300 changes a float64 variance above 1e-284 by nothing
TORCH_TRAINING_EPS = 1e-300


def mean(xp, a, axes: tuple[int, ...]):
    """The mean over ``axes``, kept as size-1 axes so that it broadcasts back against ``a``."""
    shape = list(np.shape(a))
    count = int(np.prod([shape[i] for i in axes]))
    total = a
    for axis in sorted((i % len(shape) for i in axes), reverse=True):
        total = xp.sum(total, axis)
    for axis in sorted(i % len(shape) for i in axes):
        shape[axis] = 1
    return total.reshape(*shape) / count


def standardize(xp, u, axes: tuple[int, ...]):
    """(z, σ): z = (u − mean)/σ with σ² the biased variance over ``axes`` (ε = 0)."""
    centered = u - mean(xp, u, axes)
    std = xp.sqrt(mean(xp, centered * centered, axes))
    return centered / std, std


def standardize_backward(xp, dz, z, std, axes: tuple[int, ...]):
    """The gradient with respect to u of ⟨dz, z(u)⟩ for z = standardize(u): (dz − mean dz − z·mean(dz·z))/σ."""
    return (dz - mean(xp, dz, axes) - z * mean(xp, dz * z, axes)) / std


def variance(xp, u, axes: tuple[int, ...]):
    """The biased variance over ``axes`` (kept as size-1 axes)."""
    centered = u - mean(xp, u, axes)
    return mean(xp, centered * centered, axes)


#: the smallest spread a normalization is checked at: far above the 10⁻³² that rounding leaves of
#: a variance that is 0 in exact arithmetic, and a variance float32 still resolves (the float32
#: re-run derives an identity's tolerance)
SPREAD_FLOOR = 1e-9


def spread(xp, u, axes: tuple[int, ...]):
    """min over the normalized groups of variance/(1 + mean square), per instance (B,): in [0, 1),
    0 exactly where a normalization with ε = 0 divides by zero; relative to the mean square for
    large values, absolute for small ones."""
    groups = variance(xp, u, axes) / (1 + mean(xp, u * u, axes))
    return xp.min(groups.reshape(np.shape(u)[0], -1))


def group_norm(xp, x, groups: int):
    """Group norm of (B, N, C, S) features, ε = 0, no affine transform."""
    count, samples, channels, spatial = np.shape(x)
    grouped = x.reshape(count, samples, groups, (channels // groups) * spatial)
    return standardize(xp, grouped, (-1,))[0].reshape(count, samples, channels, spatial)


def layer_norm(xp, x):
    return standardize(xp, x, (-2, -1))[0]


def instance_norm(xp, x):
    return standardize(xp, x, (-1,))[0]


def batch_norm_train(xp, x):
    return standardize(xp, x, (1, 3))[0]


def batch_norm_eval(xp, x):
    """Eval mode after one momentum-1 update on the same batch: running mean = the batch mean,
    running variance = the unbiased batch variance."""
    n = np.shape(x)[1] * np.shape(x)[3]
    return (x - mean(xp, x, (1, 3))) / xp.sqrt(variance(xp, x, (1, 3)) * n / (n - 1))


def _torch_per_sample(fn):
    """A torch layer over (N', C, S) applied to (B, N, C, S), the instances folded into the samples."""
    def run(x, *args):
        count, samples, channels, spatial = x.shape
        return fn(x.reshape(count * samples, channels, spatial), *args).reshape(x.shape)
    return run


def _torch_batch_norm(x, training: bool):
    """torch's batch norm per instance: (B, N, C, S) → (N, B·C, S), so each instance's channels are its own."""
    count, samples, channels, spatial = x.shape
    folded = x.transpose(0, 1).reshape(samples, count * channels, spatial)
    mean_, var_ = (torch.zeros(count * channels, dtype=x.dtype, device=x.device),
                   torch.ones(count * channels, dtype=x.dtype, device=x.device))
    out = torch.nn.functional.batch_norm(folded, mean_, var_, training=True, momentum=1.0, eps=TORCH_TRAINING_EPS)
    if not training:  # after the momentum-1 update above, the running statistics are this batch's
        out = torch.nn.functional.batch_norm(folded, mean_, var_, training=False, eps=0.0)
    return out.reshape(samples, count, channels, spatial).transpose(0, 1)


_TORCH = {
    "group": _torch_per_sample(lambda x, groups: torch.nn.functional.group_norm(x, groups, eps=0.0)),
    "layer": _torch_per_sample(lambda x: torch.nn.functional.layer_norm(x, x.shape[1:], eps=0.0)),
    "instance": _torch_per_sample(lambda x: torch.nn.functional.instance_norm(x, eps=0.0)),
    "batch-train": lambda x: _torch_batch_norm(x, training=True),
    "batch-eval": lambda x: _torch_batch_norm(x, training=False),
}
_FORMULAS = {"group": group_norm, "layer": layer_norm, "instance": instance_norm,
             "batch-train": batch_norm_train, "batch-eval": batch_norm_eval}
LAYERS = tuple(_FORMULAS)


def layer(xp, kind: str, x, *args):
    """torch.nn.functional's layer ``kind`` in torch, its formula in any other namespace."""
    if xp.name == "torch":
        return _TORCH[kind](x, *args)
    return _FORMULAS[kind](xp, x, *args)


def formula(xp, kind: str, x, *args):
    """The formula of layer ``kind`` in any namespace (torch included)."""
    return _FORMULAS[kind](xp, x, *args)
