"""The per-instance numpy/scipy baseline the batched torch path is measured against.

:class:`NumpyNamespace` offers the array API that families and methods are written
against (the same one as ``odl_verify.definitions.backend.TorchNamespace``), on float64 numpy
arrays with scipy's symmetric eigensolver, so the baseline runs the *same* family,
method and compiled sympy code, one instance (leading dimension 1) at a time: the
work a straightforward per-instance implementation would do.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.special


class NumpyNamespace:
    """Float64 numpy; a batch of one instance per call in the baseline loop."""

    name = "numpy"
    device = "cpu"

    @staticmethod
    def asarray(value) -> np.ndarray:
        return np.asarray(value, dtype=np.float64)

    @staticmethod
    def scalar(value: float, like) -> np.ndarray:
        return np.full(np.shape(like)[:1], float(value))

    sum = staticmethod(lambda a, axis=-1: np.sum(a, axis=axis))
    max = staticmethod(lambda a, axis=-1: np.max(a, axis=axis))
    min = staticmethod(lambda a, axis=-1: np.min(a, axis=axis))
    cos = staticmethod(np.cos)
    sin = staticmethod(np.sin)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    sigmoid = staticmethod(scipy.special.expit)
    softplus = staticmethod(lambda z: np.logaddexp(0.0, z))
    logsumexp = staticmethod(lambda a, axis=-1: scipy.special.logsumexp(a, axis=axis))
    softmax = staticmethod(lambda a, axis=-1: scipy.special.softmax(a, axis=axis))
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    clip = staticmethod(np.clip)
    where = staticmethod(np.where)
    zeros_like = staticmethod(np.zeros_like)
    argmax = staticmethod(lambda a, axis=-1: np.argmax(a, axis=axis))
    floor = staticmethod(np.floor)

    @staticmethod
    def one_hot(index, size: int, like) -> np.ndarray:
        return np.eye(size)[np.asarray(index)]

    @staticmethod
    def transpose(a):
        return np.swapaxes(a, -1, -2)

    @staticmethod
    def eigvalsh(a):
        return np.stack([scipy.linalg.eigvalsh(m) for m in a])

    @staticmethod
    def solve(a, b):
        return np.stack([scipy.linalg.solve(m, v) for m, v in zip(a, b)])

    @staticmethod
    def is_finite(a) -> bool:
        return bool(np.isfinite(a).all())
