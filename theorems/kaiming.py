"""Kaiming initialization preserves the activation and gradient second moments.

Method: a ReLU MLP of depth 30 (the slides' network) and widths n_0, …, n_L drawn by
Hypothesis (narrow ones included: n = 1, 2, 3), weights W_l ~ N(0, v_l), b = 0, a fixed
input; thousands of independent networks per torch call (bmm, :mod:`odl_verify.engine.networks`).

Theorem (He et al. 2015, §2.2; docs/theory.md §4). With M_l = ‖x_l‖²/n_l and v_l = 2/n_{l−1}
(fan_in), the ratios R_l = M_l/M_{l−1} = (2/n_l)·χ²_B, B ~ Bin(n_l, ½), are independent, so
E[R_l] = 1, hence E[M_L] = M_0 exactly at every width and depth, while
E[M_L²]/M_0² = Π(1 + 5/n_l) and P(some layer dead) = 1 − Π(1 − 2^{−n_l}). Backward
(fan_out, v_l = 2/n_l): through a layer whose upstream gradient g is independent of W_l
(He's assumption, simulated exactly: a fresh g ~ N(0, I) per layer), the per-unit second
moment is preserved, E[‖W_lᵀ(1[W_l x > 0] ⊙ g)‖²/n_{l−1}] = E[‖g‖²/n_l]. (In the real
backward pass g depends on W_l through later masks and the equality is only asymptotic:
at width 1 it is off by a factor ≈ 8, so the claim is stated per layer, as He states it.)
Every moment is derived in sympy from the layer law X = c·Y, Y a χ² mixture:
forward ReLU Y = (χ²_K)^p with K ~ Bin(n_out, ½), forward linear K = n_out, backward
Y = χ²_B·Z² + χ²′_B·χ²_{n_in−1} (linear: Y = χ²_{n_out}·χ²′_{n_in}, used by Glorot's claims in
theorems/initialization.py); binomial moments come from the generating function.

Hypotheses as checked (statistical, :mod:`odl_verify.engine.statistics`): per layer, a
median-of-means test of E[X_l] = claimed from the networks alive at layer l−1 (independent
of X_l), and per drawn width profile a pooled test of the per-network martingale
Σ_l alive·(X_l − claimed)/σ_l (mean 0, variance ≤ L). The variance σ_l² under the claim is
exact: the claim pins c, and Var X = claimed²(E[Y²]/E[Y]² − 1). Levels are CLT-free
(Chebyshev + binomial tail), all tests of a check are Holm-corrected: a true claim is
falsified with probability ≤ 1e-6 per check. The verdict lists each test's power (the
shift it detects w.p. ≥ 0.999).

Tight: E[M_L] = M_0 is an equality at every width and depth (not an asymptotic statement),
and so is the backward per-layer identity.

Wrong variants (tests/variants/kaiming_wrong.py): N(0, 1/fan_in) with ReLU (E[R] = ½,
E[M_L] = 2^{−L}M_0); Glorot 2/(n_in+n_out) "preserves the forward moment" (linear, 1→3
gives ½); "the second moment of M is preserved" (E[R²] = 1 + 5/n); fan_in in the backward.
"""
from __future__ import annotations

import functools

import sympy as sp
import torch
from hypothesis import strategies as st

from odl_verify.core.config import CheckConfig
from odl_verify.core.verdict import Verdict
from odl_verify.definitions.claims import compile_torch
from odl_verify.engine.harness import draw
from odl_verify.engine.networks import MIN_SAMPLES, gaussian_weights, layer_tests, simulate
from odl_verify.engine.statistical import StatisticalClaim
from odl_verify.errors import UsageError

n_in, n_out = sp.symbols("n_in n_out", positive=True, integer=True)
#: leaky ReLU slope (a = 0 is ReLU) and the fan torch.nn.init divides by
a = sp.Symbol("a", nonnegative=True)
fan = sp.Symbol("fan", positive=True)
_k, _t = sp.symbols("k t", nonnegative=True)

#: torch.nn.init: std = gain/√fan with gain² = 2/(1 + a²); the uniform bound is √3·std
KAIMING_VARIANCE = 2 / ((1 + a**2) * fan)
UNIFORM_BOUND = sp.sqrt(3 * KAIMING_VARIANCE)

