"""Installing odl-verify puts nothing named ``theorems`` on the import path, and its pytest
plugin, active in every pytest run of the environment, leaves an unrelated project alone, even
one with a ``theorems/`` folder holding tests and scripts (which it must neither import nor run)."""
import os
import shutil
import subprocess
import sys

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout: the files to install are not known")
    return [f for f in done.stdout.splitlines() if os.path.isfile(os.path.join(REPOSITORY, f))]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> str:
    """``pip install .`` of a copy of the checkout into a fresh directory (no network, no deps)."""
    root = tmp_path_factory.mktemp("install")
    source, site = root / "source", root / "site"
    for name in tracked_files():
        os.makedirs(source / os.path.dirname(name), exist_ok=True)
        shutil.copy2(os.path.join(REPOSITORY, name), source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--target", str(site), str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return str(site)


def test_install_adds_no_top_level_theorems_package(installed):
    top_level = sorted(name for name in os.listdir(installed) if name not in ("bin", "__pycache__"))
    assert top_level == ["odl_verify", "odl_verify-0.1.0.dist-info"], top_level
    assert os.path.isfile(os.path.join(installed, "odl_verify", "frontends", "report", "templates", "report.html.j2"))
    assert os.path.isfile(os.path.join(installed, "odl_verify", "engine", "oracle", "cache", "pep.json"))


def python_files(root: str) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files if f.endswith(".py")}


def test_install_carries_every_module_of_the_checkout(installed):
    """pyproject lists the packages one by one (theorems/ is mapped in): a new subpackage left out would
    be missing from every installation but this checkout."""
    expected = python_files(os.path.join(REPOSITORY, "odl_verify"))
    expected |= {os.path.join("theorems", f) for f in python_files(os.path.join(REPOSITORY, "theorems"))}
    missing = expected - python_files(os.path.join(installed, "odl_verify"))
    assert not missing, sorted(missing)


def test_pytest_in_an_unrelated_project_with_a_theorems_folder_is_not_affected(installed, tmp_path):
    project = tmp_path / "project"
    (project / "theorems").mkdir(parents=True)
    (project / "theorems" / "test_mine.py").write_text("def test_mine():\n    assert 1 + 1 == 2\n")
    # a script that must not run at collection: it would end the whole pytest run
    (project / "theorems" / "script.py").write_text("import sys\nsys.exit(3)\n")
    env = {**os.environ, "PYTHONPATH": installed, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    # --odl-seed is an option of the plugin: accepted only because the installed plugin is active
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--odl-seed", "1"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout and "error" not in done.stdout.lower()
