"""The insurer's MCP servers and tools, with their annotations as each server declares them.

Twelve servers, 96 tools. Annotations come in three styles, as real servers ship them:

- all four hints: ``policy``, ``claims``, ``payments``, ``warehouse``, ``admin``, ``underwriting``
  (the in-house platform team's servers)
- ``readOnlyHint`` only (``false`` on writes, nothing else said): ``docs``, ``crm``, ``mail``,
  ``vendors`` (vendor-built connectors)
- none at all: ``fraud`` (the scoring vendor's server) and ``geo`` (the weather/GIS feed)

A tool's *kind* (``read``, ``search``, ``export``, ``write``, ``destructive``) sets its hints; its
median result size (kB) and latency (ms) set what the simulated calls return.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "ANNOTATIONS",
    "DESTRUCTIVE",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
]


class Tool(NamedTuple):
    server: str
    kind: str  # read | search | export | write | destructive
    kb: float  # median result size, kB
    ms: float  # median latency, ms
    idempotent: bool = False
    open_world: bool = False


_R, _S, _E, _W, _D = "read", "search", "export", "write", "destructive"

_CATALOG: Final[dict[str, dict[str, tuple[str, float, float, bool, bool]]]] = {
    "policy": {
        "policy_search": (_S, 6, 180, True, False),
        "policy_get": (_R, 9, 90, True, False),
        "policy_coverage_get": (_R, 5, 70, True, False),
        "policy_history": (_R, 14, 160, True, False),
        "policy_quote": (_W, 4, 400, True, False),
        "policy_endorse": (_W, 3, 350, False, False),
        "policy_renew": (_W, 3, 300, True, False),
        "policy_cancel": (_D, 2, 320, True, False),
        "policy_note_add": (_W, 1, 80, False, False),
        "policy_export_changes": (_E, 900, 9000, True, False),
    },
    "claims": {
        "claim_search": (_S, 7, 210, True, False),
        "claim_get": (_R, 12, 110, True, False),
        "claim_create": (_W, 3, 450, False, False),
        "claim_assign": (_W, 1, 120, True, False),
        "claim_note_add": (_W, 1, 90, False, False),
        "claim_reserve_set": (_W, 1, 160, True, False),
        "claim_status_update": (_W, 1, 110, True, False),
        "claim_close": (_W, 1, 200, True, False),
        "claim_reopen": (_W, 1, 200, True, False),
        "claim_related": (_S, 18, 600, True, False),
        "claim_diary_list": (_R, 6, 140, True, False),
        "claim_delete_draft": (_D, 1, 150, True, False),
        "claim_subro_flag": (_W, 1, 100, True, False),
    },
    "docs": {
        "doc_search": (_S, 8, 260, True, False),
        "doc_get": (_R, 280, 420, True, False),
        "doc_upload": (_W, 1, 900, False, False),
        "doc_tag": (_W, 1, 90, True, False),
        "doc_ingest": (_W, 2, 1400, False, False),
        "doc_classify": (_W, 2, 1100, True, False),
        "doc_extract_text": (_W, 16, 2600, True, False),
        "doc_redact": (_W, 2, 1800, False, False),
        "doc_purge": (_W, 1, 300, True, False),
    },
    "payments": {
        "payment_create": (_W, 2, 300, False, False),
        "payment_get": (_R, 3, 90, True, False),
        "payment_search": (_S, 9, 240, True, False),
        "payee_verify": (_R, 1, 900, True, True),
        "payment_approve": (_W, 1, 140, True, False),
        "payment_void": (_D, 1, 200, True, False),
        "payment_batch_submit": (_W, 4, 2400, False, True),
        "payment_batch_status": (_R, 2, 300, True, True),
        "check_reissue": (_W, 1, 260, False, False),
    },
    "fraud": {
        "fraud_score": (_R, 2, 700, True, False),
        "fraud_alerts_list": (_S, 10, 300, True, False),
        "fraud_case_open": (_W, 1, 200, False, False),
        "fraud_case_get": (_R, 14, 180, True, False),
        "fraud_link_analysis": (_S, 40, 2200, True, False),
        "fraud_case_note": (_W, 1, 90, False, False),
        "iso_claimsearch": (_S, 22, 1600, True, True),
    },
    "crm": {
        "contact_search": (_S, 4, 150, True, False),
        "contact_get": (_R, 5, 80, True, False),
        "call_log_get": (_R, 8, 120, True, False),
        "interaction_note": (_W, 1, 70, False, False),
        "callback_schedule": (_W, 1, 90, False, False),
        "queue_status": (_R, 1, 40, True, False),
        "sms_send": (_W, 1, 500, False, True),
    },
    "mail": {
        "mail_search": (_S, 6, 300, True, False),
        "mail_read": (_R, 24, 150, True, False),
        "mail_send": (_W, 1, 400, False, True),
        "mail_draft": (_W, 1, 120, False, False),
    },
    "warehouse": {
        "wh_table_list": (_R, 6, 200, True, False),
        "wh_query": (_R, 40, 2500, True, False),
        "wh_export": (_E, 1800, 14000, True, False),
        "wh_reserve_extract": (_E, 2600, 22000, True, False),
        "wh_loss_triangle": (_E, 380, 6000, True, False),
        "wh_dashboard_get": (_R, 30, 900, True, False),
        "wh_load_table": (_W, 2, 30000, True, False),
        "wh_table_drop": (_D, 1, 400, True, False),
    },
    "geo": {
        "geo_property_lookup": (_R, 6, 260, True, False),
        "geo_flood_zone": (_R, 3, 220, True, False),
        "geo_hail_swath": (_R, 120, 1200, True, True),
        "geo_cat_event_get": (_R, 8, 160, True, False),
        "geo_exposure_query": (_E, 260, 5200, True, False),
        "geo_feed_ingest": (_W, 3, 1800, True, True),
    },
    "vendors": {
        "vendor_search": (_S, 6, 260, True, True),
        "vendor_assign": (_W, 1, 300, False, True),
        "estimate_request": (_W, 1, 420, False, True),
        "estimate_get": (_R, 22, 380, True, True),
        "inspection_schedule": (_W, 1, 350, False, True),
        "rental_authorize": (_W, 1, 330, False, True),
        "vendor_invoice_get": (_R, 12, 260, True, True),
    },
    "admin": {
        "user_get": (_R, 3, 80, True, False),
        "user_create": (_W, 2, 400, False, False),
        "user_grant_role": (_W, 1, 150, True, False),
        "user_revoke_role": (_D, 1, 150, True, False),
        "user_disable": (_D, 1, 180, True, False),
        "credential_rotate": (_D, 1, 900, False, False),
        "audit_log_search": (_S, 30, 1200, True, False),
        "group_list": (_R, 8, 110, True, False),
        "password_reset": (_W, 1, 300, False, False),
    },
    "underwriting": {
        "uw_submission_get": (_R, 16, 150, True, False),
        "uw_risk_get": (_R, 8, 300, True, False),
        "uw_rate_calc": (_R, 3, 600, True, False),
        "uw_inspection_order": (_W, 1, 400, False, True),
        "uw_referral_decide": (_W, 1, 180, True, False),
        "uw_decline": (_D, 1, 200, True, False),
        "uw_loss_runs": (_R, 60, 900, True, False),
    },
}

#: the servers, in a fixed order
SERVERS: Final[tuple[str, ...]] = tuple(_CATALOG)
#: tool → its server, kind, median size and latency
TOOLS: Final[dict[str, Tool]] = {
    name: Tool(server, *row) for server, tools in _CATALOG.items() for name, row in tools.items()
}
#: resource URI schemes (``resources/read``): documents, declarations pages, the claims manual,
#: storm reports
URI_SCHEMES: Final = ("doc://", "dec://", "manual://", "wx://")
#: the server each resource scheme lives on
SCHEME_SERVER: Final = {"doc://": "docs", "dec://": "policy", "manual://": "claims", "wx://": "geo"}

_FULL: Final = frozenset({"policy", "claims", "payments", "warehouse", "admin", "underwriting"})
_READONLY_ONLY: Final = frozenset({"docs", "crm", "mail", "vendors"})


def _hints(t: Tool) -> dict[str, bool]:
    readonly = t.kind in (_R, _S, _E)
    if t.server in _READONLY_ONLY:
        return {"readOnlyHint": readonly}
    return {
        "readOnlyHint": readonly,
        "destructiveHint": t.kind == _D,
        "idempotentHint": t.idempotent,
        "openWorldHint": t.open_world,
    }


#: tool → MCP annotations, as its server declares them (tools of ``fraud`` and ``geo``: absent)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    name: _hints(t) for name, t in TOOLS.items() if t.server in _FULL | _READONLY_ONLY
}
#: tools declared destructive (``destructiveHint: true``)
DESTRUCTIVE: Final = frozenset(n for n, a in ANNOTATIONS.items() if a.get("destructiveHint"))


def server_of(tool: str) -> str:
    """The server a tool belongs to; an unknown tool is refused naming it."""
    try:
        return TOOLS[tool].server
    except KeyError:
        raise ValueError(f"tool {tool!r} is not one of the insurer's") from None
