"""Initialization beyond Kaiming: Glorot's factors, orthogonal weights, torch.nn.init's laws.

Method: random linear MLPs of depth 30 with non-square and narrow layers drawn by Hypothesis,
thousands per torch call (:mod:`odl_verify.engine.networks`), for Glorot's per-layer factors;
deep linear networks of Haar-orthogonal layers (QR with the sign fix) for the Jacobian's
spectrum; sympy integration for the moments of the laws the initializers draw from.

Theorem (Glorot & Bengio 2010; Saxe, McClelland & Ganguli 2014; docs/theory.md §13). With
Var W = 2/(n_in + n_out) (Glorot) and a linear layer, the second moment per unit changes by
2n_in/(n_in + n_out) forward and by 2n_out/(n_in + n_out) backward, exactly in expectation at
every width (the layer law X = c·χ²-products of theorems/kaiming.py); their product is
1 − (n_in − n_out)²/(n_in + n_out)² ≤ 1, equal to 1 iff n_in = n_out, so Glorot preserves
neither moment on a non-square layer. With orthogonal layers W_l = g·Q_l the input–output
Jacobian J = W_L⋯W_1 of a deep linear network satisfies JᵀJ = g^{2L}·I: every singular value
is g^L (dynamical isometry), whatever the depth; Gaussian layers spread the spectrum. The laws
of torch.nn.init (docs/theory.md §4 for the conventions): calculate_gain's table, Var W =
gain²/fan (kaiming) and gain²·2/(fan_in + fan_out) (xavier), the uniform bound √(3·Var), the
mean and variance of N(μ, σ²) truncated to [a, b] (absolute bounds), of U(a, b), and the
deterministic fills (eye_, dirac_, the zero count of sparse_) as formulas in the indices.

Hypotheses as checked: Glorot's factors per layer by median-of-means tests with the exact null
variance (the claims are KaimingClaims with a linear activation; Holm at 1e-6 per check); the
factors, their product and the moments of the laws are derived in sympy and compared with the
closed forms stated here (identities, simplified to 0); the Jacobian's singular values at every
drawn width n ∈ [1, 64], depth L ∈ [1, 30] and gain g ∈ [0.5, 2], each within
L·(c + 1)·n·2⁻⁵² of g^L relative (c·n·2⁻⁵² bounds a float64 orthogonal matrix's error,
:data:`odl_verify.engine.networks.ORTHOGONALITY_ROUNDING`; n·2⁻⁵² a product's rounding).

Tight: the factors are equalities at every width (not limits), the moments are identities, and
isometry holds to rounding at every depth. The gates of odl_verify/gate/initializers/ draw
from these laws and test targets' networks against these claims.

Wrong variants (tests/variants/initialization_wrong.py): "Glorot preserves the forward moment"
(linear, 1 → 3 gives ½); "Glorot's forward and backward factors multiply to 1" (1 → 3 gives
¾); "Gaussian N(0, 1/n) weights give an isometric Jacobian" (the spectrum spreads).
"""
from __future__ import annotations

import math
from functools import reduce

import sympy as sp
import torch
from hypothesis import strategies as st

from odl_verify.core.config import CheckConfig
from odl_verify.core.verdict import Verdict
from odl_verify.definitions.claims import compile_torch
from odl_verify.engine.exact_tests import deterministic_test
from odl_verify.engine.harness import draw
from odl_verify.engine.networks import ORTHOGONALITY_ROUNDING, haar_orthogonal
from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.engine.statistical import StatisticalClaim
from odl_verify.engine.statistics import Test
from odl_verify.errors import UsageError
from odl_verify.theorems.kaiming import GLOROT, KaimingClaim, a, fan, n_in, n_out

gain = sp.Symbol("gain", positive=True)
variance = sp.Symbol("variance", positive=True)

