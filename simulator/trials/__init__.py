"""tooltrail.simulator.trials: a contract research organisation running clinical trials, as MCP
traffic, built blind (``docs/trials.md``).

Site coordinators enter patients' visits in clinic hours on four continents, the nightly edit
checks raise queries that coordinators answer and data managers close, adverse events flow to
the coders and (when serious) to a 24/7 safety desk that files expedited reports, monitors travel
to sites and write up at the hotel, statisticians run SAS and R batches, and the jobs move lab
files, drug supply and E2B messages. Work is a queue of items taken by whoever is on duty. The
last of 14 days (the ONC-301 interim lock, an FDA inspection, MedDRA 27.1) is scored and holds
the hard negatives; ``inject`` adds attacks.

    from tooltrail.simulator.trials import ANNOTATIONS, TrialsConfig, generate, inject

    sim = inject(generate(TrialsConfig(seed=1)), intensity="mid", seed=1, annotations=ANNOTATIONS)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, TOOLS, URI_SCHEMES, server_of
from .generate import TrialsConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "TrialsConfig",
    "generate",
    "inject",
    "server_of",
]
