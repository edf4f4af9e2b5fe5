"""tooltrail.simulator.claims: a regional property & casualty insurer's MCP traffic, built blind
(``docs/claims.md``).

Claims adjusters at the desk and in the field, a call-centre intake team on day, evening and
weekend shifts, underwriters, the special investigations unit, actuaries, payments/finance, IT,
compliance and HR, and the jobs (nightly policy sync, claims-to-payments batch, OCR ingest, the
weather/catastrophe feed) work what reported losses and storms cause. The last of 14 days
(quarter end, the morning after a hail storm) is scored and holds the hard negatives; ``inject``
adds attacks.

    from tooltrail.simulator.claims import ANNOTATIONS, ClaimsConfig, generate, inject

    sim = inject(generate(ClaimsConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import ClaimsConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "ClaimsConfig",
    "generate",
    "inject",
    "server_of",
]
