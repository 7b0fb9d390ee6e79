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

from odl_verify import check, CheckConfig
from odl_verify.theorems.descent_lemma import DESCENT_LEMMA

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


def verdicts_from_junit(path) -> list[dict]:
    """Verdicts that the plugin attached to theorem items (``odl_verdict`` user properties)."""
    return [ast.literal_eval(prop.get("value")) for prop in ET.parse(path).iter("property")
            if prop.get("name") == "odl_verdict"]


def comparable(verdict: dict) -> dict:
    return {k: v for k, v in verdict.items() if k != "seconds"}


@pytest.mark.thorough  # a second pytest run through a socket (6 s): docs/distributed.md is about thorough runs
def test_remote_worker_on_loopback_gives_the_local_verdicts(repo_path, tmp_path, loopback_socket_server):
    """The remote worker's verdict equals the one this process computes for the same claim,
    seed and budget. Absolute paths, because xdist maps each path argument into the copy it
    rsyncs to the remote worker; theorem files are collected by the odl-verify plugin alone
    (no:python)."""
    remote_dir = tmp_path / "remote"
    remote_dir.mkdir()
    junit = tmp_path / "verdicts.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
               f"--tx=socket=127.0.0.1:{loopback_socket_server}//chdir={remote_dir}",
               f"--rsyncdir={repo_path()}", "--dist=load", "-p", "no:python",
               repo_path("theorems", "descent_lemma.py"), f"--odl-examples={EXAMPLES}", "--odl-seed=0",
               "--odl-device=cpu", f"--junitxml={junit}"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=240,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    # the remote worker ran in its own directory, on the copy xdist sent it
    assert (remote_dir / os.path.basename(repo_path()) / "theorems" / "descent_lemma.py").exists()

    (remote,) = verdicts_from_junit(junit)
    local = check(DESCENT_LEMMA, CheckConfig(examples=EXAMPLES, seed=0, device="cpu")).to_dict()
    assert remote["theorem"] == "descent-lemma" and remote["status"] == "held" and remote["instances"] > 0
    assert comparable(remote) == comparable(local)


def test_verdict_data_depend_on_the_seed_so_the_comparison_can_fail():
    """The comparison above is not vacuous: another seed gives other data."""
    first = check(DESCENT_LEMMA, CheckConfig(examples=EXAMPLES, seed=0, device="cpu")).to_dict()
    second = check(DESCENT_LEMMA, CheckConfig(examples=EXAMPLES, seed=1, device="cpu")).to_dict()
    assert comparable(first) != comparable(second)
