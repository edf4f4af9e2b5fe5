"""tooltrail.simulator.tides: a fifth traffic generator, self-exciting bursts and heavy tails.

Built blind, as a held-out test of detection: its author read none of the other generators, the
attack library's code or the detectors. Every person × client is a Hawkes process: a baseline
rate on the person's own weekly rhythm in their own time zone, each call exciting follow-ups
with a decaying kernel, so activity comes in bursts of very different lengths. Tools come from a
per-person sparse mixture of topics (each a distribution over tools across servers) that drifts
over the fortnight; activity is Zipf-distributed across people; sizes are log-normal with Pareto
tails; error rates vary by server and day. Two offices in distant time zones, a 24/7 support
rota, contractors, cron service accounts and a growing data pipeline make up the organisation.
The last day holds labelled hard negatives (:data:`HARD_NEGATIVES`); ``inject`` adds the five
attack families of ``simulator.inject`` in shapes of its own. See ``docs/tides.md``.

    from tooltrail.simulator.tides import ANNOTATIONS, TidesConfig, generate, inject

    sim = inject(generate(TidesConfig(seed=1)), intensity="mid", seed=1)
"""

from .attacks import KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS
from .generate import SCORED_DAYS, TidesConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "HARD_NEGATIVES",
    "KNOBS",
    "SCORED_DAYS",
    "SERVERS",
    "TidesConfig",
    "generate",
    "inject",
]
