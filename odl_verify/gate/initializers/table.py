"""The initializers of torch.nn.init as a table: signature, cases, and the law each case must follow.

A :class:`Case` is one call's shape and keyword arguments; an :class:`Initializer` row names the
gate, torch's keyword parameters (the signature a target must accept), the fixed sentinel cases
and a Hypothesis strategy for more, and the law of the entries, compiled from the sympy of
theorems/initialization.py (no formula is restated here). Sentinels are strongly non-square
linear and conv shapes (1-D, 2-D, 3-D kernels): a fan_in/fan_out swap is invisible on a square
matrix and a forgotten receptive field on a linear one; both modes, several slopes a and
nonlinearities, gains ≠ 1, means ≠ 0, truncations with std ≠ 1 (bounds read in units of σ are
invisible for N(0, 1)) and with mass ≤ 0.3 (trunc_normal_'s second code path).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable

import sympy as sp
import torch
from hypothesis import strategies as st

from ...definitions.claims import compile_torch
from ...engine.laws import HaarEntry, Law, Normal, TruncatedNormal, Uniform
from ...theorems.initialization import (GAINS, KAIMING_VARIANCES, UNIFORM_BOUND, XAVIER_VARIANCE, a, fan, gain, n_in,
                                        n_out, variance)


@dataclasses.dataclass(frozen=True)
class Case:
    """One call: the tensor's shape and the keyword arguments after it (generator aside)."""

    shape: tuple[int, ...]
    arguments: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict:
        return dict(self.arguments)

    def label(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in self.arguments)
        return f"{self.shape} {shown}".strip()

    def to_json(self) -> dict:
        return {"shape": list(self.shape), "arguments": dict(self.arguments)}

    @classmethod
    def from_json(cls, data: dict) -> "Case":
        return cls(tuple(data["shape"]), tuple(data["arguments"].items()))


def case(shape, **arguments) -> Case:
    return Case(tuple(shape), tuple(arguments.items()))


@dataclasses.dataclass(frozen=True)
class Initializer:
    """One gate: ``odl-verify gate METHOD TARGET`` with TARGET's signature that of torch's ``reference``."""

    method: str
    #: torch.nn.init's function, whose keyword parameters (after the tensor) a target must accept
    reference: str
    parameters: tuple[str, ...]
    #: the law of the entries, in words, for the verdict
    statement: str
    sentinels: tuple[Case, ...]
    drawn: Callable[[], st.SearchStrategy[Case]] | None = None
    law: Callable[[Case], Law] | None = None
    #: network checks run with the target's weights (odl_verify/gate/initializers/networks.py)
    networks: tuple[str, ...] = ()

    @property
    def torch_function(self):
        return getattr(torch.nn.init, self.reference.rsplit(".", 1)[1])


def fans(shape: tuple[int, ...]) -> dict[str, int]:
    """torch's fans: the receptive field (kernel size) multiplies both (a ConvTranspose weight, stored
    (in, out/groups, k...), has its output side as "fan_in", as torch computes it)."""
    receptive = math.prod(shape[2:])
    return {"fan_in": shape[1] * receptive, "fan_out": shape[0] * receptive}


# ---------------------------------------------------------------- laws, compiled from theorems/initialization.py
@functools.cache
def _compiled(name: str):
    if name == "xavier":
        return compile_torch((gain, n_in, n_out), XAVIER_VARIANCE)
    if name == "bound":
        return compile_torch((variance,), UNIFORM_BOUND)
    return compile_torch((a, fan), KAIMING_VARIANCES[name])


def _number(value) -> float:
    return float(torch.as_tensor(value, dtype=torch.float64))


def _zero_mean(law_variance: float, uniform: bool) -> Law:
    if uniform:
        bound = _number(_compiled("bound")(torch.tensor(law_variance, dtype=torch.float64)))
        return Uniform(-bound, bound)
    return Normal(0.0, math.sqrt(law_variance))


