"""The seven attack scenarios, by name: each builds one labelled incident on a victim's name.

A builder is ``(config, rng, victim, incident_id) -> (episode, calls)``. Every incident lies in
the attack window (the last ``attack_days`` days) and has the shape its docstring promises.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from ._calls import Episode, Victim
from ._exfiltration import bulk_exfiltration, resource_enumeration, slow_low_exfiltration
from ._intrusion import (
    privilege_probing,
    prompt_injection_sequence,
    runaway_agent_loop,
    stolen_key_new_client,
)
from .model import ATTACK_SCENARIOS, SimCall, SimConfig

__all__ = ["SCENARIOS", "Builder"]

Builder = Callable[[SimConfig, random.Random, Victim, str], tuple[Episode, list[SimCall]]]

SCENARIOS: Final[dict[str, Builder]] = {
    "bulk_exfiltration": bulk_exfiltration,
    "slow_low_exfiltration": slow_low_exfiltration,
    "resource_enumeration": resource_enumeration,
    "runaway_agent_loop": runaway_agent_loop,
    "stolen_key_new_client": stolen_key_new_client,
    "privilege_probing": privilege_probing,
    "prompt_injection_sequence": prompt_injection_sequence,
}
assert tuple(SCENARIOS) == ATTACK_SCENARIOS
