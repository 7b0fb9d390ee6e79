"""Wrong conventions between the slides' methods and torch.optim: each is a sympy finding that
the prover must reject with the step and the witness where it fails (docs/theory.md §6).

``odl-verify check tests/variants/method_conventions_wrong.py`` falsifies all three."""
from odl_verify.definitions.methods import HeavyBall, Nesterov
from odl_verify.engine.proofs import SymbolicFinding
from odl_verify.theorems.method_conventions import WITNESS, beta, convention_pairs, eta, torch_sgd


def _wrong(name: str, statement: str, pairs) -> SymbolicFinding:
    return SymbolicFinding(name, title=statement, reference="docs/theory.md §6", statement=statement,
                           method="slides vs torch.optim.SGD", agree=pairs, witness=WITNESS)


#: torch's momentum buffer is −v, not +v: fails at step 1
BUFFER_PLUS_V = _wrong(
    "heavy-ball-is-torch-sgd-momentum~buffer-plus-v", "heavy ball == torch SGD with b = +v",
    lambda: convention_pairs(HeavyBall(lr=eta, momentum=beta), torch_sgd(), theta=(lambda x, s: x, "x"),
                             buffer=(lambda x, s: s["velocity"], "+v")))

#: torch's nesterov=True iterates are the look-ahead points, not x: fails at step 1
NO_LOOK_AHEAD = _wrong(
    "nesterov-is-torch-nesterov~without-look-ahead", "Nesterov == torch SGD(nesterov=True) with theta = x",
    lambda: convention_pairs(Nesterov(lr=eta, momentum=beta, form="sutskever"), torch_sgd(nesterov=True),
                             theta=(lambda x, s: x, "x"), buffer=(lambda x, s: -s["velocity"] / eta, "-v/eta")))

#: the slides' literal Nesterov is another method: step 1 agrees (v₀ = 0), step 2 does not
SLIDES_NESTEROV_IS_TORCHS = _wrong(
    "nesterov-slides-is-not-nesterov~slides-is-torchs", "the slides' literal Nesterov == torch SGD(nesterov=True)",
    lambda: convention_pairs(Nesterov(lr=eta, momentum=beta, form="slides"), torch_sgd(nesterov=True),
                             theta=(lambda x, s: x + eta * beta * s["velocity"], "x + eta*beta*v"),
                             buffer=(lambda x, s: -s["velocity"], "-v")))
