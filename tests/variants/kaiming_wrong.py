"""The wrong variants of Kaiming initialization in docs/theory.md §4, each derived in one line.

``odl-verify check tests/variants/kaiming_wrong.py`` must falsify each at the stated
false-alarm probability (1e-6 per check).
"""
from odl_verify.theorems.kaiming import FAN_IN, GLOROT, KAIMING_BACKWARD, KAIMING_FORWARD, LECUN

#: N(0, 1/fan_in) with ReLU: E[R_l] = 1/2, so E[M_L] = 2^-L M_0.
LECUN_WITH_RELU = KAIMING_FORWARD.variant("lecun-with-relu", variance=LECUN)

#: "Glorot preserves the forward moment": linear, E[R_l] = 2 n_in/(n_in + n_out) (1 -> 3 gives 0.5).
GLOROT_FORWARD = KAIMING_FORWARD.variant("glorot-preserves-forward", variance=GLOROT, activation="linear")

#: "The second moment of M is preserved": E[R_l^2] = 1 + 5/n_l, not 1.
SECOND_MOMENT = KAIMING_FORWARD.variant("second-moment-preserved", power=2)

#: fan_in scaling in the backward pass: E = n_out/n_in, invisible on square layers only.
FAN_IN_BACKWARD = KAIMING_BACKWARD.variant("fan-in-backward", variance=FAN_IN)

CLAIMS = [LECUN_WITH_RELU, GLOROT_FORWARD, SECOND_MOMENT, FAN_IN_BACKWARD]
