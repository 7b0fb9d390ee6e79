"""The wrong variants of initialization beyond Kaiming in docs/theory.md §13, each derived in one line.

``odl-verify check tests/variants/initialization_wrong.py`` must falsify each (statistical
claims at the stated false-alarm probability of 1e-6 per check, the others exactly).
"""
import sympy as sp

from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.theorems.initialization import (DYNAMICAL_ISOMETRY, GLOROT_BACKWARD_FACTOR, GLOROT_FORWARD,
                                                GLOROT_FORWARD_FACTOR, n_in, n_out)

#: "Glorot preserves the forward moment": linear, E[R_l] = 2 n_in/(n_in + n_out), 1 -> 3 gives 1/2.
GLOROT_PRESERVES_FORWARD = GLOROT_FORWARD.variant("preserves-forward-moment", claimed=sp.Integer(1))

#: "Glorot's factors multiply to 1 on every layer": 1 - product = (n_in - n_out)^2/(n_in + n_out)^2, 3/4 at 1 -> 3.
GLOROT_PRODUCT_IS_ONE = SymbolicFinding(
    "glorot-factors-multiply-to-1", title="Glorot's forward and backward factors multiply to 1 (wrong)",
    reference="docs/theory.md §13", statement="2 n_in/(n_in + n_out) * 2 n_out/(n_in + n_out) = 1",
    method="sympy", agree=lambda: [("forward*backward", GLOROT_FORWARD_FACTOR * GLOROT_BACKWARD_FACTOR, sp.Integer(1))],
    witness={n_in: 1, n_out: 3})

#: "Gaussian N(0, 1/n) weights give an isometric Jacobian": the singular values of a product of Gaussian
#: matrices spread (the second spectral moment grows with depth, Pennington et al. 2017).
GAUSSIAN_ISOMETRY = DYNAMICAL_ISOMETRY.variant("gaussian-weights", weights="gaussian",
                                               method="deep linear networks, N(0, g^2/n) layers")

CLAIMS = [GLOROT_PRESERVES_FORWARD, GLOROT_PRODUCT_IS_ONE, GAUSSIAN_ISOMETRY]
