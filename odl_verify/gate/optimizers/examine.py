"""One drawn case against the target: every check of the catalog row, collected as findings."""
from __future__ import annotations

import dataclasses
import inspect

from ...definitions.methods.catalog import OptimizerInfo
from ...definitions.methods.optimizer_table import FLAGS
from ...errors import UsageError, UserCodeError, UserCodeTimeout
from .checks import CHECKS, Example, Finding, tensor_list
from .theorem_checks import check_claims

#: checks that read the main run only: run together, so a mutated .grad is reported beside a wrong value
FIRST_CHECKS = ("reference", "inputs")


def target_name(target) -> str:
    return f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"


def accepted_hyperparameters(target, info: OptimizerInfo) -> tuple[set[str], list[str], list[str]]:
    """The row's hyperparameters the target accepts, those it does not (held at torch's default), and
    the implementation flags it accepts."""
    names = set(info.spaces)
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return names, [], list(info.flags)
    kinds = [p.kind for p in parameters.values()]
    positional = [p for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional and inspect.Parameter.VAR_POSITIONAL not in kinds:
        raise UsageError(f"the target {target_name(target)} takes no positional argument for the parameters "
                         f"(expected a torch.optim.Optimizer subclass or a factory (params, **hyperparameters))")
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return names, [], [f for f in info.flags if f in FLAGS]
    accepted = names & set(parameters)
    if "lr" not in accepted:
        raise UsageError(f"the target {target_name(target)} accepts no 'lr' keyword; signature {inspect.signature(target)}")
    return accepted, sorted(names - accepted), [f for f in info.flags if f in parameters]


@dataclasses.dataclass
class Examination:
    example: Example | None
    findings: list


def raised(example: Example, error: UserCodeError, during: str) -> Finding:
    step = getattr(error, "step", None)
    s = example.scenario
    at = {"step": step, **({f"hyperparameters (group {g}, step {step})": s.hyperparameters(g, step)
                            for g in range(len(s.groups))} if step else {})}
    where = "" if during == FIRST_CHECKS[0] else f" (in the {during} check, which runs a variant of the case)"
    return Finding("raises", f"{error}{where}", {**at, **example.case(),
                                                 "initial values": [tensor_list(p) for p in example.params0]}, step=step)


def examine(info: OptimizerInfo, target, scenario, timeout: float, context: dict, accepted: set[str],
            exponent: int = 3, quadratic: dict | None = None, only: str | None = None, everything: bool = False,
            torch_class=None) -> Examination:
    """The findings of the checks on one case: ``only`` one check (shrinking), ``everything`` all of
    them even past a finding (the final report); otherwise it stops after the first check that fails,
    running the reference and input checks together. A timeout propagates (it is not shrunk)."""
    example = Example(info, target, scenario, timeout, context, accepted, exponent, torch_class)
    findings = []
    names = [only] if only in CHECKS else FIRST_CHECKS[:1] if only == "raises" else list(CHECKS)
    name = names[0]
    try:
        for name in names:
            finding = CHECKS[name](example)
            if finding is not None:
                findings.append(finding)
            if findings and not everything and name != FIRST_CHECKS[0]:
                break
    except UserCodeTimeout:
        raise
    except UserCodeError as error:
        findings.append(raised(example, error, name))
    if quadratic is not None and info.claims and not findings and only is None:
        try:
            finding = check_claims(info, target, quadratic, accepted, timeout)
        except UserCodeTimeout:
            raise
        except UserCodeError as error:
            finding = Finding("raises", f"{error} (running the theorem checks on a quadratic)", theorem=True)
        if finding is not None:
            findings.append(finding)
    return Examination(example, findings)

