"""Wrong variant of the reparametrization note (docs/theory.md §16): sharpness is not a function of
the function computed. ``odl-verify check tests/variants/sharpness_reparametrization_wrong.py``."""
import sympy as sp

from odl_verify.theorems.sharpness_reparametrization import SHARPNESS_DEPENDS_ON_PARAMETERS, L, lambda_max, y

#: "every global minimum is as sharp as the balanced one": (w₁, w₂) = (2, ½), y = 1 has λ_max = 17/4, not 2.
PROPERTY_OF_THE_FUNCTION = SHARPNESS_DEPENDS_ON_PARAMETERS.variant(
    "property-of-the-function", conclusion=sp.Eq(lambda_max, L * y ** (2 - 2 / L)))

CLAIMS = [PROPERTY_OF_THE_FUNCTION]
