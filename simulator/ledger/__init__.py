"""tooltrail.simulator.ledger: a payments company's MCP traffic, built blind (``docs/ledger.md``).

Card payments flow through authorisation, capture, settlement and reconciliation; fraud
analysts, support, dispute handlers, KYC reviewers, treasury, finance, engineers and batch jobs
work what the money causes, in six offices' time zones. The last of 14 days (Cyber Monday, month
end) is scored and holds the hard negatives; ``inject`` adds this world's attacks.

    from tooltrail.simulator.ledger import ANNOTATIONS, LedgerConfig, generate, inject

    sim = inject(generate(LedgerConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import LedgerConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "LedgerConfig",
    "generate",
    "inject",
    "server_of",
]