# ---------------------------------------------------------------- torch.nn.init's laws
#: calculate_gain(nonlinearity, param): the slope a is param, for leaky_relu only (None: DEFAULT_SLOPE)
DEFAULT_SLOPE = sp.Rational(1, 100)
GAINS = {**{name: sp.Integer(1) for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                             "conv_transpose2d", "conv_transpose3d", "sigmoid")},
         "tanh": sp.Rational(5, 3), "relu": sp.sqrt(2), "leaky_relu": sp.sqrt(2 / (1 + a**2)),
         "selu": sp.Rational(3, 4)}
#: kaiming_normal_ / kaiming_uniform_: Var w = gain(nonlinearity, a)²/fan (the leaky_relu row is KAIMING_VARIANCE)
KAIMING_VARIANCES = {name: g**2 / fan for name, g in GAINS.items()}
#: xavier_normal_ / xavier_uniform_ with fan_in = n_in, fan_out = n_out
XAVIER_VARIANCE = gain**2 * GLOROT
#: the uniform initializers draw from U(−b, b) of the stated variance: b²/3 = variance
UNIFORM_BOUND = sp.sqrt(3 * variance)

mean, lower, upper = sp.symbols("mean lower upper", real=True)
std = sp.Symbol("std", positive=True)
_t, _alpha, _beta = sp.symbols("t alpha beta", real=True)


def _phi(x):
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


_MASS = (sp.erf(_beta / sp.sqrt(2)) - sp.erf(_alpha / sp.sqrt(2))) / 2
_STANDARD_MEAN = (_phi(_alpha) - _phi(_beta)) / _MASS
_STANDARD_VARIANCE = 1 + (_alpha * _phi(_alpha) - _beta * _phi(_beta)) / _MASS - _STANDARD_MEAN**2
_STANDARDIZED = {_alpha: (lower - mean) / std, _beta: (upper - mean) / std}
#: N(mean, std²) conditioned on [lower, upper] (trunc_normal_'s absolute bounds a, b)
TRUNCATED_MEAN = (mean + std * _STANDARD_MEAN).subs(_STANDARDIZED)
TRUNCATED_VARIANCE = (std**2 * _STANDARD_VARIANCE).subs(_STANDARDIZED)
UNIFORM_MEAN, UNIFORM_VARIANCE = (lower + upper) / 2, (upper - lower) ** 2 / 12


def _moment_identities():
    """The closed forms above against the integrals that define them."""
    uniform = [sp.integrate(_t**k / (upper - lower), (_t, lower, upper)) for k in (1, 2)]
    standard = [sp.integrate(_t**k * _phi(_t), (_t, _alpha, _beta)) / _MASS for k in (1, 2)]
    return [("E of U(lower, upper)", uniform[0], UNIFORM_MEAN),
            ("Var of U(lower, upper)", uniform[1] - uniform[0] ** 2, UNIFORM_VARIANCE),
            ("Var of U(-b, b) at b = UNIFORM_BOUND", UNIFORM_VARIANCE.subs({lower: -UNIFORM_BOUND,
                                                                            upper: UNIFORM_BOUND}), variance),
            ("E of the standard normal on [alpha, beta]", standard[0], _STANDARD_MEAN),
            ("Var of the standard normal on [alpha, beta]", standard[1] - standard[0] ** 2, _STANDARD_VARIANCE)]


LAW_MOMENTS = SymbolicFinding(
    "initializer-law-moments", title="Moments of the laws torch.nn.init draws from",
    reference="torch.nn.init; docs/theory.md §4",
    statement="E, Var of U(lower, upper) and of N(mean, std^2) on [lower, upper] (mean + std*T, T the standard "
              "normal on [alpha, beta]) are the stated closed forms; U(-b, b) with b = sqrt(3 variance) has that "
              "variance",
    method="sympy integration of the densities", agree=_moment_identities)

# ---------------------------------------------------------------- deterministic fills, as formulas in the indices
row, column, out_channel, in_channel = sp.symbols("row column out_channel in_channel", integer=True, nonnegative=True)
#: dirac_: out channels per group, and per spatial dimension the position and the kernel size
group_size = sp.Symbol("group_size", integer=True, positive=True)
positions = sp.symbols("k1:4", integer=True, nonnegative=True)
sizes = sp.symbols("K1:4", integer=True, positive=True)
value = sp.Symbol("val", real=True)
sparsity, rows = sp.symbols("sparsity rows", positive=True)


