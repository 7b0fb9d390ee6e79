"""Calling a user's code under a time limit, turning crashes and hangs into gate errors."""
from __future__ import annotations

import contextlib
import signal
import threading


class TargetError(Exception):
    """The target raised, hung or returned NaN: an error verdict, never a crash of the gate."""


class _Hung(BaseException):
    """Raised by the alarm; a BaseException so a target's ``except Exception`` cannot swallow it."""


@contextlib.contextmanager
def _alarm(seconds: float):
    """SIGALRM after ``seconds`` in the main thread; elsewhere (no signals there) no limit."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def hung(signum, frame):
        raise _Hung()

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(what: str, timeout: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; a raise or a call past ``timeout`` seconds becomes a TargetError."""
    try:
        with _alarm(timeout):
            return fn(*args, **kwargs)
    except _Hung:
        raise TargetError(f"{what} did not return within {timeout:g} s (GateConfig.timeout / --timeout)") from None
    except Exception as exc:
        raise TargetError(f"{what} raised {type(exc).__name__}: {exc}") from None
