"""tooltrail.simulator.wards: a hospital's clinical and operations staff on MCP, built blind.

A held-out test of detection: its author read none of the other generators, the attack
library's code or the detectors (``docs/wards.md`` lists what was and was not read). Traffic is
the side effect of **patient flow and shifts**: patients arrive in the ED (by hour and weekday)
or electively, are triaged, assessed, admitted to wards or ICU, rounded on, nursed, dispensed
to, discharged and coded; each step is done by whoever is on shift for that unit in a rota of
12-hour nurse shifts, doctors' days, long days and nights, bed managers round the clock,
consultants on call from home, office roles, agency staff, leave and a unit move. Service
identities (lab interface, dispensing robot, nightly EHR backup, retention purge, claims batch,
poller) run beside them. Eleven servers annotate their 64 tools fully, partly or not at all.
Fourteen days, the last scored with labelled hard negatives (:data:`HARD_NEGATIVES`); ``inject``
adds the five attack families in shapes of this world (:data:`KNOBS`).

    from tooltrail.simulator.wards import ANNOTATIONS, WardsConfig, generate, inject

    sim = inject(generate(WardsConfig(seed=1)), intensity="mid", seed=1)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import WardsConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "WardsConfig",
    "generate",
    "inject",
    "server_of",
]
