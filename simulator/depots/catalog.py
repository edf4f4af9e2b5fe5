"""The logistics company's MCP servers and tools, and how each kind of tool behaves.

Eleven servers; each tool has a *kind* (``read``, ``write``, ``delete``, ``bulk``, ``send``,
``admin``) that decides its result size, its duration and, on a fully annotated server, its MCP
annotations. Servers annotate fully (all four hints), partly (``readOnlyHint`` only) or not at
all, as real servers differ.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ANNOTATIONS",
    "KINDS",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "server_of",
]

#: server → (how it annotates its tools, its tools with their kinds)
_CATALOG: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    "tms": ("full", (
        ("tms_track_shipment", "read"), ("tms_search_shipments", "read"),
        ("tms_import_manifest", "write"), ("tms_update_status", "write"),
        ("tms_record_scan", "write"), ("tms_proof_of_delivery", "write"),
        ("tms_report_exception", "write"), ("tms_cancel_shipment", "delete"),
        ("tms_delete_shipment", "delete"), ("tms_bulk_export", "bulk"),
    )),
    "wms": ("partial", (
        ("wms_receive_manifest", "write"), ("wms_sort_scan", "write"),
        ("wms_assign_bay", "write"), ("wms_inventory_query", "read"),
        ("wms_close_trailer", "write"), ("wms_adjust_inventory", "write"),
    )),
    "routing": ("full", (
        ("route_plan_day", "write"), ("route_optimise_batch", "bulk"), ("route_get", "read"),
        ("route_update_stop", "write"), ("route_reassign_vehicle", "write"),
    )),
    "telematics": ("none", (
        ("fleet_poll_positions", "read"), ("fleet_vehicle_status", "read"),
        ("fleet_report_breakdown", "write"), ("fleet_set_geofence", "write"),
    )),
    "customs": ("full", (
        ("customs_file_declaration", "write"), ("customs_get_declaration", "read"),
        ("customs_list_declarations", "read"), ("customs_amend_declaration", "write"),
        ("customs_withdraw_declaration", "delete"),
    )),
    "crm": ("full", (
        ("crm_get_customer", "read"), ("crm_search_customers", "read"),
        ("crm_create_ticket", "write"), ("crm_update_ticket", "write"),
        ("crm_close_ticket", "write"), ("crm_delete_ticket", "delete"),
        ("crm_export_customers", "bulk"),
    )),
    "billing": ("partial", (
        ("billing_get_invoice", "read"), ("billing_run_cycle", "bulk"),
        ("billing_issue_credit", "write"), ("billing_refund_claim", "write"),
        ("billing_void_invoice", "delete"),
    )),
    "documents": ("none", (
        ("docs_upload", "write"), ("docs_get", "read"), ("docs_list", "read"),
        ("docs_delete", "delete"), ("docs_share_link", "send"),
    )),
    "messaging": ("partial", (
        ("msg_send_sms", "send"), ("msg_send_email", "send"), ("msg_notify_driver", "send"),
    )),
    "identity": ("full", (
        ("idp_list_clients", "read"), ("idp_rotate_api_key", "admin"),
        ("idp_create_client", "admin"), ("idp_revoke_token", "delete"),
        ("idp_grant_scope", "admin"), ("idp_audit_log", "read"),
    )),
    "analytics": ("partial", (
        ("sql_run_statement", "read"), ("dwh_export_table", "bulk"), ("report_get", "read"),
    )),
}  # fmt: skip

SERVERS: Final[tuple[str, ...]] = tuple(_CATALOG)
#: tool → its kind
TOOLS: Final[dict[str, str]] = {t: k for _s, (_a, tools) in _CATALOG.items() for t, k in tools}
_SERVER_OF: Final[dict[str, str]] = {t: s for s, (_a, tools) in _CATALOG.items() for t, _ in tools}

#: kind → (median result bytes, median duration ms, spread factor)
KINDS: Final[dict[str, tuple[int, int, float]]] = {
    "read": (1_800, 90, 2.0),
    "write": (420, 160, 1.6),
    "delete": (220, 120, 1.5),
    "bulk": (180_000, 3_500, 2.5),
    "send": (300, 450, 1.8),
    "admin": (650, 300, 1.5),
}

_FULL: Final[dict[str, dict[str, bool]]] = {
    "read": {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True,
             "openWorldHint": False},
    "bulk": {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True,
             "openWorldHint": False},
    "write": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False,
              "openWorldHint": False},
    "delete": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": True,
               "openWorldHint": False},
    "send": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False,
             "openWorldHint": True},
    "admin": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False,
              "openWorldHint": False},
}  # fmt: skip


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for mode, tools in _CATALOG.values():
        for tool, kind in tools:
            if mode == "full":
                out[tool] = dict(_FULL[kind])
            elif mode == "partial":
                out[tool] = {"readOnlyHint": kind in ("read", "bulk")}
    return out


#: tool → its MCP annotations, as its server's ``tools/list`` gives them (absent: none given)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()

#: the schemes of the resources the servers expose (``resources/read``)
URI_SCHEMES: Final[tuple[str, ...]] = ("tms://", "docs://", "wms://", "customs://")
_SCHEME_SERVER: Final = {"tms": "tms", "docs": "documents", "wms": "wms", "customs": "customs"}


def server_of(tool_or_uri: str) -> str:
    """The server of a tool, or of a resource URI; ``KeyError`` for an unknown one."""
    if "://" in tool_or_uri:
        return _SCHEME_SERVER[tool_or_uri.split("://", 1)[0]]
    return _SERVER_OF[tool_or_uri]
