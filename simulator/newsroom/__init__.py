"""tooltrail.simulator.newsroom: a newsroom's MCP traffic, built blind (``docs/newsroom.md``).

Stories move from pitch to draft, edit, legal review and publication through whoever is on shift
in seven bureaus; agency wires arrive all day and night; reader care, the paywall, the photo
desk, the data desk, social and batch jobs follow. The last of 14 days (US election night) is
scored and holds the hard negatives; ``inject`` adds this world's attacks.

    from tooltrail.simulator.newsroom import ANNOTATIONS, NewsroomConfig, generate, inject

    sim = inject(generate(NewsroomConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import NewsroomConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "NewsroomConfig",
    "generate",
    "inject",
    "server_of",
]
