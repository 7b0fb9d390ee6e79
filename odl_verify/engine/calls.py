"""Calling user code (a gate target, a claim's measure) under one time limit.

A check that runs user code runs in a *guarded worker* (:func:`run_guarded`): a process
forked for that check and watched by the caller. Inside it, every call of user code
(:func:`call_user_code`, :func:`user_code`) first writes what it calls, its deadline and the
case it is on (:func:`on_case`) into memory shared with the watcher; a call past its
deadline, or a check past its whole time limit, gets the worker killed. SIGKILL stops a
call stuck in C code (``sum(range(10**13))``), from whichever thread the check was started,
and the caller raises :class:`UserCodeTimeout` naming the call and the case, so the verdict
still carries it and the other checks still run. A worker that dies (a segfault in user C
code) is reported the same way.

Where no worker can be forked (not Linux; CUDA, which a forked child cannot use; already
inside a worker, whose watcher covers it) the check runs in this process: a gate target's
call then runs in a daemon thread waited for with its timeout, so a hang is still reported,
but a thread stuck in C code is left running; a claim's measure is called directly.

Why this module is long: the announcing side (the calls) and the watching side (the worker
and its watcher) share one layout of shared memory and one set of signals; split, each half
would have to know the other's private protocol.
"""
from __future__ import annotations

import contextlib
import contextvars
import gc
import importlib
import json
import math
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from typing import Callable, TypeVar

from ..errors import UserCodeError, UserCodeTimeout

T = TypeVar("T")

#: the case the user code now running is on (a gate scenario, a search example), as JSON text
_CASE: contextvars.ContextVar[str | None] = contextvars.ContextVar("odl_user_case", default=None)

# shared memory: a header (a sequence number, odd while the worker writes; deadline, timeout and start of
# the call in monotonic seconds; lengths of what and of the case), then both texts
_HEADER = struct.Struct("QdddII")
_SEQUENCE = struct.Struct("Q")
_WHAT_BYTES = 1024
_SHARED_BYTES = 1 << 16
_CASE_AT = _HEADER.size + _WHAT_BYTES
#: how often the watcher looks at the deadline (seconds)
_POLL = 0.05


class _Announcements:
    """The worker's side of the shared memory: what user code is running, until when, on which case."""

    def __init__(self, shared: mmap.mmap, call_timeout: float | None):
        self.shared, self.call_timeout = shared, call_timeout
        self.calls: list[tuple[str, float, float, float]] = []  # (what, deadline, timeout, started), nested
        self.what_length = self.case_length = self.sequence = 0

    def enter(self, what: str, timeout: float | None) -> None:
        timeout = self.call_timeout if timeout is None else timeout
        now = time.monotonic()
        call = (what, math.inf if timeout is None else now + timeout, math.inf if timeout is None else timeout, now)
        self.calls.append(call)
        self._show(*call)

    def leave(self) -> None:
        self.calls.pop()
        self._show(*(self.calls[-1] if self.calls else ("", math.inf, math.inf, 0.0)))

    def case(self, text: str | None) -> None:
        data = (text or "").encode()[:_SHARED_BYTES - _CASE_AT]
        self._writing()
        self.shared[_CASE_AT:_CASE_AT + len(data)] = data
        self.case_length = len(data)
        self._show(*(self.calls[-1] if self.calls else ("", math.inf, math.inf, 0.0)))

    def _writing(self) -> None:
        if self.sequence % 2 == 0:
            self.sequence += 1  # odd: the watcher does not act on what it reads now
            self.shared[:_SEQUENCE.size] = _SEQUENCE.pack(self.sequence)

    def _show(self, what: str, deadline: float, timeout: float, started: float) -> None:
        data = what.encode()[:_WHAT_BYTES]
        self._writing()
        self.shared[_HEADER.size:_HEADER.size + len(data)] = data
        self.what_length = len(data)
        # packed aside and copied: struct's pack_into zeroes its target first, and a watcher reading
        # in that instant would see a consistent header with deadline 0
        self.shared[:_HEADER.size] = _HEADER.pack(self.sequence, deadline, timeout, started, self.what_length,
                                                  self.case_length)
        self.sequence += 1  # even again: all of it is in place
        self.shared[:_SEQUENCE.size] = _SEQUENCE.pack(self.sequence)


#: set in a guarded worker, None elsewhere
_WORKER: _Announcements | None = None


def _case_json(case) -> str | None:
    if case is None or isinstance(case, str):
        return case
    return json.dumps(case, sort_keys=True, default=lambda a: a.tolist() if hasattr(a, "tolist") else str(a))


def _decode_case(text: str | None):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:  # cut at the shared memory's size
        return text


@contextlib.contextmanager
def on_case(case):
    """User code called inside runs on ``case`` (a JSON-able dict, or JSON text): a timeout or an
    error there names it (``UserCodeError.case``)."""
    text = _case_json(case)
    token = _CASE.set(text)
    if _WORKER is not None:
        _WORKER.case(text)
    try:
        yield
    finally:
        _CASE.reset(token)
        if _WORKER is not None:
            _WORKER.case(_CASE.get())


