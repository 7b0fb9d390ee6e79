"""The optimizer gate's loop: draw cases (Hypothesis, generation only), stop at the first finding,
shrink it in the scenario's own terms, replay the shrunk case with every check, diagnose it, and
build the verdict."""
from __future__ import annotations

import dataclasses
import time

import torch
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from ...core.config import CheckConfig
from ...core.verdict import ERROR, FALSIFIED, Verdict, open_verdict
from ...definitions.backend import resolve_device
from ...definitions.methods.catalog import OptimizerInfo
from ...definitions.methods.optimizer_table import FLAGS
from ...engine.calls import call_user_code, on_case
from ...errors import UsageError, UserCodeError, UserCodeTimeout
from .. import GateStatement
from ..domain import CONSTANTS, conditions
from ..search import first_failure, greedy_shrink
from .diagnosis import diagnose, known_defects
from .examine import accepted_hyperparameters, examine
from .report import counterexample
from .running import TARGET_DEVICE
from .scenarios import Scenario, scenarios, with_flags
from .shrinking import candidates
from .theorem_checks import quadratic_cases

#: candidates the shrinker may run (each a few short target runs)
GATE_SHRINK_CALLS = 40


@dataclasses.dataclass
class Drawn:
    """One drawn case: the scenario, the rescaling exponent, the quadratic of the theorem checks."""

    scenario: Scenario
    exponent: int
    quadratic: dict | None

    def __iter__(self):
        return iter((self.scenario, self.exponent, self.quadratic))

    def to_json(self) -> dict:
        return {"scenario": self.scenario.to_json(), "exponent": self.exponent, "quadratic": self.quadratic}


def _schedulable(target, info: OptimizerInfo, timeout: float) -> bool:
    """Whether the target exposes torch's param_groups (a schedule changes them between steps)."""
    probe = torch.zeros(1, requires_grad=True)
    try:
        optimizer = call_user_code("constructing the optimizer", timeout, target, [probe], lr=info.defaults["lr"])
    except UserCodeError:
        return False
    return isinstance(getattr(optimizer, "param_groups", None), list)


def _check_domain_names(info: OptimizerInfo, domain, context: dict) -> None:
    sample = Scenario(method=info.name, dtype="float64", default_dtype="float32", shapes=[(1,)], defaults={},
                      groups=[([0], {})], flags={}, kinds=[["none"]], scales=[0], init_scale=0, data_seed=0,
                      roundtrip_step=0)
    known = set(info.spaces) | set(FLAGS) | set(sample.case_names()) | set(context) | set(CONSTANTS)
    for condition in domain:
        unknown = condition.names - known
        if unknown:
            raise UsageError(f"--domain {condition.text!r} names {', '.join(sorted(unknown))}; the {info.name} gate "
                             f"knows {', '.join(sorted(known))}")


def run_gate(info: OptimizerInfo, target, spec: str, config: CheckConfig) -> Verdict:
    if not callable(target):
        raise UsageError(f"target {spec!r} is not callable")
    accepted, skipped, flags = accepted_hyperparameters(target, info)
    device = resolve_device(config.device)
    # the names of a case beside its drawn values: the device, and torch's defaults where the target runs at them
    context = {"device": device.type, "fused_supported": device.type in info.fused_on,
               **{k: v for k, v in info.defaults.items() if k in skipped}}
    domain = conditions(config.domain)
    _check_domain_names(info, domain, context)
    torch_class = getattr(torch.optim, info.torch_class)
    schedulable = _schedulable(target, info, config.timeout)
    statement = GateStatement(
        info.name, title=f"{spec} computes torch.optim.{info.torch_class}",
        statement=f"every step of {spec} equals torch.optim.{info.torch_class}'s update (float64 reference, "
                  "derived tolerance), and its invariances and theorems hold",
        reference=f"torch.optim.{info.torch_class} algorithm box (torch {torch.__version__}); docs/theory.md §6",
        description=f"{info.name}: odl_verify.definitions.methods.catalog.OPTIMIZERS[{info.name!r}]")
    verdict = open_verdict(statement, seed=config.seed, device=device)
    notes = verdict.details.setdefault("notes", [])
    if skipped:
        notes.append(f"not accepted by the target, so held at torch's default and not checked: {', '.join(skipped)}")
    notes.extend(info.notes)
    notes.append(f"implementation flags drawn: {', '.join(flags)}" if flags else
                 "the target accepts no implementation flag (foreach, fused, capturable, differentiable)")
    if not schedulable:
        notes.append("no schedule and no tensor lr drawn: the target has no param_groups to change")
    if config.domain:
        notes.append(f"domain narrowed to: {'; '.join(config.domain)}")
    verdict.details["tolerance"] = ("u·(8·t·(max|θ_s| + max|θ_s − θ_{s−1}|) + 16·κ_t), κ_t = the reference's error "
                                    "in float32 (and the target's half precision) in its own ulps; confirmed at 60 digits")
    stats = {"examples": 0, "steps": 0, "ill_conditioned": 0, "worst": 0.0, "deviations": {}, "interop": None}
    coverage: dict[str, list] = {"dtype": [], "steps": [], "parameters": [], "groups": [], "flags": [], "schedule": []}
    torch_target = target is torch_class
    examined = {}

    def prepare(drawn, turn):
        # the flags go round every combination torch allows, one per example (Hypothesis's own picks cluster)
        scenario, exponent, quadratic = drawn
        return Drawn(with_flags(scenario, flags, context, domain + conditions(info.constraints), turn), exponent,
                     quadratic)

    def run(drawn):
        with on_case(drawn.scenario.to_json()):  # named by a timeout, should the target hang on it
            examination = examine(info, target, drawn.scenario, config.timeout, context, accepted, drawn.exponent,
                                  drawn.quadratic, torch_class=None if torch_target else torch_class)
        examined["last"] = examination.example
        return examination.findings[0] if examination.findings else None

    start = time.perf_counter()
    placed = TARGET_DEVICE.set(device)
    try:
        strategy = st.tuples(scenarios(info, accepted, flags, context, domain, schedulable), st.integers(-8, 8),
                             quadratic_cases() if info.claims else st.none())
        try:
            failure = first_failure(strategy, run, config, lambda drawn: _tally(examined["last"], stats, coverage),
                                    prepare)
        except Unsatisfiable:
            raise UsageError(f"the domain ({'; '.join(config.domain) or 'torch’s own rules'}) leaves no case to draw "
                             f"for {info.name}") from None
        if failure is not None:
            _report(verdict, info, target, spec, config, context, accepted, failure,
                    None if torch_target else torch_class)
    finally:
        TARGET_DEVICE.reset(placed)
    verdict.seconds = time.perf_counter() - start
    verdict.examples, verdict.instances = stats["examples"], stats["steps"]
    verdict.coverage = coverage
    checks = ["reference", "inputs", "state_dict"] + ([] if torch_target else ["state_dict interop"])
    checks += (["permutation"] if info.permutation else []) + (["rescaling"] if info.rescaling else []) + list(info.claims)
    verdict.details.update(worst_error_over_tolerance=stats["worst"], ill_conditioned_entries=stats["ill_conditioned"],
                           skipped_hyperparameters=skipped, flags=flags, checks=checks)
    for name, count in sorted(stats["deviations"].items()):
        quirk = next(q for q in info.quirks if q.name == name)
        notes.append(f"on {count} examples the target follows torch 2.13's declared deviation {name}: {quirk.reason}")
    if stats["interop"]:
        notes.append(stats["interop"])
    if stats["ill_conditioned"]:
        notes.append(f"{stats['ill_conditioned']} entries non-finite in the target where the reference run in its "
                     "own precision is non-finite too (the dtype, not the target)")
    return verdict


