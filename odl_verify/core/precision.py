"""The precisions every check agrees on: when float64 flags a violation, and how it is confirmed."""

#: float64 slack below which a candidate counts as a violation worth confirming
FLOAT_TOLERANCE = 1e-9
#: relative slack below which a violation counts as confirmed in high precision
EXACT_TOLERANCE = 1e-40
#: decimal digits at which a violation found in float64 is confirmed
CONFIRM_DIGITS = 60
#: a second working precision: cancellation that fools one does not repeat the same number at another
RECONFIRM_DIGITS = CONFIRM_DIGITS * 5 // 2
