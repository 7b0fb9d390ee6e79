"""Wrong variants of the SGD theorems (docs/theory.md §15), each derived in one line.

``odl-verify check tests/variants/sgd_wrong.py`` must falsify each with a counterexample
confirmed in high precision (every expectation is an exact sum or recursion: no statistics).
"""
import sympy as sp

from odl_verify.theorems.sgd import (CONSTANT_STEP_PLATEAU, DECREASING_SCHEDULE, EXPECTED_DESCENT, ISOTROPIC,
                                     NOISY_QUADRATICS, beta, eta, expected_f_next, expected_grad_sq, f_x, grad_sq,
                                     grad_sq_0, mu, t)

#: the descent lemma for SGD without its σ² term: f = x²/2, x = 0, η = 1 gives E f(x⁺) = σ²/2 > 0.
WITHOUT_NOISE_TERM = EXPECTED_DESCENT.variant(
    "without-noise-term", conclusion=sp.Le(expected_f_next, f_x - eta * (1 - beta * eta / 2) * grad_sq))

#: "a constant step drives E‖∇f‖² to 0", at gradient descent's rate: from x₀ = x* the noise alone
#: keeps E‖∇f(x_t)‖² at ημσ²(1 − (1 − ημ)^{2t})/(2 − ημ) > 0 (η/(2 − η) on x²/2, σ² = 1, in the limit).
CONSTANT_STEP_TO_ZERO = CONSTANT_STEP_PLATEAU.variant(
    "to-zero", conclusion=sp.Le(expected_grad_sq, (1 - eta * mu) ** (2 * t) * grad_sq_0))

#: the schedule's σ²/(2μt) on every strongly convex quadratic: with L > μ the first step
#: (1 − L/μ)x₀ is not forgotten.
SCHEDULE_WITHOUT_ISOTROPY = DECREASING_SCHEDULE.variant("any-quadratic", drop=[ISOTROPIC], families=NOISY_QUADRATICS)

CLAIMS = [WITHOUT_NOISE_TERM, CONSTANT_STEP_TO_ZERO, SCHEDULE_WITHOUT_ISOTROPY]
