"""tooltrail.simulator.markov: a second, independently built traffic generator.

People as Markov chains over their role's tools, in their own time zones and rhythms, with the
hard negatives a detector must not page on (batch jobs, a release spike, new hires, on-call
nights, a role change). Its output is a :class:`~tooltrail.simulator.Simulation` like the first
generator's, so ``to_frame``, ``drive`` and the attack library (``simulator.inject``) take it.

    from tooltrail.simulator.markov import MarkovConfig, generate

    sim = generate(MarkovConfig(seed=11))
"""

from .catalog import ANNOTATIONS, ROLES, SERVERS, TOOL_SERVER
from .generate import HARD_NEGATIVES, MarkovConfig, generate

__all__ = [
    "ANNOTATIONS",
    "HARD_NEGATIVES",
    "ROLES",
    "SERVERS",
    "TOOL_SERVER",
    "MarkovConfig",
    "generate",
]
