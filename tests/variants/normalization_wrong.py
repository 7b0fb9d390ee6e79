"""Wrong variants of the normalization theorems (docs/theory.md §11), each derived in one line.

``odl-verify check tests/variants/normalization_wrong.py`` must falsify each with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.normalization import BATCH_NORM_EVAL, GD_RESCALING, gram, rescaled_gd

#: "GD from (cW, cη) is c times GD from (W, η)": the step must scale by c², so already one step differs.
STEP_SCALED_BY_C = GD_RESCALING.variant(
    "step-scaled-by-c", measure=rescaled_gd(step_power=1), title="GD from (cW, cη) is c times GD from (W, η)",
    method="gradient descent, T steps from (W, eta) and from (cW, c eta), c = e^s")

#: "eval-mode batch norm after a momentum-1 update reproduces train mode": off by √((n − 1)/n).
EVAL_EQUALS_TRAIN = BATCH_NORM_EVAL.variant("eval-equals-train", conclusion=sp.Eq(gram(), 0))

CLAIMS = [STEP_SCALED_BY_C, EVAL_EQUALS_TRAIN]