FAN_IN = 2 / n_in
FAN_OUT = 2 / n_out
LECUN = 1 / n_in
GLOROT = 2 / (n_in + n_out)


# ---------------------------------------------------------------- exact layer laws
def _chi2_moment(dof, power: int):
    """E[(χ²_dof)^power] = dof(dof + 2)…(dof + 2(power − 1))."""
    return sp.prod([dof + 2 * j for j in range(power)])


def _binomial_mean(polynomial, trials):
    """E[polynomial(K)] for K ~ Bin(trials, ½), from the moment generating function."""
    poly = sp.Poly(sp.expand(polynomial), _k)
    mgf = ((1 + sp.exp(_t)) / 2) ** trials
    return sp.factor(sp.simplify(sum(c * sp.diff(mgf, _t, m).subs(_t, 0) for (m,), c in poly.terms())))


@functools.cache
def layer_law(direction: str, activation: str, power: int, variance: sp.Expr):
    """(scale c, E[Y], E[Y²]) with the layer's statistic X = c·Y, as sympy in n_in, n_out."""
    if direction == "forward":
        scale = (variance * n_in / n_out) ** power  # R = (v n_in/n_out)·χ²_K
        if activation == "relu":
            return scale, _binomial_mean(_chi2_moment(_k, power), n_out), _binomial_mean(_chi2_moment(_k, 2 * power), n_out)
        return scale, _chi2_moment(n_out, power), _chi2_moment(n_out, 2 * power)
    if activation == "linear":  # ‖Wᵀg‖² = v‖g‖²·χ²_{n_in} given g, ‖g‖² ~ χ²_{n_out}
        return variance / n_in, n_in * n_out, _chi2_moment(n_in, 2) * _chi2_moment(n_out, 2)
    # backward ReLU: ‖Δ‖² = v(χ²_B·Z² + χ²'_B·χ²_{n_in−1}), the two χ²_B independent given B
    mean = _binomial_mean(_k * n_in, n_out)
    square = _binomial_mean(3 * _chi2_moment(_k, 2) + 2 * _k**2 * (n_in - 1) + _chi2_moment(_k, 2) * (n_in**2 - 1), n_out)
    return variance / n_in, mean, square


def layer_moments(direction: str, activation: str, power: int, variance: sp.Expr, claimed: sp.Expr):
    """Theory's E[X], the claimed E[X], and Var X under the claim (which pins the scale c)."""
    scale, mean, square = layer_law(direction, activation, power, variance)
    return sp.simplify(scale * mean), claimed, sp.simplify(claimed**2 * (square / mean**2 - 1))


_forward = layer_law("forward", "relu", 1, FAN_IN)
#: per-layer factors of E[M_l], E[M_l²] and P(alive) under Kaiming fan_in (derived above)
MEAN_FACTOR = sp.simplify(_forward[0] * _forward[1])
SECOND_FACTOR = sp.simplify(layer_law("forward", "relu", 2, FAN_IN)[0] * layer_law("forward", "relu", 2, FAN_IN)[1])
ALIVE_FACTOR = 1 - sp.Integer(2) ** (-n_out)
#: Var(M_l/M_{l−1}) under Kaiming fan_in, 5/n_out: also the bound for any symmetric weight law of kurtosis ≤ 3
FORWARD_VARIANCE_PER_LAYER = compile_torch((n_in, n_out), layer_moments("forward", "relu", 1, FAN_IN, 1)[2])


def width_profiles(depth: int, max_width: int) -> st.SearchStrategy[list[int]]:
    """Wide, narrow (1–4) or mixed profiles; a minimal draw is the all-narrow network."""
    narrow, wide = st.integers(1, 4), st.integers(8, max_width)
    layer = {"narrow": narrow, "wide": wide, "mixed": st.one_of(narrow, wide)}
    return st.sampled_from(sorted(layer)).flatmap(
        lambda kind: st.lists(layer[kind], min_size=depth + 1, max_size=depth + 1))


