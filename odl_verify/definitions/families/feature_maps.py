"""Feature maps for normalization layers (docs/theory.md §11)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ..normalization import spread
from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class FeatureMaps(Family):
    """Features x of shape (N, C, S): N samples, C channels, S ≥ 2 spatial positions (at most ``max_size`` each), entries in
    [−3, 3]. There is no function to minimize: claims apply normalization layers to x.

    Certified: ``samples_per_channel`` n = N·S (what batch norm averages over), and the spread of
    what each normalization divides by (``spread_batch`` over (N, S) per channel, ``spread_layer``
    over (C, S) per sample, ``spread_instance`` over S per sample and channel;
    :func:`~odl_verify.definitions.normalization.spread`): with ε = 0 a layer is defined exactly
    where its spread is positive.
    """

    max_size: int = 3
    name: str = "feature-maps"
    provides: frozenset[str] = frozenset({"samples_per_channel", "spread_batch", "spread_layer", "spread_instance"})

    def strategy(self, d):
        sizes = st.tuples(st.integers(1, self.max_size), st.integers(1, self.max_size), st.integers(2, self.max_size))
        return sizes.flatmap(lambda shape: st.fixed_dictionaries({"features": float_arrays(shape)}))

    def constants(self, p, xp):
        x = p["features"]
        _, samples, _, spatial = np.shape(x)
        return {"samples_per_channel": xp.scalar(samples * spatial, x[:, 0, 0, 0]),
                "spread_batch": spread(xp, x, (1, 3)), "spread_layer": spread(xp, x, (2, 3)),
                "spread_instance": spread(xp, x, (3,))}
