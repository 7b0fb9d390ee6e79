"""What an initialization is for, checked on networks whose weights the target draws.

* kaiming forward / backward: a depth-30 ReLU network with non-square layers, weights from the
  target (a = 0, fan_in forward, fan_out backward): the per-layer claims of theorems/kaiming.py
  (E[M_l/M_{l−1}] = 1; the per-unit gradient second moment preserved);
* glorot forward / backward: the same widths, linear, gain 1: Glorot's factors 2n_in/(n_in + n_out)
  and 2n_out/(n_in + n_out) per layer (theorems/initialization.py);
* isometry: a depth-30 linear network of 64×64 layers from the target (gain 1): every singular
  value of its input–output Jacobian is 1 to rounding (theorems/initialization.py).

The per-layer tests are the theorems' median-of-means tests (:func:`~odl_verify.engine.networks.layer_tests`)
with the Gaussian null variance. They stay valid for the uniform initializers: for any symmetric
weight law the layer's statistic has the same mean, and its variance grows with the weights'
kurtosis (through E[(wᵀx)⁴]), which is 1.8 for a uniform law against 3 for the normal one.
"""
from __future__ import annotations

from functools import reduce

import torch

from ...engine.networks import layer_tests, simulate
from ...engine.statistics import Test
from ...theorems.initialization import DYNAMICAL_ISOMETRY, GLOROT_BACKWARD, GLOROT_FORWARD
from ...theorems.kaiming import KAIMING_BACKWARD, KAIMING_FORWARD
from . import sampling
from .table import Case, Initializer

#: networks per check, and the widths (strongly non-square layers; a swapped fan shows)
NETWORKS, NETWORK_WIDTHS = 128, [24, 48, 8, 32, 16] * 6 + [24]
ISOMETRY_WIDTH, ISOMETRY_DEPTH = 64, 30
_KAIMING = dict(a=0.0, nonlinearity="leaky_relu")
#: the claim each moment check tests, and the target's keyword arguments for the weights
MOMENT_CHECKS = {"kaiming forward": (KAIMING_FORWARD, dict(_KAIMING, mode="fan_in")),
                 "kaiming backward": (KAIMING_BACKWARD, dict(_KAIMING, mode="fan_out")),
                 "glorot forward": (GLOROT_FORWARD, dict(gain=1.0)),
                 "glorot backward": (GLOROT_BACKWARD, dict(gain=1.0))}


def moment_tests(name: str, target, seed: int, timeout: float, device) -> list[Test]:
    claim, arguments = MOMENT_CHECKS[name]

    def weights(layer, shape):
        count, width_out, width_in = shape
        (generator_seed, global_seed), = sampling.call_seeds(seed, 10_000 + layer, 1)
        drawn = sampling.draw_repeated(target, Case((width_out, width_in), tuple(arguments.items())), generator_seed,
                                       global_seed, count, timeout)
        return torch.stack(drawn).to(device)

    stats, alive, _ = simulate(NETWORK_WIDTHS, weights, activation=claim.activation, direction=claim.direction,
                               networks=NETWORKS, generator=torch.Generator().manual_seed(seed), device=device)
    _, _, claimed, null_variance = claim.moments(NETWORK_WIDTHS)
    return layer_tests(f"{name} network ({claim.name})", NETWORK_WIDTHS, stats, alive, claimed, null_variance)


def isometry_tests(target, seed: int, timeout: float) -> list[Test]:
    (generator_seed, global_seed), = sampling.call_seeds(seed, 20_000, 1)
    square = Case((ISOMETRY_WIDTH, ISOMETRY_WIDTH), (("gain", 1.0),))
    layers = sampling.draw_repeated(target, square, generator_seed, global_seed, ISOMETRY_DEPTH, timeout)
    jacobian = reduce(lambda product, w: w @ product, layers)
    return [DYNAMICAL_ISOMETRY.jacobian_test(
        f"isometry network ({DYNAMICAL_ISOMETRY.name}): depth {ISOMETRY_DEPTH}, width {ISOMETRY_WIDTH}, "
        "singular values of the Jacobian", jacobian, 1.0, ISOMETRY_DEPTH)]


def network_tests(initializer: Initializer, target, seed: int, timeout: float, device) -> list[Test]:
    tests = []
    for name in initializer.networks:
        tests += isometry_tests(target, seed, timeout) if name == "isometry" else moment_tests(
            name, target, seed, timeout, device)
    return tests
