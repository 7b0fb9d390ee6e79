"""Seeded faults in torch.nn.init's initializers, each one a bug seen in practice (right in every
other respect), and broken targets.

``odl-verify gate kaiming_normal tests/faulty_initializers.py:clamped_at_3_sigma`` must falsify
each fault (FAULTS names the gate of each) and give an error verdict (exit 2) for the broken
targets. ``sparse_with_generator`` is torch 2.13's sparse_ with the generator passed to randperm
too: it must pass without any declared quirk.
"""
import math
import time

import torch
from torch.nn import init


def _std(tensor, a, mode, nonlinearity, *, swap=False, receptive=True, gain=None):
    receptive_field = math.prod(tensor.shape[2:]) if receptive else 1
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    if swap:
        mode = "fan_out" if mode == "fan_in" else "fan_in"
    fan = fan_in if mode == "fan_in" else fan_out
    return (init.calculate_gain(nonlinearity, a) if gain is None else gain) / math.sqrt(fan)


def _kaiming(draw, **std_options):
    """A kaiming_ initializer whose std is computed with ``std_options`` and filled by ``draw``."""
    def initializer(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        with torch.no_grad():
            return draw(tensor, _std(tensor, a, mode, nonlinearity, **std_options), generator)
    return initializer


def _normal(tensor, std, generator):
    return tensor.normal_(0, std, generator=generator)


SQRT3 = math.sqrt(3)


def _uniform(tensor, std, generator, bound_factor=SQRT3):
    return tensor.uniform_(-bound_factor * std, bound_factor * std, generator=generator)


# ---------------------------------------------------------------- kaiming_normal_
variance_2_percent_high = _kaiming(lambda t, std, g: _normal(t, std * math.sqrt(1.02), g))
variance_2_percent_low = _kaiming(lambda t, std, g: _normal(t, std * math.sqrt(0.98), g))
variance_1_percent_high = _kaiming(lambda t, std, g: _normal(t, std * math.sqrt(1.01), g))
variance_1_percent_low = _kaiming(lambda t, std, g: _normal(t, std * math.sqrt(0.99), g))
#: "safe" draws clamped to ±kσ: variance 8% low at 2σ, 0.5% low at 3σ, atoms at the clamps
clamped_at_2_sigma = _kaiming(lambda t, std, g: _normal(t, std, g).clamp_(-2 * std, 2 * std))
clamped_at_3_sigma = _kaiming(lambda t, std, g: _normal(t, std, g).clamp_(-3 * std, 3 * std))
#: redrawn beyond 3σ: variance 2.7% low
truncated_at_3_sigma = _kaiming(lambda t, std, g: init.trunc_normal_(t, 0.0, std, -3 * std, 3 * std, generator=g))
#: right variance, wrong law: U(±√3σ) where N(0, σ²) is due
uniform_for_normal = _kaiming(_uniform)
swapped_fan_mode = _kaiming(_normal, swap=True)
ignores_receptive_field = _kaiming(_normal, receptive=False)
#: the gain of another nonlinearity: ReLU's √2 whatever the nonlinearity and slope
relu_gain_always = _kaiming(_normal, gain=math.sqrt(2))
#: 1/fan: no gain at all
missing_gain = _kaiming(_normal, gain=1.0)


def ignores_generator(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Draws from the global RNG: the law is right, reproducibility is not."""
    with torch.no_grad():
        return tensor.normal_(0, _std(tensor, a, mode, nonlinearity))


# ---------------------------------------------------------------- kaiming_uniform_
uniform_without_sqrt3 = _kaiming(lambda t, std, g: _uniform(t, std, g, bound_factor=1.0))
uniform_variance_1_percent_high = _kaiming(lambda t, std, g: _uniform(t, std * math.sqrt(1.01), g))
uniform_variance_1_percent_low = _kaiming(lambda t, std, g: _uniform(t, std * math.sqrt(0.99), g))
uniform_swapped_fan_mode = _kaiming(_uniform, swap=True)
normal_for_uniform = _kaiming(_normal)


# ---------------------------------------------------------------- xavier_
def xavier_normal_fan_in_only(tensor, gain=1.0, generator=None):
    """LeCun's 1/fan_in instead of Glorot's 2/(fan_in + fan_out)."""
    with torch.no_grad():
        return tensor.normal_(0, gain / math.sqrt(tensor.shape[1] * math.prod(tensor.shape[2:])), generator=generator)


def xavier_uniform_gain_squared(tensor, gain=1.0, generator=None):
    fan_in, fan_out = (tensor.shape[i] * math.prod(tensor.shape[2:]) for i in (1, 0))
    bound = gain * gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


# ---------------------------------------------------------------- normal_, uniform_, trunc_normal_
def normal_std_as_variance(tensor, mean=0.0, std=1.0, generator=None):
    with torch.no_grad():
        return tensor.normal_(mean, std * std, generator=generator)


def normal_drawn_uniform(tensor, mean=0.0, std=1.0, generator=None):
    """Right mean and variance, wrong law: U(mean ± √3·std)."""
    with torch.no_grad():
        return tensor.uniform_(mean - SQRT3 * std, mean + SQRT3 * std, generator=generator)


def normal_clamped_at_3_sigma(tensor, mean=0.0, std=1.0, generator=None):
    with torch.no_grad():
        return tensor.normal_(mean, std, generator=generator).clamp_(mean - 3 * std, mean + 3 * std)


def normal_ignores_generator(tensor, mean=0.0, std=1.0, generator=None):
    with torch.no_grad():
        return tensor.normal_(mean, std)


def uniform_forgets_lower_bound(tensor, a=0.0, b=1.0, generator=None):
    """U(0, b − a): the width is right, the offset a is lost."""
    with torch.no_grad():
        return tensor.uniform_(0.0, b - a, generator=generator)


def trunc_normal_bounds_in_sigma(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Reads a, b as multiples of std around the mean (timm-style): right for N(0, 1) only."""
    return init.trunc_normal_(tensor, mean, std, mean + a * std, mean + b * std, generator=generator)


# ---------------------------------------------------------------- orthogonal_
def orthogonal_without_sign_fix(tensor, gain=1, generator=None):
    """QR of a Gaussian matrix without multiplying Q by the signs of R's diagonal: orthogonal, not Haar."""
    rows, cols = tensor.shape[0], tensor.numel() // tensor.shape[0]
    flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
    wide = rows < cols
    q, _ = torch.linalg.qr(flat.t() if wide else flat)
    with torch.no_grad():
        return tensor.view(rows, cols).copy_(q.t() if wide else q).mul_(gain).view_as(tensor)


# ---------------------------------------------------------------- sparse_
def _sparse(tensor, sparsity, std, generator, *, zeros=math.ceil, positions_generator=True, values_generator=True,
            fixed_positions=False):
    rows, cols = tensor.shape
    count = zeros(sparsity * rows)
    with torch.no_grad():
        tensor.normal_(0, std, generator=generator if values_generator else None)
        for column in range(cols):
            if fixed_positions:
                chosen = torch.arange(count)
            else:
                chosen = torch.randperm(rows, generator=generator if positions_generator else None)[:count]
            tensor[chosen, column] = 0
    return tensor


def sparse_with_generator(tensor, sparsity, std=0.01, generator=None):
    return _sparse(tensor, sparsity, std, generator)


def sparse_floor_of_zeros(tensor, sparsity, std=0.01, generator=None):
    """floor(sparsity·rows) zeros instead of ceil: wrong whenever the product is not an integer."""
    return _sparse(tensor, sparsity, std, generator, zeros=math.floor)


def sparse_fixed_positions(tensor, sparsity, std=0.01, generator=None):
    """The right number of zeros, always in the first rows."""
    return _sparse(tensor, sparsity, std, generator, fixed_positions=True)


def sparse_ignores_generator(tensor, sparsity, std=0.01, generator=None):
    """Values and positions from the global RNG: torch's quirk does not excuse it."""
    return _sparse(tensor, sparsity, std, generator, positions_generator=False, values_generator=False)


# ---------------------------------------------------------------- deterministic initializers
def eye_with_wrap(tensor):
    """fill_diagonal_ with wrap=True: right on square and wide shapes, a second diagonal on tall ones."""
    with torch.no_grad():
        return tensor.zero_().fill_diagonal_(1.0, wrap=True)


def dirac_ignores_groups(tensor, groups=1):
    return init.dirac_(tensor, groups=1)


def constant_through_float32(tensor, val):
    """val rounded to float32 on the way: 0.3 becomes 0.30000001192092896."""
    with torch.no_grad():
        return tensor.fill_(float(torch.tensor(val, dtype=torch.float32)))


def calculate_gain_tanh_is_1(nonlinearity, param=None):
    return 1.0 if nonlinearity == "tanh" else init.calculate_gain(nonlinearity, param)


#: fault -> the gate that must falsify it
FAULTS = {
    "variance_2_percent_high": "kaiming_normal", "variance_2_percent_low": "kaiming_normal",
    "variance_1_percent_high": "kaiming_normal", "variance_1_percent_low": "kaiming_normal",
    "clamped_at_2_sigma": "kaiming_normal", "clamped_at_3_sigma": "kaiming_normal",
    "truncated_at_3_sigma": "kaiming_normal", "uniform_for_normal": "kaiming_normal",
    "swapped_fan_mode": "kaiming_normal", "ignores_receptive_field": "kaiming_normal",
    "relu_gain_always": "kaiming_normal", "missing_gain": "kaiming_normal", "ignores_generator": "kaiming_normal",
    "uniform_without_sqrt3": "kaiming_uniform", "uniform_variance_1_percent_high": "kaiming_uniform",
    "uniform_variance_1_percent_low": "kaiming_uniform", "uniform_swapped_fan_mode": "kaiming_uniform",
    "normal_for_uniform": "kaiming_uniform",
    "xavier_normal_fan_in_only": "xavier_normal", "xavier_uniform_gain_squared": "xavier_uniform",
    "normal_std_as_variance": "normal", "normal_drawn_uniform": "normal", "normal_clamped_at_3_sigma": "normal",
    "normal_ignores_generator": "normal", "uniform_forgets_lower_bound": "uniform",
    "trunc_normal_bounds_in_sigma": "trunc_normal", "orthogonal_without_sign_fix": "orthogonal",
    "sparse_floor_of_zeros": "sparse", "sparse_fixed_positions": "sparse", "sparse_ignores_generator": "sparse",
    "eye_with_wrap": "eye", "dirac_ignores_groups": "dirac", "constant_through_float32": "constant",
    "calculate_gain_tanh_is_1": "calculate_gain",
}


# ---------------------------------------------------------------- broken targets: error verdicts
def raises(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    raise ValueError("unsupported mode")


def returns_nan(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return tensor.fill_(math.nan)


def wrong_signature(tensor, gain):
    return tensor.normal_(0, gain)


def hangs(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    time.sleep(3600)
