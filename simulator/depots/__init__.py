"""tooltrail.simulator.depots: a logistics company's MCP traffic, built blind (``docs/depots.md``).

Parcels flow from partner feeds through night sorts to drivers' handhelds; customer service,
claims, brokers, dispatchers and batch jobs follow them. The last of 14 days is scored and holds
the hard negatives; ``inject`` adds this world's attacks.

    from tooltrail.simulator.depots import ANNOTATIONS, DepotsConfig, generate, inject

    sim = inject(generate(DepotsConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import DepotsConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "DepotsConfig",
    "generate",
    "inject",
    "server_of",
]
