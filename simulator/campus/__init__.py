"""tooltrail.simulator.campus: a university's MCP traffic, built blind (``docs/campus.md``).

The academic calendar drives the work: lecture timetables, coursework deadlines at 23:59 and the
grading after them, research groups' HPC jobs and data, lab instruments uploading runs, the
library, IT helpdesk, registrar and finance queues. The last of 14 days (a Monday of assessment
week) is scored and holds the hard negatives; ``inject`` adds this world's attacks.

    from tooltrail.simulator.campus import ANNOTATIONS, CampusConfig, generate, inject

    sim = inject(generate(CampusConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import CampusConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "CampusConfig",
    "generate",
    "inject",
    "server_of",
]
