"""Min–max games f(x, y) = (μ/2)‖x‖² + xᵀAy − (μ/2)‖y‖² with certified singular values (docs/theory.md §14)."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .base import Family, float_arrays, floats, householder

#: |log σ| of the drawn singular values (σ ∈ [1/10, 10])
LOG_SIGMA = math.log(10.0)


@dataclass(frozen=True, repr=False)
class BilinearGame(Family):
    """min over x ∈ ℝᵐ, max over y ∈ ℝⁿ of f(x, y) = (μ/2)‖x‖² + xᵀAy − (μ/2)‖y‖², z = (x, y) = x0
    of dimension d = m + n, m = ⌈d/2⌉, n = ⌊d/2⌋. A = U[:, :n] diag(σ) Vᵀ with U (m×m) and V (n×n)
    products of one to three Householder reflections (orthogonal in exact arithmetic) and σ ∈
    [1/10, 10] random, repeated or two-valued. ``monotone=False``: μ = 0, the bilinear game xᵀAy;
    ``monotone=True``: μ ∈ [1/10, 2], strongly convex–strongly concave.

    The game's vector field is F(z) = (∇ₓf, −∇ᵧf) = (μx + Ay, μy − Aᵀx). Certified: ``mu``,
    ``sigma_max`` = max σ and ``sigma_min`` = the smallest singular value of the map z ↦ (Ay, Aᵀx),
    which is 0 when m > n (x in the kernel of Aᵀ). Start directions: the top and bottom singular
    pairs, z = (uₖ, vₖ)/√2 (bottom is the kernel of Aᵀ when m > n).
    """

    monotone: bool = False
    name: str = ""
    min_dim: int = 2
    directions: tuple[str, ...] = ("top-singular", "bottom-singular")
    provides: frozenset[str] = frozenset({"mu", "sigma_max", "sigma_min"})

    def __post_init__(self):
        object.__setattr__(self, "name", "monotone-bilinear-game" if self.monotone else "bilinear-game")

    @staticmethod
    def sizes(d: int) -> tuple[int, int]:
        return (d + 1) // 2, d // 2

    def strategy(self, d):
        return _games(*self.sizes(d))

    def constrain(self, raw, xp):
        sigma = xp.exp(xp.clip(raw["log_sigma"], -LOG_SIGMA, LOG_SIGMA))
        mu = xp.clip(raw["mu"], 0.1, 2.0) if self.monotone else 0 * raw["mu"]
        return {"sigma": sigma, "left": raw["left"], "right": raw["right"], "mu": mu}

    @staticmethod
    def split(p, z):
        m = np.shape(p["left"])[-1]
        return z[:, :m], z[:, m:]

    @staticmethod
    def join(xp, x, y):
        m, n = np.shape(x)[-1], np.shape(y)[-1]
        return x @ xp.asarray(np.eye(m, m + n)) + y @ xp.asarray(np.eye(n, m + n, m))

    def apply(self, p, y, xp):
        """Ay for y (B, n): U[:, :n](σ ⊙ Vᵀy)."""
        m, n = np.shape(p["left"])[-1], np.shape(y)[-1]
        inner = p["sigma"] * householder(xp, p["right"], y, reverse=True)
        return householder(xp, p["left"], inner @ xp.asarray(np.eye(n, m)))

    def apply_transpose(self, p, x, xp):
        """Aᵀx for x (B, m): V(σ ⊙ (Uᵀx)[:n])."""
        m, n = np.shape(x)[-1], np.shape(p["right"])[-1]
        return householder(xp, p["right"], p["sigma"] * (householder(xp, p["left"], x, reverse=True)
                                                          @ xp.asarray(np.eye(m, n))))

    def field(self, p, z, xp):
        """F(z) = (μx + Ay, μy − Aᵀx): gradient descent in x, ascent in y, as one descent field."""
        x, y = self.split(p, z)
        mu = p["mu"]
        return self.join(xp, mu * x + self.apply(p, y, xp), mu * y - self.apply_transpose(p, x, xp))

    def singular_pair(self, name: str, p, xp):
        """(uₖ, vₖ) of the largest (``top``) or smallest (``bottom``) singular value, each (B, ·)."""
        sigma = p["sigma"]
        m, n = np.shape(p["left"])[-1], np.shape(sigma)[-1]
        index = xp.argmax(sigma if name == "top" else -sigma)
        v = householder(xp, p["right"], xp.one_hot(index, n, sigma))
        if name == "bottom" and m > n:  # the kernel of Aᵀ: U's column n + 1, with y = 0
            return householder(xp, p["left"], xp.one_hot(index * 0 + n, m, sigma)), 0 * v
        return householder(xp, p["left"], xp.one_hot(index, n, sigma) @ xp.asarray(np.eye(n, m))), v

    def direction(self, name, p, xp):
        u, v = self.singular_pair(name.split("-")[0], p, xp)
        return self.join(xp, u, v) / math.sqrt(2)

    def constants(self, p, xp):
        sigma = p["sigma"]
        m, n = np.shape(p["left"])[-1], np.shape(sigma)[-1]
        smallest = xp.min(sigma) if m == n else 0 * xp.min(sigma)
        return {"mu": p["mu"][:, 0], "sigma_max": xp.max(sigma), "sigma_min": smallest}


@functools.cache
def _games(m: int, n: int) -> st.SearchStrategy[dict]:
    """Spectra, reflectors and μ for an m×n game (built once: composite strategies are costly to define)."""
    @st.composite
    def spectrum(draw):
        kind = draw(st.sampled_from(("random", "repeated", "two-valued")))
        if kind == "random":
            return draw(float_arrays(n, -LOG_SIGMA, LOG_SIGMA))
        a, b = draw(floats(-LOG_SIGMA, LOG_SIGMA)), draw(floats(-LOG_SIGMA, LOG_SIGMA))
        return np.full(n, a) if kind == "repeated" else np.where(np.arange(n) == 0, b, a)

    reflectors = lambda size: st.integers(1, min(size, 3)).flatmap(lambda k: float_arrays((k, size), -1.0, 1.0))
    return st.fixed_dictionaries({"log_sigma": spectrum(), "left": reflectors(m), "right": reflectors(n),
                                  "mu": float_arrays(1, 0.1, 2.0)})
