"""Shrinking a failing scenario: greedy simplifications that keep it failing the same check.

Hypothesis finds the first failing scenario; shrinking it through Hypothesis's choice sequence
barely moved it (each candidate costs target runs, and most candidates are rejected draws), so
the gate shrinks in the scenario's own terms: cut the run at the failing step, drop parameters,
groups, schedule entries and steps, set flags and hyperparameters to torch's defaults, gradients
to plain Gaussian ones at the parameters' scale, shapes to small ones, the dtype to float64. A
candidate is kept when it still fails the same check (for a raise, with the same exception);
every candidate stays inside the domain (the greedy loop is :func:`odl_verify.gate.search.greedy_shrink`).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Iterator

import numpy as np

from .scenarios import GRADIENT_KINDS, Scenario


def _blocks(s: Scenario) -> list[range]:
    """Where each parameter sits in the flat real vector an objective is defined on."""
    width = 2 if s.torch_dtype.is_complex else 1
    sizes = [math.prod(shape) * width for shape in s.shapes]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [range(a, a + n) for a, n in zip(starts, sizes)]


def _restricted(s: Scenario, kept: list[int]) -> dict | None:
    """The objective on the kept coordinates (every family's parameters end in the coordinate axis)."""
    if s.objective is None:
        return None
    raw = {k: (a[..., kept] if a.size else a).tolist() for k, a in
           ((k, np.asarray(v)) for k, v in s.objective["raw"].items())}
    return {**s.objective, "raw": raw}


def _reshaped(s: Scenario, index: int, shape: tuple) -> Scenario:
    blocks = _blocks(s)
    width = 2 if s.torch_dtype.is_complex else 1
    kept = [j for i, block in enumerate(blocks) for j in
            (block if i != index else list(block)[:math.prod(shape) * width])]
    return dataclasses.replace(s, shapes=s.shapes[:index] + [shape] + s.shapes[index + 1:],
                               objective=_restricted(s, kept))


def _cut(s: Scenario, steps: int) -> Scenario:
    return dataclasses.replace(s, kinds=s.kinds[:steps], scales=s.scales[:steps],
                               schedule=[e for e in s.schedule if e[0] <= steps],
                               roundtrip_step=min(s.roundtrip_step, steps))


def _drop_step(s: Scenario, index: int) -> Scenario:
    """Without step ``index`` (0-based): later schedule entries and the round trip move up one."""
    return dataclasses.replace(
        s, kinds=s.kinds[:index] + s.kinds[index + 1:], scales=s.scales[:index] + s.scales[index + 1:],
        schedule=[[at - (at > index + 1), g, c] for at, g, c in s.schedule if at != index + 1],
        roundtrip_step=min(s.roundtrip_step - (s.roundtrip_step > index), len(s.kinds) - 1))


def _drop_parameter(s: Scenario, index: int) -> Scenario:
    renumber = lambda members: [m - (m > index) for m in members if m != index]
    groups = [(renumber(members), overrides) for members, overrides in s.groups]
    kept = [g for g, (members, _) in enumerate(groups) if members]
    coordinates = [j for i, block in enumerate(_blocks(s)) if i != index for j in block]
    return dataclasses.replace(
        s, shapes=s.shapes[:index] + s.shapes[index + 1:], kinds=[row[:index] + row[index + 1:] for row in s.kinds],
        groups=[groups[g] for g in kept], schedule=[[at, kept.index(g), c] for at, g, c in s.schedule if g in kept],
        objective=_restricted(s, coordinates))


def _merge_group(s: Scenario, group: int) -> Scenario:
    """Group ``group``'s parameters join group 0, its own values gone."""
    groups = [(list(m), o) for m, o in s.groups]
    groups[0] = (sorted(groups[0][0] + groups[group][0]), groups[0][1])
    del groups[group]
    return dataclasses.replace(s, groups=groups, schedule=[[at, g - (g > group), c] for at, g, c in s.schedule
                                                           if g != group])


def candidates(s: Scenario, step: int | None, defaults: dict, check: str) -> Iterator[Scenario]:
    """Simpler scenarios, most effective first."""
    if step is not None and step < s.steps:
        yield _cut(s, step)
    for index in reversed(range(len(s.shapes))):
        if len(s.shapes) > 1:
            yield _drop_parameter(s, index)
    for group in reversed(range(1, len(s.groups))):
        yield _merge_group(s, group)
    if s.schedule:
        yield dataclasses.replace(s, schedule=[])
        for entry in range(len(s.schedule)):
            yield dataclasses.replace(s, schedule=s.schedule[:entry] + s.schedule[entry + 1:])
    if s.tensor_lr:
        yield dataclasses.replace(s, tensor_lr=False)
    for flag in s.flags:
        yield dataclasses.replace(s, flags={k: v for k, v in s.flags.items() if k != flag})
    for key, value in s.defaults.items():
        if key in defaults and value != defaults[key]:
            yield dataclasses.replace(s, defaults={**s.defaults, key: defaults[key]})
    for g, (members, overrides) in enumerate(s.groups):
        for key in overrides:
            yield dataclasses.replace(s, groups=s.groups[:g] + [(members, {k: v for k, v in overrides.items()
                                                                           if k != key})] + s.groups[g + 1:])
    for index in range(s.steps - 1):
        yield _drop_step(s, index)
    if s.dtype != "float64":
        yield dataclasses.replace(s, dtype="float64")
    if s.default_dtype != "float32":
        yield dataclasses.replace(s, default_dtype="float32")
    if check != "state_dict" and s.roundtrip_step:
        yield dataclasses.replace(s, roundtrip_step=0)
    plain = GRADIENT_KINDS["sparse" if any("sparse" in row or "empty" in row for row in s.kinds) else "dense"][0]
    for t, row in enumerate(s.kinds):
        for i, kind in enumerate(row):
            if kind not in (plain, "closure"):
                yield dataclasses.replace(s, kinds=s.kinds[:t] + [row[:i] + [plain] + row[i + 1:]] + s.kinds[t + 1:])
    if any(scale != s.init_scale for scale in s.scales):
        yield dataclasses.replace(s, scales=[s.init_scale] * s.steps)
    if s.init_scale:
        yield dataclasses.replace(s, init_scale=0, scales=[scale - s.init_scale for scale in s.scales])
    for i, shape in enumerate(s.shapes):
        for smaller in ((1,), ()):
            if tuple(shape) != smaller and math.prod(smaller) <= math.prod(shape):
                yield _reshaped(s, i, smaller)