def current_case():
    """The case user code now runs on (see :func:`on_case`), or None."""
    return _decode_case(_CASE.get())


@contextlib.contextmanager
def user_code(what: str, timeout: float | None = None):
    """Run the block as user code: in a guarded worker its deadline is watched (``timeout``
    seconds, by default the worker's ``call_timeout``); anywhere else the block just runs."""
    if _WORKER is None:
        yield
        return
    _WORKER.enter(what, timeout)
    try:
        yield
    finally:
        _WORKER.leave()


def call_user_code(what: str, timeout: float, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or a UserCodeError (with the current case) saying that ``what``
    raised or hung past ``timeout`` seconds."""
    if _WORKER is not None:
        with user_code(what, timeout):  # the watcher kills the worker at the deadline
            try:
                return fn(*args, **kwargs)
            except (Exception, SystemExit) as exc:
                raise UserCodeError(f"{what} raised {type(exc).__name__}: {exc}", case=current_case()) from exc
    return _call_in_thread(what, timeout, fn, args, kwargs)


def _call_in_thread(what, timeout, fn, args, kwargs):
    """Outside a worker the call runs in a daemon thread waited for with ``timeout``; one stuck
    in C code is left running there."""
    outcome: dict = {}
    context = contextvars.copy_context()  # the case, for errors raised inside

    def work():
        try:
            outcome["value"] = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # reported, whatever it is (SystemExit from a user's script too)
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"odl-verify: {what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise UserCodeTimeout(f"{what} did not return within {timeout:g} s (raise --timeout if it is just slow)",
                              case=current_case())
    if "error" in outcome:
        exc = outcome["error"]
        raise UserCodeError(f"{what} raised {type(exc).__name__}: {exc}", case=current_case()) from exc
    return outcome["value"]


# ------------------------------------------------------------------ guarded workers
def can_fork(device: str = "cpu") -> bool:
    """Whether a check on ``device`` can run in a forked worker here."""
    if _WORKER is not None or not sys.platform.startswith("linux") or not str(device).startswith("cpu"):
        return False
    torch = sys.modules.get("torch")
    return torch is None or not torch.cuda.is_initialized()


def run_guarded(task: Callable[[], T], *, limit: float | None = None, call_timeout: float | None = None,
                device: str = "cpu") -> T:
    """``task()`` in a forked worker, watched: returns its result or raises what it raised.

    Raises :class:`UserCodeTimeout` (with the case) when a call of user code inside runs past
    its deadline (``call_timeout`` for calls that name none) or the whole task past ``limit``
    seconds, and :class:`UserCodeError` when the worker dies. Runs ``task()`` in this process
    where a worker cannot be forked (see :func:`can_fork`)."""
    if not can_fork(device):
        return task()
    shared = mmap.mmap(-1, _SHARED_BYTES)
    _HEADER.pack_into(shared, 0, 0, math.inf, math.inf, 0.0, 0, 0)
    readable, writable = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # or the child would write the parent's pending text again
        with contextlib.suppress(Exception):
            stream.flush()
    parent = os.getpid()
    gc.freeze()  # the worker's collections skip all it inherits: a second less per worker here
    try:
        with _signals_deferred():
            pid = os.fork()
            if pid == 0:
                os.close(readable)
                _work(task, shared, writable, call_timeout, parent)  # never returns
    finally:
        gc.unfreeze()
    os.close(writable)
    worker = _Worker(pid)
    try:
        data = _watch(worker, readable, shared, limit)
    finally:
        os.close(readable)
        worker.stop()
        shared.close()
    kind, value, imported = pickle.loads(data)
    _import_here(imported)
    if kind == "raise":
        raise value
    return value


def _import_here(names: list[str]) -> None:
    """Import what a worker imported (scipy.optimize, a theorem module...), so that the next
    worker inherits it instead of importing it again: workers are forked per check, and lazy
    imports would otherwise cost each one seconds. A module that does not import by its name
    (a user's file, loaded by path) is left out."""
    for name in names:
        if name not in sys.modules and not name.startswith(("odl_user_", "odl_target_", "__main__")):
            with contextlib.suppress(Exception):
                importlib.import_module(name)


@contextlib.contextmanager
def _signals_deferred():
    """Ctrl-C or SIGTERM arriving while forking is handled after it: raised inside the fork's own
    callbacks (logging's), the KeyboardInterrupt would be printed and dropped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    previous = {number: handler for number, handler in previous.items() if handler is not None}  # None: set in C
    for number in previous:
        signal.signal(number, lambda received, frame: caught.append(received))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in caught:
            signal.raise_signal(number)


def _work(task, shared, writable, call_timeout, parent) -> None:
    """The worker: run ``task``, send back its result or its exception, exit without cleanup."""
    global _WORKER
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the watcher's to handle: it kills us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with(parent)
        # fresh stream objects: another thread of the parent may have held their locks at the fork
        with contextlib.suppress(OSError):
            sys.stdout = open(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
            sys.stderr = open(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(1)  # the parent's OpenMP pool did not survive the fork: using it hangs
        _WORKER = _Announcements(shared, call_timeout)
        _WORKER.case(_CASE.get())
        inherited = set(sys.modules)
        outcome = _run_on_a_fresh_stack(task)
        imported = sorted(set(sys.modules) - inherited)
        try:
            data = pickle.dumps((*outcome, imported))
        except Exception as exc:
            data = pickle.dumps(("raise", UserCodeError(
                f"the check's {'result' if outcome[0] == 'value' else 'exception'} could not be sent back from its "
                f"worker: {type(exc).__name__}: {exc}" + (f" ({outcome[1]!r})" if outcome[0] == "raise" else "")),
                imported))
        view = memoryview(data)
        while view:
            view = view[os.write(writable, view):]
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    finally:
        os._exit(0)


def _run_on_a_fresh_stack(task) -> tuple:
    """("value", task()) or ("raise", its exception), run in a new thread: the fork left this one
    the caller's whole stack (pytest's, say), and torch.manual_seed formats the stack three times
    per call, which on that stack made a seeding target several times slower."""
    outcome: list = []

    def run():
        try:
            outcome.append(("value", task()))
        except Exception as exc:  # sent back and raised there
            outcome.append(("raise", exc))
        except BaseException as exc:  # SystemExit from a user's code: an error of the check, not an exit
            outcome.append(("raise", UserCodeError(f"the check raised {type(exc).__name__}: {exc}",
                                                   case=current_case())))

    context = contextvars.copy_context()  # the case, if the caller set one
    thread = threading.Thread(target=context.run, args=(run,), name="odl-verify check")
    thread.start()
    thread.join()
    return outcome[0]


def _die_with(parent: int) -> None:
    """SIGKILL when the parent dies (Linux), so a killed ``odl-verify check`` leaves no worker behind."""
    import ctypes
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


class _Worker:
    """A forked worker's pid, reaped exactly once (a reaped pid may be reused: never signal it)."""

    def __init__(self, pid: int):
        self.pid, self.status = pid, None

    def wait(self) -> int:
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]
        return self.status

    def stop(self) -> int:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
        return self.wait()


