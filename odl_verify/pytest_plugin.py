"""pytest plugin: every claim in ``theorems/`` becomes a test item.

``pytest -n auto`` at the repository root runs the theorem items beside ``tests/``
under pytest-xdist. Options: ``--odl-device``, ``--odl-seed``, ``--odl-examples``,
``--odl-report PATH.html`` (the HTML report of every theorem item, merged over workers);
the Hypothesis profile (``--hypothesis-profile quick|thorough``) sets the budget.
"""
from __future__ import annotations

import importlib
from pathlib import PurePath

import pytest

from . import profiles
from .claims import Checkable
from .output import format_verdict
from .search import CheckConfig
from .verdict import ERROR, HELD, Verdict

CONFIG_KEY = pytest.StashKey[CheckConfig]()


def pytest_addoption(parser):
    group = parser.getgroup("odl-verify")
    group.addoption("--odl-device", default="auto", help="auto, cpu or cuda for theorem checks")
    group.addoption("--odl-seed", type=int, default=0, help="search seed for theorem checks")
    group.addoption("--odl-examples", type=int, default=None,
                    help="Hypothesis examples per claim (default: the profile's)")
    group.addoption("--odl-report", metavar="PATH.html", default=None,
                    help="write an HTML report of the theorem checks (and their data as PATH.json)")


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", default=None):
        profiles.load()
    from .backend import UsageError, resolve_device
    from .report import report_path
    report = config.getoption("odl_report")
    try:
        resolve_device(config.getoption("odl_device"))
        if report:
            report_path(report)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    if hasattr(config, "workerinput"):
        # xdist already runs a worker per core: torch's intra-op threads on top oversubscribe them,
        # and small batched LAPACK calls (eigvalsh and its backward) then cost 3x the CPU
        import torch
        torch.set_num_threads(1)
    if report and not hasattr(config, "workerinput"):  # xdist workers ship their verdicts here
        config.pluginmanager.register(ReportCollector(config, report), "odl-report")
    config.stash[CONFIG_KEY] = CheckConfig(examples=config.getoption("odl_examples"),
                                           seed=config.getoption("odl_seed"),
                                           device=config.getoption("odl_device"))


@pytest.fixture
def odl_config(request) -> CheckConfig:
    """The run's CheckConfig (device, seed, examples) for tests that call ``claim.check``."""
    return request.config.stash[CONFIG_KEY]


def is_theorem_file(path: PurePath) -> bool:
    return path.suffix == ".py" and path.parent.name == "theorems" and not path.name.startswith("_")


def pytest_collect_file(file_path, parent):
    if is_theorem_file(file_path):
        return TheoremModule.from_parent(parent, path=file_path)
    return None


class ReportCollector:
    """``--odl-report``: on the controller (or a run without xdist), the verdicts of every
    claim item, from the ``odl_verdict`` user property that xdist ships in each report."""

    def __init__(self, config, path: str):
        self.config, self.path = config, path
        self.verdicts: dict[str, dict] = {}

    def pytest_runtest_logreport(self, report):
        for name, value in report.user_properties:
            if name == "odl_verdict":
                self.verdicts[report.nodeid] = value
        if (report.failed and report.nodeid not in self.verdicts
                and is_theorem_file(PurePath(report.nodeid.split("::")[0]))):
            # the check itself crashed: still a row of the report, shown as an error
            reason = (report.longreprtext.strip().splitlines() or ["no output"])[-1]
            self.verdicts[report.nodeid] = Verdict(theorem=report.nodeid.split("::")[-1], title="", status=ERROR,
                                                   statement="", error=f"{report.when}: {reason}").to_dict()

    def pytest_sessionfinish(self, session):
        from .backend import resolve_device
        from .report import environment, write_report
        options = self.config.option
        write_report(self.path, [self.verdicts[k] for k in sorted(self.verdicts)],
                     environment(seed=options.odl_seed, device=str(resolve_device(options.odl_device)),
                                 command="pytest " + " ".join(self.config.invocation_params.args)))


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
