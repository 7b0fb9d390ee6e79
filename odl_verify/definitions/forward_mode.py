"""Forward-mode derivatives of code written against an array namespace: dual numbers.

``Dual(value, tangent)`` carries a directional derivative through arithmetic, ``@``, indexing,
``reshape`` and the functions of :class:`DualNamespace`, so a family or method body written
against ``xp`` gives, run on duals, its exact derivative along a direction, in batched torch and
in mpmath alike. A Hessian-vector product ∇²L(w)v is the gradient code run on ``Dual(w, v)``.
"""
from __future__ import annotations

import numpy as np


def _parts(a):
    """(value, tangent) of a dual; a constant's tangent is None (no derivative flows through it)."""
    return (a.value, a.tangent) if isinstance(a, Dual) else (a, None)


def _plus(t, u):
    return u if t is None else t if u is None else t + u


class Dual:
    """A value and its derivative along a fixed direction (same shape)."""

    __array_ufunc__ = None  # numpy arrays defer to the reflected operators below

    def __init__(self, value, tangent):
        self.value, self.tangent = value, tangent

    @property
    def shape(self):
        return np.shape(self.value)

    def __add__(self, other):
        v, t = _parts(other)
        return Dual(self.value + v, _plus(self.tangent, t))

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        v, t = _parts(other)
        return Dual(self.value * v, _plus(self.tangent * v, None if t is None else self.value * t))

    __rmul__ = __mul__

    def __truediv__(self, other):
        v, t = _parts(other)
        quotient = self.value / v
        return Dual(quotient, (self.tangent - (0 if t is None else quotient * t)) / v)

    def __rtruediv__(self, other):
        v, t = _parts(other)
        quotient = v / self.value
        return Dual(quotient, ((0 if t is None else t) - quotient * self.tangent) / self.value)

    def __pow__(self, power):
        return Dual(self.value ** power, power * self.value ** (power - 1) * self.tangent)

    def __matmul__(self, other):
        v, t = _parts(other)
        return Dual(self.value @ v, _plus(self.tangent @ v, None if t is None else self.value @ t))

    def __rmatmul__(self, other):
        v, t = _parts(other)
        return Dual(v @ self.value, _plus(v @ self.tangent, None if t is None else t @ self.value))

    def __getitem__(self, key):
        return Dual(self.value[key], self.tangent[key])

    def reshape(self, *shape):
        return Dual(self.value.reshape(*shape), self.tangent.reshape(*shape))


class DualNamespace:
    """The functions of a base namespace (torch or mpmath) lifted to duals."""

    name = "dual"

    def __init__(self, base):
        self.base = base

    def _lift(self, fn, derivative):
        """fn on values, chain rule on tangents: derivative(value, fn(value)) · tangent."""
        def lifted(a, *args):
            if not isinstance(a, Dual):
                return fn(a, *args)
            out = fn(a.value, *args)
            return Dual(out, derivative(a.value, out) * a.tangent)
        return lifted

    def sum(self, a, axis=-1):
        return Dual(self.base.sum(a.value, axis), self.base.sum(a.tangent, axis)) if isinstance(a, Dual) \
            else self.base.sum(a, axis)

    def transpose(self, a):
        return Dual(self.base.transpose(a.value), self.base.transpose(a.tangent)) if isinstance(a, Dual) \
            else self.base.transpose(a)

    def sqrt(self, a):
        return self._lift(self.base.sqrt, lambda v, out: 1 / (2 * out))(a)

    def tanh(self, a):
        return self._lift(self.base.tanh, lambda v, out: 1 - out * out)(a)

    def exp(self, a):
        return self._lift(self.base.exp, lambda v, out: out)(a)

    def log(self, a):
        return self._lift(self.base.log, lambda v, out: 1 / v)(a)
