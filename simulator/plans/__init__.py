"""tooltrail.simulator.plans: agent runs driven by plans and people's calendars (built blind).

A held-out traffic generator for the detection benchmark (issue 12), written without reading
the detectors or the other generators: people with calendars from a semi-Markov day model in
their own time zones (daylight saving, trips, holidays, part-timers, joiners and leavers, role
changes, shifts and on-call), whose agents pursue hierarchical plans (goal → subgoals → tool
calls) with latency, retries, pagination, parallel calls and sub-agents; CI and scheduled
service accounts; real MCP servers' tools with full, partial or absent annotations; labelled
hard negatives on the scored (last) day; and its own attack injector. See ``docs/plans.md``.

    from tooltrail.simulator.plans import ANNOTATIONS, PlansConfig, generate, inject

    sim = inject(generate(PlansConfig(seed=1)), intensity="mid", seed=1)
"""

from .catalogue import ANNOTATIONS, TOOLS, server_of
from .config import HARD_NEGATIVES, PlansConfig, PlansError
from .generate import generate
from .inject import FAMILIES, INTENSITIES, KNOBS, inject

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "TOOLS",
    "PlansConfig",
    "PlansError",
    "generate",
    "inject",
    "server_of",
]
