"""Calling an initializer target: fresh NaN-filled float64 tensors, seeded generators, one timeout.

Every call gets a fresh tensor filled with NaN (an entry the target leaves unfilled shows),
``generator=torch.Generator().manual_seed(g)`` and, so that a target that ignores the
generator is still reproducible, the CPU default generator seeded with another number (and
restored afterwards). ``torch.manual_seed`` is not used: in torch 2.13 it costs ~1 ms per call
(it queues the lazy seeding of every accelerator, formatting a stack trace each time).
Calls go through :func:`~odl_verify.engine.calls.call_user_code`: a case's first call alone
under the timeout, so a hang is reported at once, the rest of the case in one batch under the
timeout times their number.

The generator contract: the same generator seed gives the same tensor whatever the global RNG
state, different seeds give different tensors, and so do repeated calls with one generator;
for i.i.d. laws the scores of such tensors are uncorrelated (exact t tests).
"""
from __future__ import annotations

import inspect
import math

import numpy as np
import torch

from ...engine.calls import call_user_code
from ...engine.exact_tests import correlation_test, deterministic_test
from ...engine.laws import Law
from ...engine.statistics import Test
from ...errors import UserCodeError
from .table import Case, Initializer

#: entries whose scores the cross-seed and repeated-call correlation tests pair up (at least)
GENERATOR_ENTRIES = 4096


def call_seeds(seed: int, stream: int, count: int) -> list[tuple[int, int]]:
    """(generator seed, global seed) of ``count`` calls: distinct for every run seed and stream."""
    base = (seed * 1009 + stream) * 100_003
    return [(base + i, 7 * (base + i) + 1) for i in range(count)]


def fill(target, c: Case, generator: torch.Generator) -> torch.Tensor:
    tensor = torch.full(c.shape, math.nan, dtype=torch.float64)
    value = target(tensor, **c.kwargs, generator=generator)
    return value if isinstance(value, torch.Tensor) else tensor


def seeded(global_seed: int, call):
    """``call()`` with the CPU default generator seeded, restored afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(global_seed)
        return call()


def validated(result: torch.Tensor, c: Case, finite: bool = True) -> torch.Tensor:
    """The target's tensor on the CPU in float64; a wrong shape (or, when ``finite``, a NaN or inf
    left in it: a law's draws are finite) breaks the contract."""
    if tuple(result.shape) != tuple(c.shape):
        raise UserCodeError(f"the target returned shape {tuple(result.shape)} on {c.label()}")
    result = result.detach().to("cpu", torch.float64)
    if finite and not bool(torch.isfinite(result).all()):
        raise UserCodeError(f"the target left NaN or inf in the tensor on {c.label()}")
    return result


def in_batches(what: str, timeout: float, calls: list, run) -> list:
    """``run(call)`` for every call: the first alone under ``timeout``, the rest in one batch."""
    results = call_user_code(what, timeout, lambda: [run(calls[0])])
    if len(calls) > 1:
        results += call_user_code(f"{what} ({len(calls) - 1} more calls)", timeout * (len(calls) - 1),
                                  lambda: [run(one) for one in calls[1:]])
    return results


def draw(target, c: Case, seeds: list[tuple[int, int]], timeout: float) -> list[torch.Tensor]:
    """One call per (generator seed, global seed) pair."""
    results = in_batches(f"the target on {c.label()}", timeout, seeds, lambda pair: seeded(
        pair[1], lambda: fill(target, c, torch.Generator().manual_seed(pair[0]))))
    return [validated(r, c) for r in results]


def draw_repeated(target, c: Case, generator_seed: int, global_seed: int, count: int,
                  timeout: float) -> list[torch.Tensor]:
    """``count`` successive calls with one generator (seeded once), the global RNG seeded once before them."""
    generator = torch.Generator().manual_seed(generator_seed)
    results = seeded(global_seed, lambda: in_batches(f"the target on {c.label()}", timeout, list(range(count)),
                                                     lambda _: fill(target, c, generator)))
    return [validated(r, c) for r in results]


def check_signature(target, initializer: Initializer, first=None) -> None:
    """The target accepts torch's keyword parameters (after ``first``, a tensor unless given)."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return  # builtins without a signature are judged by calling them
    try:
        signature.bind(torch.empty(1, 1) if first is None else first, **{p: None for p in initializer.parameters})
    except TypeError as exc:
        torch_signature = inspect.signature(initializer.torch_function)
        raise UserCodeError(f"wrong signature {signature}: {exc}; expected that of "
                            f"{initializer.reference}{torch_signature}") from None


def generator_tests(target, c: Case, law: Law | None, seed: int, timeout: float) -> list[Test]:
    """The generator contract on one case; with an i.i.d. ``law``, correlation tests of the scores
    across seeds and across repeated calls."""
    (g, s), (other, _) = call_seeds(seed, 999_983, 2)
    calls = max(1, math.ceil(GENERATOR_ENTRIES / max(1, math.prod(c.shape)))) if law is not None else 1
    first = draw(target, c, [(g + i, s) for i in range(calls)], timeout)
    same = draw(target, c, [(g, other)], timeout)[0]
    different = draw(target, c, [(g + calls + i, s) for i in range(calls)], timeout)
    repeated = draw_repeated(target, c, g, s, 2 * calls, timeout)
    prefix = f"generator on {c.label()}"
    tests = [deterministic_test(f"{prefix}: same seed, other global RNG state -> same tensor",
                                torch.equal(first[0], same), float((first[0] - same).abs().max()), 0.0,
                                "torch.equal: the generator is honoured, the global RNG unused"),
             deterministic_test(f"{prefix}: different seeds -> different tensors",
                                not torch.equal(first[0], different[0]), float((first[0] - different[0]).abs().max()),
                                0.0, "not torch.equal"),
             deterministic_test(f"{prefix}: repeated calls with one generator -> different tensors",
                                not torch.equal(repeated[0], repeated[1]),
                                float((repeated[0] - repeated[1]).abs().max()), 0.0, "not torch.equal")]
    if law is not None:
        scores = lambda tensors: law.scores(np.concatenate([t.numpy().ravel() for t in tensors]))
        tests.append(correlation_test(f"{prefix}: different seeds independent", scores(first), scores(different)))
        tests.append(correlation_test(f"{prefix}: repeated calls independent", scores(repeated[0::2]),
                                      scores(repeated[1::2])))
    return tests
