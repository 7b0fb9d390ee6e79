"""Networks whose hidden layers are normalized with ε = 0, so the loss is scale invariant in
the weights feeding each normalization (docs/theory.md §11)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ..normalization import spread, standardize, standardize_backward
from .base import Family, float_arrays, total


@dataclass(frozen=True, repr=False)
class NormalizedNetwork(Family):
    """L(W) = (1/2n) Σᵢ ‖V h_k(xᵢ) − yᵢ‖² over n samples, h₀ = x, h_l = tanh(N(h_{l−1} W_lᵀ)),
    N a normalization with ε = 0 and no affine part: ``batch`` norm (over the samples, per unit)
    or ``layer`` norm (over the units, per sample; its widths are at least 2).

    Hypothesis draws the architecture (1 to ``max_layers`` normalized layers, widths 1 to
    ``max_width``, 1 or 2 inputs, 1 or 2 outputs, 2 to ``max_samples`` samples), the data and
    the weights; shrinking goes toward one layer, one unit, two samples. The weights W =
    (W_1, …, W_k) are the point at which the claims look (they are parameters of the instance,
    so ``x0`` is not used); the head V and the data stay fixed. L(cW) = L(W) for every c > 0,
    jointly and for each W_l alone, wherever each normalized layer has a positive variance.

    Certified: ``spread``, the smallest spread of what a normalization divides by at W
    (:func:`~odl_verify.definitions.normalization.spread`).
    Everything is written against ``xp``: the gradient is backpropagation by hand, so it runs
    batched in torch, in mpmath, and on dual numbers (Hessian-vector products).
    """

    norm: str = "batch"
    max_layers: int = 2
    max_width: int = 3
    max_samples: int = 4
    name: str = ""
    provides: frozenset[str] = frozenset({"spread"})

    def __post_init__(self):
        object.__setattr__(self, "name", f"{self.norm}-normalized-network")

    @property
    def axes(self) -> tuple[int, ...]:
        """The axis each normalization averages over, in (B, n, width) activations."""
        return (-2,) if self.norm == "batch" else (-1,)

    def strategy(self, d):
        return _networks(1 if self.norm == "batch" else 2, self.max_width, self.max_layers, self.max_samples)

    @staticmethod
    def weights(p) -> list:
        """W_1, …, W_k, each (B, width_l, width_{l−1})."""
        return [p["weights"][key] for key in sorted(p["weights"], key=int)]

    def _forward(self, p, weights, xp):
        """Per layer (input h_{l−1}, standardized z_l, its σ), and the residual of the output."""
        h, layers = p["inputs"], []
        for w in weights:
            z, std = standardize(xp, h @ xp.transpose(w), self.axes)
            layers.append((h, z, std))
            h = xp.tanh(z)
        return layers, h @ xp.transpose(p["head"]) - p["targets"]

    def loss(self, p, weights, xp):
        _, residual = self._forward(p, weights, xp)
        return total(xp, residual * residual) / (2 * np.shape(residual)[-2])

    def gradient(self, p, weights, xp) -> list:
        """∇_W L by backpropagation, one array per layer."""
        layers, residual = self._forward(p, weights, xp)
        upstream = residual @ p["head"] / np.shape(residual)[-2]  # ∂L/∂h_k
        grads = []
        for w, (h_in, z, std) in zip(reversed(weights), reversed(layers)):
            out = xp.tanh(z)
            du = standardize_backward(xp, upstream * (1 - out * out), z, std, self.axes)
            grads.append(xp.transpose(du) @ h_in)
            upstream = du @ w
        return grads[::-1]

    def constants(self, p, xp):
        h, smallest = p["inputs"], None
        for w in self.weights(p):
            u = h @ xp.transpose(w)
            layer_spread = spread(xp, u, self.axes)
            smallest = layer_spread if smallest is None else xp.minimum(smallest, layer_spread)
            h = xp.tanh(standardize(xp, u, self.axes)[0])
        return {"spread": smallest}


@functools.cache
def _networks(narrowest: int, max_width: int, max_layers: int, max_samples: int) -> st.SearchStrategy[dict]:
    """Architectures and their data and weights (built once: composite strategies are costly to define)."""
    @st.composite
    def network(draw):
        samples, inputs = draw(st.integers(2, max_samples)), draw(st.integers(1, 2))
        widths = [inputs] + [draw(st.integers(narrowest, max_width)) for _ in range(draw(st.integers(1, max_layers)))]
        outputs = draw(st.integers(1, 2))
        return {"inputs": draw(float_arrays((samples, inputs))), "targets": draw(float_arrays((samples, outputs))),
                "head": draw(float_arrays((outputs, widths[-1]))),
                "weights": {str(l): draw(float_arrays((widths[l + 1], widths[l]))) for l in range(len(widths) - 1)}}

    return network()


def inner(xp, a: list, b: list):
    """⟨a, b⟩ of two lists of per-layer arrays, per instance."""
    return sum(total(xp, x * y) for x, y in zip(a, b))


def scaled(c, arrays: list) -> list:
    """c·a for each per-layer array, c (B,) one factor per instance."""
    return [c[:, None, None] * a for a in arrays]
