"""tooltrail.simulator.telco: a regional mobile and fibre carrier's MCP traffic, built blind
(``docs/telco.md``).

A 24/7 NOC on a ten-day rota, field technicians on tablets (splicing, tower climbs), an in-house
contact centre and an outsourced partner in Kuala Lumpur working the carrier's night, the porting
desk, billing and revenue assurance, fraud, the lawful-intercept desk, change management, OSS
provisioning, shops, and the jobs (alarm poller, porting sync, mediation, provisioning, change
runner, bill run). A handset launch, a fibre cut and a month-end bill run fall in the history;
the last day (a Tuesday with a maintenance window) is scored and holds the hard negatives;
``inject`` adds attacks.

    from tooltrail.simulator.telco import ANNOTATIONS, TelcoConfig, generate, inject

    sim = inject(generate(TelcoConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import TelcoConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "TelcoConfig",
    "generate",
    "inject",
    "server_of",
]
