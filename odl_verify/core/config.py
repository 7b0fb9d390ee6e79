"""The one run configuration, shared by claim checks, statistical checks and gates."""
from __future__ import annotations

import dataclasses

from ..errors import UsageError


@dataclasses.dataclass(frozen=True)
class CheckConfig:
    """How hard and where to check. ``examples=None`` takes the Hypothesis profile's max_examples."""

    examples: int | None = None
    seed: int = 0
    device: str = "auto"
    #: seconds one call of user code (a gate target, a claim's measure) may take before it counts as hung
    timeout: float = 10.0
    #: the search's own knobs (claims): largest dimension drawn, jittered copies per example,
    #: refinement steps of the adversary and its learning rate
    max_dimension: int | None = None
    restarts: int = 15
    refine_steps: int = 30
    learning_rate: float = 0.05
    #: calls allowed after the first failure, while Hypothesis shrinks it (bounded and deterministic)
    shrink_calls: int = 100
    #: gates: conditions every drawn case must meet (``--domain 'rho < 1'``), narrowing what is checked
    domain: tuple[str, ...] = ()

    def __post_init__(self):
        if self.examples is not None and self.examples < 1:
            raise UsageError(f"examples must be at least 1, not {self.examples}")
        if self.seed < 0:
            raise UsageError(f"the seed must be a nonnegative integer, not {self.seed}")
        if not self.timeout > 0:
            raise UsageError(f"the timeout must be positive seconds, not {self.timeout}")
        # one condition or several, stored as a tuple so the config stays hashable
        object.__setattr__(self, "domain", (self.domain,) if isinstance(self.domain, str) else tuple(self.domain))

    def example_count(self) -> int:
        """The examples per check: the configured count, else the loaded Hypothesis profile's."""
        if self.examples is not None:
            return self.examples
        from hypothesis import settings
        return settings.default.max_examples
