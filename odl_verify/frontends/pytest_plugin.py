"""pytest plugin: claims become test items, and ``--odl-report`` writes the HTML report.

Which files hold claims is never guessed from a folder's name: the shipped theorems
(``odl_verify.theorems``) when pytest walks their folder (this repository's ``theorems/``,
or ``pytest --pyargs odl_verify.theorems`` anywhere), and the files a project names in the
``odl_claims`` ini option or with ``--odl-claims`` (paths or globs relative to the rootdir,
or module names). Options: ``--odl-device``, ``--odl-seed``, ``--odl-examples``,
``--odl-timeout S`` (seconds one claim's check may take), ``--odl-report PATH.html`` (merged over
xdist workers; an interrupted run writes what finished, marked so, and never replaces a report
with an empty one); the Hypothesis profile (``--hypothesis-profile quick|thorough``) sets the budget.
Each claim is checked in a forked worker (:func:`odl_verify.engine.checking.check_guarded`), so a
measure that hangs, even inside C code, is stopped and the item fails with an error verdict.
"""
from __future__ import annotations

import glob
import importlib
import importlib.util
import os
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import pytest

from ..core import profiles
from ..core.loading import THEOREMS_PACKAGE, import_path, shipped_theorems_directory
from ..core.verdict import HELD, error_verdict
from ..errors import UsageError

if TYPE_CHECKING:
    from ..core.config import CheckConfig
    from ..definitions.claims import Checkable

# Nothing here imports torch or sympy at load time: pytest loads this plugin in every run of the
# environment, and the xdist controller, which runs no check, should start and stop quickly.
CONFIG_KEY = pytest.StashKey["CheckConfig"]()
CLAIM_FILES_KEY = pytest.StashKey[frozenset]()


def pytest_addoption(parser):
    group = parser.getgroup("odl-verify")
    group.addoption("--odl-device", default="auto", help="auto, cpu or cuda for theorem checks")
    group.addoption("--odl-seed", type=int, default=0, help="search seed for theorem checks")
    group.addoption("--odl-examples", type=int, default=None,
                    help="Hypothesis examples per claim (default: the profile's)")
    group.addoption("--odl-timeout", type=float, default=None, metavar="S",
                    help="seconds one claim's check may take before it is stopped as hung (default: no limit, "
                         "but one call of a claim's measure is stopped after 10 s)")
    group.addoption("--odl-report", metavar="PATH.html", default=None,
                    help="write an HTML report of the theorem checks (and their data as PATH.json)")
    group.addoption("--odl-claims", action="append", default=[], metavar="PATH|MODULE",
                    help="a file (or glob, or module name) whose claims become test items; repeatable")
    parser.addini("odl_claims", type="linelist", default=[],
                  help="files (paths or globs relative to the rootdir) or modules whose claims become test items")


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", default=None):
        profiles.load()
    from .report import report_path
    report, device = config.getoption("odl_report"), config.getoption("odl_device")
    timeout = config.getoption("odl_timeout")
    try:
        if device not in ("auto", "cpu"):  # anything else takes torch to judge (a CUDA build, a GPU)
            from ..definitions.backend import resolve_device
            resolve_device(device)
        if report and not hasattr(config, "workerinput"):
            from .report import check_output_paths
            check_output_paths(report=report)
        elif report:
            report_path(report)
        if timeout is not None and not timeout > 0:
            raise UsageError(f"--odl-timeout must be positive seconds, not {timeout:g}")
        config.stash[CLAIM_FILES_KEY] = claim_files(config)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    if hasattr(config, "workerinput"):
        # xdist already runs a worker per core: torch's intra-op threads on top oversubscribe them,
        # and small batched LAPACK calls (eigvalsh and its backward) then cost 3x the CPU
        import torch
        torch.set_num_threads(1)
    if report and not hasattr(config, "workerinput"):  # xdist workers ship their verdicts here
        config.pluginmanager.register(ReportCollector(config, report), "odl-report")


def _named_files(entry: str, root: Path) -> list[Path]:
    """The Python files an ``odl_claims`` entry names: a path or glob, else a module or package."""
    pattern = entry if os.path.isabs(entry) else str(root / entry)
    matches = sorted(glob.glob(pattern, recursive=True))
    if matches:
        return [Path(m).resolve() for m in matches if m.endswith(".py")]
    try:
        spec = importlib.util.find_spec(entry)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise UsageError(f"odl_claims: {entry!r} is neither an existing file (or glob) under {root} nor a module")
    if spec.submodule_search_locations:
        folder = Path(list(spec.submodule_search_locations)[0])
        return sorted(p.resolve() for p in folder.glob("*.py") if not p.name.startswith("_"))
    return [Path(spec.origin).resolve()]


def claim_files(config) -> frozenset:
    """Every file named by ``odl_claims`` and ``--odl-claims``, resolved."""
    root = Path(str(config.rootpath))
    entries = list(config.getini("odl_claims")) + list(config.getoption("odl_claims"))
    return frozenset(f for entry in entries for f in _named_files(entry, root))


