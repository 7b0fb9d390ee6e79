"""Seeded faults in Kaiming initializers, each one a bug seen in practice, and broken targets.

``odl-verify gate kaiming_normal tests/faulty_initializers.py:swapped_fan_mode`` must
falsify each fault and give an error verdict (exit 2) for the broken targets.
"""
import math
import time

import torch


def _fan(tensor, mode, receptive=True):
    size = math.prod(tensor.shape[2:]) if receptive else 1
    return (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * size


def _fill(tensor, std, uniform, generator, bound_factor=math.sqrt(3)):
    with torch.no_grad():
        if uniform:
            return tensor.uniform_(-bound_factor * std, bound_factor * std, generator=generator)
        return tensor.normal_(0, std, generator=generator)


def _kaiming(uniform, *, swap=False, gain_squared=lambda a: 2 / (1 + a * a), receptive=True, bound_factor=math.sqrt(3)):
    def init(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        if swap:
            mode = "fan_out" if mode == "fan_in" else "fan_in"
        std = math.sqrt(gain_squared(a) / _fan(tensor, mode, receptive))
        return _fill(tensor, std, uniform, generator, bound_factor)
    return init


# kaiming_normal_ faults
swapped_fan_mode = _kaiming(False, swap=True)
missing_gain = _kaiming(False, gain_squared=lambda a: 1.0)
ignores_receptive_field = _kaiming(False, receptive=False)
wrong_a_handling = _kaiming(False, gain_squared=lambda a: 2 / (1 + a))
# kaiming_uniform_ faults
uniform_without_sqrt3 = _kaiming(True, bound_factor=1.0)
uniform_swapped_fan_mode = _kaiming(True, swap=True)
uniform_ignores_receptive_field = _kaiming(True, receptive=False)
uniform_wrong_a_handling = _kaiming(True, gain_squared=lambda a: 2 / (1 + a))
#: right variance, but normal draws where uniform ones are due: only the support shows it
uniform_but_normal = _kaiming(False)


# broken targets: error verdicts
def raises(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    raise ValueError("unsupported mode")


def returns_nan(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return tensor.fill_(math.nan)


def wrong_signature(tensor, gain):
    return tensor.normal_(0, gain)


def hangs(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    time.sleep(3600)