def profile_count(config: CheckConfig) -> int:
    """Width profiles per check: a quarter of the example budget (each holds 30 layers × N networks)."""
    return max(3, config.example_count() // 4)


class KaimingClaim(StatisticalClaim):
    """E[X_l] = claimed at every layer l of a random ReLU (or linear) MLP."""

    def __init__(self, name: str, *, variance: sp.Expr, claimed: sp.Expr = sp.Integer(1), activation="relu",
                 direction="forward", power: int = 1, title="", reference="", method="", tight=True,
                 depth: int = 30, networks: int = 1000, max_width: int = 32, alpha: float | None = None,
                 plots: bool = False):
        if activation not in ("relu", "linear") or direction not in ("forward", "backward"):
            raise UsageError(f"{name}: activation must be relu or linear, direction forward or backward")
        if direction == "backward" and power != 1:
            raise UsageError(f"{name}: the backward law is derived for the first moment only")
        self.name, self.title, self.reference, self.method, self.tight = name, title or name, reference, method, tight
        self.variance, self.claimed, self.activation, self.direction, self.power = (
            sp.sympify(variance), sp.sympify(claimed), activation, direction, power)
        self.depth, self.networks, self.max_width, self.plots = depth, networks, max_width, plots
        if alpha is not None:
            self.alpha = alpha
        self.theory, _, self.null_variance = layer_moments(direction, activation, power, self.variance, self.claimed)
        self._moments = compile_torch((n_in, n_out), sp.Tuple(self.variance, self.theory, self.claimed,
                                                              self.null_variance))

    def variant(self, name: str, **changes) -> "KaimingClaim":
        fields = dict(variance=self.variance, claimed=self.claimed, activation=self.activation,
                      direction=self.direction, power=self.power, title=self.title, reference=self.reference,
                      method=self.method, tight=self.tight, depth=self.depth, networks=self.networks,
                      max_width=self.max_width, alpha=self.alpha)
        fields.update(changes)
        return KaimingClaim(f"{self.name}~{name}", **fields)

    # ------------------------------------------------------------ presentation
    def observable(self) -> str:
        if self.direction == "backward":
            masked = "(1[W_l x > 0] * g)" if self.activation == "relu" else "g"
            return f"E[|W_l^T {masked}|^2/n_{{l-1}}] / E[|g|^2/n_l]"
        return "E[(M_l/M_{l-1})^2]" if self.power == 2 else "E[M_l/M_{l-1}]"

    def statement(self) -> str:
        return (f"{self.observable()} = {sp.sstr(self.claimed)} at every layer   given   "
                f"W_l ~ N(0, {sp.sstr(self.variance)}), {self.activation}, b = 0   "
                f"(theory: {sp.sstr(self.theory)}, claim variance {sp.sstr(sp.factor(self.null_variance))})")

    def latex(self) -> dict:
        return {"hypotheses": [rf"W_l \sim \mathcal N\left(0, {sp.latex(self.variance)}\right)", "b = 0",
                               self.activation],
                "conclusion": rf"\mathbb E[X_l] = {sp.latex(self.claimed)}",
                "theory": rf"\mathbb E[X_l] = {sp.latex(self.theory)}"}

    # ------------------------------------------------------------ the check
    def moments(self, widths: list[int]) -> tuple[torch.Tensor, ...]:
        """Per layer of a network of these widths: the weight variance, theory's E[X_l], the claimed
        E[X_l] and Var X_l under the claim (what a gate tests a target's network against)."""
        shape = torch.tensor(widths, dtype=torch.float64)
        return tuple(torch.as_tensor(v, dtype=torch.float64).expand(len(widths) - 1).clone()
                     for v in self._moments(shape[:-1], shape[1:]))

    def experiment(self, config: CheckConfig, device, verdict: Verdict):
        profiles = draw(width_profiles(self.depth, self.max_width), profile_count(config), config.seed)
        tests, observed_ratio = [], []
        for index, widths in enumerate(profiles):
            generator = torch.Generator().manual_seed(config.seed * 100_003 + index)
            variance, theory, claimed, null_var = self.moments(widths)
            stats, alive, _ = simulate(widths, gaussian_weights(variance, generator, device),
                                       activation=self.activation, direction=self.direction, power=self.power,
                                       networks=self.networks, generator=generator, device=device)
            tests += layer_tests(f"profile {index}", widths, stats, alive, claimed, null_var)
            observed = torch.where(alive.cpu(), stats.cpu(), torch.nan).nanmean(dim=1)
            observed_ratio += [(float(t), float(o)) for t, o, n in zip(theory, observed, alive.sum(dim=1))
                               if n >= MIN_SAMPLES]
            verdict.coverage.setdefault("widths", []).append(widths)
        verdict.examples, verdict.instances = len(profiles), len(profiles) * self.networks
        verdict.samples = {"theory": [t for t, _ in observed_ratio], "observed": [o for _, o in observed_ratio]}
        verdict.details["domains"] = [f"widths n_l in [1, {self.max_width}], depth {self.depth}, "
                                      f"{self.networks} networks per profile"]
        if self.plots:
            attach_depth_plots(verdict, self.depth, min(self.networks, 100), config.seed, device)
        return tests


def attach_depth_plots(verdict: Verdict, depth: int, networks: int, seed_value: int, device,
                       width: int = 32) -> None:
    """The slides' picture: zero/small/large initialization vanish or explode, Kaiming holds E[M_l]."""
    inits = {"kaiming N(0, 2/n_in)": 2 / width, "small N(0, 0.01^2)": 1e-4, "large N(0, 1)": 1.0, "zero": 0.0}
    widths = [width] * (depth + 1)
    layers = list(range(depth + 1))
    first, second = [], []
    for label, variance in inits.items():
        generator = torch.Generator().manual_seed(seed_value)
        _, _, m = simulate(widths, gaussian_weights(torch.full((depth,), variance), generator, device),
                           networks=networks, generator=generator, device=device)
        m = m.cpu() / m[0, 0].cpu()
        first.append({"label": label, "x": layers, "y": m.mean(dim=1).tolist()})
        second.append({"label": label, "x": layers, "y": m.square().mean(dim=1).tolist()})
        if label.startswith("kaiming"):
            verdict.details["fixed_width_run"] = {"width": width, "networks": networks,
                                                  "dead_fraction": float((m[-1] == 0).double().mean())}
    shape = torch.full((depth,), float(width), dtype=torch.float64)
    predicted = {name: [1.0] + torch.cumprod(torch.as_tensor(compile_torch((n_in, n_out), expr)(shape, shape),
                                                              dtype=torch.float64).expand(depth), 0).tolist()
                 for name, expr in (("mean", MEAN_FACTOR), ("second", SECOND_FACTOR), ("alive", ALIVE_FACTOR))}
    first.append({"label": "Kaiming theory E[M_l]/M_0 = 1", "x": layers, "y": predicted["mean"]})
    second.append({"label": "Kaiming theory prod(1 + 5/n_l)", "x": layers, "y": predicted["second"]})
    verdict.details["fixed_width_run"]["dead_fraction_theory"] = 1 - predicted["alive"][-1]
    verdict.add_plot(f"E[M_l]/M_0 against depth, width {width}, {networks} networks", first,
                     xlabel="layer l", ylabel="E[M_l]/M_0", yscale="log")
    verdict.add_plot(f"E[M_l^2]/M_0^2 against depth, width {width}", second,
                     xlabel="layer l", ylabel="E[M_l^2]/M_0^2", yscale="log")
    verdict.details.setdefault("notes", []).append(
        "zero initialization: M_l = 0 for every l >= 1 (absent on the log axis); small vanishes, large explodes")


KAIMING_FORWARD = KaimingClaim(
    "kaiming-forward", variance=FAN_IN, title="Kaiming initialization preserves E[M_l] (forward, fan_in)",
    reference="He et al. 2015, §2.2; docs/theory.md §4", method="random ReLU MLP, depth 30, Monte Carlo (bmm)",
    plots=True)

KAIMING_BACKWARD = KaimingClaim(
    "kaiming-backward", variance=FAN_OUT, direction="backward",
    title="Kaiming initialization preserves the gradient second moment (backward, fan_out)",
    reference="He et al. 2015, §2.2 (backward case); docs/theory.md §4",
    method="backward through each layer of a random ReLU MLP, upstream gradient independent of W_l")

CLAIMS = [KAIMING_FORWARD, KAIMING_BACKWARD]
