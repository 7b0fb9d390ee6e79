"""Linear classifiers under an ℓ∞-bounded perturbation (docs/theory.md §14)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class LinearScore(Family):
    """A linear score's margin y·wᵀx on a labelled point, perturbed to y·wᵀ(x + δ): w ∈ [−3, 3]^d,
    the label y = +1 or −1 (the sign of a drawn number); the margin moves by y·wᵀδ whatever x is,
    so x is not drawn. ``x0`` is the perturbation's direction: δ = ε·clip(x0, −1, 1), which reaches
    every δ with ‖δ‖∞ ≤ ε. The ``fgsm`` direction is −y·sign(w) (the fast gradient sign method: the
    gradient of the margin in δ is y·w). Nothing is certified."""

    name: str = "linear-score"
    provides: frozenset[str] = frozenset()
    directions: tuple[str, ...] = ("fgsm",)

    def strategy(self, d):
        return st.fixed_dictionaries({"weights": float_arrays(d), "label": float_arrays(1)})

    def constrain(self, raw, xp):
        label = xp.where(raw["label"] >= 0, 1 + 0 * raw["label"], -1 + 0 * raw["label"])
        return {"weights": raw["weights"], "label": label}

    def direction(self, name, p, xp):
        if name != "fgsm":
            raise KeyError(name)
        w = p["weights"]
        sign = xp.where(w > 0, 1 + 0 * w, xp.where(w < 0, -1 + 0 * w, 0 * w))
        return -p["label"] * sign

    def constants(self, p, xp):
        return {}
