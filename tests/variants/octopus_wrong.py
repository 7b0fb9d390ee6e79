"""Wrong variant of the octopus theorem (docs/theory.md §5): escaping a chain of saddles is not polynomial.

``odl-verify check tests/variants/octopus_wrong.py`` must falsify it (exactly: the step counts are
computed in closed form).
"""
import sympy as sp

from odl_verify.theorems.octopus import OctopusEscape, d, steps_1, steps_d

#: "GD escapes a chain of d saddles in polynomial time": steps(d) ≤ d²·steps(1) fails by d = 3,
#: where steps(d) already grows like (1 + κ)^(d−1), κ ≈ 4.1.
POLYNOMIAL_ESCAPE = OctopusEscape("octopus-exponential-escape~polynomial", conclusion=sp.Le(steps_d, d**2 * steps_1))

CLAIMS = [POLYNOMIAL_ESCAPE]
