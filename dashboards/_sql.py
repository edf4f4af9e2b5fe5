"""SQL pieces the dashboards share: derived keys as the detectors compute them, the filters the
dashboard variables drive, and the entity expression an alert's link selects."""

from __future__ import annotations

from typing import Final

from .spec import is_any

__all__ = [
    "AGENT",
    "ALERT_REASON",
    "ALERT_ROW",
    "ENTITY",
    "EVENT_FILTERS",
    "SERVER",
    "TOOL",
    "entity_is",
]

#: as the detectors derive them (``detectors.features.DERIVED_SQL``)
TOOL: Final = "if(tool != '', tool, method)"
AGENT: Final = "if(agent != '', agent, client)"
#: the MCP server: its address as the host saw it, or the name of a server-side source
SERVER: Final = "if(server_address != '', server_address, source_name)"
ALERT_REASON: Final = "JSONExtractString(payload, 'reason')"
#: the columns of an alert list after its time column(s), as both alert tables show them
ALERT_ROW: Final = (
    ("severity", "string"),
    ("detector", "string"),
    ("entity_kind", "string"),
    ("entity", "string"),
    ("score", "number"),
    ("reason", "string"),
    ("status", "string"),
    ("id", "string"),
)

_KIND = "${entity_kind:sqlstring}"
#: an event's entity at the level ``$entity_kind`` names (the detectors' levels and ``stream``)
ENTITY: Final = (
    f"multiIf({_KIND} = 'user', user, {_KIND} = 'user_tool', concat(user, '|', {TOOL}), "
    f"{_KIND} = 'agent', {AGENT}, {_KIND} = 'server_tool', concat(source_name, '|', {TOOL}), "
    f"{_KIND} = 'source', source_name, {_KIND} = 'stream', stream_id, "
    f"{_KIND} = 'tool', {TOOL}, {_KIND} = 'server', {SERVER}, '')"
)


def entity_is(expression: str) -> str:
    """True when ``$entity`` is empty or ``expression`` equals it."""
    return f"(${{entity:sqlstring}} = '' OR {expression} = ${{entity:sqlstring}})"


#: the Overview's filters over events (time range and the five selectors)
EVENT_FILTERS: Final = " AND ".join(
    [
        "$__timeFilter(time)",
        is_any("source", "source_name"),
        f"(${{server:sqlstring}} IN ('', '__all') OR {SERVER} = ${{server:sqlstring}})",
        is_any("tool", TOOL),
        is_any("user", "user"),
        is_any("agent", AGENT),
    ]
)
