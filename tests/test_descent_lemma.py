"""Descent lemma end to end: the true lemma holds and is tight; every wrong variant of
docs/theory.md §1 is falsified with a confirmed, simplified counterexample."""
import json

import pytest

from odl_verify import check, CheckConfig
from odl_verify.frontends.registry import load_file
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA
from sweeps import quick_first

VARIANTS = "tests/variants/descent_lemma_wrong.py"


@pytest.mark.parametrize("seed", quick_first({"1"}, ["1", "2", "3"]))
def test_true_lemma_holds_and_is_tight_on_every_seed(seed):
    verdict = check(DESCENT_LEMMA, CheckConfig(seed=int(seed), device="cpu"))
    assert verdict.status == "held", verdict.counterexample
    assert verdict.tightness >= 0.999
    assert verdict.worst_slack >= -1e-9
    assert len(set(verdict.coverage["family"])) >= 3


def test_variant_file_holds_its_own_claims_not_the_theorem_it_imports(repo_path):
    names = sorted(c.name for c in load_file(repo_path(VARIANTS)))
    assert names == ["descent-lemma~1-percent-too-strong", "descent-lemma~beta-5-percent-below-smoothness",
                     "descent-lemma~half-eta-up-to-2-over-beta", "descent-lemma~without-smoothness",
                     "descent-lemma~wrong-constant"]


@pytest.mark.parametrize("name", ["descent-lemma~wrong-constant", "descent-lemma~half-eta-up-to-2-over-beta",
                                  "descent-lemma~without-smoothness"])
def test_wrong_variant_is_falsified_with_confirmed_counterexample(falsified, name):
    assert falsified(VARIANTS, name).dimension <= 2, "expected Hypothesis to shrink to a small dimension"


def test_wrong_constant_shrinks_to_the_textbook_counterexample(repo_path):
    (claim,) = [c for c in load_file(repo_path(VARIANTS)) if c.name.endswith("wrong-constant")]
    shown = check(claim, CheckConfig(seed=0, device="cpu")).counterexample.shown
    # docs/theory.md §1: f = x²/2, x = ±1, η = 1 gives a decrease of 0.5 < 1
    assert shown["parameters"]["eigenvalues"] == ["1.0"]
    assert shown["hyperparameters"] == {"beta": "1.0", "eta": "1.0"}
    assert shown["observed side"] == "0.5" and shown["bound side"] == "1.0"


def verdict_data(seed: int) -> str:
    """Everything a check reports for ``seed`` except its timing, as comparable text."""
    data = check(DESCENT_LEMMA, CheckConfig(seed=seed, device="cpu", examples=8)).to_dict()
    data.pop("seconds")
    return json.dumps(data, sort_keys=True)


@pytest.mark.thorough  # tests/test_same_seed.py checks same seed, same verdict in every run
def test_same_seed_same_verdict_data():
    assert verdict_data(7) == verdict_data(7)


@pytest.mark.thorough  # tests/test_same_seed.py checks same seed, same verdict in every run
def test_same_seed_same_data_whatever_local_modules_are_imported(tmp_path, monkeypatch):
    """Hypothesis would mix literals from newly imported local modules into its draws."""
    import importlib
    before = verdict_data(5)
    literals = ", ".join(f"{k * 0.0123 + 1.7:.6f}" for k in range(200))
    (tmp_path / "odl_literals_probe.py").write_text(f"VALUES = [{literals}, 7, 11, 13, 1e-5, 2.5e3]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("odl_literals_probe")
    assert verdict_data(5) == before
