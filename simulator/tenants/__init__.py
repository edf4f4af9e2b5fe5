"""tooltrail.simulator.tenants: a multi-tenant SaaS platform's MCP gateway, built blind.

The held-out test of detection: its author read none of the other generators, the attack
library's code or the detectors (``docs/tenants.md`` lists what was and was not read). The
platform's own ten MCP servers are called by its customers' integrations and agents across
tenant organisations of heavy-tailed sizes in every time zone: pollers, webhook fan-outs,
nightly syncs, LLM agents, scheduled reports and a minority of human operators, with rate
limits and retries, platform incidents, version upgrades, deprecated tools, late onboarding and
campaign days. The last day is scored and holds labelled hard negatives (:data:`HARD_NEGATIVES`);
``inject`` adds the five attack families of ``simulator.inject`` in shapes of its own
(:data:`KNOBS`).

    from tooltrail.simulator.tenants import ANNOTATIONS, TenantsConfig, generate, inject

    sim = inject(generate(TenantsConfig(seed=1)), intensity="mid", seed=1)
"""

from .attacks import FAMILIES, INTENSITIES, KNOBS, inject
from .catalog import ANNOTATIONS, SERVERS, URI_SCHEMES, server_of
from .generate import TenantsConfig, generate
from .negatives import HARD_NEGATIVES

__all__ = [
    "ANNOTATIONS",
    "FAMILIES",
    "HARD_NEGATIVES",
    "INTENSITIES",
    "KNOBS",
    "SERVERS",
    "URI_SCHEMES",
    "TenantsConfig",
    "generate",
    "inject",
    "server_of",
]
