"""A claim's sympy compiled into what runs: batched torch for the search, mpmath for the
high-precision confirmation, numpy for the per-instance baseline the benchmarks measure."""
from __future__ import annotations

import functools
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
import torch


def first(value) -> mpmath.mpf:
    """The single entry of a one-instance mpmath result (arrays or bare numbers)."""
    return mpmath.mpf(value[0] if hasattr(value, "__len__") else value)


def _variadic(fn):
    return lambda *args: functools.reduce(fn, [a if isinstance(a, torch.Tensor) else torch.as_tensor(a)
                                              for a in args])


def _elementwise(fn):
    """Also takes the plain numbers lambdify leaves in constant subexpressions (sqrt(3)/beta)."""
    return lambda a: fn(a if isinstance(a, torch.Tensor) else torch.as_tensor(a, dtype=torch.float64))


TORCH_FUNCTIONS = {
    "sqrt": _elementwise(torch.sqrt), "exp": _elementwise(torch.exp), "log": _elementwise(torch.log),
    "Abs": torch.abs, "sign": torch.sign,
    "Max": _variadic(torch.maximum), "Min": _variadic(torch.minimum), "floor": torch.floor,
    "ceiling": torch.ceil, "cos": _elementwise(torch.cos), "sin": _elementwise(torch.sin), "pi": torch.pi,
}


#: elementwise if-then-else: sympy prints Piecewise as Python's ``a if c else b``, which a batch cannot take
_where = sp.Function("where")
TORCH_FUNCTIONS["where"] = torch.where


def _piecewise_as_where(*pieces) -> sp.Expr:
    (value, condition), rest = pieces[0], pieces[1:]
    if condition == sp.true:
        return value
    return _where(condition, value, _piecewise_as_where(*rest) if rest else sp.nan)


def compile_torch(symbols: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    expr = expr.replace(sp.Piecewise, _piecewise_as_where)
    return sp.lambdify(list(symbols), expr, modules=[TORCH_FUNCTIONS])


def _mp_elementwise(fn):
    """mpmath's functions take one number; the exact re-check passes (1,) object arrays."""
    vectorized = np.vectorize(fn, otypes=[object])
    return lambda a: vectorized(a) if isinstance(a, np.ndarray) else fn(a)


MP_FUNCTIONS = {name: _mp_elementwise(getattr(mpmath, name)) for name in ("sqrt", "exp", "log", "cos", "sin")}


def compile_mp(symbols: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    return sp.lambdify(list(symbols), expr, modules=[MP_FUNCTIONS, "mpmath"])


def compile_numpy(symbols: Sequence[sp.Symbol], expr: sp.Expr) -> Callable:
    """For the per-instance numpy baseline that benchmarks/ measures the torch path against."""
    return sp.lambdify(list(symbols), expr, modules="numpy")

