"""tooltrail.simulator.fleet: a fourth traffic generator, an organisation as work queues.

Built blind, as the held-out test of detection: its author read none of the other generators,
the attack library's code or the detectors. Teams receive work items (bugs, PR reviews, data
requests, customer tickets, alerts) on business calendars with holidays; people in their own
time zones, weekly patterns and shifts take them from their team's queue (else their backlog)
and an agent on one of their seats (IDE, CLI, chat app) carries each out as MCP calls against
public-style servers (annotated where those servers annotate), with retries and backoff through
outages and rate limits; on-call engineers are paged at night; service accounts shared by
several jobs run schedules and follow pull requests. The last two days hold labelled hard
negatives (:data:`HARD_NEGATIVES`). ``attacks.inject`` adds the five attack families of
``simulator.inject`` in shapes of its own.

    from tooltrail.simulator.fleet import ANNOTATIONS, FleetConfig, generate, inject

    sim = inject(generate(FleetConfig(seed=1)), intensity="mid", seed=1)
"""

from .attacks import inject
from .catalog import ANNOTATIONS, SERVERS
from .generate import SCORED_DAYS, FleetConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "HARD_NEGATIVES",
    "SCORED_DAYS",
    "SERVERS",
    "FleetConfig",
    "generate",
    "inject",
]
