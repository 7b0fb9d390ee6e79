"""Instance families whose constants are true by construction (THEORY.md §1).

A family turns *raw* parameters (what Hypothesis draws and the adversary moves,
unconstrained) into an instance through :meth:`Family.constrain`, and certifies
its constants from the constrained parameters in the same array namespace, so the
float64 search and the high-precision confirmation certify the same numbers.

Every array has a leading instance dimension ``B``; ``x`` has shape ``(B, d)``.
Certified constants:

``smoothness``  an upper bound on ‖∇²f(x)‖₂ for every x (the β of the theorems);
``lambda_min``, ``lambda_max``  the extreme Hessian eigenvalues of a quadratic;
``f_star``  the infimum of f, where the family knows it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _array(shape, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, shape, elements=_floats(low, high))


def _matvec(xp, matrix, x):
    """(B, m, d) @ (B, d) -> (B, m) in either namespace."""
    return (matrix @ x[..., None])[..., 0]


def _rmatvec(xp, matrix, r):
    """(B, m, d)^T @ (B, m) -> (B, d)."""
    return (xp.transpose(matrix) @ r[..., None])[..., 0]


def _top_gram_eigenvalue(xp, matrix):
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

    def __repr__(self) -> str:
        return self.name


# ---------------------------------------------------------------- quadratics
def _householder(xp, reflectors, x, reverse: bool = False):
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


@dataclass(frozen=True, repr=False)
class Quadratic(Family):
    """f(x) = ½ xᵀQᵀdiag(λ)Qx, Q a product of Householder reflections.

    ``definite=False`` draws λ ∈ [−10, 10] (nonconvex allowed); ``definite=True``
    draws log λ so that the condition number is at most ``max_condition``. Spectra
    are random, repeated, clustered, or two-valued extremes.
    """

    definite: bool = False
    max_condition: float = 1e6
    name: str = "quadratic"
    directions: tuple[str, ...] = ("top-eigenvector", "bottom-eigenvector")

    def __post_init__(self):
        object.__setattr__(self, "name", "quadratic-pd" if self.definite else "quadratic")
        provides = {"smoothness", "lambda_min", "lambda_max"}
        if self.definite:
            provides.add("f_star")
        object.__setattr__(self, "provides", frozenset(provides))

    @property
    def _half_log_range(self) -> float:
        return math.log(self.max_condition) / 2

    def strategy(self, d):
        h = self._half_log_range
        low, high = (-h, h) if self.definite else (-10.0, 10.0)

        @st.composite
        def spectrum(draw):
            kind = draw(st.sampled_from(("random", "repeated", "clustered", "extremes")))
            if kind == "random":
                return draw(_array(d, low, high))
            a, b = draw(_floats(low, high)), draw(_floats(low, high))
            if kind == "repeated":
                return np.full(d, a)
            if kind == "extremes":
                return np.where(np.arange(d) % 2 == 0, low if self.definite else -high, high)
            spread = draw(_floats(0.0, 1e-3))
            return np.where(np.arange(d) < d // 2, a, b) + spread * np.linspace(-1, 1, d)

        reflector_count = st.integers(0, min(d, 3)) if d > 1 else st.just(0)
        return st.fixed_dictionaries({"spectrum": spectrum()}).flatmap(
            lambda raw: reflector_count.flatmap(
                lambda k: _array((k, d), -1.0, 1.0).map(lambda v: {**raw, "reflectors": v})))

    def constrain(self, raw, xp):
        s = raw["spectrum"]
        if self.definite:
            h = self._half_log_range
            s = xp.exp(xp.clip(s, -h, h))
        return {"eigenvalues": s, "reflectors": raw["reflectors"]}

    def _rotate(self, p, x, xp, reverse=False):
        return _householder(xp, p["reflectors"], x, reverse)

    def value(self, p, x, xp):
        y = self._rotate(p, x, xp)
        return 0.5 * xp.sum(p["eigenvalues"] * y * y)

    def grad(self, p, x, xp):
        return self._rotate(p, p["eigenvalues"] * self._rotate(p, x, xp), xp, reverse=True)

    def constants(self, p, xp):
        lam = p["eigenvalues"]
        out = {"smoothness": xp.max(xp.abs(lam)), "lambda_min": xp.min(lam), "lambda_max": xp.max(lam)}
        if self.definite:
            out["f_star"] = 0 * out["lambda_min"]
        return out

    def direction(self, name, p, xp):
        lam = p["eigenvalues"]
        index = xp.argmax(xp.abs(lam) if name == "top-eigenvector" else -lam)
        return self._rotate(p, xp.one_hot(index, lam.shape[-1], lam), xp, reverse=True)


# ---------------------------------------------------------------- nonconvex
@dataclass(frozen=True, repr=False)
class CosineSum(Family):
    """f(x) = Σᵢ aᵢ cos(wᵢ·x + bᵢ) + (c/2)‖x‖², β = Σ|aᵢ|‖wᵢ‖² + |c| (nonconvex when c < 0)."""

    max_terms: int = 4
    name: str = "cosine-sum"

    def strategy(self, d):
        return st.integers(1, self.max_terms).flatmap(lambda m: st.fixed_dictionaries({
            "a": _array(m), "w": _array((m, d)), "b": _array(m, -math.pi, math.pi),
            "c": _array(1)}))

    def _phase(self, p, x, xp):
        return _matvec(xp, p["w"], x) + p["b"]

    def value(self, p, x, xp):
        return xp.sum(p["a"] * xp.cos(self._phase(p, x, xp))) + 0.5 * p["c"][:, 0] * xp.sum(x * x)

    def grad(self, p, x, xp):
        return _rmatvec(xp, p["w"], -p["a"] * xp.sin(self._phase(p, x, xp))) + p["c"] * x

    def constants(self, p, xp):
        return {"smoothness": xp.sum(xp.abs(p["a"]) * xp.sum(p["w"] * p["w"])) + xp.abs(p["c"][:, 0])}


# ---------------------------------------------------------------- data fits
@dataclass(frozen=True, repr=False)
class LeastSquares(Family):
    """f(x) = ‖Xx − y‖²/(2n), β = λ_max(XᵀX)/n."""

    max_rows: int = 6
    name: str = "least-squares"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(
            lambda n: st.fixed_dictionaries({"X": _array((n, d)), "y": _array(n)}))

    def _residual(self, p, x, xp):
        return _matvec(xp, p["X"], x) - p["y"]

    def value(self, p, x, xp):
        r = self._residual(p, x, xp)
        return xp.sum(r * r) / (2 * p["y"].shape[-1])

    def grad(self, p, x, xp):
        return _rmatvec(xp, p["X"], self._residual(p, x, xp)) / p["y"].shape[-1]

    def constants(self, p, xp):
        return {"smoothness": _top_gram_eigenvalue(xp, p["X"]) / p["y"].shape[-1]}


@dataclass(frozen=True, repr=False)
class Logistic(Family):
    """f(x) = (1/n) Σᵢ log(1 + exp(−yᵢ zᵢ·x)), labels folded into the rows aᵢ = −yᵢzᵢ;
    β = λ_max(AᵀA)/(4n)."""

    max_rows: int = 6
    name: str = "logistic"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(lambda n: st.fixed_dictionaries({"A": _array((n, d))}))

    def value(self, p, x, xp):
        return xp.sum(xp.softplus(_matvec(xp, p["A"], x))) / p["A"].shape[-2]

    def grad(self, p, x, xp):
        return _rmatvec(xp, p["A"], xp.sigmoid(_matvec(xp, p["A"], x))) / p["A"].shape[-2]

    def constants(self, p, xp):
        return {"smoothness": _top_gram_eigenvalue(xp, p["A"]) / (4 * p["A"].shape[-2])}


@dataclass(frozen=True, repr=False)
class Softplus(Family):
    """f(x) = log(1 + exp(w·x)), β = ‖w‖²/4."""

    name: str = "softplus"

    def strategy(self, d):
        return st.fixed_dictionaries({"w": _array(d)})

    def value(self, p, x, xp):
        return xp.softplus(xp.sum(p["w"] * x))

    def grad(self, p, x, xp):
        return xp.sigmoid(xp.sum(p["w"] * x))[:, None] * p["w"]

    def constants(self, p, xp):
        return {"smoothness": xp.sum(p["w"] * p["w"]) / 4}


@dataclass(frozen=True, repr=False)
class LogSumExp(Family):
    """f(x) = log Σᵢ exp(aᵢ·x), β = ‖A‖₂² (an upper bound: the exact constant is smaller)."""

    max_rows: int = 5
    name: str = "log-sum-exp"

    def strategy(self, d):
        return st.integers(1, self.max_rows).flatmap(lambda m: st.fixed_dictionaries({"A": _array((m, d))}))

    def value(self, p, x, xp):
        return xp.logsumexp(_matvec(xp, p["A"], x))

    def grad(self, p, x, xp):
        return _rmatvec(xp, p["A"], xp.softmax(_matvec(xp, p["A"], x)))

    def constants(self, p, xp):
        return {"smoothness": _top_gram_eigenvalue(xp, p["A"])}


@dataclass(frozen=True, repr=False)
class Linear(Family):
    """f(x) = w·x + b: curvature 0, so every declared β ≥ 0 is valid."""

    name: str = "linear"

    def strategy(self, d):
        return st.fixed_dictionaries({"w": _array(d), "b": _array(1)})

    def value(self, p, x, xp):
        return xp.sum(p["w"] * x) + p["b"][:, 0]

    def grad(self, p, x, xp):
        return p["w"] + 0 * x

    def constants(self, p, xp):
        return {"smoothness": 0 * p["b"][:, 0]}


@dataclass(frozen=True, repr=False)
class Combination(Family):
    """Σₖ exp(sₖ)·fₖ: nonnegative weights, so smoothness constants add."""

    parts: tuple[Family, ...] = ()
    name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "name", "+".join(part.name for part in self.parts))
        shared = frozenset.intersection(*(part.provides for part in self.parts)) & {"smoothness"}
        object.__setattr__(self, "provides", shared)

    def strategy(self, d):
        return st.fixed_dictionaries({
            **{f"part{k}": part.strategy(d) for k, part in enumerate(self.parts)},
            "log_weight": _array(len(self.parts), -2.0, 2.0)})

    def constrain(self, raw, xp):
        out = {f"part{k}": part.constrain(raw[f"part{k}"], xp) for k, part in enumerate(self.parts)}
        out["weight"] = xp.exp(raw["log_weight"])
        return out

    def value(self, p, x, xp):
        return sum(p["weight"][:, k] * part.value(p[f"part{k}"], x, xp) for k, part in enumerate(self.parts))

    def grad(self, p, x, xp):
        return sum(p["weight"][:, k, None] * part.grad(p[f"part{k}"], x, xp)
                   for k, part in enumerate(self.parts))

    def constants(self, p, xp):
        return {"smoothness": sum(p["weight"][:, k] * part.constants(p[f"part{k}"], xp)["smoothness"]
                                  for k, part in enumerate(self.parts))}


#: Every β-smooth family of THEORY.md §1.
SMOOTH_FAMILIES: tuple[Family, ...] = (
    Quadratic(),
    CosineSum(),
    LeastSquares(),
    Logistic(),
    LogSumExp(),
    Softplus(),
    Linear(),
    Combination((Quadratic(), CosineSum())),
    Combination((Logistic(), Softplus(), Linear())),
)

#: Positive definite quadratics with condition numbers up to 10⁶.
DEFINITE_QUADRATICS: tuple[Family, ...] = (Quadratic(definite=True),)


# ---------------------------------------------------------------- worst cases
@dataclass(frozen=True, repr=False)
class Staircase(Family):
    """f(x) = Σᵢ φ_{mᵢ}(xᵢ): the worst case of gradient descent at η = 1/β (THEORY.md §2).

    φ_m′(x) = −1 + dist(x, ℤ) on [0, m], rises with slope 1 to 0 on [m, m + 1], is 0
    after and −1 for x < 0 (φ_m(0) = 0), m a nonnegative integer. From the origin with
    η = 1, GD visits x_k = k·𝟙 with ‖∇f‖² = d while k ≤ min mᵢ, and f(x₀) − f(x_N) = 3Nd/4:
    the exact constant 4/3 of Abbaszadehpeivasti, de Klerk and Zamani (2022) is attained.
    Certified: smoothness 1 (each φ′ is 1-Lipschitz), f* = −Σ(3mᵢ + 2)/4 (φ is
    nonincreasing and constant from m + 1 on).
    """

    max_length: int = 24
    name: str = "staircase"
    provides: frozenset[str] = frozenset({"smoothness", "f_star"})
    #: the zero "direction" puts the start at the origin: the search scales directions by ‖x₀‖
    directions: tuple[str, ...] = ("origin",)

    def strategy(self, d):
        equal = st.integers(0, self.max_length).map(lambda m: np.full(d, float(m)))
        return st.fixed_dictionaries({"length": st.one_of(equal, _array(d, 0.0, self.max_length))})

    def constrain(self, raw, xp):
        return {"length": xp.floor(xp.abs(raw["length"]))}

    @staticmethod
    def _pieces(p, x, xp):
        """x clipped to the staircase [0, m], and how far x has climbed the final ramp [m, m + 1]."""
        m = p["length"]
        on_stairs = xp.minimum(xp.maximum(x, 0 * x), m + 0 * x)
        on_ramp = xp.minimum(xp.maximum(x - m, 0 * x), 0 * x + 1)
        return on_stairs, on_ramp

    def value(self, p, x, xp):
        y, z = self._pieces(p, x, xp)
        whole = xp.floor(y)
        s = y - whole
        # ∫₀ʸ dist(u, ℤ) du: 1/4 per whole step, then the rising or falling half of the last tooth
        teeth = whole / 4 + xp.where(s <= 0.5, s * s / 2, 0.25 - (1 - s) * (1 - s) / 2)
        below = xp.minimum(x, 0 * x)
        return xp.sum(-below - y + teeth - z + z * z / 2)

    def grad(self, p, x, xp):
        y, z = self._pieces(p, x, xp)
        return -1 + xp.abs(y - xp.floor(y + 0.5)) + z

    def constants(self, p, xp):
        m = p["length"]
        return {"smoothness": 0 * xp.sum(m) + 1, "f_star": -xp.sum(3 * m + 2) / 4}

    def direction(self, name, p, xp):
        if name != "origin":
            raise KeyError(name)
        return 0 * p["length"]


#: The staircase worst case of THEORY.md §2.
STAIRCASES: tuple[Family, ...] = (Staircase(),)


# ---------------------------------------------------------------- saddles (THEORY.md §5)
@dataclass(frozen=True, repr=False)
class SaddleFamily(Family):
    """f(x) = φ(y₁) + Σ_{i≥2} λᵢyᵢ²/2 with y = Qx, Q a product of Householder reflections,
    λᵢ ∈ [0.1, 10]. ``rotated=False`` keeps Q = I, so the stable manifold y₁ = 0 is exact in
    every precision.

    ``strict=True``: φ(s) = −γs²/2 + s⁴/4, γ ∈ [0.1, 10]: a strict saddle at 0 with
    λ_min = −γ, minima at y₁ = ±√γ, f* = −γ²/4. ``strict=False``: φ(s) = s³/3, a saddle
    that is not strict (γ = 0): GD from y₁ ∈ (0, ½] converges to it.

    Constants hold on the region |y₁| ≤ 2√γ (|y₁| ≤ 1 for the cubic), which GD with
    η ≤ 1/L never leaves once in it (on y₁ ≥ 0 its map is increasing there with fixed
    points 0 and √γ): smoothness L = max(11γ, λ_max) (cubic: max(2, λ_max)),
    Hessian Lipschitz constant ρ = 12√γ (cubic: 2), escape radius ½√γ (cubic: ½).
    ``lambdas[0]`` is 0: the first coordinate carries φ.
    """

    strict: bool = True
    rotated: bool = True
    name: str = ""
    min_dim: int = 2

    def __post_init__(self):
        kind = "quartic-saddle" if self.strict else "cubic-saddle"
        object.__setattr__(self, "name", kind + ("" if self.rotated else "-axis"))
        provides = {"smoothness", "gamma", "lambda_min", "hessian_lipschitz", "escape_radius"}
        object.__setattr__(self, "provides", frozenset(provides | ({"f_star"} if self.strict else set())))

    def strategy(self, d):
        log_range = math.log(10.0)
        reflector_count = st.integers(0, min(d, 3)) if self.rotated else st.just(0)
        return st.fixed_dictionaries({"log_gamma": _array(1, -log_range, log_range),
                                      "log_lambdas": _array(d, -log_range, log_range)}).flatmap(
            lambda raw: reflector_count.flatmap(
                lambda k: _array((k, d), -1.0, 1.0).map(lambda v: {**raw, "reflectors": v})))

    def _first(self, x, xp):
        """e₁ as a (d,) array of the namespace."""
        e1 = np.zeros(np.shape(x)[-1])
        e1[0] = 1.0
        return xp.asarray(e1)

    def constrain(self, raw, xp):
        log_range = math.log(10.0)
        lambdas = xp.exp(xp.clip(raw["log_lambdas"], -log_range, log_range))
        gamma = xp.exp(xp.clip(raw["log_gamma"], -log_range, log_range))
        return {"gamma": gamma if self.strict else 0 * gamma,
                "lambdas": lambdas * (1 - self._first(lambdas, xp)), "reflectors": raw["reflectors"]}

    def _phi(self, p, s, order: int):
        """φ and its first two derivatives at s."""
        if self.strict:
            gamma = p["gamma"][:, 0]
            return (-gamma * s * s / 2 + s ** 4 / 4, -gamma * s + s ** 3, -gamma + 3 * s * s)[order]
        return (s ** 3 / 3, s * s, 2 * s)[order]

    def escape_coordinate(self, p, x, xp):
        """y₁ = (Qx)₁, the coordinate along the escape direction of the saddle."""
        return _householder(xp, p["reflectors"], x)[:, 0]

    def place(self, p, x, delta, xp):
        """x with its escape coordinate set to ``delta`` (B,) and the others kept."""
        e1 = self._first(x, xp)
        y = _householder(xp, p["reflectors"], x)
        return _householder(xp, p["reflectors"], y * (1 - e1) + delta[:, None] * e1, reverse=True)

    def value(self, p, x, xp):
        y = _householder(xp, p["reflectors"], x)
        return self._phi(p, y[:, 0], 0) + 0.5 * xp.sum(p["lambdas"] * y * y)

    def grad(self, p, x, xp):
        y = _householder(xp, p["reflectors"], x)
        gy = p["lambdas"] * y + self._phi(p, y[:, 0], 1)[:, None] * self._first(x, xp)
        return _householder(xp, p["reflectors"], gy, reverse=True)

    def hessian_min_eigenvalue(self, p, x, xp):
        """λ_min(∇²f(x)) = min(φ''(y₁), λ₂, …): the Hessian is diagonal in y."""
        rest = xp.min(p["lambdas"] + self._first(x, xp) * (xp.max(p["lambdas"]) + 1)[:, None])
        return xp.minimum(self._phi(p, self.escape_coordinate(p, x, xp), 2), rest)

    def constants(self, p, xp):
        gamma, top = p["gamma"][:, 0], xp.max(p["lambdas"])
        root = xp.sqrt(gamma)
        out = {"gamma": gamma, "lambda_min": -gamma}
        if self.strict:
            out.update(smoothness=xp.maximum(11 * gamma, top), hessian_lipschitz=12 * root,
                       escape_radius=root / 2, f_star=-gamma * gamma / 4)
        else:
            out.update(smoothness=xp.maximum(2 + 0 * gamma, top), hessian_lipschitz=2 + 0 * gamma,
                       escape_radius=0.5 + 0 * gamma)
        return out


#: Strict saddles, rotated and axis-aligned, and the non-strict cubic saddle.
SADDLE_FAMILIES: tuple[Family, ...] = (SaddleFamily(), SaddleFamily(rotated=False),
                                       SaddleFamily(strict=False, rotated=False))


# ---------------------------------------------------------------- matrix factorization (THEORY.md §5)
@dataclass(frozen=True, repr=False)
class MatrixFactorization(Family):
    """f(U) = ‖UUᵀ − M‖²_F over U ∈ ℝ^{d×r} (x is U row by row, length d·r), M = V diag(σ) Vᵀ
    PSD of rank r: the rows of Vᵀ are e₁…e_r reflected by one to three Householder reflections
    (orthonormal in exact arithmetic), σ ∈ [0.1, 10] random, repeated (ties at σ_r) or two-valued.

    The parameters also name a critical point: U = V_S diag(√σ_S) R, S the eigen-directions
    whose ``keep`` is ≥ ½ (zero columns elsewhere), R an r×r product of reflections. ∇f(U) =
    4(UUᵀ − M)U = 0 exactly, and U is a global minimum iff S holds all r directions.
    Certified: ``sigma_r`` = σ_r(M) = min σ, ``left_out`` = r − |S|.
    """

    max_rank: int = 3
    name: str = "matrix-factorization"
    provides: frozenset[str] = frozenset({"sigma_r", "left_out"})

    def strategy(self, d):
        log_range = math.log(10.0)

        @st.composite
        def spectrum(draw, r):
            kind = draw(st.sampled_from(("random", "repeated", "two-valued")))
            if kind == "random":
                return draw(_array(r, -log_range, log_range))
            a, b = draw(_floats(-log_range, log_range)), draw(_floats(-log_range, log_range))
            return np.full(r, a) if kind == "repeated" else np.where(np.arange(r) == r - 1, b, a)

        def parts(r):
            return st.fixed_dictionaries({
                "log_sigma": spectrum(r), "keep": _array(r, 0.0, 1.0),
                # at least one reflector: its length is d, which a case replayed from JSON keeps only
                # in a nonempty array (a reflector shorter than 1e-6 is the identity)
                "reflectors": st.integers(1, min(d, 3)).flatmap(lambda k: _array((k, d), -1.0, 1.0)),
                "rotation": st.integers(0, min(r, 2) if r > 1 else 0).flatmap(lambda k: _array((k, r), -1.0, 1.0))})

        return st.integers(1, min(d, self.max_rank)).flatmap(parts)

    def constrain(self, raw, xp):
        log_range = math.log(10.0)
        sigma = xp.exp(xp.clip(raw["log_sigma"], -log_range, log_range))
        count, r = np.shape(sigma)
        d = np.shape(raw["reflectors"])[-1]
        basis = xp.asarray(np.broadcast_to(np.eye(d)[:r], (count, r, d)).copy())
        return {"sigma": sigma, "keep": xp.where(raw["keep"] >= 0.5, 1 + 0 * sigma, 0 * sigma),
                "vt": _householder(xp, raw["reflectors"], basis, reverse=True), "rotation": raw["rotation"]}

    @staticmethod
    def _target(p, xp):
        """M = V diag(σ) Vᵀ, (B, d, d)."""
        return xp.transpose(p["vt"]) @ (p["sigma"][..., None] * p["vt"])

    @staticmethod
    def _matrix(p, x):
        count, r, d = np.shape(p["vt"])
        return x.reshape(count, d, r)

    def _residual(self, p, u, xp):
        return u @ xp.transpose(u) - self._target(p, xp)

    def value(self, p, x, xp):
        e = self._residual(p, self._matrix(p, x), xp)
        return xp.sum(xp.sum(e * e))

    def grad(self, p, x, xp):
        u = self._matrix(p, x)
        return (4 * self._residual(p, u, xp) @ u).reshape(np.shape(x))

    def critical_point(self, p, xp):
        """U = V_S diag(√σ_S) R, row by row (B, d·r)."""
        count, r, d = np.shape(p["vt"])
        u = xp.transpose(p["vt"]) * xp.sqrt(p["sigma"] * p["keep"])[:, None, :]
        return _householder(xp, p["rotation"], u).reshape(count, d * r)

    def hessian(self, p, x, xp):
        """∇²f(U)[(i,a),(j,b)] = 4(δᵢⱼ(UᵀU)_ab + U_ib U_ja + (UUᵀ − M)ᵢⱼ δ_ab), (B, d·r, d·r)."""
        u = self._matrix(p, x)
        count, d, r = np.shape(u)
        eye_d, eye_r = xp.asarray(np.eye(d)), xp.asarray(np.eye(r))
        gram, e = xp.transpose(u) @ u, self._residual(p, u, xp)
        blocks = (eye_d[None, :, None, :, None] * gram[:, None, :, None, :]
                  + u[:, :, None, None, :] * xp.transpose(u)[:, None, :, :, None]
                  + e[:, :, None, :, None] * eye_r[None, None, :, None, :])
        return 4 * blocks.reshape(count, d * r, d * r)

    def hessian_min_eigenvalue(self, p, x, xp):
        return xp.min(xp.eigvalsh(self.hessian(p, x, xp)))

    def constants(self, p, xp):
        r = np.shape(p["sigma"])[-1]
        return {"sigma_r": xp.min(p["sigma"]), "left_out": r - xp.sum(p["keep"])}


#: Matrix factorization with its critical points named by the parameters.
MATRIX_FACTORIZATIONS: tuple[Family, ...] = (MatrixFactorization(),)
