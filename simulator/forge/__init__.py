"""tooltrail.simulator.forge: a software company's engineering org on MCP, built blind.

A held-out test of detection: its author read none of the other generators, the attack
library's code or the detectors (``docs/forge.md`` lists what was and was not read). Traffic is
the side effect of a **work graph**: issues become branches, coding-agent sessions, pull
requests, CI runs, reviews, merges and deploys; around it run pages and on-call nights, a weekly
release train, a code freeze, a hackathon, a team move, a late joiner, leave, and the service
identities (CI runners, dependency and review bots, nightly backup, branch janitor, pollers).
Eleven servers annotate their 81 tools fully, partly or not at all. Fourteen days, the last
scored with labelled hard negatives (:data:`HARD_NEGATIVES`); ``inject`` adds the five attack
families in shapes of this world (:data:`KNOBS`).

    from tooltrail.simulator.forge import ANNOTATIONS, ForgeConfig, generate, inject

    sim = inject(generate(ForgeConfig(seed=1)), intensity="mid", seed=1)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import ForgeConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "ForgeConfig",
    "generate",
    "inject",
    "server_of",
]
