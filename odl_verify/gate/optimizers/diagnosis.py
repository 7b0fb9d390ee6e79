"""What a failing target computes instead: the shrunk case replayed against the catalog's convention
variants of the method (and against a parameter group's option being ignored), and torch 2.13's
known defects that match the failure."""
from __future__ import annotations

import dataclasses
import itertools

from ...definitions.methods.conventions import CONVENTIONS
from ..domain import Condition
from .checks import Example, compare_with
from .reference import Reference, references


def _matches(example: Example, scenario, reference: Reference) -> bool:
    refs = references(example.info, scenario, example.params0, example.grads, reference)
    return compare_with(example, example.run.trajectory, refs, reference)[0] is None


def _defaults_held(scenario, defaults: dict):
    """(key, scenario with ``key`` at torch's default in every group and step)."""
    for key, value in sorted(scenario.defaults.items()):
        if key not in defaults or value == defaults[key]:
            continue
        groups = [(m, {k: v for k, v in o.items() if k != key}) for m, o in scenario.groups]
        schedule = [[at, g, {k: v for k, v in c.items() if k != key}] for at, g, c in scenario.schedule]
        yield key, dataclasses.replace(scenario, defaults={**scenario.defaults, key: defaults[key]}, groups=groups,
                                       schedule=[e for e in schedule if e[2]])


def _ignored_options(scenario):
    """(key, scenario with every group's own value of ``key`` replaced by the constructor's)."""
    keys = sorted({k for _, overrides in scenario.groups for k in overrides if k in scenario.defaults})
    for key in keys:
        groups = [(m, {k: v for k, v in o.items() if k != key}) for m, o in scenario.groups]
        schedule = [[at, g, {k: v for k, v in c.items() if k != key}] for at, g, c in scenario.schedule]
        yield key, dataclasses.replace(scenario, groups=groups, schedule=[e for e in schedule if e[2]])


def diagnose(example: Example) -> list[str]:
    """Descriptions of the variants the target's run matches on the example (single variants, then pairs)."""
    names = [n for n in example.info.conventions if n in CONVENTIONS]
    found = []
    for name in names:
        convention = CONVENTIONS[name]
        if _matches(example, example.scenario, Reference(variant=convention.variant)):
            found.append(f"{convention.description} (as in {convention.seen_in})")
    for key, scenario in _ignored_options(example.scenario):
        if _matches(example, scenario, Reference()):
            found.append(f"a parameter group's own {key} ignored: every group runs with the constructor's {key}")
    for key, scenario in _defaults_held(example.scenario, example.info.defaults):
        if scenario.satisfies((), example.context) and _matches(example, scenario, Reference()):
            found.append(f"{key} ignored: the steps are torch's at {key} = {example.info.defaults[key]!r}")
    if found:
        return found
    for first, second in itertools.combinations(names, 2):
        a, b = CONVENTIONS[first], CONVENTIONS[second]
        both = Reference(variant=lambda rule, a=a, b=b: b.variant(a.variant(rule)))
        if _matches(example, example.scenario, both):
            found.append(f"{a.description} and {b.description} (as in {a.seen_in}; {b.seen_in})")
    return found


def known_defects(example: Example, check: str) -> list:
    """torch 2.13's declared defects of the method that show in ``check`` on this case."""
    return [q for q in example.info.quirks if q.kind == "defect" and q.check == check
            and example.scenario.somewhere(Condition(q.when), example.context)]
