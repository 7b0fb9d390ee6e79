"""Deep linear networks with scalar weights, f(w) = ½(w₁w₂⋯w_L − y)² (docs/theory.md §12, §16)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, floats

#: |log| of the drawn weight magnitudes and of the target at a minimum (weights within e^{±3})
LOG_RANGE = 1.5


@dataclass(frozen=True, repr=False)
class DeepLinear(Family):
    """f(w) = ½(p − y)², p = w₁w₂⋯w_L: a depth-L linear network of width 1 on the input 1.

    The parameters are the weights w (the dimension drawn is the depth L) and the target y;
    ``x`` is not used. ``at_minimum=False``: w ∈ [−3, 3]^L and y ∈ [−2, 2] anywhere.
    ``at_minimum=True``: a global minimum, y = e^b > 0 and wᵢ = exp(aᵢ − mean(a) + b/L), so
    p = y exactly; a is drawn at random or all equal (the balanced minimum wᵢ = y^{1/L}), b and
    each aᵢ in [−1.5, 1.5].

    Certified: ``depth`` L and ``target`` y. Written against ``xp``: ∂ᵢf = (p − y)Π_{j≠i}wⱼ from
    prefix and suffix products (no division: zero weights are fine), and at a minimum the Hessian
    ∇p∇pᵀ + (p − y)∇²p with ∂ᵢp = p/wᵢ, ∂ᵢ∂ⱼp = p/(wᵢwⱼ) (the weights are positive there).
    """

    at_minimum: bool = False
    name: str = ""
    provides: frozenset[str] = frozenset({"depth", "target"})

    def __post_init__(self):
        object.__setattr__(self, "name", "deep-linear-minimum" if self.at_minimum else "deep-linear")

    def strategy(self, d):
        if not self.at_minimum:
            return st.fixed_dictionaries({"weights": float_arrays(d), "target": float_arrays(1, -2.0, 2.0)})
        balanced = floats(-LOG_RANGE, LOG_RANGE).map(lambda a: np.full(d, a))
        logs = st.one_of(balanced, float_arrays(d, -LOG_RANGE, LOG_RANGE))
        return st.fixed_dictionaries({"log_weights": logs, "log_target": float_arrays(1, -LOG_RANGE, LOG_RANGE)})

    def constrain(self, raw, xp):
        if not self.at_minimum:
            return raw
        a = xp.clip(raw["log_weights"], -LOG_RANGE, LOG_RANGE)
        b = xp.clip(raw["log_target"], -LOG_RANGE, LOG_RANGE)
        depth = np.shape(a)[-1]
        return {"target": xp.exp(b), "weights": xp.exp(a - (xp.sum(a) / depth)[:, None] + b / depth)}

    @staticmethod
    def products(w):
        """(p, [Π_{j≠i}wⱼ for each i]) for a batch of weights (B, L)."""
        depth = np.shape(w)[-1]
        prefix, suffix = [w[:, 0] * 0 + 1], [w[:, 0] * 0 + 1]
        for i in range(depth - 1):
            prefix.append(prefix[-1] * w[:, i])
            suffix.append(suffix[-1] * w[:, depth - 1 - i])
        return prefix[-1] * w[:, -1], [prefix[i] * suffix[depth - 1 - i] for i in range(depth)]

    def value(self, p, x, xp):
        product, _ = self.products(x)
        return (product - p["target"][:, 0]) ** 2 / 2

    def grad(self, p, x, xp):
        product, others = self.products(x)
        residual = product - p["target"][:, 0]
        basis = xp.asarray(np.eye(len(others)))
        return sum((residual * other)[:, None] * basis[i] for i, other in enumerate(others))

    def hessian_at_minimum(self, p, xp):
        """∇²f at the weights of a minimum instance (positive): ∇p∇pᵀ + (p − y)∇²p, (B, L, L)."""
        w = p["weights"]
        product, _ = self.products(w)
        inverse = 1 / w
        outer = inverse[:, :, None] * inverse[:, None, :]
        off_diagonal = xp.asarray(1 - np.eye(np.shape(w)[-1]))
        residual = product - p["target"][:, 0]
        return ((product * product)[:, None, None] + (residual * product)[:, None, None] * off_diagonal) * outer

    def constants(self, p, xp):
        target = p["target"][:, 0]
        return {"target": target, "depth": 0 * target + np.shape(p["weights"])[-1]}
