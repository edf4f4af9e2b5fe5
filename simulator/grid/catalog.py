"""The utility's MCP servers, their tools, annotation styles, resource schemes and result sizes.

Three annotation styles, as real servers ship them: ``FULL`` servers state every hint
(``destructiveHint`` included), ``READONLY`` servers state ``readOnlyHint`` alone (``false`` on
their writes, nothing more), and ``BARE`` servers declare no annotations at all.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ANNOTATIONS",
    "BULK",
    "DESTRUCTIVE",
    "SEARCH",
    "SERVERS",
    "SIZES",
    "TOOLS",
    "URI_SCHEMES",
    "server_of",
]

# server -> (annotation style, {tool: kind}); kind: r(ead) w(rite) d(estructive) b(ulk read)
_CATALOG: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "scada": ("full", {
        "scada_get_alarms": "r", "scada_get_feeder_status": "r", "scada_get_substation": "r",
        "ems_get_load_forecast": "r", "ems_get_switching_order": "r",
        "ems_confirm_switching_step": "w",
    }),
    "oms": ("full", {
        "oms_list_outages": "r", "oms_get_outage": "r", "oms_create_outage": "w",
        "oms_update_restoration": "w", "oms_close_outage": "w", "oms_lookup_customer": "r",
        "oms_reliability_indices": "r", "oms_export_outages": "b",
    }),
    "workorders": ("full", {
        "wo_search": "r", "wo_get": "r", "wo_create": "w", "wo_update": "w", "wo_close": "d",
        "wo_delete": "d",
    }),
    "crews": ("readonly", {
        "crew_list_available": "r", "crew_dispatch": "w", "crew_update_status": "w",
        "crew_get_location": "r",
    }),
    "meterdata": ("full", {
        "mdm_get_meter": "r", "mdm_get_interval_reads": "b", "mdm_validate_reads": "w",
        "mdm_ingest_batch": "w",
    }),
    "billing": ("readonly", {
        "bill_get_account": "r", "bill_get_invoice": "r", "bill_run_cycle": "w",
        "bill_rebill_account": "w", "bill_adjust": "w",
    }),
    "trading": ("full", {
        "trade_get_prices": "r", "trade_get_positions": "r", "trade_get_gate_status": "r",
        "trade_submit_bid": "w", "trade_cancel_bid": "d",
    }),
    "gis": ("bare", {
        "gis_get_asset": "r", "gis_trace_feeder": "r", "gis_search_assets": "r",
        "gis_export_layer": "b",
    }),
    "docs": ("readonly", {
        "doc_search": "r", "doc_get": "r", "doc_upload": "w",
    }),
    "identity": ("full", {
        "idm_get_user": "r", "idm_list_group_members": "r", "idm_reset_mfa": "w",
        "idm_add_to_group": "w", "idm_disable_account": "d",
    }),
    "tickets": ("bare", {
        "tkt_search": "r", "tkt_get": "r", "tkt_create": "w", "tkt_comment": "w",
    }),
    "otconfig": ("full", {
        "otcfg_list_repos": "r", "otcfg_get_file": "r", "otcfg_diff": "r", "otcfg_commit": "w",
        "otcfg_delete_backup": "d",
    }),
    "weather": ("readonly", {
        "wx_get_forecast": "r", "wx_get_observations": "r", "wx_ingest_feed": "w",
    }),
    "historian": ("bare", {
        "hist_query_tags": "b", "hist_export": "b",
    }),
    "siem": ("bare", {
        "siem_search_events": "r", "siem_get_alert": "r", "siem_ack_alert": "w",
    }),
}  # fmt: skip

SERVERS: Final[tuple[str, ...]] = tuple(_CATALOG)
TOOLS: Final[dict[str, str]] = {t: s for s, (_, tools) in _CATALOG.items() for t in tools}
KIND: Final[dict[str, str]] = {t: k for _, (_, tools) in _CATALOG.items() for t, k in tools.items()}


def _annotate(style: str, kind: str) -> dict[str, bool] | None:
    if style == "bare":
        return None
    if style == "readonly":
        return {"readOnlyHint": kind in "rb"}
    read = kind in "rb"
    return {
        "readOnlyHint": read,
        "destructiveHint": kind == "d",
        "idempotentHint": read,
        "openWorldHint": False,
    }


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for style, tools in _CATALOG.values():
        for tool, kind in tools.items():
            ann = _annotate(style, kind)
            if ann is not None:
                out[tool] = ann
    return out


#: tool -> the MCP annotations its server declares (absent: the server declares none)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()
#: tools whose server declares them destructive
DESTRUCTIVE: Final[tuple[str, ...]] = tuple(
    t for t, a in ANNOTATIONS.items() if a.get("destructiveHint")
)
#: read tools that can return a large extract
BULK: Final[tuple[str, ...]] = tuple(t for t, k in KIND.items() if k == "b")
#: tools taking free text a person types (a place to probe with injections)
SEARCH: Final[tuple[str, ...]] = (
    "wo_search", "doc_search", "tkt_search", "gis_search_assets", "siem_search_events",
    "oms_lookup_customer",
)  # fmt: skip
#: resource schemes the servers expose (``resources/read``)
URI_SCHEMES: Final[tuple[str, ...]] = ("scada://", "gis://", "docs://", "oms://", "otcfg://")

#: typical result size (bytes, low and high) by tool kind
SIZES: Final[dict[str, tuple[int, int]]] = {
    "r": (400, 12_000),
    "w": (150, 1_500),
    "d": (120, 600),
    "b": (20_000, 180_000),
}


def server_of(tool: str) -> str:
    """The server that serves ``tool`` (KeyError for a tool this utility does not have)."""
    return TOOLS[tool]
