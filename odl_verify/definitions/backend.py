"""Array namespaces: one family or method body runs batched in torch and, for
confirmation, on a single instance in mpmath at high precision.

Code written against ``xp`` uses only elementwise arithmetic, ``@`` and the
functions below, so the float64 search and the exact re-check cannot drift apart.
"""
from __future__ import annotations


import mpmath
import numpy as np
import torch

from ..core.precision import CONFIRM_DIGITS
from ..errors import UsageError


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU is a usage error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UsageError(f"--device {name}: torch {torch.__version__} sees no CUDA device "
                             "(install a CUDA build of torch, see README)")
        return torch.device(name)
    raise UsageError(f"--device must be auto, cpu or cuda, not {name!r}")


class TorchNamespace:
    """Batched float64 torch: every array has a leading instance dimension."""

    name = "torch"

    def __init__(self, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float64):
        self.device = torch.device(device)
        self.dtype = dtype

    def asarray(self, value) -> torch.Tensor:
        return torch.as_tensor(value, dtype=self.dtype, device=self.device)

    def scalar(self, value: float, like: torch.Tensor) -> torch.Tensor:
        return torch.full(like.shape[:1], float(value), dtype=self.dtype, device=self.device)

    sum = staticmethod(lambda a, axis=-1: a.sum(dim=axis))
    max = staticmethod(lambda a, axis=-1: a.amax(dim=axis))
    min = staticmethod(lambda a, axis=-1: a.amin(dim=axis))
    cos = staticmethod(torch.cos)
    sin = staticmethod(torch.sin)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    sqrt = staticmethod(torch.sqrt)
    tanh = staticmethod(torch.tanh)
    abs = staticmethod(torch.abs)
    sigmoid = staticmethod(torch.sigmoid)
    softplus = staticmethod(torch.nn.functional.softplus)
    logsumexp = staticmethod(lambda a, axis=-1: torch.logsumexp(a, dim=axis))
    softmax = staticmethod(lambda a, axis=-1: torch.softmax(a, dim=axis))
    maximum = staticmethod(torch.maximum)
    clip = staticmethod(torch.clamp)
    minimum = staticmethod(torch.minimum)
    where = staticmethod(torch.where)
    zeros_like = staticmethod(torch.zeros_like)
    argmax = staticmethod(lambda a, axis=-1: a.argmax(dim=axis))
    floor = staticmethod(torch.floor)

    @staticmethod
    def one_hot(index, size: int, like: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.one_hot(index, size).to(like.dtype)

    @staticmethod
    def transpose(a):
        return a.transpose(-1, -2)

    @staticmethod
    def eigvalsh(a):
        return torch.linalg.eigvalsh(a)

    @staticmethod
    def solve(a, b):
        """(B, d, d), (B, d) -> (B, d): a⁻¹b per instance; NaN for an instance whose a is singular
        (the rest of the batch is solved, and a NaN row is one the search skips)."""
        x, info = torch.linalg.solve_ex(a, b)
        return torch.where((info == 0)[:, None], x, torch.full_like(x, float("nan")))

    @staticmethod
    def is_finite(a) -> bool:
        return bool(torch.isfinite(a).all())

    cumsum = staticmethod(lambda a, axis=1: torch.cumsum(a, dim=axis))
    #: whole numbers (step counts) as this namespace computes with them
    counts = staticmethod(lambda values: torch.as_tensor(values, dtype=torch.float64))
    concatenate = staticmethod(lambda arrays, axis=1: torch.cat(list(arrays), dim=axis))
    cummax = staticmethod(lambda a, axis=1: torch.cummax(a, dim=axis).values)

    @staticmethod
    def discounted_cumsum(values, decay):
        """s_t = Σ_{j≤t} decay^{t−j}·v_j along axis 1 of (B, T, d), decay a number or (B, 1, 1): by
        doubling (after round k, s_t sums the last 2ᵏ terms), so log₂T batched steps, not T."""
        out, shift, length = values, 1, values.shape[1]
        while shift < length:
            out = torch.cat([out[:, :shift], out[:, shift:] + decay ** shift * out[:, :-shift]], dim=1)
            shift *= 2
        return out


def _vectorize(fn):
    vectorized = np.vectorize(fn, otypes=[object])
    return lambda a: vectorized(np.asarray(a, dtype=object))


class MpNamespace:
    """One instance (leading dimension 1) as numpy object arrays of mpmath numbers."""

    name = "mpmath"

    def __init__(self, digits: int = CONFIRM_DIGITS):
        self.digits = digits

    def asarray(self, value) -> np.ndarray:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().double().numpy()
        array = np.asarray(value, dtype=object)
        return _vectorize(lambda v: v if isinstance(v, mpmath.mpf) else mpmath.mpf(v))(array)

    def scalar(self, value, like) -> np.ndarray:
        return self.asarray(np.full(np.shape(like)[:1], value, dtype=object))

    sum = staticmethod(lambda a, axis=-1: np.sum(a, axis=axis))
    max = staticmethod(lambda a, axis=-1: np.max(a, axis=axis))
    min = staticmethod(lambda a, axis=-1: np.min(a, axis=axis))
    cos = staticmethod(_vectorize(mpmath.cos))
    sin = staticmethod(_vectorize(mpmath.sin))
    exp = staticmethod(_vectorize(mpmath.exp))
    log = staticmethod(_vectorize(mpmath.log))
    sqrt = staticmethod(_vectorize(mpmath.sqrt))
    tanh = staticmethod(_vectorize(mpmath.tanh))
    abs = staticmethod(_vectorize(abs))
    sigmoid = staticmethod(_vectorize(lambda z: 1 / (1 + mpmath.exp(-z))))
    softplus = staticmethod(_vectorize(lambda z: mpmath.log1p(mpmath.exp(z))))
    maximum = staticmethod(lambda a, b: np.where(np.asarray(a) >= np.asarray(b), a, b))
    minimum = staticmethod(lambda a, b: np.where(np.asarray(a) <= np.asarray(b), a, b))
    where = staticmethod(np.where)
    clip = staticmethod(lambda a, low, high: np.clip(a, mpmath.mpf(low), mpmath.mpf(high)))
    argmax = staticmethod(lambda a, axis=-1: np.argmax(a, axis=axis))
    floor = staticmethod(_vectorize(mpmath.floor))

    def logsumexp(self, a, axis=-1):
        top = np.max(a, axis=axis, keepdims=True)
        return self.log(np.sum(self.exp(a - top), axis=axis)) + np.squeeze(top, axis=axis)

    def softmax(self, a, axis=-1):
        e = self.exp(a - np.max(a, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    def zeros_like(self, a):
        return self.asarray(np.zeros(np.shape(a)))

    def one_hot(self, index, size: int, like):
        out = np.zeros((len(index), size))
        out[np.arange(len(index)), np.asarray(index, dtype=int)] = 1
        return self.asarray(out)

    @staticmethod
    def transpose(a):
        return np.swapaxes(a, -1, -2)

    @staticmethod
    def eigvalsh(a):
        rows = [sorted(mpmath.mp.eigsy(mpmath.matrix(m.tolist()), eigvals_only=True)) for m in a]
        return np.asarray(rows, dtype=object)

    @staticmethod
    def solve(a, b):
        """As :meth:`TorchNamespace.solve`: NaN for an instance whose a is singular."""
        def row(m, v):
            try:
                return list(mpmath.lu_solve(mpmath.matrix(m.tolist()), mpmath.matrix(v.tolist())))
            except ZeroDivisionError:
                return [mpmath.nan] * len(v)
        return np.asarray([row(m, v) for m, v in zip(a, b)], dtype=object)

    @staticmethod
    def is_finite(a) -> bool:
        return all(mpmath.isfinite(v) for v in np.asarray(a, dtype=object).ravel())

    cumsum = staticmethod(lambda a, axis=1: np.cumsum(a, axis=axis))
    #: whole numbers as exact Python integers: β**t is then an exact, fast integer power
    counts = staticmethod(lambda values: np.asarray(values).astype(object))
    concatenate = staticmethod(lambda arrays, axis=1: np.concatenate(list(arrays), axis=axis))
    cummax = staticmethod(lambda a, axis=1: np.maximum.accumulate(a, axis=axis))

    @staticmethod
    def discounted_cumsum(values, decay):
        """As :meth:`TorchNamespace.discounted_cumsum`, by the recursion s_t = decay·s_{t−1} + v_t:
        T steps of one number each, cheaper in mpmath than doubling's T·log₂T."""
        out = np.empty_like(values)
        decay = decay[:, 0] if np.ndim(decay) else decay
        total = 0 * values[:, 0]
        for t in range(np.shape(values)[1]):
            total = decay * total + values[:, t]
            out[:, t] = total
        return out


class SympyNamespace:
    """Scalar sympy expressions: an elementwise method body written against ``xp`` becomes a formula."""

    name = "sympy"

    @staticmethod
    def sqrt(a):
        import sympy
        return sympy.sqrt(a)

    @staticmethod
    def maximum(a, b):
        import sympy
        return sympy.Max(a, b)

    @staticmethod
    def minimum(a, b):
        import sympy
        return sympy.Min(a, b)

    @staticmethod
    def abs(a):
        import sympy
        return sympy.Abs(a)

    @staticmethod
    def where(condition, a, b):
        import sympy
        return sympy.Piecewise((a, condition), (b, True))

    @staticmethod
    def clip(a, low, high):
        import sympy
        return sympy.Min(sympy.Max(a, low), high)

    @staticmethod
    def zeros_like(a):
        import sympy
        return sympy.Integer(0)

    @staticmethod
    def sum(a, axis=-1):
        """A scalar is one coordinate: its sum over coordinates is itself."""
        return a

    @staticmethod
    def solve(a, b):
        """a⁻¹b: a scalar quotient, or for a sympy matrix (a symbolic Hessian) adj(a)b/det(a), one
        fraction per entry, which simplifies much faster than an LU solve's nested ones."""
        import sympy
        return a.adjugate() * b / a.det() if isinstance(a, sympy.MatrixBase) else b / a


def to_mp(value) -> np.ndarray:
    """Exact conversion of float64 data (every binary64 value is an mpf)."""
    return MpNamespace().asarray(value)
