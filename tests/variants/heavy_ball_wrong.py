"""The wrong variant of the heavy-ball bound in docs/theory.md §3, derived in one line.

``odl-verify check tests/variants/heavy_ball_wrong.py`` must falsify it with a
counterexample confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.heavy_ball import HEAVY_BALL_RATE, norm_0, norm_t, rho, t

#: "‖x_t‖ ≤ ρᵗ‖x₀‖", the spectral radius taken for the rate: the Jordan block breaks it at
#: κ = 4, t = 1 (‖x₁‖ = (5/9)‖x₀‖ along the top eigenvector, ρ = 1/3).
SPECTRAL_RADIUS_ONLY = HEAVY_BALL_RATE.variant("spectral-radius-only", conclusion=sp.Le(norm_t, rho ** t * norm_0))

#: The transient bound 1 % too strong: x₀ on the top eigenvector attains it at every t. (Polyak's
#: parameters are fixed by μ and L: there is no step-size range to widen.)
ONE_PERCENT_TOO_STRONG = HEAVY_BALL_RATE.stronger("1-percent-too-strong", by=0.01)

CLAIMS = [SPECTRAL_RADIUS_ONLY, ONE_PERCENT_TOO_STRONG]
