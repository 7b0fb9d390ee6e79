"""A theorem selection run through a remote pytest-xdist worker on loopback gives the same
verdicts as a local run (docs/distributed.md: how a thorough run spreads over machines).

The remote side is execnet's own socket server (what ``--tx socket=HOST:PORT`` talks to),
bound to 127.0.0.1 only; the checkout reaches it by xdist's rsync, as it would reach
another machine.
"""
import ast
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from odl_verify import CheckConfig
from theorems.descent_lemma import DESCENT_LEMMA

EXAMPLES = 4


@pytest.fixture
def loopback_socket_server(tmp_path):
    """execnet's socket server on 127.0.0.1 (an ephemeral port); yields the port."""
    log = open(tmp_path / "server.log", "w+")
    server = subprocess.Popen([sys.executable, "-u", "-m", "execnet.script.socketserver", "127.0.0.1:0"],
                              stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        port = None
        for _ in range(200):  # it prints "... Entering Accept loop ('127.0.0.1', PORT)" once listening
            log.seek(0)
            found = re.search(r"Accept loop \('127\.0\.0\.1', (\d+)\)", log.read())
            if found:
                port = int(found.group(1))
                break
            if server.poll() is not None:
                break
            time.sleep(0.05)
        if port is None:
            log.seek(0)
            pytest.fail(f"execnet socket server did not start: {log.read()[-500:]}")
        yield port
    finally:
        server.kill()
        server.wait()
        log.close()


def verdicts_from_junit(path) -> dict:
    """Verdicts that the plugin attached to theorem items (``odl_verdict`` user properties)."""
    out = {}
    for prop in ET.parse(path).iter("property"):
        if prop.get("name") == "odl_verdict":
            verdict = ast.literal_eval(prop.get("value"))
            out[verdict["theorem"]] = verdict
    return out


def comparable(verdict: dict) -> dict:
    return {k: v for k, v in verdict.items() if k != "seconds"}


def run_pytest(selection: list[str], junit, cwd, extra=()) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
               *extra, *selection, f"--odl-examples={EXAMPLES}", "--odl-seed=0", "--odl-device=cpu",
               f"--junitxml={junit}"]
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


def test_remote_worker_on_loopback_gives_the_local_verdicts(repo_path, tmp_path, loopback_socket_server):
    # absolute paths: xdist maps each path argument into the copy it rsyncs to the worker;
    # theorem files are collected by the odl-verify plugin alone (no:python), so naming one
    # imports nothing else
    selection = ["-p", "no:python", repo_path("theorems", "descent_lemma.py")]
    remote_dir = tmp_path / "remote"
    remote_dir.mkdir()
    run_pytest(selection, tmp_path / "remote.xml", tmp_path,
               extra=[f"--tx=socket=127.0.0.1:{loopback_socket_server}//chdir={remote_dir}",
                      f"--rsyncdir={repo_path()}", "--dist=load"])
    # the worker ran in the remote directory, on the copy xdist sent it
    assert (remote_dir / os.path.basename(repo_path()) / "theorems" / "descent_lemma.py").exists()
    run_pytest(selection, tmp_path / "local.xml", repo_path(), extra=["-p", "no:xdist"])

    remote, local = verdicts_from_junit(tmp_path / "remote.xml"), verdicts_from_junit(tmp_path / "local.xml")
    assert set(remote) == set(local) == {"descent-lemma"}
    assert remote["descent-lemma"]["status"] == "held" and remote["descent-lemma"]["instances"] > 0
    assert comparable(remote["descent-lemma"]) == comparable(local["descent-lemma"])


def test_verdict_data_depend_on_the_seed_so_the_comparison_can_fail():
    """The comparison above is not vacuous: another seed gives other data."""
    first = DESCENT_LEMMA.check(CheckConfig(examples=EXAMPLES, seed=0, device="cpu")).to_dict()
    second = DESCENT_LEMMA.check(CheckConfig(examples=EXAMPLES, seed=1, device="cpu")).to_dict()
    assert comparable(first) != comparable(second)
