"""The optimizer gate: a user's optimizer against torch.optim's algorithm, for every row of the
catalog's table (:data:`odl_verify.definitions.methods.catalog.OPTIMIZERS`).

The target (a ``torch.optim.Optimizer`` subclass or a factory ``(params, **hp)`` with torch.optim's
keyword names) runs step by step on drawn problems (:mod:`.scenarios`) and is compared with the
row's reference rule run in float64 (:mod:`.reference`), under a derived tolerance confirmed at 60
digits (:mod:`odl_verify.engine.trajectories`). Also checked (:mod:`.checks`): ``.grad`` is left as
it was, a state_dict round trip continues bit for bit, torch's state_dict and the target's
interchange, permuting entries permutes the trajectory, rescaling the gradients changes nothing
where the method is scale-free, and the theorems the row names hold for the target
(:mod:`.theorem_checks`). A failure is shrunk (:mod:`.shrinking`), replayed with every check,
compared with known convention variants and torch's known defects (:mod:`.diagnosis`), and printed
with two lines that reproduce it (:mod:`.report`).
"""
from ...definitions.methods.catalog import OPTIMIZERS
from .. import register
from .checks import Finding
from .gate import run_gate
from .report import replay
from .scenarios import Scenario
from .theorem_checks import check_claims

__all__ = ["Finding", "Scenario", "check_claims", "replay", "run_gate"]

for _info in OPTIMIZERS.values():
    register(_info.name, f"torch.optim.{_info.torch_class} semantics")(
        lambda target, spec, config, _info=_info: run_gate(_info, target, spec, config))
