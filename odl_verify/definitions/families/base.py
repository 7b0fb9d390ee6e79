"""What every instance family shares: the :class:`Family` protocol, the batch wrapper
:class:`Instance`, and the array helpers the families are written with.

A family turns *raw* parameters (what Hypothesis draws and the adversary moves,
unconstrained) into an instance through :meth:`Family.constrain`, and certifies
its constants from the constrained parameters in the same array namespace, so the
float64 search and the high-precision confirmation certify the same numbers.

Every array has a leading instance dimension ``B``; ``x`` has shape ``(B, d)``.
Certified constants (by name):

``smoothness``  an upper bound on ‖∇²f(x)‖₂ for every x (the β of the theorems);
``lambda_min``, ``lambda_max``  the extreme Hessian eigenvalues of a quadratic;
``f_star``  the infimum of f, where the family knows it;
``minimizer``  a point x* where f(x*) = f*, returned by :meth:`Family.minimizer`;
``strong_convexity``  a lower bound μ on λ_min(∇²f(x)) for every x.

Families that can give ∇²f exactly define :meth:`Family.hessian` (Newton's method needs it).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def float_arrays(shape, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, shape, elements=floats(low, high))


def matvec(xp, matrix, x):
    """(B, m, d) @ (B, d) -> (B, m) in either namespace."""
    return (matrix @ x[..., None])[..., 0]


def rmatvec(xp, matrix, r):
    """(B, m, d)^T @ (B, m) -> (B, d)."""
    return (xp.transpose(matrix) @ r[..., None])[..., 0]


def total(xp, array):
    """The sum over every axis but the leading instance axis: (B, ...) -> (B,)."""
    while len(np.shape(array)) > 1:
        array = xp.sum(array, -1)
    return array


def concatenate(xp, arrays, axis: int = -1):
    """Arrays joined along ``axis`` in either namespace (torch tensors, or numpy object arrays)."""
    if xp.name == "torch":
        import torch
        return torch.cat(arrays, dim=axis)
    return np.concatenate(arrays, axis=axis)


def top_gram_eigenvalue(xp, matrix):
    """λ_max(MᵀM): the squared spectral norm of M, certified in each precision.

    MᵀM and MMᵀ share their nonzero eigenvalues, so the smaller of the two is solved:
    an n×n problem (n ≤ 6 data rows) instead of a d×d one at large dimension.
    """
    rows, columns = matrix.shape[-2:]
    gram = matrix @ xp.transpose(matrix) if rows < columns else xp.transpose(matrix) @ matrix
    return xp.max(xp.eigvalsh(gram))


class Family:
    """A family of smooth functions f: ℝᵈ → ℝ with certified constants."""

    name: str = ""
    provides: frozenset[str] = frozenset({"smoothness"})
    #: start directions the search may use besides random points
    directions: tuple[str, ...] = ()
    min_dim: int = 1
    #: roles of a claim's hyperparameters (``"steps"``, ``"step"``) this family can build its extreme
    #: instance for, through :meth:`designed`; the search asks for it at the hyperparameters it draws
    design_roles: frozenset[str] = frozenset()

    def strategy(self, d: int) -> st.SearchStrategy[dict[str, np.ndarray]]:
        raise NotImplementedError

    def constrain(self, raw: dict, xp) -> dict:
        return raw

    def value(self, p: dict, x, xp):
        raise NotImplementedError

    def grad(self, p: dict, x, xp):
        raise NotImplementedError

    def constants(self, p: dict, xp) -> dict:
        raise NotImplementedError

    def direction(self, name: str, p: dict, xp):
        raise KeyError(name)

    def designed(self, design: Mapping[str, float], d: int) -> dict:
        """Raw parameters (numpy, one instance of dimension ``d``) of the family's extreme instance
        for a claim's hyperparameters, by role: ``"steps"`` the number of steps N, ``"step"`` the
        step in units of the instance's smoothness, h = L·η (the instance is built with L = 1)."""
        raise NotImplementedError(f"{self.name} builds no designed instances")

    def minimizer(self, p: dict, xp):
        """x* (B, d), for families that provide ``minimizer``."""
        raise NotImplementedError(f"{self.name} certifies no minimizer")

    def hessian(self, p: dict, x, xp):
        """∇²f(x) (B, d, d), exactly, for families that can give it."""
        raise NotImplementedError(f"{self.name} has no Hessian oracle")

    def __repr__(self) -> str:
        return self.name


def householder(xp, reflectors, x, reverse: bool = False):
    """Apply Q = H_k…H_1 (or Qᵀ) with H = I − 2vvᵀ/‖v‖² to x (B, n), or to each row of x (B, m, n):
    orthogonal in exact arithmetic."""
    count = reflectors.shape[1]
    order = range(count - 1, -1, -1) if reverse else range(count)
    rows = len(np.shape(x)) == 3
    for i in order:
        v = reflectors[:, i, :]
        vv = xp.sum(v * v)
        # A reflector too short to define a direction is the identity, in both precisions.
        coef = xp.where(vv > 1e-12, 2 / xp.maximum(vv, xp.scalar(1e-12, vv)), xp.zeros_like(vv))
        if rows:
            v, coef = v[:, None, :], coef[:, None]
        x = x - (coef * xp.sum(v * x))[..., None] * v
    return x


def rotated_diagonal(xp, reflectors, diagonal):
    """Qᵀdiag(diagonal)Q (B, d, d) for Q = H_k…H_1: Q applied to the rows of I gives the columns
    of Q; scaling them and applying Qᵀ gives the matrix, symmetric up to rounding."""
    count, d = np.shape(diagonal)
    identity = xp.asarray(np.broadcast_to(np.eye(d), (count, d, d)).copy())
    return householder(xp, reflectors, diagonal[:, None, :] * householder(xp, reflectors, identity), reverse=True)


class Instance:
    """One batch of a family's functions: ``value``/``grad`` of the constrained params."""

    def __init__(self, family: Family, params: Mapping, xp):
        self.family, self.params, self.xp = family, params, xp

    def value(self, x):
        return self.family.value(self.params, x, self.xp)

    def grad(self, x):
        return self.family.grad(self.params, x, self.xp)

    def hessian(self, x):
        return self.family.hessian(self.params, x, self.xp)

    def minimizer(self):
        return self.family.minimizer(self.params, self.xp)

    def constants(self) -> dict:
        return self.family.constants(self.params, self.xp)
