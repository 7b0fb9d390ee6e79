"""Wrong variants of Newton's method (docs/theory.md §8), each derived in one line.

``odl-verify check tests/variants/newton_wrong.py`` must falsify each: the two searched claims
with a counterexample confirmed in high precision, the sympy one at an exact witness.
"""
import sympy as sp

from odl_verify.definitions.families import PseudoHuber, Quadratic
from odl_verify.definitions.methods import GradientDescent
from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.theorems.newton import (AFFINE_INVARIANCE, LOCAL_RATE, QUADRATIC_ONE_STEP, WITNESS, affine_pairs,
                                        dist_0, dist_1, eta, newton_step)

#: "pure Newton converges globally on strictly convex functions": on √(δ² + x²) − δ its map is
#: x ↦ −x³/δ², so from |x| > δ the distance to x* = 0 grows (1.1 → 1.331 at δ = 1).
GLOBAL_CONVERGENCE = LOCAL_RATE.variant("global-convergence", conclusion=sp.Le(dist_1, dist_0),
                                        families=(PseudoHuber(),))

lambda_min, lambda_max = sp.symbols("lambda_min lambda_max", real=True)
f_0, f_1 = sp.symbols("f_0 f_1", real=True)


def values_before_and_after(instance, x0, values, xp):
    """f before and after one Newton step of length η."""
    return {"f_0": instance.value(x0), "f_1": instance.value(newton_step(instance, x0, values["eta"][:, None]))}


#: "Newton avoids saddles" (it never steps up to one): on a plane quadratic with eigenvalues of both signs
#: the pure step lands on the saddle 0, where f = 0 is above f(x₀) < 0 (x² − y² from (0.3, −2): −3.91 → 0).
AVOIDS_SADDLES = QUADRATIC_ONE_STEP.variant(
    "avoids-saddles", conclusion=sp.Le(f_1, f_0), measure=values_before_and_after, families=(Quadratic(),),
    certified={lambda_min: "lambda_min", lambda_max: "lambda_max"}, dimensions=(2, 2),
    add=[sp.Ge(eta, 1), sp.Lt(lambda_min, 0), sp.Gt(lambda_max, 0)])

#: "gradient descent is affine invariant": on f = x₁² + x₂²/2 with A = diag(2, 1), η = 1/2, its step on
#: g(y) = f(Ay) from y = (1, 1) maps to Ay₁ = (−2, 1/2), its step on f from Ay = (2, 1) is (0, 1/2).
GRADIENT_DESCENT_AFFINE = SymbolicFinding(
    "newton-affine-invariance~gradient-descent", title="Gradient descent is affine invariant (it is not)",
    reference=AFFINE_INVARIANCE.reference, statement="the statement of newton-affine-invariance for gradient descent",
    method="gradient descent on symbols", agree=lambda: affine_pairs(GradientDescent(lr=eta)), witness=WITNESS)

CLAIMS = [GLOBAL_CONVERGENCE, AVOIDS_SADDLES, GRADIENT_DESCENT_AFFINE]
