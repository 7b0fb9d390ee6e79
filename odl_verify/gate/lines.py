"""The two lines a gate prints with a failing case, quoted for a POSIX shell (:func:`shlex.quote`) so
they run as pasted: one replays the case, one reruns the gate."""
from __future__ import annotations

import json
import shlex

from ..core.config import CheckConfig

DEFAULT_TIMEOUT = CheckConfig().timeout


def replay_line(module: str, method: str, spec: str, case: dict) -> str:
    """``python -c`` running ``module.replay(method, spec, case)``, exiting with its code."""
    code = f"from {module} import replay; raise SystemExit(replay({method!r}, {spec!r}, {json.dumps(case)!r}))"
    return f"python -c {shlex.quote(code)}"


def gate_line(method: str, spec: str, config: CheckConfig) -> str:
    words = ["odl-verify", "gate", method, spec, "--seed", str(config.seed)]
    if config.examples is not None:
        words += ["--examples", str(config.examples)]
    if config.timeout != DEFAULT_TIMEOUT:
        words += ["--timeout", f"{config.timeout:g}"]
    for condition in config.domain:
        words += ["--domain", condition]
    return " ".join(shlex.quote(w) for w in words)
