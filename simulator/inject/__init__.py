"""tooltrail.simulator.inject: an attack library with intensity knobs, for any generator.

from tooltrail.simulator import SimConfig, simulate
from tooltrail.simulator.inject import inject

sim = inject(simulate(SimConfig(seed=1, scenarios=())), intensity="mid", seed=1)
"""

from .library import (
    FAMILIES,
    INTENSITIES,
    KNOBS,
    Victim,
    check_choice,
    inject,
    is_destructive_name,
)

__all__ = [
    "FAMILIES",
    "INTENSITIES",
    "KNOBS",
    "Victim",
    "check_choice",
    "inject",
    "is_destructive_name",
]
