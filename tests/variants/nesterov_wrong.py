"""Wrong variants of Nesterov acceleration (docs/theory.md §7), each derived in one line.

``odl-verify check tests/variants/nesterov_wrong.py`` must falsify each with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.definitions.families import Huber, LessardRechtPackard
from odl_verify.theorems.heavy_ball import HEAVY_BALL_RATE
from odl_verify.theorems.nesterov import (FISTA_RATE, STRONGLY_CONVEX_RATE, beta, dist_sq, f_k, f_star, k, L, mu)

#: "FISTA converges like 1/k³" (step 1/L), already false in one dimension on the Huber function: h_0.2 from
#: x₀ = 1 (L = 1) gives f(x₂) = 0.1 > 2/27 at k = 2; at k = 1 nothing fails (f(x₁) − f* ≤ ‖x₀ − x*‖²/6 < 2/8 of it).
CUBIC_RATE = FISTA_RATE.variant("cubic-rate", conclusion=sp.Le(f_k - f_star, 2 * beta * dist_sq / (k + 1) ** 3),
                                add=[sp.Le(beta, L)], families=(Huber(),), dimensions=(1, 1))

#: the strongly convex rate without its (μ/2)‖x₀ − x*‖² term: one step from the bottom eigenvector of a
#: quadratic with κ = 4 keeps (1 − 1/4)² = 0.5625 of f(x₀) − f*, more than 1 − 1/√κ = 0.5.
WITHOUT_DISTANCE_TERM = STRONGLY_CONVEX_RATE.variant(
    "without-distance-term",
    conclusion=sp.Le(f_k - f_star, (1 - sp.sqrt(mu / L)) ** k * (sp.Symbol("f_0", real=True) - f_star)))

#: heavy ball's accelerated transient claimed for every μ-strongly convex L-smooth function: on Lessard,
#: Recht and Packard's piecewise quadratic (μ = 1, L = 25) Polyak's parameters end in a 3-cycle.
HEAVY_BALL_BEYOND_QUADRATICS = HEAVY_BALL_RATE.variant("beyond-quadratics", families=(LessardRechtPackard(),),
                                                       dimensions=(1, 1))

CLAIMS = [CUBIC_RATE, WITHOUT_DISTANCE_TERM, HEAVY_BALL_BEYOND_QUADRATICS]
