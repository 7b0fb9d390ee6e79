"""Stochastic gradients with finitely many outcomes: expectations are exact sums (docs/theory.md §15)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays


@dataclass(frozen=True, repr=False)
class FiniteNoise(Family):
    """A base family with an oracle g̃(x) = ∇f(x) + ξ, ξ = ξ_k with probability p_k, k = 1…m.

    The atoms are centered in the namespace's own precision (ξ_k minus Σⱼ pⱼξⱼ), so E ξ = 0 to
    the working precision; the noise does not depend on x. Certified: the base family's
    constants and ``noise_variance`` σ² = E‖ξ‖² = Σₖ pₖ‖ξₖ‖². An expectation over the noise is
    the finite sum over its outcomes, so no claim on these instances needs a statistical test.
    Starts: the base family's directions and the origin (x₀ = 0, where the noise alone moves SGD).
    """

    base: Family = None
    max_outcomes: int = 4
    name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "name", f"{self.base.name}+noise")
        object.__setattr__(self, "provides", self.base.provides | {"noise_variance"})
        object.__setattr__(self, "directions", tuple(dict.fromkeys(self.base.directions + ("origin",))))
        object.__setattr__(self, "min_dim", self.base.min_dim)

    def strategy(self, d):
        noise = st.integers(2, self.max_outcomes).flatmap(lambda m: st.fixed_dictionaries({
            "atoms": float_arrays((m, d)), "logits": float_arrays(m, -2.0, 2.0),
            "log_scale": float_arrays(1, -3 * math.log(10.0), math.log(10.0))}))
        return st.fixed_dictionaries({"base": self.base.strategy(d), "noise": noise})

    def constrain(self, raw, xp):
        noise = raw["noise"]
        probabilities = xp.softmax(noise["logits"])
        atoms = xp.exp(noise["log_scale"])[:, :, None] * noise["atoms"]
        mean = xp.sum(probabilities[:, :, None] * atoms, axis=1)
        return {"base": self.base.constrain(raw["base"], xp), "probabilities": probabilities,
                "atoms": atoms - mean[:, None, :]}

    def noise(self, p, xp):
        """The outcomes ξ_k (B, m, d) and their probabilities p_k (B, m)."""
        return p["atoms"], p["probabilities"]

    def value(self, p, x, xp):
        return self.base.value(p["base"], x, xp)

    def grad(self, p, x, xp):
        return self.base.grad(p["base"], x, xp)

    def hessian(self, p, x, xp):
        return self.base.hessian(p["base"], x, xp)

    def minimizer(self, p, xp):
        return self.base.minimizer(p["base"], xp)

    def constants(self, p, xp):
        atoms, probabilities = self.noise(p, xp)
        variance = xp.sum(probabilities * xp.sum(atoms * atoms))
        return {**self.base.constants(p["base"], xp), "noise_variance": variance}

    def direction(self, name, p, xp):
        if name == "origin":
            return 0 * p["atoms"][:, 0, :]
        return self.base.direction(name, p["base"], xp)