def _tally(example, stats: dict, coverage: dict) -> None:
    s = example.scenario
    stats["examples"] += 1
    stats["steps"] += s.steps
    stats["ill_conditioned"] += example.ill_conditioned
    stats["worst"] = max(stats["worst"], example.worst)
    for name in example.deviations_matched:
        stats["deviations"][name] = stats["deviations"].get(name, 0) + 1
    stats["interop"] = stats["interop"] or example.interop_note
    coverage["dtype"].append(s.dtype)
    coverage["steps"].append(s.steps)
    coverage["parameters"].append(len(s.shapes))
    coverage["groups"].append(len(s.groups))
    coverage["flags"].append(",".join(f"{k}={v}" for k, v in sorted(s.flags.items())) or "none")
    coverage["schedule"].append("tensor lr" if s.tensor_lr else "changes" if s.schedule else "none")


def _report(verdict: Verdict, info, target, spec, config, context, accepted, failure, torch_class) -> None:
    """Shrink the failing case, replay it with every check, and put it in the verdict."""
    (scenario, exponent, quadratic), found = failure
    if isinstance(found, UserCodeTimeout):
        verdict.status, verdict.error = ERROR, f"{spec}: {found}"
        verdict.counterexample = counterexample(info, spec, config, {"scenario": scenario.to_json(), "exponent": exponent},
                                                None, [], [], [], scenario, shrunk=False)
        return
    if not found.theorem:
        domain = conditions(config.domain) + conditions(info.constraints)

        def fails(candidate):
            outcome = examine(info, target, candidate, config.timeout, context, accepted, exponent, only=found.check,
                              torch_class=torch_class).findings
            same = [f for f in outcome if f.check == found.check
                    and (f.check != "raises" or _exception(f.message) == _exception(found.message))]
            return same[0] if same else None

        def valid(candidate):
            return candidate.satisfies(domain, context)

        scenario, found = greedy_shrink(scenario, found, lambda s, f: candidates(s, f.step, info.defaults, f.check),
                                        fails, valid, min(config.shrink_calls, GATE_SHRINK_CALLS))
    final = examine(info, target, scenario, config.timeout, context, accepted, exponent, everything=True,
                    torch_class=torch_class)
    findings = final.findings if not found.theorem else [found]
    headline = next((f for f in findings if f.check == found.check), found)
    others = [f for f in findings if f is not headline]
    # a wrong value anywhere on the case (the headline, or found beside it) is compared with the known variants
    diagnosis = diagnose(final.example) if any(f.check == "reference" for f in findings) else []
    defects = known_defects(final.example, headline.check) if not headline.theorem else []
    case = ({"claim": headline.check, "quadratic": quadratic} if headline.theorem else
            {"scenario": scenario.to_json(), "exponent": exponent})
    verdict.counterexample = counterexample(info, spec, config, case, headline, others, diagnosis, defects, scenario)
    if headline.check == "raises":
        verdict.status = ERROR
        verdict.error = f"{spec}: {headline.message} (shrunk case and replay line below)"
    else:
        verdict.status = FALSIFIED
        if headline.plot:
            plot = headline.plot
            verdict.add_plot(plot["title"], plot["series"], xlabel=plot["xlabel"], ylabel=plot["ylabel"],
                             yscale=plot["yscale"])


def _exception(message: str) -> str:
    """'TypeError' from '... raised TypeError: ...': a raise shrinks to a raise of the same kind."""
    return message.split(" raised ", 1)[-1].split(":", 1)[0]
