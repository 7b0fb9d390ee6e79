"""The engine layer: how statements are checked. The falsification search (:mod:`.search`),
statistical checks (:mod:`.statistics`, :mod:`.statistical`), sympy proofs (:mod:`.proofs`),
network simulations (:mod:`.networks`), and the harness every search and every call of user
code runs in (:mod:`.harness`, :mod:`.calls`). Imports from ``core`` and ``definitions`` only."""
