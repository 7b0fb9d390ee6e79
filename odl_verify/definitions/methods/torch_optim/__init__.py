"""torch.optim's algorithms as reference update rules, one frozen dataclass per optimizer.

Each rule holds torch.optim's hyperparameters (same keyword names and defaults as torch 2.13)
and follows the protocol of :mod:`..protocol`:

* ``init(param, xp)`` → the state of one parameter before its first step;
* ``update(param, grad, state, xp)`` → ``(new_param, new_state)``, never mutating.

The bodies are plain elementwise arithmetic plus the namespace's functions (``xp.sqrt``,
``xp.maximum``, ``xp.where``, ``xp.sum``), so one rule runs on float64 torch tensors (the gate's
reference), on numpy, on mpmath object arrays (:class:`~odl_verify.definitions.backend.MpNamespace`)
and on sympy symbols (:class:`~odl_verify.definitions.backend.SympyNamespace`) for proofs.
Branches test Python values (flags, the step count) or ``hyperparameter != 0``, which is ``True``
for a sympy symbol, so a symbolic rule keeps every term; RAdam's ρ_t > 5 needs numeric betas.

The algorithm boxes are torch.optim's docstrings; the details that differ from the textbook
and published forms (docs/theory.md §6) are marked where they happen. As in torch, a parameter
whose ``.grad`` is None is not updated at all (its step count does not advance): call
``update`` only for parameters that have a gradient. Complex parameters are updated as their
real view (torch's ``view_as_real``); LBFGS works on all parameters as one flat vector and
takes the objective as an oracle (:mod:`.lbfgs`).
"""
from .adam import Adam, Adamax, AdamW, NAdam, RAdam, SparseAdam
from .asgd_rprop_adafactor import ASGD, Adafactor, Rprop
from .classic import SGD, Adadelta, Adagrad, RMSprop
from .lbfgs import LBFGS

__all__ = ["ASGD", "SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "LBFGS", "NAdam", "RAdam",
           "RMSprop", "Rprop", "SparseAdam"]