def _delta(i, j):
    return sp.Piecewise((1, sp.Eq(i, j)), (0, True))


ZEROS_ENTRY, ONES_ENTRY, CONSTANT_ENTRY = sp.Integer(0), sp.Integer(1), value
#: eye_: the identity on the leading square of a 2-D tensor
EYE_ENTRY = _delta(row, column)
#: dirac_: 1 at in = out mod (out/groups) at the kernel's centre ⌊K/2⌋ (absent dimensions: k = 0, K = 1)
DIRAC_ENTRY = _delta(in_channel, sp.Mod(out_channel, group_size)) * sp.Mul(
    *[_delta(k, sp.floor(size / 2)) for k, size in zip(positions, sizes, strict=True)])
#: sparse_: zeros per column, the ceiling of a float64 product (0.07·100 → 8)
SPARSE_ZEROS = sp.ceiling(sparsity * rows)

# ---------------------------------------------------------------- Glorot's factors
GLOROT_FORWARD_FACTOR = 2 * n_in / (n_in + n_out)
GLOROT_BACKWARD_FACTOR = 2 * n_out / (n_in + n_out)
#: linear networks never die, and Glorot's wrong variants miss by factors like 1/2: 400 networks per profile suffice
_GLOROT = dict(variance=GLOROT, activation="linear", reference="Glorot & Bengio 2010; docs/theory.md §13",
               method="random linear MLP, depth 30, Monte Carlo (bmm)", networks=400)

GLOROT_FORWARD = KaimingClaim(
    "glorot-forward-factor", claimed=GLOROT_FORWARD_FACTOR,
    title="Glorot initialization scales the forward moment by 2 n_in/(n_in + n_out) (linear)", **_GLOROT)
GLOROT_BACKWARD = KaimingClaim(
    "glorot-backward-factor", claimed=GLOROT_BACKWARD_FACTOR, direction="backward",
    title="Glorot initialization scales the backward moment by 2 n_out/(n_in + n_out) (linear)", **_GLOROT)

GLOROT_BALANCE = SymbolicFinding(
    "glorot-factors-balance", title="Glorot's forward and backward factors multiply to at most 1",
    reference="Glorot & Bengio 2010; docs/theory.md §13",
    statement="factors derived from the linear layer law = 2 n_in/(n_in + n_out), 2 n_out/(n_in + n_out); "
              "1 - forward*backward = (n_in - n_out)^2/(n_in + n_out)^2 >= 0, zero iff n_in = n_out",
    method="sympy: layer laws of theorems/kaiming.py",
    agree=lambda: [("forward factor", GLOROT_FORWARD.theory, GLOROT_FORWARD_FACTOR),
                   ("backward factor", GLOROT_BACKWARD.theory, GLOROT_BACKWARD_FACTOR),
                   ("1 - forward*backward", 1 - GLOROT_FORWARD_FACTOR * GLOROT_BACKWARD_FACTOR,
                    (n_in - n_out) ** 2 / (n_in + n_out) ** 2)],
    witness={n_in: 1, n_out: 3})

# ---------------------------------------------------------------- dynamical isometry
depth = sp.Symbol("L", integer=True, positive=True)
#: every singular value of W_L⋯W_1 with W_l = gain·(orthogonal)
ISOMETRY_SINGULAR_VALUE = gain**depth


