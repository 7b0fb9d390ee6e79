"""Initializer gates: ``odl-verify gate METHOD TARGET`` for every initializer of torch.nn.init.

METHOD is the torch name without the trailing underscore (kaiming_normal, kaiming_uniform,
xavier_normal, xavier_uniform, normal, uniform, trunc_normal, orthogonal, sparse, zeros, ones,
constant, eye, dirac, calculate_gain); TARGET has the torch function's signature.

* table.py: the initializers (signature, cases, law compiled from theorems/initialization.py);
* sampling.py: calling a target (seeds, the one timeout, the generator contract);
* iid.py, orthogonal.py, sparse.py, deterministic.py: the experiment of each kind;
* networks.py: Kaiming's and Glorot's moments and orthogonal isometry on networks built with the target;
* verdicts.py: Holm over a run's tests, power and requirements, a failing case's replay line.
"""
from __future__ import annotations

import json

from ...core.loading import load_object
from .. import register
from . import deterministic, iid, orthogonal, sparse
from .sampling import call_seeds
from .table import INITIALIZERS, Case, expected_moments
from .verdicts import print_tests, run_gate


def _kind(method: str):
    """The module whose experiment checks this initializer."""
    if method in deterministic.INITIALIZERS:
        return deterministic
    return {"orthogonal": orthogonal, "sparse": sparse}.get(method, iid)


def _gate(initializer):
    kind = _kind(initializer.method)
    experiment = kind.experiment(initializer)
    return lambda target, spec, config: run_gate(initializer, target, spec, config, experiment, kind.DESCRIPTION)


for _initializer in [*INITIALIZERS.values(), *deterministic.INITIALIZERS.values()]:
    register(_initializer.method, f"{_initializer.reference}: {_initializer.statement}")(_gate(_initializer))


def replay(method: str, target, case: dict | str, timeout: float = 10.0) -> None:
    """Draw one printed case again, as the gate drew it, and print its tests and moments."""
    initializer = INITIALIZERS[method]
    obj = load_object(target) if isinstance(target, str) else target
    data = json.loads(case) if isinstance(case, str) else case
    c = Case.from_json(data["case"])
    seeds = call_seeds(data["seed"], data["stream"], data["calls"])
    label = f"case {data['stream']} {c.label()}"
    tests, _, summary = _kind(method).case_sample(initializer, obj, c, label, seeds, timeout)
    print(f"{method} on {c.label()}, {data['calls']} calls: law {initializer.law(c).describe()}")
    moments = expected_moments(initializer, c)
    for key, value in summary.items():
        expected = f" (law: {moments[key]:.6g})" if key in moments else ""
        print(f"  {key} {value:.6g}{expected}")
    print_tests(tests, data["level"])
