"""Smoke test of benchmarks/run.py at toy sizes: the per-instance numpy/scipy baseline does
the same work as the batched torch path (same slacks), and the benchmark rejects bad input."""
import numpy as np
import pytest
import torch

from benchmarks import run as bench
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.engine.search import evaluate
from benchmarks.baseline import NumpyNamespace
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA

XP = TorchNamespace("cpu")


@pytest.mark.parametrize("family_index", range(len(DESCENT_LEMMA.families)))
def test_baseline_computes_the_same_slacks_as_the_batched_path(family_index):
    family, raw, x0, tau, integers = bench.make_batch(DESCENT_LEMMA, family_index, 4, 5, XP)
    with torch.no_grad():
        _, small, big, _ = evaluate(DESCENT_LEMMA, family, raw, x0, tau, integers, XP)
    batched = DESCENT_LEMMA.slack(small, big).numpy()
    looped = []
    for i in range(5):
        row = lambda a: a[i:i + 1].numpy()
        _, s, b, _ = evaluate(DESCENT_LEMMA, family, bench.tree_map(row, raw), row(x0),
                              {k: row(v) for k, v in tau.items()}, integers, NumpyNamespace())
        looped.append(DESCENT_LEMMA.slack(s, b)[0])
    np.testing.assert_allclose(looped, batched, rtol=1e-9, atol=1e-12)


def test_compare_reports_both_rates_and_their_ratio():
    row = bench.compare(DESCENT_LEMMA, 0, 4, 16, XP, loop_count=4)
    assert row["batched_checks_per_s"] > 0 and row["per_instance_checks_per_s"] > 0
    assert row["speedup"] == pytest.approx(row["batched_checks_per_s"] / row["per_instance_checks_per_s"], rel=0.05)


def test_bad_device_or_theorem_is_a_one_line_usage_error(capsys):
    assert bench.main(["--device", "tpu"]) == 2
    assert bench.main(["--only", "no-such-theorem"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("benchmarks/run.py: error:") for line in err)
