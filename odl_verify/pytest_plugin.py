"""pytest plugin: every claim in ``theorems/`` becomes a test item.

``pytest -n auto`` at the repository root runs the theorem items beside ``tests/``
under pytest-xdist. Options: ``--odl-device``, ``--odl-seed``, ``--odl-examples``,
``--odl-report PATH.html`` (the HTML report of every theorem item, merged over workers);
the Hypothesis profile (``--hypothesis-profile quick|thorough``) sets the budget.
"""
from __future__ import annotations

import importlib
from pathlib import PurePath
from typing import TYPE_CHECKING

import pytest

from . import profiles
from .errors import UsageError
from .verdict import ERROR, HELD, Verdict

if TYPE_CHECKING:
    from .claims import Checkable
    from .search import CheckConfig

# Nothing here imports torch or sympy at load time: pytest loads this plugin in every run of the
# environment, and the xdist controller, which runs no check, should start and stop quickly.
CONFIG_KEY = pytest.StashKey["CheckConfig"]()


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
    from .report import report_path
    report, device = config.getoption("odl_report"), config.getoption("odl_device")
    try:
        if device not in ("auto", "cpu"):  # anything else takes torch to judge (a CUDA build, a GPU)
            from .backend import resolve_device
            resolve_device(device)
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


def check_config(config) -> "CheckConfig":
    """The run's CheckConfig, built where a check first needs it (never on the xdist controller)."""
    if CONFIG_KEY not in config.stash:
        from .search import CheckConfig
        config.stash[CONFIG_KEY] = CheckConfig(examples=config.getoption("odl_examples"),
                                               seed=config.getoption("odl_seed"),
                                               device=config.getoption("odl_device"))
    return config.stash[CONFIG_KEY]


@pytest.fixture
def odl_config(request) -> "CheckConfig":
    """The run's CheckConfig (device, seed, examples) for tests that call ``claim.check``."""
    return check_config(request.config)


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
            # built here on the controller, which does not know the worker's device
            self.verdicts[report.nodeid] = Verdict(theorem=report.nodeid.split("::")[-1], title="", status=ERROR,
                                                   statement="", error=f"{report.when}: {reason}",
                                                   device="").to_dict()

    def pytest_sessionfinish(self, session):
        from .report import environment, write_report
        verdicts = [self.verdicts[k] for k in sorted(self.verdicts)]
        # where the checks ran, as the workers (perhaps remote ones) saw it
        devices = sorted({v["device"] for v in verdicts if v.get("device")})
        write_report(self.path, verdicts,
                     environment(seed=self.config.option.odl_seed, device=", ".join(devices) or None,
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

    def __init__(self, *, claim: "Checkable", **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.verdict = None

    def runtest(self):
        self.verdict = self.claim.check(check_config(self.config))
        self.user_properties.append(("odl_verdict", self.verdict.to_dict()))
        if self.verdict.status != HELD:
            from .output import format_verdict
            raise ClaimNotHeld(format_verdict(self.verdict))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimNotHeld):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"claim {self.claim.name}"
