"""Wrong variants of the deep-linear theorems (docs/theory.md §12).

``odl-verify check tests/variants/deep_linear_wrong.py`` must falsify each: the first with a
counterexample confirmed in high precision, the second by its sympy proof failing.
"""
import sympy as sp

from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.theorems.deep_linear import BALANCEDNESS, balance, balance_next, saddle_identities, y

#: "gradient descent conserves balancedness wᵢ² − wⱼ²" (gradient flow does): L = 2, w = (1, 2),
#: y = 0, η = 0.1 turns −3 into −2.88.
CONSERVES_BALANCEDNESS = BALANCEDNESS.variant("conserved", conclusion=sp.Eq(balance_next, balance))

#: "the depth-3 critical point at 0 is a strict saddle like the depth-2 one, whose mixed derivative
#: d²f/dw₁dw₂ at 0 is −y": at depth 3 it is w₃(2w₁w₂w₃ − y) = 0 there, like every other entry.
STRICT_AT_DEPTH_3 = SymbolicFinding(
    "deep-linear-saddle-not-strict~strict-at-depth-3", title="Depth 3: the Hessian at w = 0 is not 0",
    reference="docs/theory.md §12", statement="d2f/dw1dw2 at 0 is nonzero for f = (w1*w2*w3 - y)**2/2, as at depth 2",
    method="sympy derivatives at 0",
    differ=lambda: [pair for pair in saddle_identities(3) if pair[0].startswith("d2f/dw1dw2")],
    witness={y: 1})

CLAIMS = [CONSERVES_BALANCEDNESS, STRICT_AT_DEPTH_3]
