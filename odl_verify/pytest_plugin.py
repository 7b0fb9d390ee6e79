"""pytest plugin: every claim in ``theorems/`` becomes a test item.

``pytest -n auto`` at the repository root runs the theorem items beside ``tests/``
under pytest-xdist. Options: ``--odl-device``, ``--odl-seed``, ``--odl-examples``;
the Hypothesis profile (``--hypothesis-profile quick|thorough``) sets the budget.
"""
from __future__ import annotations

import importlib

import pytest

from . import profiles
from .claims import Checkable
from .output import format_verdict
from .search import CheckConfig
from .verdict import HELD

CONFIG_KEY = pytest.StashKey[CheckConfig]()


def pytest_addoption(parser):
    group = parser.getgroup("odl-verify")
    group.addoption("--odl-device", default="auto", help="auto, cpu or cuda for theorem checks")
    group.addoption("--odl-seed", type=int, default=0, help="search seed for theorem checks")
    group.addoption("--odl-examples", type=int, default=None,
                    help="Hypothesis examples per claim (default: the profile's)")


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", default=None):
        profiles.load()
    from .backend import UsageError, resolve_device
    try:
        resolve_device(config.getoption("odl_device"))
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[CONFIG_KEY] = CheckConfig(examples=config.getoption("odl_examples"),
                                           seed=config.getoption("odl_seed"),
                                           device=config.getoption("odl_device"))


@pytest.fixture
def odl_config(request) -> CheckConfig:
    """The run's CheckConfig (device, seed, examples) for tests that call ``claim.check``."""
    return request.config.stash[CONFIG_KEY]


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".py" and file_path.parent.name == "theorems" and not file_path.name.startswith("_"):
        return TheoremModule.from_parent(parent, path=file_path)
    return None


class TheoremModule(pytest.File):
    def collect(self):
        from .registry import _checkables
        module = importlib.import_module(f"theorems.{self.path.stem}")
        for claim in _checkables(module):
            yield ClaimItem.from_parent(self, name=claim.name, claim=claim)


class ClaimNotHeld(Exception):
    pass


class ClaimItem(pytest.Item):
    """A shipped theorem must hold: any falsification or error fails the item."""

    def __init__(self, *, claim: Checkable, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.verdict = None

    def runtest(self):
        self.verdict = self.claim.check(self.config.stash[CONFIG_KEY])
        self.user_properties.append(("odl_verdict", self.verdict.to_dict()))
        if self.verdict.status != HELD:
            raise ClaimNotHeld(format_verdict(self.verdict))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimNotHeld):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"claim {self.claim.name}"
