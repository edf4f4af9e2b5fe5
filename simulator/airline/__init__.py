"""tooltrail.simulator.airline: an airline's operations as MCP traffic, built blind
(``docs/airline.md``).

Operations control, crew control and dispatch on rotating shifts at the hub, mechanics and
station agents at six stations in five time zones, revenue, customer care, IT and safety, and
the jobs (flight-plan filing, ACARS ingest, fare batches, nightly crew legality) work what the
flights, the weather and the broken aircraft cause. The last of 14 days (New Year's Eve, with
snow in Chicago and Denver) is scored and holds the hard negatives; ``inject`` adds attacks.

    from tooltrail.simulator.airline import ANNOTATIONS, AirlineConfig, generate, inject

    sim = inject(generate(AirlineConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import AirlineConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "AirlineConfig",
    "generate",
    "inject",
    "server_of",
]