def _watch(worker: _Worker, readable: int, shared: mmap.mmap, limit: float | None) -> bytes:
    """Collect the worker's result; kill it at a deadline and raise what it was doing."""
    start = time.monotonic()
    chunks = []
    while True:
        ready, _, _ = select.select([readable], [], [], _POLL)
        if ready:
            chunk = os.read(readable, 1 << 20)
            if chunk:
                chunks.append(chunk)
                continue
            status = worker.wait()
            data = b"".join(chunks)
            if os.WIFSIGNALED(status) or not data:
                raise _died(status, shared)
            return data
        now = time.monotonic()
        header = _consistent_header(shared)
        if header is None:  # read while the worker wrote it: look again at the next poll
            continue
        _, deadline, timeout, started, _, _ = header
        if now > deadline or (limit is not None and now - start > limit):
            worker.stop()
            raise _stopped(shared, timeout if now > deadline else None, limit, now - started)


def _consistent_header(shared: mmap.mmap) -> tuple | None:
    """The header, if the worker was not writing it while it was read (same even sequence number
    before and after), else None: a torn read of the deadline must never kill a worker."""
    header = _HEADER.unpack_from(shared)
    if header[0] % 2 or _SEQUENCE.unpack_from(shared)[0] != header[0]:
        return None
    return header


def _running(shared: mmap.mmap) -> tuple[str, object]:
    _, _, _, _, what_length, case_length = _HEADER.unpack_from(shared)
    what = bytes(shared[_HEADER.size:_HEADER.size + what_length]).decode(errors="replace")
    case = bytes(shared[_CASE_AT:_CASE_AT + case_length]).decode(errors="replace")
    return what, _decode_case(case)


def _stopped(shared, call_timeout: float | None, limit: float | None, running_for: float) -> UserCodeTimeout:
    what, case = _running(shared)
    if call_timeout is not None:
        return UserCodeTimeout(f"{what} did not return within {call_timeout:g} s, so it was stopped "
                               "(raise --timeout if it is just slow)", case=case)
    inside = f"; it was in {what} for {running_for:.1f} s" if what else ""
    return UserCodeTimeout(f"the check did not finish within its time limit of {limit:g} s, so it was stopped{inside}",
                           case=case)


def _died(status: int, shared) -> UserCodeError:
    what, case = _running(shared)
    how = (f"killed by {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
           else f"exited with status {os.WEXITSTATUS(status)}")
    inside = f" in {what}" if what else ""
    return UserCodeError(f"the worker running the check was {how}{inside}", case=case)