def kaiming_law(uniform: bool) -> Callable[[Case], Law]:
    def law(c: Case) -> Law:
        k = c.kwargs
        fan_value = torch.tensor(float(fans(c.shape)[k["mode"]]), dtype=torch.float64)
        return _zero_mean(_number(_compiled(k["nonlinearity"])(torch.tensor(float(k["a"]), dtype=torch.float64),
                                                                fan_value)), uniform)
    return law


def xavier_law(uniform: bool) -> Callable[[Case], Law]:
    def law(c: Case) -> Law:
        f = {k: torch.tensor(float(v), dtype=torch.float64) for k, v in fans(c.shape).items()}
        value = _compiled("xavier")(torch.tensor(float(c.kwargs["gain"]), dtype=torch.float64), f["fan_in"],
                                    f["fan_out"])
        return _zero_mean(_number(value), uniform)
    return law


# ---------------------------------------------------------------- drawn cases
def shapes() -> st.SearchStrategy[tuple[int, ...]]:
    """Strongly non-square linear shapes (ratio ≥ 4) and conv shapes with 1–3 kernel dimensions."""
    small, ratio = st.integers(4, 32), st.integers(4, 32)
    linear = st.tuples(small, ratio, st.booleans()).map(lambda t: (t[0] * t[1], t[0]) if t[2] else (t[0], t[0] * t[1]))
    kernel = st.lists(st.integers(2, 5), min_size=1, max_size=3)
    conv = st.tuples(st.integers(4, 64), st.integers(4, 64), kernel).filter(lambda t: t[0] != t[1]).map(
        lambda t: (t[0], t[1], *t[2]))
    return st.one_of(linear, conv)


def any_shape(max_dims: int = 4, largest: int = 24) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.integers(1, largest), min_size=1, max_size=max_dims).map(tuple)


SLOPES = st.one_of(st.sampled_from([0.0, 0.5, 2.0, math.sqrt(5)]), st.floats(0.05, 3.0))
GAIN_VALUES = st.one_of(st.sampled_from([1.0, 5 / 3, math.sqrt(2), 0.75]), st.floats(0.25, 3.0))


def _kaiming_cases() -> st.SearchStrategy[Case]:
    nonlinearity = st.one_of(st.just("leaky_relu"), st.sampled_from(sorted(GAINS)))
    return st.builds(lambda s, mode, name, slope: case(s, a=slope, mode=mode, nonlinearity=name),
                     shapes(), st.sampled_from(["fan_in", "fan_out"]), nonlinearity, SLOPES)


def _truncated(s, mean, std, low, width):
    """Bounds in sd units from the mean, low ∈ [−3, 1.5], high = low + width within [−1.5, 3] (torch warns
    when the mean is over 2 sd outside [a, b]); absolute bounds for the call."""
    return case(s, mean=mean, std=std, a=mean + low * std, b=mean + min(max(low + width, -1.5), 3.0) * std)


def _orthogonal_shape() -> st.SearchStrategy[tuple[int, ...]]:
    return st.one_of(st.tuples(st.integers(2, 64), st.integers(2, 64)),
                     st.tuples(st.integers(2, 16), st.integers(1, 8), st.integers(1, 5)))


def sparse_zeros(c: Case) -> int:
    """Zeros per column that sparse_ must leave (SPARSE_ZEROS of theorems/initialization.py)."""
    from ...theorems.initialization import SPARSE_ZEROS, rows, sparsity
    arguments = (torch.tensor(float(c.kwargs["sparsity"]), dtype=torch.float64),
                 torch.tensor(float(c.shape[0]), dtype=torch.float64))
    count = compile_torch((sparsity, rows), SPARSE_ZEROS)(*arguments)
    return int(_number(count))


def _sparse_cases() -> st.SearchStrategy[Case]:
    def build(rows, cols, sparsity, std):
        return case((rows, cols), sparsity=sparsity, std=std)
    drawn = st.builds(build, st.integers(4, 120), st.integers(1, 60), st.floats(0.01, 0.9), st.floats(1e-3, 2.0))
    return drawn.filter(lambda c: sparse_zeros(c) < c.shape[0])  # some entry left to draw


