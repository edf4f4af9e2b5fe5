"""What the airline's MCP servers offer: tools by server, resources, and the tools' annotations.

Three annotation styles, as real servers ship them: the operations, crew, maintenance, revenue,
loyalty and identity servers declare every hint; dispatch and stations state ``readOnlyHint``
alone (their writes say ``false`` and nothing more); the safety and ACARS servers declare none.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ANNOTATIONS", "DESTRUCTIVE", "SERVERS", "TOOLS", "URI_SCHEMES", "server_of"]

# tool → (server, read-only?, destructive?)
_SPEC: Final[dict[str, tuple[str, bool, bool]]] = {
    # operations control centre
    "flight_status_get": ("ops-control", True, False),
    "flight_search": ("ops-control", True, False),
    "delay_code_set": ("ops-control", False, False),
    "tail_swap": ("ops-control", False, False),
    "flight_cancel": ("ops-control", False, True),
    "diversion_plan": ("ops-control", False, False),
    # crew scheduling and tracking
    "crew_roster_get": ("crew", True, False),
    "pairing_search": ("crew", True, False),
    "crew_legality_check": ("crew", True, False),
    "crew_track": ("crew", True, False),
    "crew_assign": ("crew", False, False),
    "crew_remove_from_pairing": ("crew", False, True),
    "crew_notify": ("crew", False, False),
    # dispatch and flight planning
    "weather_get": ("dispatch", True, False),
    "notam_search": ("dispatch", True, False),
    "fuel_calc": ("dispatch", True, False),
    "flight_plan_create": ("dispatch", False, False),
    "flight_plan_file": ("dispatch", False, False),
    # maintenance (MRO)
    "tech_log_get": ("mro", True, False),
    "defect_search": ("mro", True, False),
    "mel_lookup": ("mro", True, False),
    "part_search": ("mro", True, False),
    "part_reserve": ("mro", False, False),
    "workorder_create": ("mro", False, False),
    "workorder_close": ("mro", False, False),
    "aircraft_release": ("mro", False, False),
    # ground handling and stations
    "turn_status_get": ("stations", True, False),
    "gate_assign": ("stations", False, False),
    "load_sheet_create": ("stations", False, False),
    "baggage_trace": ("stations", True, False),
    # revenue management and pricing
    "fare_search": ("revenue", True, False),
    "inventory_get": ("revenue", True, False),
    "booking_curve_get": ("revenue", True, False),
    "fare_file": ("revenue", False, False),
    "fare_withdraw": ("revenue", False, True),
    "revenue_export": ("revenue", True, False),
    # loyalty and customer care
    "pax_search": ("loyalty", True, False),
    "pax_get": ("loyalty", True, False),
    "booking_get": ("loyalty", True, False),
    "rebook": ("loyalty", False, False),
    "booking_cancel": ("loyalty", False, True),
    "refund_issue": ("loyalty", False, True),
    "miles_adjust": ("loyalty", False, False),
    # identity and access
    "user_get": ("identity", True, False),
    "audit_log_search": ("identity", True, False),
    "role_grant": ("identity", False, False),
    "role_revoke": ("identity", False, True),
    "session_revoke": ("identity", False, True),
    "user_disable": ("identity", False, True),
    # safety and compliance (no annotations)
    "report_search": ("safety", True, False),
    "report_get": ("safety", True, False),
    "report_file": ("safety", False, False),
    "fdm_event_search": ("safety", True, False),
    # ACARS / position ingest (no annotations)
    "position_ingest": ("acars", False, False),
    "acars_message_ingest": ("acars", False, False),
}

TOOLS: Final[dict[str, str]] = {t: s for t, (s, _, _) in _SPEC.items()}
SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(TOOLS.values()))
#: resources read: aircraft maintenance manuals, operational flight plans, OCC procedures, weather
URI_SCHEMES: Final[tuple[str, ...]] = ("manuals://", "ofp://", "sop://", "wx://")
_FULL: Final = {"ops-control", "crew", "mro", "revenue", "loyalty", "identity"}
_READONLY_ONLY: Final = {"dispatch", "stations"}


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for tool, (server, readonly, destructive) in _SPEC.items():
        if server in _FULL:
            out[tool] = {
                "readOnlyHint": readonly,
                "destructiveHint": destructive,
                "idempotentHint": readonly or tool in ("delay_code_set", "gate_assign"),
                "openWorldHint": server in ("loyalty", "revenue"),
            }
        elif server in _READONLY_ONLY:
            out[tool] = {"readOnlyHint": readonly}
    return out


#: tool → MCP annotations (tools of the safety and ACARS servers are absent)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()
DESTRUCTIVE: Final[frozenset[str]] = frozenset(t for t, (_, _, d) in _SPEC.items() if d)


def server_of(tool: str) -> str:
    """The server that offers ``tool``; a ``KeyError`` for a tool the airline does not have."""
    return TOOLS[tool]
