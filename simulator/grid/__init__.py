"""tooltrail.simulator.grid: an electric utility's MCP traffic, built blind (``docs/grid.md``).

Wind and cold drive faults, faults drive outages, outages drive a 24/7 control room on a
rotating rota, dispatch, field crews on call and customer service; market gates drive the
trading desk, the meter clock drives ingest and billing. The last of 14 days is scored and
holds the hard negatives; ``inject`` adds this world's attacks.

    from tooltrail.simulator.grid import ANNOTATIONS, GridConfig, generate, inject

    sim = inject(generate(GridConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import GridConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "GridConfig",
    "generate",
    "inject",
    "server_of",
]
