"""tooltrail.simulator.sessions: a third traffic generator, held out from detector tuning.

An organisation's MCP traffic as agent sessions: people in their own time zones and weekly
rhythms start tasks; an LLM agent carries each out as a run of tool calls from its team's task
templates on a catalogue of public-style MCP servers (annotated where those servers annotate);
service accounts run scheduled jobs; the last day holds labelled hard negatives. Built apart
from ``simulator/`` and ``simulator/markov/`` (neither read in its making), so detection numbers
on it are numbers on traffic nobody tuned against. Output: a
:class:`~tooltrail.simulator.Simulation`, which ``to_frame``, ``drive`` and the attack library
(``simulator.inject``, with ``annotations=ANNOTATIONS``) take.

    from tooltrail.simulator.sessions import ANNOTATIONS, SessionsConfig, generate

    sim = generate(SessionsConfig(seed=1))
"""

from .catalog import ANNOTATIONS, SERVERS, TOOLS, Tool
from .generate import HARD_NEGATIVES, SessionsConfig, generate

__all__ = [
    "ANNOTATIONS",
    "HARD_NEGATIVES",
    "SERVERS",
    "TOOLS",
    "SessionsConfig",
    "Tool",
    "generate",
]
