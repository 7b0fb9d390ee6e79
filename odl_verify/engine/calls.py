"""Calling user code (a gate target, a claim's measure) under one time limit.

Every call goes through :func:`call_user_code`: a raise becomes a :class:`UserCodeError`
naming what was called, a call past ``timeout`` seconds a :class:`UserCodeTimeout`; both
become error verdicts, never a crash of the check. The call runs in a worker thread that
is waited for with a timeout, which works from any thread (pytest-xdist workers, the CLI,
a user's thread). A call hung inside C code cannot be interrupted in its thread: it is
left running as a daemon thread and the check moves on.
"""
from __future__ import annotations

import threading

from ..errors import UserCodeError, UserCodeTimeout


def call_user_code(what: str, timeout: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or a UserCodeError saying that ``what`` raised or hung."""
    outcome: dict = {}

    def work():
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # reported, whatever it is (SystemExit from a user's script too)
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"odl-verify: {what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise UserCodeTimeout(f"{what} did not return within {timeout:g} s (raise --timeout if it is just slow)")
    if "error" in outcome:
        exc = outcome["error"]
        raise UserCodeError(f"{what} raised {type(exc).__name__}: {exc}") from exc
    return outcome["value"]
