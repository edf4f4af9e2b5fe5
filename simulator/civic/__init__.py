"""tooltrail.simulator.civic: a city government's MCP traffic, built blind (``docs/civic.md``).

The City of Harlow Falls (Central time): a 24/7 311 call centre, permits and field inspectors,
public works dispatch and crews (snow, main breaks, on-call nights), the police records unit,
the municipal court clerk, finance and payroll, the city clerk and council, IT, HR, public
records (FOIA) officers, GIS and planning, utility billing with an offshore vendor, and six
service jobs. Fourteen days; the last (Tuesday 2 February 2027 UTC with the default start) is
scored and holds fourteen hard negatives; ``inject`` adds the city's own attacks.

    from tooltrail.simulator.civic import ANNOTATIONS, CivicConfig, generate, inject

    sim = inject(generate(CivicConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import CivicConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "CivicConfig",
    "generate",
    "inject",
    "server_of",
]