SQRT5 = math.sqrt(5)
KAIMING_SENTINELS = (
    case((512, 16), a=0.0, mode="fan_in", nonlinearity="leaky_relu"),
    case((16, 512), a=SQRT5, mode="fan_out", nonlinearity="leaky_relu"),
    case((8, 64, 3, 3), a=0.5, mode="fan_in", nonlinearity="leaky_relu"),
    case((64, 8, 5), a=2.0, mode="fan_out", nonlinearity="leaky_relu"),
    case((32, 4, 3, 3, 3), a=0.0, mode="fan_in", nonlinearity="leaky_relu"),
    case((4, 32, 7), a=0.5, mode="fan_out", nonlinearity="leaky_relu"),
    case((128, 24), a=0.0, mode="fan_out", nonlinearity="relu"),
    case((24, 128), a=1.0, mode="fan_in", nonlinearity="leaky_relu"),
    case((96, 12, 3), a=0.7, mode="fan_in", nonlinearity="tanh"),
    case((12, 96, 2, 2), a=0.0, mode="fan_out", nonlinearity="selu"),
)
XAVIER_SENTINELS = (case((512, 16), gain=1.0), case((16, 512), gain=5 / 3), case((8, 64, 3, 3), gain=math.sqrt(2)),
                    case((64, 8, 5), gain=0.75), case((32, 4, 3, 3, 3), gain=1.0), case((4, 32, 7), gain=5 / 3))
_KAIMING = ("a", "mode", "nonlinearity", "generator")
_KAIMING_TEXT = "s^2 = gain(nonlinearity, a)^2/fan, fan = fan_in or fan_out with the receptive field"
_XAVIER_TEXT = "s^2 = gain^2 * 2/(fan_in + fan_out), fans with the receptive field"

