"""tooltrail.simulator.counsel: an international law firm's MCP traffic, built blind
(``docs/counsel.md``).

Hartwell & Crane LLP: partners, associates, paralegals and assistants in New York, London,
Frankfurt and Singapore, with litigation support, docketing, intake and conflicts, billing,
records, IT and research, and the jobs that sync dockets, ingest collections, re-check
conflicts, refresh WIP and dispose of expired records. Court deadlines, productions, deal
closings and new clients cause the traffic. The last of 14 days (the month-end Monday) is
scored and holds the hard negatives; ``inject`` adds attacks.

    from tooltrail.simulator.counsel import ANNOTATIONS, CounselConfig, generate, inject

    sim = inject(generate(CounselConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import CounselConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "CounselConfig",
    "generate",
    "inject",
    "server_of",
]
