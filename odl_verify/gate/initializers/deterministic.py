"""Gates of the deterministic initializers: zeros, ones, constant, eye, dirac, and calculate_gain.

Each fill is a formula in the entry's indices, stated in theorems/initialization.py (EYE_ENTRY,
DIRAC_ENTRY, ...) and compiled here onto the index grid of the shape; the target's tensor
(NaN-filled before the call, float64) must equal it at every entry, exactly. calculate_gain
must return GAINS[nonlinearity] at the slope (param, or 0.01 when None, for leaky_relu) to
within GAIN_ROUNDING relative: torch and the compiled sympy round a few operations in
different orders. Fixed cases (non-square eye_, dirac_ with groups and 1-D to 3-D kernels of
odd and even size) and Hypothesis-drawn shapes.
"""
from __future__ import annotations

import functools
import math

import torch
from hypothesis import strategies as st

from ...core.config import CheckConfig
from ...definitions.claims import compile_torch
from ...engine.calls import call_user_code
from ...engine.exact_tests import deterministic_test
from ...errors import UserCodeError
from ...theorems import initialization as formulas
from . import sampling
from .table import Case, Initializer, any_shape, case
from .verdicts import Outcome, cases_for

#: relative tolerance of calculate_gain: four roundings (torch's math.sqrt(2.0 / (1 + s**2)) against sympy's order)
GAIN_ROUNDING = 4 * 2.0**-52
DRAWN_CASES = 40
DESCRIPTION = "every entry equal to the formula of theorems/initialization.py (exact); Holm at 1e-6"


def _dirac_cases() -> st.SearchStrategy[Case]:
    def build(groups, per_group, channels, kernel):
        return case((groups * per_group, channels, *kernel), groups=groups)
    return st.builds(build, st.integers(1, 4), st.integers(1, 6), st.integers(1, 8),
                     st.lists(st.integers(1, 5), min_size=1, max_size=3))


_PARAMETERS = {"zeros": (), "ones": (), "constant": ("val",), "eye": (), "dirac": ("groups",)}
_SHAPES = ((7,), (5, 3), (3, 5), (4, 6, 3), (2, 3, 4, 5), (2, 2, 3, 3, 3))
FILLS = {
    "zeros": ([case(s) for s in _SHAPES], lambda: st.builds(case, any_shape(5, 8)), "every entry 0"),
    "ones": ([case(s) for s in _SHAPES], lambda: st.builds(case, any_shape(5, 8)), "every entry 1"),
    "constant": ([case(s, val=v) for s, v in zip(_SHAPES, (0.3, -2.5, 1e-8, 0.0, 7.0, -1e300), strict=True)],
                 lambda: st.builds(lambda s, v: case(s, val=v), any_shape(5, 8), st.floats(-1e6, 1e6)),
                 "every entry val"),
    "eye": ([case(s) for s in ((3, 5), (5, 3), (4, 4), (1, 7), (7, 1))],
            lambda: st.builds(case, st.tuples(st.integers(1, 24), st.integers(1, 24))), "1 where row = column, else 0"),
    "dirac": ([case((3, 16, 5, 5), groups=1), case((6, 4, 3), groups=2), case((8, 8, 3, 3, 3), groups=1),
               case((6, 3, 4, 4), groups=3), case((4, 2, 5), groups=1), case((6, 10, 2, 4), groups=2)],
              _dirac_cases, "1 at in = out mod (out/groups) at the kernel's centre, else 0"),
}


@functools.cache
def _compiled(method: str):
    if method == "eye":
        return compile_torch((formulas.row, formulas.column), formulas.EYE_ENTRY)
    if method == "dirac":
        return compile_torch((formulas.out_channel, formulas.in_channel, *formulas.positions, formulas.group_size,
                              *formulas.sizes), formulas.DIRAC_ENTRY)
    return compile_torch((formulas.value,), {"zeros": formulas.ZEROS_ENTRY, "ones": formulas.ONES_ENTRY,
                                             "constant": formulas.CONSTANT_ENTRY}[method])