INITIALIZERS = {i.method: i for i in [
    Initializer("kaiming_normal", "torch.nn.init.kaiming_normal_", _KAIMING, f"w ~ N(0, s^2) i.i.d., {_KAIMING_TEXT}",
                KAIMING_SENTINELS, _kaiming_cases, kaiming_law(False), ("kaiming forward", "kaiming backward")),
    Initializer("kaiming_uniform", "torch.nn.init.kaiming_uniform_", _KAIMING,
                f"w ~ U(-sqrt(3) s, sqrt(3) s) i.i.d., {_KAIMING_TEXT}", KAIMING_SENTINELS, _kaiming_cases,
                kaiming_law(True), ("kaiming forward", "kaiming backward")),
    Initializer("xavier_normal", "torch.nn.init.xavier_normal_", ("gain", "generator"),
                f"w ~ N(0, s^2) i.i.d., {_XAVIER_TEXT}", XAVIER_SENTINELS,
                lambda: st.builds(lambda s, g: case(s, gain=g), shapes(), GAIN_VALUES), xavier_law(False),
                ("glorot forward", "glorot backward")),
    Initializer("xavier_uniform", "torch.nn.init.xavier_uniform_", ("gain", "generator"),
                f"w ~ U(-sqrt(3) s, sqrt(3) s) i.i.d., {_XAVIER_TEXT}", XAVIER_SENTINELS,
                lambda: st.builds(lambda s, g: case(s, gain=g), shapes(), GAIN_VALUES), xavier_law(True),
                ("glorot forward", "glorot backward")),
    Initializer("normal", "torch.nn.init.normal_", ("mean", "std", "generator"), "w ~ N(mean, std^2) i.i.d.",
                (case((4096,), mean=0.0, std=1.0), case((64, 64), mean=0.5, std=0.02),
                 case((8, 8, 8, 8), mean=-3.0, std=2.0)),
                lambda: st.builds(lambda s, m, sd: case(s, mean=m, std=sd), any_shape(), st.floats(-5, 5),
                                  st.floats(1e-3, 10.0)),
                lambda c: Normal(c.kwargs["mean"], c.kwargs["std"])),
    Initializer("uniform", "torch.nn.init.uniform_", ("a", "b", "generator"), "w ~ U(a, b) i.i.d.",
                (case((4096,), a=0.0, b=1.0), case((64, 64), a=-0.3, b=0.1), case((8, 8, 8, 8), a=2.0, b=5.0)),
                lambda: st.builds(lambda s, low, width: case(s, a=low, b=low + width), any_shape(), st.floats(-5, 5),
                                  st.floats(1e-3, 10.0)),
                lambda c: Uniform(c.kwargs["a"], c.kwargs["b"])),
    Initializer("trunc_normal", "torch.nn.init.trunc_normal_", ("mean", "std", "a", "b", "generator"),
                "w ~ N(mean, std^2) conditioned on [a, b] (absolute bounds) i.i.d.",
                (case((64, 64), mean=0.0, std=0.02, a=-2.0, b=2.0), case((64, 64), mean=0.0, std=1.0, a=-2.0, b=2.0),
                 case((32, 16, 3), mean=0.5, std=2.0, a=-1.0, b=3.0), case((4096,), mean=0.0, std=1.0, a=1.0, b=3.0),
                 case((16, 8, 4, 4), mean=0.0, std=0.1, a=-0.05, b=0.2)),
                lambda: st.builds(_truncated, any_shape(), st.floats(-3, 3), st.floats(1e-2, 3.0), st.floats(-3, 1.5),
                                  st.floats(0.5, 4.0)),
                lambda c: TruncatedNormal(c.kwargs["mean"], c.kwargs["std"], c.kwargs["a"], c.kwargs["b"])),
    Initializer("orthogonal", "torch.nn.init.orthogonal_", ("gain", "generator"),
                "w = gain * Q, Q uniform (Haar) with orthonormal rows or columns (trailing dimensions flattened)",
                (case((64, 32), gain=1.0), case((32, 64), gain=2.0), case((16, 8, 3, 3), gain=math.sqrt(2)),
                 case((48, 48), gain=1.0), case((8, 16, 5), gain=1.0)),
                lambda: st.builds(lambda s, g: case(s, gain=g), _orthogonal_shape(), GAIN_VALUES),
                lambda c: HaarEntry(max(c.shape[0], math.prod(c.shape[1:])), c.kwargs["gain"]), ("isometry",)),
    Initializer("sparse", "torch.nn.init.sparse_", ("sparsity", "std", "generator"),
                "exactly ceil(sparsity * rows) zeros per column at uniformly random rows, the rest N(0, std^2) i.i.d.",
                (case((120, 16), sparsity=0.25, std=0.01), case((200, 25), sparsity=0.1, std=0.5),
                 case((300, 10), sparsity=0.9, std=1.0), case((7, 16), sparsity=0.5, std=0.01),
                 case((100, 20), sparsity=0.07, std=0.1)),
                _sparse_cases, lambda c: Normal(0.0, c.kwargs["std"])),
]}


def expected_moments(initializer: Initializer, c: Case) -> dict[str, float]:
    """Mean and variance of the case's law, from the sympy of theorems/initialization.py (for people
    reading a failure: the tests themselves use the whole law)."""
    from ...theorems.initialization import (TRUNCATED_MEAN, TRUNCATED_VARIANCE, UNIFORM_MEAN, UNIFORM_VARIANCE, lower,
                                            mean, std, upper)
    law = initializer.law(c)
    if isinstance(law, Normal):
        return {"mean": law.mean, "variance": law.std**2}
    if isinstance(law, TruncatedNormal):
        from ...definitions.claims import compile_mp
        moments = compile_mp((mean, std, lower, upper), sp.Tuple(TRUNCATED_MEAN, TRUNCATED_VARIANCE))(
            law.mean, law.std, law.lower, law.upper)
        return {"mean": float(moments[0]), "variance": float(moments[1])}
    if isinstance(law, Uniform):
        compiled = compile_torch((lower, upper), sp.Tuple(UNIFORM_MEAN, UNIFORM_VARIANCE))
        values = compiled(torch.tensor(law.lower, dtype=torch.float64), torch.tensor(law.upper, dtype=torch.float64))
        return {"mean": _number(values[0]), "variance": _number(values[1])}
    return {}
