"""Wrong variants of the min–max theorems (docs/theory.md §14), each derived in one line.

``odl-verify check tests/variants/min_max_wrong.py`` must falsify each with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.min_max import BILINEAR, GAN_VALUE, GDA_CONVERGES, eta, jsd, mu, norm_0, norm_T, sigma_max, value

#: "a method that converges on strongly convex–concave games converges on xy": GDA with a small step
#: on a bilinear game (μ = 0) expands, ‖z₁‖² = (1 + η²σ²)‖z₀‖².
GDA_CONVERGES_ON_BILINEAR = GDA_CONVERGES.variant(
    "converges-on-bilinear", conclusion=sp.Le(norm_T, norm_0), families=[BILINEAR], tight=False,
    drop=[sp.Gt(mu, 0)], replace={sp.Lt(eta, 2 * mu / (mu**2 + sigma_max**2)): sp.Le(eta, 1 / sigma_max)})

#: "the optimal discriminator's value is JSD − log 4" (the factor 2 dropped): p ≠ q on two points breaks it.
GAN_VALUE_HALF = GAN_VALUE.variant("jsd-minus-log-4", conclusion=sp.Eq(value + sp.log(4), jsd))

CLAIMS = [GDA_CONVERGES_ON_BILINEAR, GAN_VALUE_HALF]
