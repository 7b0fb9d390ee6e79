import os

import pytest

from odl_verify import check, CheckConfig, reproduce
from odl_verify.core.text import format_verdict
from odl_verify.frontends.registry import load_file

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def repo_path():
    return lambda *parts: os.path.join(REPO, *parts)


#: the user property that carries a wrong variant's verdict to ``--odl-report``'s "Wrong variants"
VARIANT_PROPERTY = "odl_variant_verdict"


@pytest.fixture
def wrong_variant(request):
    """``wrong_variant(verdict)``: record the verdict of a wrong variant this test expects to be
    falsified, for the "Wrong variants" section of ``pytest --odl-report``; returns the verdict."""
    def record(verdict):
        request.node.user_properties.append((VARIANT_PROPERTY, verdict.to_dict()))
        return verdict
    return record


@pytest.fixture
def falsified(repo_path, wrong_variant):
    """``falsified(variants_file, claim_name)``: the wrong variant must be falsified with a
    counterexample confirmed in high precision that replays (in float64 too); returns it.
    Keyword options go to the run's ``CheckConfig`` (``shrink_calls=20`` for a cheaper shrink)."""
    def run(variants_file, name, seed=0, **options):
        (claim,) = [c for c in load_file(repo_path(variants_file)) if c.name == name]
        verdict = wrong_variant(check(claim, CheckConfig(seed=seed, device="cpu", **options)))
        assert verdict.status == "falsified", format_verdict(verdict)
        example = verdict.counterexample
        assert float(example.slack_exact) < 0
        assert example.reproduce.startswith("odl-verify reproduce")
        replay = reproduce(claim, example.case)
        assert replay["violated"] and replay["float64"]["slack"] < 0
        # the verdict reports the shrunk case it prints, not the float64 point the search first hit
        assert example.slack_float64 == replay["float64"]["slack"]
        assert verdict.worst_slack <= example.slack_float64
        return example
    return run


def thorough(config) -> bool:
    """The thorough profile: ``--hypothesis-profile thorough`` (or ODL_THOROUGH=1)."""
    return config.getoption("hypothesis_profile", default=None) == "thorough" or bool(os.environ.get("ODL_THOROUGH"))


def pytest_collection_modifyitems(config, items):
    """Tests marked ``thorough`` (seed sweeps, large samples) run only in the thorough profile: the
    default ``pytest -n auto`` stays under its time budget, and says how many it left out."""
    if thorough(config):
        return
    kept = [item for item in items if "thorough" not in item.keywords]
    left_out = [item for item in items if "thorough" in item.keywords]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