class JacobianSpectrum(StatisticalClaim):
    """Every singular value of J = W_L⋯W_1 (square layers, gain g) equals g^L to rounding."""

    kind = "exact"
    tight = True
    WEIGHTS = ("orthogonal", "gaussian")

    def __init__(self, name: str, *, weights: str = "orthogonal", title: str = "", reference: str = "",
                 method: str = "", max_width: int = 64, max_depth: int = 30):
        if weights not in self.WEIGHTS:
            raise UsageError(f"{name}: weights must be one of {self.WEIGHTS}, not {weights!r}")
        self.name, self.weights, self.title = name, weights, title or name
        self.reference, self.method = reference, method
        self.max_width, self.max_depth = max_width, max_depth
        self._singular = compile_torch((gain, depth), ISOMETRY_SINGULAR_VALUE)

    def variant(self, name: str, **changes) -> "JacobianSpectrum":
        fields = dict(weights=self.weights, title=self.title, reference=self.reference, method=self.method,
                      max_width=self.max_width, max_depth=self.max_depth)
        return JacobianSpectrum(f"{self.name}~{name}", **{**fields, **changes})

    def statement(self) -> str:
        law = "g Q, Q orthogonal (Haar)" if self.weights == "orthogonal" else "N(0, g^2/n)"
        return f"every singular value of W_L...W_1 = {sp.sstr(ISOMETRY_SINGULAR_VALUE)}   given   W_l ~ {law}, n x n"

    def jacobian_test(self, name: str, jacobian: torch.Tensor, gain_value: float, layers: int) -> Test:
        """max_i |σ_i(J)/g^L − 1| within L·(c + 1)·n·2⁻⁵²: each layer's orthogonality error and the product's
        rounding."""
        n = jacobian.shape[-1]
        claimed = float(self._singular(torch.tensor(gain_value, dtype=torch.float64), layers))
        deviation = float((torch.linalg.svdvals(jacobian.double()) / claimed - 1).abs().max())
        tolerance = layers * (ORTHOGONALITY_ROUNDING + 1) * n * 2.0**-52
        return deterministic_test(name, deviation <= tolerance, deviation, tolerance,
                                  method=f"max |sigma_i / g^L - 1| <= L (c + 1) n 2^-52, c = {ORTHOGONALITY_ROUNDING}")

    def experiment(self, config: CheckConfig, device, verdict: Verdict) -> list[Test]:
        cases = draw(st.tuples(st.integers(1, self.max_width), st.integers(1, self.max_depth), st.floats(0.5, 2.0)),
                     config.example_count(), config.seed)
        tests, worst = [], 0.0
        for index, (n, layers, gain_value) in enumerate(cases):
            generator = torch.Generator().manual_seed(config.seed * 100_003 + index)
            if self.weights == "orthogonal":
                weights = gain_value * haar_orthogonal(layers, n, generator, device)
            else:
                weights = gain_value / math.sqrt(n) * torch.randn((layers, n, n), generator=generator,
                                                                  dtype=torch.float64).to(device)
            jacobian = reduce(lambda product, w: w @ product, weights.unbind(0))
            tests.append(self.jacobian_test(f"n = {n}, L = {layers}, g = {gain_value:.4g}", jacobian.cpu(),
                                            gain_value, layers))
            worst = max(worst, tests[-1].observed / tests[-1].expected)
            for key, drawn in (("width", n), ("depth", layers), ("gain", gain_value)):
                verdict.coverage.setdefault(key, []).append(drawn)
        verdict.examples = verdict.instances = len(cases)
        verdict.tightness = worst
        verdict.details.setdefault("notes", []).append(
            f"largest |sigma_i/g^L - 1| over the rounding tolerance: {worst:.3g} (<= 1 holds)")
        return tests


DYNAMICAL_ISOMETRY = JacobianSpectrum(
    "orthogonal-dynamical-isometry", title="Orthogonal initialization makes a deep linear network's Jacobian isometric",
    reference="Saxe, McClelland & Ganguli 2014; Pennington, Schoenholz & Ganguli 2017; docs/theory.md §13",
    method="deep linear networks, Haar-orthogonal layers (QR with the sign fix), singular values in float64")

CLAIMS = [GLOROT_FORWARD, GLOROT_BACKWARD, GLOROT_BALANCE, DYNAMICAL_ISOMETRY, LAW_MOMENTS]
