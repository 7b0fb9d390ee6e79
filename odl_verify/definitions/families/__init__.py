"""Instance families whose constants are true by construction, one family per file.

Each family certifies constants (``smoothness``, ``lambda_min``, ``f_star``, ...) from its
parameters, in whichever array namespace the search or the confirmation runs; the tuples
below are the groups the shipped theorems draw from.
"""
from .balanced_run import BalancedRun
from .base import Family, Instance, float_arrays, floats, householder
from .bilinear_game import BilinearGame
from .combination import Combination
from .cosine_sum import CosineSum
from .curvature_kink import CurvatureKink
from .deep_linear import DeepLinear
from .distribution_pair import DistributionPair
from .feature_maps import FeatureMaps
from .finite_noise import FiniteNoise
from .huber import Huber
from .l0_l1_smooth import L0L1Smooth
from .least_squares import LeastSquares
from .lessard_recht_packard import LessardRechtPackard
from .linear import Linear
from .linear_score import LinearScore
from .log_sum_exp import LogSumExp
from .logistic import Logistic
from .matrix_factorization import MatrixFactorization
from .normalized_network import NormalizedNetwork
from .online_linear import OnlineLinear
from .piecewise_quadratic import PiecewiseQuadratic
from .pseudo_huber import PseudoHuber
from .quadratic import DEFINITE_QUADRATICS, Quadratic
from .reddi import ReddiProblem
from .saddle import SaddleFamily
from .separable import Separable
from .smooth_interpolant import SmoothInterpolant
from .softplus import Softplus
from .staircase import Staircase

#: Every β-smooth family of docs/theory.md §1.
SMOOTH_FAMILIES: tuple[Family, ...] = (
    Quadratic(),
    CosineSum(),
    LeastSquares(),
    Logistic(),
    LogSumExp(),
    Softplus(),
    Linear(),
    Combination((Quadratic(), CosineSum())),
    Combination((Logistic(), Softplus(), Linear())),
)
#: The staircase worst case of docs/theory.md §2.
STAIRCASES: tuple[Family, ...] = (Staircase(),)
#: Gradient descent's worst cases on L-smooth functions (docs/theory.md §2), designed for the drawn
#: h = βη and N: the tooth staircase (1-D, worst for h ≤ 1) and the zigzag (2-D, worst for 1 ≤ h < √3).
TOOTH_STAIRCASES: tuple[Family, ...] = (PiecewiseQuadratic(),)
ZIGZAGS: tuple[Family, ...] = (SmoothInterpolant(),)
#: Strict saddles, rotated and axis-aligned, and the non-strict cubic saddle.
SADDLE_FAMILIES: tuple[Family, ...] = (SaddleFamily(), SaddleFamily(rotated=False),
                                       SaddleFamily(strict=False, rotated=False))
#: Matrix factorization with its critical points named by the parameters.
MATRIX_FACTORIZATIONS: tuple[Family, ...] = (MatrixFactorization(),)
#: Convex L-smooth families with a certified minimizer x* and f* (docs/theory.md §7).
CONVEX_FAMILIES: tuple[Family, ...] = (Huber(), Quadratic(definite=True))
#: μ-strongly convex L-smooth families with a certified minimizer x* and f* (docs/theory.md §7).
STRONGLY_CONVEX_FAMILIES: tuple[Family, ...] = (Huber(strongly_convex=True), Quadratic(definite=True))
#: (L₀, L₁)-smooth families (docs/theory.md §10).
L0_L1_FAMILIES: tuple[Family, ...] = (L0L1Smooth(),)

__all__ = ["BalancedRun", "BilinearGame", "CONVEX_FAMILIES", "Combination", "CosineSum", "CurvatureKink",
           "DEFINITE_QUADRATICS", "DeepLinear", "DistributionPair", "Family", "FeatureMaps", "FiniteNoise", "Huber",
           "Instance", "L0L1Smooth", "L0_L1_FAMILIES", "LeastSquares", "LessardRechtPackard", "Linear",
           "LinearScore", "LogSumExp", "Logistic", "MATRIX_FACTORIZATIONS", "MatrixFactorization",
           "NormalizedNetwork", "OnlineLinear", "PiecewiseQuadratic", "PseudoHuber", "Quadratic", "ReddiProblem",
           "SADDLE_FAMILIES", "SMOOTH_FAMILIES", "STAIRCASES", "STRONGLY_CONVEX_FAMILIES", "SaddleFamily",
           "Separable", "SmoothInterpolant", "Softplus", "Staircase", "TOOTH_STAIRCASES", "ZIGZAGS", "float_arrays",
           "floats", "householder"]
