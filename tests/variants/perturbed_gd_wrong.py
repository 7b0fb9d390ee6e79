"""Wrong variants of the perturbed-GD theorem (docs/theory.md §5), each of which must be falsified.

``odl-verify check tests/variants/perturbed_gd_wrong.py``.
"""
from odl_verify.theorems.perturbed_gd import PerturbedGDReachesSecondOrder

#: Perturbed GD without its perturbation is GD: started at the saddle it returns the saddle.
WITHOUT_PERTURBATION = PerturbedGDReachesSecondOrder("perturbed-gd-second-order~without-perturbation",
                                                     radius_scale=0.0)

CLAIMS = [WITHOUT_PERTURBATION]
