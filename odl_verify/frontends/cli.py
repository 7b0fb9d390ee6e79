"""``odl-verify``: list theorems, check claims, replay counterexamples.

Exit codes: 0 nothing falsified, 1 something falsified, 2 bad usage or an error
(with a one-line reason on stderr; reports are still written), 130 interrupted by
Ctrl-C and 143 by SIGTERM (what finished is written, marked as interrupted).

Imports are lazy: ``--help`` and ``--version`` load neither torch nor sympy.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import signal
import sys
import time
from typing import Callable, Sequence

from ..errors import UsageError, UserCodeError

EXIT_HELD, EXIT_FALSIFIED, EXIT_USAGE = 0, 1, 2


class Terminated(KeyboardInterrupt):
    """SIGTERM: ends a run as Ctrl-C does (what finished is written), with exit code 143."""


def interrupted_code(exc: KeyboardInterrupt) -> int:
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


GATE_METHODS = ("an optimizer of torch.optim (sgd, adam, ..., lbfgs), an lr scheduler (step_lr, ...), clip_grad_norm, "
                "clip_grad_value, or an initializer of torch.nn.init (kaiming_normal, xavier_uniform, orthogonal, ..., "
                "calculate_gain); see README")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _number(convert: Callable[[str], float], low: float, *, strict: bool, kind: str):
    """An argparse type: a number above ``low`` (or at it, unless ``strict``), one message for
    anything else, so ``--examples 0``, ``-3`` and ``three`` are refused alike."""
    bound = f"{'>' if strict else '≥'} {low:g}"

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"expected {kind} {bound}, got {text!r}")
        return value
    parse.__name__ = kind  # argparse names the type in some messages
    return parse


def _report_path(text: str) -> str:
    from .report import report_path
    return report_path(text)


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("odl-verify")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``gate``."""
    from ..core.profiles import PROFILES
    parser.add_argument("--examples", type=_number(int, 1, strict=False, kind="an integer"), default=None,
                        help="Hypothesis examples per claim (default: the profile's)")
    parser.add_argument("--seed", type=_number(int, 0, strict=False, kind="an integer"), default=0,
                        help="search seed (default 0)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None,
                        help="Hypothesis profile: quick (default) or thorough")
    parser.add_argument("--json", metavar="PATH", help="write the verdicts as JSON (after each claim)")
    parser.add_argument("--report", metavar="PATH.html", type=_report_path,
                        help="write a self-contained HTML report (and its data as PATH.json)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="odl-verify", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="show the theorems and their statements")
    check = commands.add_parser("check", help="try to falsify theorems or claims in your own files")
    check.add_argument("targets", nargs="*", metavar="THEOREM|FILE.py",
                       help="theorem names (see 'list'), FILE.py or FILE.py:CLAIM; all theorems when none")
    add_run_options(check)
    check.add_argument("--timeout", type=_number(float, 0, strict=True, kind="seconds"), default=None,
                       help="seconds one claim's check may take before it is stopped as hung (default: no "
                            "limit, but one call of a claim's measure is stopped after 10 s)")
    check.add_argument("--progress", action="store_true",
                       help="print progress on stderr even when it is not a terminal")
    gate = commands.add_parser("gate", help="check your optimizer or initializer against the method")
    gate.add_argument("method", help=GATE_METHODS)
    gate.add_argument("target", help="package.module:attr or path/to/file.py:attr")
    add_run_options(gate)
    gate.add_argument("--timeout", type=_number(float, 0, strict=True, kind="seconds"), default=10.0,
                      help="seconds one call of the target may take before it counts as hung (default 10)")
    gate.add_argument("--domain", action="append", default=[], metavar="CONDITION",
                      help="draw only cases meeting CONDITION, e.g. 'rho < 1' or 'not (foreach and nesterov)' "
                           "(repeatable)")
    replay = commands.add_parser("reproduce", help="replay a counterexample in float64 and high precision")
    replay.add_argument("claim", help="a theorem name or FILE.py:CLAIM, as printed with the counterexample")
    replay.add_argument("--case", required=True, help="the counterexample's JSON, as printed")
    return parser


# ------------------------------------------------------------------ output
def say(text: str = "") -> None:
    """Print to stdout; a reader that went away (``| head``) silences the rest, the run goes on."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        os.close(devnull)


def note(text: str) -> None:
    """A line on stderr (a closed stderr is not worth a traceback)."""
    try:
        print(f"odl-verify: {text}", file=sys.stderr, flush=True)
    except BrokenPipeError:
        pass


def complain(text: str) -> None:
    note(f"error: {text}")


class Progress:
    """``[k/n] name, elapsed, about N left`` on stderr: on a terminal, or when asked."""

    def __init__(self, total: int, shown: bool):
        self.total, self.shown, self.start, self.done = total, shown, time.monotonic(), 0

    def starting(self, name: str) -> None:
        if not self.shown:
            return
        elapsed = time.monotonic() - self.start
        left = (f", about {_duration(elapsed / self.done * (self.total - self.done))} left" if self.done
                else "")
        note(f"[{self.done + 1}/{self.total}] {name} (elapsed {_duration(elapsed)}{left})")

    def finished(self) -> None:
        self.done += 1


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Outputs:
    """``--json`` and ``--report``: checked before any work, the JSON rewritten after each
    verdict (atomically), the report at the end or at an interruption, with what finished
    (an interruption before anything finished leaves earlier files as they were)."""

    def __init__(self, args, planned: int = 1):
        from .report import check_output_paths
        self.args, self.planned = args, planned
        check_output_paths(json=args.json, report=args.report)
        self.command = shlex.join(["odl-verify", *args.argv])

    def progress(self, verdicts) -> None:
        if self.args.json:
            self._json(verdicts, complete=False)

    def final(self, verdicts, interrupted: bool = False) -> None:
        if interrupted and not verdicts:  # nothing finished: a previous run's files stay as they were
            return
        if self.args.json:
            self._json(verdicts, complete=not interrupted, interrupted=interrupted)
        if self.args.report:
            from .report import environment, write_report
            extra = {"interrupted": f"after {len(verdicts)} of {self.planned} checks"} if interrupted else {}
            write_report(self.args.report, verdicts,
                         environment(seed=self.args.seed, device=_device_name(self.args.device),
                                     command=self.command, **extra))

    def _json(self, verdicts, complete: bool, interrupted: bool = False) -> None:
        from ..core.verdict import dumps
        from .report import atomic_write
        state = {"complete": complete, **({"interrupted": True} if interrupted else {})}
        atomic_write(self.args.json, dumps(verdicts, seed=self.args.seed, command=self.command,
                                           planned=self.planned, **state))


def _device_name(device: str) -> str:
    from ..definitions.backend import resolve_device
    return str(resolve_device(device))


# ------------------------------------------------------------------ commands
def command_list(_args) -> int:
    from . import registry
    for module in registry.theorem_modules().values():
        for claim in registry.checkables(module):
            kind = ("tight" if claim.tight else "upper bound") if claim.kind == "claim" else claim.kind
            say(f"{claim.name}  ({claim.title}; {claim.reference}; {kind})")
            say(f"    {claim.statement()}")
    return EXIT_HELD


def run_config(args, **extra):
    from ..core import profiles
    from ..core.config import CheckConfig
    if args.profile:
        profiles.load(args.profile)
    _device_name(args.device)  # a device that is not there is bad usage, before any work
    return CheckConfig(examples=args.examples, seed=args.seed, device=args.device, **extra)


def exit_code(verdicts) -> int:
    from ..core.verdict import ERROR, FALSIFIED
    if any(v.status == ERROR for v in verdicts):
        return EXIT_USAGE
    return EXIT_FALSIFIED if any(v.status == FALSIFIED for v in verdicts) else EXIT_HELD


def checked(name: str, title: str, run, *, config, kind: str = "claim"):
    """Run one check; whatever stops it (user code that hangs, a file that does not import, a
    crash inside the engine) becomes an error verdict, so the other checks still run and every
    output is still written."""
    from ..core.text import user_code_error_text
    from ..core.verdict import error_verdict
    fields = dict(seed=config.seed, kind=kind, device=_device_name(config.device))
    start = time.perf_counter()
    try:
        return run()
    except UserCodeError as exc:
        details = {"case": exc.case} if exc.case is not None else {}
        error = f"{name}: {user_code_error_text(exc)}"
    except UsageError as exc:
        details, error = {}, str(exc)
    except Exception as exc:
        details, error = {}, f"{name} crashed: {type(exc).__name__}: {exc}"
    return error_verdict(name, title, error, details=details, seconds=time.perf_counter() - start, **fields)


def load_targets(targets: list[str], config) -> list:
    """Each target's claims, or an error verdict where it does not load (a file that raises on
    import, defines no claims...); an unknown theorem name is bad usage."""
    from . import registry
    loaded: list = []
    for target in targets or [None]:
        if target is not None and not target.endswith(".py") and ".py:" not in target:
            found = registry.resolve([target])  # a theorem name: unknown is a usage error, before any work
        else:
            found = checked(target, "could not be loaded", lambda: registry.resolve([target] if target else []),
                            config=config)
        for item in found if isinstance(found, list) else [found]:
            if all(item is not seen for seen in loaded):
                loaded.append(item)
    return loaded


def command_check(args) -> int:
    from ..core.text import format_verdict
    from ..core.verdict import ERROR, Verdict
    from ..engine.checking import check_guarded
    config = run_config(args, **({"timeout": args.timeout} if args.timeout else {}))
    outputs = Outputs(args)
    items = load_targets(args.targets, config)
    outputs.planned = len(items)
    progress = Progress(len(items), shown=args.progress or sys.stderr.isatty())
    verdicts: list = []
    try:
        for item in items:
            if isinstance(item, Verdict):  # a target that did not load
                verdict = item
            else:
                progress.starting(item.name)
                verdict = checked(item.name, item.title, lambda: check_guarded(item, config, limit=args.timeout),
                                  config=config, kind=item.kind)
            verdicts.append(verdict)
            progress.finished()
            outputs.progress(verdicts)
            say(format_verdict(verdict))
    except KeyboardInterrupt as exc:
        outputs.final(verdicts, interrupted=True)
        complain(f"interrupted after {len(verdicts)} of {len(items)} claims"
                 + ("; what finished is written" if args.json or args.report else ""))
        return interrupted_code(exc)
    outputs.final(verdicts)
    code = exit_code(verdicts)
    counts = {s: sum(v.status == s for v in verdicts) for s in ("held", "falsified", "error")}
    say(f"\n{len(verdicts)} claims: {counts['held']} held, {counts['falsified']} falsified, "
        f"{counts['error']} errors (exit {code})")
    for verdict in verdicts:
        if verdict.status == ERROR:
            complain(verdict.error)
    return code


def command_gate(args) -> int:
    from ..core.text import format_verdict
    from ..core.verdict import ERROR
    from ..gate import check
    config = run_config(args, timeout=args.timeout, domain=tuple(args.domain))
    outputs = Outputs(args)
    try:
        verdict = checked(f"gate:{args.method}", args.target, lambda: check(args.method, args.target, config),
                          config=config, kind="gate")
    except KeyboardInterrupt as exc:
        outputs.final([], interrupted=True)
        complain("interrupted")
        return interrupted_code(exc)
    outputs.final([verdict])
    say(format_verdict(verdict))
    if verdict.status == ERROR:
        complain(verdict.error)
    return exit_code([verdict])


def command_reproduce(args) -> int:
    from . import registry
    try:
        case = json.loads(args.case)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--case is not valid JSON: {exc}") from None
    claims = registry.resolve([args.claim])
    if len(claims) != 1:
        raise UsageError(f"{args.claim!r} names {len(claims)} claims; name one, as FILE.py:CLAIM")
    from ..engine.search import reproduce
    result = reproduce(claims[0], case)
    say(json.dumps(result, indent=1))
    return EXIT_FALSIFIED if result["violated"] else EXIT_HELD


COMMANDS = {"list": command_list, "check": command_check, "gate": command_gate, "reproduce": command_reproduce}


def _terminated(signum, frame):
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    previous = signal.signal(signal.SIGTERM, _terminated) if _main_thread() else None
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = build_parser().parse_args(argv)
        args.argv = argv
        return COMMANDS[args.command](args)
    except UsageError as exc:
        complain(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        complain("interrupted")
        return interrupted_code(exc)
    except BrokenPipeError:  # a closed pipe outside say() (argparse's help, say): the shell's code for it
        return 128 + signal.SIGPIPE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