def expected_fill(method: str, c: Case) -> torch.Tensor:
    """The formula on the shape's index grid."""
    if method == "eye":
        rows, columns = (torch.arange(n) for n in c.shape)
        return torch.as_tensor(_compiled(method)(rows[:, None], columns[None, :]), dtype=torch.float64)
    if method == "dirac":
        padded = tuple(c.shape) + (1,) * (5 - len(c.shape))  # absent kernel dimensions: size 1, position 0
        grid = torch.meshgrid(*(torch.arange(n) for n in padded), indexing="ij")
        sizes = [torch.tensor(float(n)) for n in padded[2:]]
        entries = _compiled(method)(*grid, padded[0] // c.kwargs["groups"], *sizes)
        return torch.as_tensor(entries, dtype=torch.float64).reshape(c.shape)
    value = _compiled(method)(float(c.kwargs.get("val", 0.0)))
    return torch.full(c.shape, float(value), dtype=torch.float64)


def _filled(target, c: Case) -> torch.Tensor:
    tensor = torch.full(c.shape, math.nan, dtype=torch.float64)
    value = target(tensor, **c.kwargs)
    return value if isinstance(value, torch.Tensor) else tensor


def fill_test(method: str, target, c: Case, label: str, timeout: float):
    # an entry left NaN or filled with inf is an entry that differs, not a broken contract
    got = sampling.validated(call_user_code(f"the target on {c.label()}", timeout, _filled, target, c), c, finite=False)
    wrong = int((got != expected_fill(method, c)).sum())
    return deterministic_test(f"{label}: {FILLS[method][2]}", wrong == 0, wrong, 0, "count of entries that differ")


GAIN_CASES = tuple([case((), nonlinearity=name, param=None) for name in sorted(formulas.GAINS)]
                   + [case((), nonlinearity=name, param=0.5) for name in sorted(formulas.GAINS) if name != "leaky_relu"]
                   + [case((), nonlinearity="leaky_relu", param=p) for p in (0, 2, 0.0, 0.2, 1.0, math.sqrt(5), 3.5)])


@functools.cache
def _gain(name: str):
    return compile_torch((formulas.a,), formulas.GAINS[name])


def gain_test(target, c: Case, label: str, timeout: float):
    name, param = c.kwargs["nonlinearity"], c.kwargs["param"]
    got = call_user_code(f"the target on {name!r}, {param!r}", timeout, target, name, param)
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise UserCodeError(f"the target returned {got!r}, not a number, on {name!r}, {param!r}") from None
    slope = float(formulas.DEFAULT_SLOPE if param is None else param)
    expected = float(torch.as_tensor(_gain(name)(torch.tensor(slope, dtype=torch.float64)), dtype=torch.float64))
    return deterministic_test(f"{label}: gain", abs(got - expected) <= GAIN_ROUNDING * expected, got, expected,
                              "GAINS of theorems/initialization.py, to within 4 roundings")


def experiment(initializer: Initializer):
    method = initializer.method

    def run(target, config: CheckConfig, device) -> Outcome:
        sampling.check_signature(target, initializer, first="linear" if method == "calculate_gain" else None)
        cases = cases_for(initializer, config, DRAWN_CASES)
        outcome = Outcome([], examples=len(cases))
        for index, c in enumerate(cases):
            label = f"case {index} {c.label()}"
            outcome.tests.append(gain_test(target, c, label, config.timeout) if method == "calculate_gain"
                                 else fill_test(method, target, c, label, config.timeout))
            outcome.coverage.setdefault("case", []).append(c.label())
            outcome.instances += max(1, math.prod(c.shape))
        return outcome
    return run


INITIALIZERS = {method: Initializer(method, f"torch.nn.init.{method}_", _PARAMETERS[method], text, tuple(sentinels),
                                    drawn) for method, (sentinels, drawn, text) in FILLS.items()}
INITIALIZERS["calculate_gain"] = Initializer(
    "calculate_gain", "torch.nn.init.calculate_gain", ("param",),
    "calculate_gain(nonlinearity, param) = GAINS[nonlinearity] (leaky_relu: sqrt(2/(1 + slope^2)), "
    "slope = param or 0.01)",
    GAIN_CASES)
