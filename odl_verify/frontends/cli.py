"""``odl-verify``: list theorems, check claims, replay counterexamples.

Exit codes: 0 nothing falsified, 1 something falsified, 2 bad usage or an error
(with a one-line reason on stderr; reports are still written).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from ..core import profiles
from ..core.config import CheckConfig
from ..core.text import format_verdict
from ..core.verdict import ERROR, FALSIFIED, Verdict, dumps, error_verdict
from ..errors import UsageError
from . import registry

EXIT_HELD, EXIT_FALSIFIED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a nonnegative integer, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _nonnegative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a positive integer, got 0")
    return value


def _report_path(text: str) -> str:
    from .report import report_path
    return report_path(text)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``gate``."""
    parser.add_argument("--examples", type=_positive_int, default=None,
                        help="Hypothesis examples per claim (default: the profile's)")
    parser.add_argument("--seed", type=_nonnegative_int, default=0, help="search seed (default 0)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default=None,
                        help="Hypothesis profile: quick (default) or thorough")
    parser.add_argument("--json", metavar="PATH", help="write the verdicts as JSON")
    parser.add_argument("--report", metavar="PATH.html", type=_report_path,
                        help="write a self-contained HTML report (and its data as PATH.json)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="odl-verify", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="show the theorems and their statements")
    check = commands.add_parser("check", help="try to falsify theorems or claims in your own files")
    check.add_argument("targets", nargs="*", metavar="THEOREM|FILE.py",
                       help="theorem names (see 'list'), FILE.py or FILE.py:CLAIM; all theorems when none")
    add_run_options(check)
    gate = commands.add_parser("gate", help="check your optimizer or initializer against the method")
    gate.add_argument("method", help="an optimizer of torch.optim (sgd, adam, ..., lbfgs), an lr scheduler (step_lr, ...), "
                                     "clip_grad_norm, clip_grad_value, or an initializer of torch.nn.init (kaiming_normal, "
                                     "xavier_uniform, orthogonal, ..., calculate_gain); see README")
    gate.add_argument("target", help="package.module:attr or path/to/file.py:attr")
    add_run_options(gate)
    gate.add_argument("--timeout", type=float, default=10.0,
                      help="seconds one call of the target may take before it counts as hung (default 10)")
    gate.add_argument("--domain", action="append", default=[], metavar="CONDITION",
                      help="draw only cases meeting CONDITION, e.g. 'rho < 1' or 'not (foreach and nesterov)' "
                           "(repeatable)")
    replay = commands.add_parser("reproduce", help="replay a counterexample in float64 and high precision")
    replay.add_argument("claim", help="a theorem name or FILE.py:CLAIM, as printed with the counterexample")
    replay.add_argument("--case", required=True, help="the counterexample's JSON, as printed")
    return parser


def command_list(_args) -> int:
    for name, module in registry.theorem_modules().items():
        for claim in registry.checkables(module):
            kind = ("tight" if claim.tight else "upper bound") if claim.kind == "claim" else claim.kind
            print(f"{claim.name}  ({claim.title}; {claim.reference}; {kind})")
            print(f"    {claim.statement()}")
    return EXIT_HELD


def run_config(args, **extra) -> CheckConfig:
    if args.profile:
        profiles.load(args.profile)
    from ..definitions.backend import resolve_device
    resolve_device(args.device)
    return CheckConfig(examples=args.examples, seed=args.seed, device=args.device, **extra)


def exit_code(verdicts: Sequence[Verdict]) -> int:
    if any(v.status == ERROR for v in verdicts):
        return EXIT_USAGE
    return EXIT_FALSIFIED if any(v.status == FALSIFIED for v in verdicts) else EXIT_HELD


def write_outputs(args, verdicts: list[Verdict]) -> None:
    """Everything asked for is written, whatever the verdicts were."""
    if args.json:
        from .report import atomic_write
        atomic_write(args.json, dumps(verdicts, seed=args.seed, command=" ".join(sys.argv[1:])))
    if args.report:
        from ..definitions.backend import resolve_device
        from .report import environment, write_report
        write_report(args.report, verdicts, environment(seed=args.seed, device=str(resolve_device(args.device)),
                                                        command="odl-verify " + " ".join(sys.argv[1:])))


def checked(name: str, title: str, run) -> Verdict:
    """Run one check; a crash inside it becomes an error verdict, so the other checks still run
    and every report is still written (bad usage still stops the command)."""
    try:
        return run()
    except UsageError:
        raise
    except Exception as exc:
        return error_verdict(name, title, f"{name} crashed: {type(exc).__name__}: {exc}")


def command_check(args) -> int:
    from ..engine.checking import check
    config = run_config(args)
    claims = registry.resolve(args.targets)
    verdicts = []
    for claim in claims:
        verdict = checked(claim.name, claim.title, lambda: check(claim, config))
        verdicts.append(verdict)
        print(format_verdict(verdict), flush=True)
    write_outputs(args, verdicts)
    code = exit_code(verdicts)
    counts = {s: sum(v.status == s for v in verdicts) for s in ("held", "falsified", "error")}
    print(f"\n{len(verdicts)} claims: {counts['held']} held, {counts['falsified']} falsified, "
          f"{counts['error']} errors (exit {code})")
    for verdict in verdicts:
        if verdict.status == ERROR:
            print(f"odl-verify: error: {verdict.error}", file=sys.stderr)
    return code


def command_gate(args) -> int:
    from ..gate import check
    config = run_config(args, timeout=args.timeout, domain=tuple(args.domain))
    verdict = checked(f"gate:{args.method}", args.target, lambda: check(args.method, args.target, config))
    print(format_verdict(verdict), flush=True)
    write_outputs(args, [verdict])
    if verdict.status == ERROR:
        print(f"odl-verify: error: {verdict.error}", file=sys.stderr)
    return exit_code([verdict])


def command_reproduce(args) -> int:
    try:
        case = json.loads(args.case)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--case is not valid JSON: {exc}") from None
    claims = registry.resolve([args.claim])
    if len(claims) != 1:
        raise UsageError(f"{args.claim!r} names {len(claims)} claims; name one, as FILE.py:CLAIM")
    from ..engine.search import reproduce
    result = reproduce(claims[0], case)
    print(json.dumps(result, indent=1))
    return EXIT_FALSIFIED if result["violated"] else EXIT_HELD


COMMANDS = {"list": command_list, "check": command_check, "gate": command_gate, "reproduce": command_reproduce}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"odl-verify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("odl-verify: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
