"""What the separable families share: f(x) = Σᵢ φᵢ(yᵢ) with y = Q(x − x*), Q a product of
Householder reflections (exactly orthogonal) and x* a drawn center.

The Hessian is Qᵀdiag(φᵢ″(yᵢ))Q, so the extreme curvatures, the gradient norm and the Hessian's
Lipschitz constant of the sum are those of the one-dimensional pieces (maxima or minima over
i), whatever the rotation: a subclass certifies its constants from its pieces alone. Every
piece is minimized at 0 in the families that certify ``minimizer`` (then x* is the center).
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .base import Family, float_arrays, householder, rotated_diagonal


@dataclass(frozen=True, repr=False)
class Separable(Family):
    """Σᵢ φᵢ(yᵢ), y = Q(x − center); a subclass gives the pieces (:meth:`pieces`) and their
    parameters (:meth:`pieces_strategy`, :meth:`constrain_pieces`)."""

    #: whether the center is drawn; unshifted families are centered at 0, for claims that measure ‖x‖
    #: as the distance to the minimizer (such a family certifies no ``minimizer``: it is 0)
    shifted: bool = True

    def pieces_strategy(self, d: int) -> st.SearchStrategy[dict]:
        raise NotImplementedError

    def constrain_pieces(self, raw: dict, xp) -> dict:
        return dict(raw)

    def pieces(self, p: dict, y, order: int, xp):
        """φᵢ(yᵢ) (order 0), φᵢ′(yᵢ) (1) or φᵢ″(yᵢ) (2), elementwise (B, d)."""
        raise NotImplementedError

    def strategy(self, d):
        reflector_count = st.integers(0, min(d, 3)) if d > 1 else st.just(0)
        fields = {"pieces": self.pieces_strategy(d), **({"center": float_arrays(d)} if self.shifted else {})}
        return st.fixed_dictionaries(fields).flatmap(
            lambda raw: reflector_count.flatmap(
                lambda k: float_arrays((k, d), -1.0, 1.0).map(lambda v: {**raw, "reflectors": v})))

    def constrain(self, raw, xp):
        out = {**self.constrain_pieces(raw["pieces"], xp), "reflectors": raw["reflectors"]}
        return {**out, "center": raw["center"]} if self.shifted else out

    def rotated(self, p, x, xp):
        """y = Q(x − center), the coordinates in which f is separable (center 0 when unshifted)."""
        return householder(xp, p["reflectors"], x - p["center"] if self.shifted else x)

    def value(self, p, x, xp):
        return xp.sum(self.pieces(p, self.rotated(p, x, xp), 0, xp))

    def grad(self, p, x, xp):
        return householder(xp, p["reflectors"], self.pieces(p, self.rotated(p, x, xp), 1, xp), reverse=True)

    def hessian(self, p, x, xp):
        return rotated_diagonal(xp, p["reflectors"], self.pieces(p, self.rotated(p, x, xp), 2, xp))

    def minimizer(self, p, xp):
        if "minimizer" not in self.provides or not self.shifted:
            raise NotImplementedError(f"{self.name} certifies no minimizer")
        return p["center"]