def is_claim_file(config, path: PurePath) -> bool:
    """Whether pytest should collect ``path``'s claims: a shipped theorem module or a named file."""
    path = Path(str(path)).resolve()
    if path.suffix != ".py" or path.name.startswith("_"):
        return False
    return str(path.parent) == shipped_theorems_directory() or path in config.stash.get(CLAIM_FILES_KEY, frozenset())


def check_config(config) -> "CheckConfig":
    """The run's CheckConfig, built where a check first needs it (never on the xdist controller)."""
    if CONFIG_KEY not in config.stash:
        from ..core.config import CheckConfig
        timeout = config.getoption("odl_timeout")
        config.stash[CONFIG_KEY] = CheckConfig(examples=config.getoption("odl_examples"),
                                               seed=config.getoption("odl_seed"),
                                               device=config.getoption("odl_device"),
                                               **({"timeout": timeout} if timeout else {}))
    return config.stash[CONFIG_KEY]


@pytest.fixture
def odl_config(request) -> "CheckConfig":
    """The run's CheckConfig (device, seed, examples) for tests that check claims."""
    return check_config(request.config)


def pytest_collect_file(file_path, parent):
    if is_claim_file(parent.config, file_path):
        return ClaimModule.from_parent(parent, path=file_path)
    return None


class ReportCollector:
    """``--odl-report``: on the controller (or a run without xdist), the verdicts of every
    claim item, from the ``odl_verdict`` user property that xdist ships in each report."""

    def __init__(self, config, path: str):
        self.config, self.path = config, path
        self.verdicts: dict[str, dict] = {}
        #: verdicts of wrong variants that tests expect to be falsified, by (variant, test)
        self.variants: dict[tuple[str, str], dict] = {}

    def pytest_runtest_logreport(self, report):
        for name, value in report.user_properties:
            if name == "odl_verdict":
                self.verdicts[report.nodeid] = value
            elif name == "odl_variant_verdict":
                self.variants[(value.get("theorem", ""), report.nodeid)] = value
        if (report.failed and report.nodeid not in self.verdicts
                and any(name == "odl_claim" for name, _ in report.user_properties)):
            # the check itself crashed: still a row of the report, shown as an error; built here
            # on the controller, which does not know the worker's device
            reason = (report.longreprtext.strip().splitlines() or ["no output"])[-1]
            self.verdicts[report.nodeid] = error_verdict(report.nodeid.split("::")[-1], "",
                                                         f"{report.when}: {reason}").to_dict()

    def pytest_sessionfinish(self, session, exitstatus):
        from .report import environment, write_report
        verdicts = [self.verdicts[k] for k in sorted(self.verdicts)]
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if not verdicts:  # interrupted before any claim finished, or none collected: keep what is there
            self.note(f"odl-verify: no claim was checked{' (interrupted)' if interrupted else ''}; "
                      f"{self.path} is left as it was")
            return
        # where the checks ran, as the workers (perhaps remote ones) saw it
        devices = sorted({v["device"] for v in verdicts if v.get("device")})
        extra = {"interrupted": f"yes: the report holds the {len(verdicts)} checks that finished"} if interrupted else {}
        variants: dict[str, dict] = {}  # one per variant: from the first test that checked it, by node id
        for name, test in sorted(self.variants):
            variants.setdefault(name, self.variants[name, test])
        write_report(self.path, verdicts,
                     environment(seed=self.config.option.odl_seed, device=", ".join(devices) or None,
                                 command="pytest " + " ".join(self.config.invocation_params.args), **extra),
                     variants=list(variants.values()))
        if interrupted:
            self.note(f"odl-verify: interrupted; {self.path} holds the {len(verdicts)} checks that finished")

    def note(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(text)


class ClaimModule(pytest.File):
    """A file of claims: each claim it defines is one item."""

    def collect(self):
        from .registry import checkables
        path = Path(str(self.path)).resolve()
        if str(path.parent) == shipped_theorems_directory():
            module = importlib.import_module(f"{THEOREMS_PACKAGE}.{path.stem}")
        else:
            try:
                module = import_path(str(path))
            except UsageError as exc:
                raise self.CollectError(str(exc)) from None
        for claim in checkables(module):
            yield ClaimItem.from_parent(self, name=claim.name, claim=claim)


class ClaimNotHeld(Exception):
    pass


class ClaimItem(pytest.Item):
    """A claim named to pytest must hold: any falsification or error fails the item."""

    def __init__(self, *, claim: "Checkable", **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.verdict = None
        # every report of this item carries it, so the report collector knows a claim crashed
        self.user_properties.append(("odl_claim", claim.name))

    def runtest(self):
        from ..engine.checking import check_guarded
        self.verdict = check_guarded(self.claim, check_config(self.config), limit=self.config.getoption("odl_timeout"))
        self.user_properties.append(("odl_verdict", self.verdict.to_dict()))
        if self.verdict.status != HELD:
            from ..core.text import format_verdict
            raise ClaimNotHeld(format_verdict(self.verdict))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimNotHeld):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"claim {self.claim.name}"
