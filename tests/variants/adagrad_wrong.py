"""Wrong variants of AdaGrad's lemma and regret bound (docs/theory.md §9), each derived in one line.

``odl-verify check tests/variants/adagrad_wrong.py`` must falsify each with a counterexample
confirmed in high precision.
"""
import sympy as sp

from odl_verify.theorems.adagrad import LEMMA, REGRET, regret, scale, total, weighted_sum

#: the lemma with constant 1: a = (1, 1) gives 1 + 1/√2 = 1.707 > √2.
LEMMA_CONSTANT_1 = LEMMA.variant("constant-1", conclusion=sp.Le(weighted_sum, sp.sqrt(total)))

#: the regret bound without √2: K = [0, 1], x₁ = 0, g = (−3, −1) gives R = 4 − 1/√2 = 3.293 > √10 = 3.162;
#: any constant below 1 fails already at T = 1 (x₁ = 0, g₁ = −1: R = 1).
REGRET_WITHOUT_SQRT_2 = REGRET.variant("without-sqrt-2", conclusion=sp.Le(regret, scale), dimensions=(1, 1))

CLAIMS = [LEMMA_CONSTANT_1, REGRET_WITHOUT_SQRT_2]
