"""CUDA agrees with the CPU (float64) within the README's stated tolerance; without a GPU
this skips with the reason, and asking for CUDA is a usage error (tests/test_cli.py)."""
import pytest
import torch

from benchmarks.run import make_batch
from odl_verify import check, CheckConfig
from odl_verify.definitions.backend import TorchNamespace
from odl_verify.definitions.trees import tree_map
from odl_verify.engine.search import evaluate
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason=f"no CUDA device (torch {torch.__version__}): CPU/CUDA agreement not checked")

#: README, performance section: every certified, free and measured quantity agrees within
#: this relative tolerance, or this fraction of the batch's largest magnitude (cancellation)
RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE = 1e-10, 1e-13


@pytest.mark.parametrize("family_index", range(len(DESCENT_LEMMA.families)))
def test_the_same_batch_evaluates_alike_on_cpu_and_cuda(family_index):
    cpu, cuda = TorchNamespace("cpu"), TorchNamespace("cuda")
    family, raw, x0, tau, integers = make_batch(DESCENT_LEMMA, family_index, 16, 64, cpu)
    moved = lambda a: a.to("cuda")
    with torch.no_grad():
        values, *_ = evaluate(DESCENT_LEMMA, family, raw, x0, tau, integers, cpu)
        values_gpu, *_ = evaluate(DESCENT_LEMMA, family, tree_map(moved, raw), moved(x0),
                                  {s: moved(t) for s, t in tau.items()}, integers, cuda)
    for symbol, value in values.items():
        on_gpu = values_gpu[symbol]
        assert on_gpu.device.type == "cuda", "the CUDA run must not fall back to the CPU"
        scale = float(value.abs().max()) or 1.0
        torch.testing.assert_close(on_gpu.cpu(), value, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE * scale,
                                   msg=lambda m: f"{symbol}: {m}")


def test_the_same_seed_gives_the_same_verdict_on_cpu_and_cuda():
    on_cpu = check(DESCENT_LEMMA, CheckConfig(seed=0, examples=8, device="cpu"))
    on_cuda = check(DESCENT_LEMMA, CheckConfig(seed=0, examples=8, device="cuda"))
    assert on_cuda.device.startswith("cuda")
    assert on_cuda.status == on_cpu.status
    assert on_cuda.tightness == pytest.approx(on_cpu.tightness, rel=1e-6)
