"""The firm's twelve MCP servers, their tools and how each server annotates them.

A tool is ``(server, kind, fields, result bytes, milliseconds)``: ``kind`` is ``read``,
``write`` or ``delete`` (a destructive tool), ``fields`` the argument names :mod:`._args`
fills (court e-filing carries the firm's matter number as the client reference courts offer
for fee billing), the last two the medians of the result size and the duration. Annotation
styles, as real servers differ: the document system, matters, time & billing, records and
identity declare all four MCP hints; review, docketing, conflicts and the data rooms declare
``readOnlyHint`` alone (``false`` on their writes, nothing more); court e-filing, legal
research and mail declare none.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ANNOTATIONS",
    "DESTRUCTIVE",
    "RESOURCE_SERVER",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
]

Tool = tuple[str, str, tuple[str, ...], int, int]


def _t(server: str, kind: str, fields: str, kb: float, ms: int) -> Tool:
    return server, kind, tuple(fields.split()), int(kb * 1000), ms


TOOLS: Final[dict[str, Tool]] = {
    # document management (iManage-like): workspaces per matter, ethical walls enforced here
    "doc_search": _t("dms", "read", "query workspace limit", 7, 380),
    "doc_get": _t("dms", "read", "doc", 48, 420),
    "doc_profile_get": _t("dms", "read", "doc", 1.9, 120),
    "workspace_get": _t("dms", "read", "workspace", 5.5, 210),
    "folder_list": _t("dms", "read", "workspace folder", 4.2, 190),
    "doc_checkout": _t("dms", "write", "doc", 0.6, 220),
    "doc_checkin": _t("dms", "write", "doc comment", 0.7, 650),
    "doc_save_version": _t("dms", "write", "workspace doc title content_ref", 0.8, 900),
    "doc_import": _t("dms", "write", "workspace title content_ref source", 0.9, 1400),
    "doc_share": _t("dms", "write", "doc recipients", 0.5, 300),
    "doc_delete": _t("dms", "delete", "doc reason", 0.3, 260),
    # matters and intake
    "matter_get": _t("matters", "read", "matter", 3.6, 160),
    "matter_search": _t("matters", "read", "query", 5.2, 260),
    "intake_submit": _t("matters", "write", "client parties practice summary", 1.1, 420),
    "matter_open": _t("matters", "write", "matter client practice partner", 1.4, 520),
    "matter_update": _t("matters", "write", "matter field value", 0.9, 240),
    "matter_team_update": _t("matters", "write", "matter add remove", 1.0, 300),
    "matter_transfer": _t("matters", "write", "matter to_partner note", 1.2, 480),
    "matter_close": _t("matters", "write", "matter reason", 0.8, 350),
    # conflicts
    "conflicts_search": _t("conflicts", "read", "party", 3.8, 700),
    "conflicts_run": _t("conflicts", "write", "matter parties", 1.2, 2600),
    "conflicts_report_get": _t("conflicts", "read", "run", 22, 450),
    "conflicts_waiver_record": _t("conflicts", "write", "run matter note", 0.9, 380),
    # e-discovery review platform
    "review_search": _t("review", "read", "workspace query", 9, 1200),
    "review_doc_get": _t("review", "read", "workspace control", 32, 520),
    "review_batch_checkout": _t("review", "write", "workspace batch", 6, 600),
    "review_code_doc": _t("review", "write", "workspace control coding", 0.5, 180),
    "production_create": _t("review", "write", "workspace set prefix", 1.5, 900),
    "production_run": _t("review", "write", "workspace production", 2.2, 6500),
    "production_status": _t("review", "read", "workspace production", 1.1, 150),
    "privilege_log_export": _t("review", "read", "workspace production format", 380, 4200),
    "review_ingest_run": _t("review", "write", "workspace collection", 2.0, 8000),
    "review_set_delete": _t("review", "write", "workspace set", 0.4, 700),
    # time and billing
    "time_entry_create": _t("timebill", "write", "matter hours task narrative", 0.6, 230),
    "time_entry_update": _t("timebill", "write", "entry hours narrative", 0.6, 210),
    "time_entry_delete": _t("timebill", "delete", "entry", 0.3, 190),
    "time_entries_list": _t("timebill", "read", "timekeeper period", 14, 380),
    "wip_report": _t("timebill", "read", "office period", 65, 2400),
    "prebill_get": _t("timebill", "read", "matter period", 26, 900),
    "prebill_generate": _t("timebill", "write", "matter period", 2.4, 3200),
    "prebill_approve": _t("timebill", "write", "matter period note", 0.7, 300),
    "invoice_export": _t("timebill", "read", "office period format", 850, 5200),
    "rate_get": _t("timebill", "read", "timekeeper matter", 0.9, 110),
    "writeoff_record": _t("timebill", "write", "entry amount reason", 0.6, 260),
    # court e-filing (external court systems)
    "docket_get": _t("efiling", "read", "court case client_ref", 12, 1100),
    "filing_validate": _t("efiling", "read", "court case client_ref documents", 2.5, 2200),
    "filing_submit": _t("efiling", "write", "court case client_ref documents filer", 3.1, 4800),
    "filing_status": _t("efiling", "read", "court receipt", 1.0, 700),
    "service_list_get": _t("efiling", "read", "court case", 4.5, 600),
    # docketing: deadlines and calendars
    "deadline_list": _t("docketing", "read", "matter window", 4.8, 240),
    "deadline_compute": _t("docketing", "read", "court rule trigger", 1.2, 320),
    "deadline_create": _t("docketing", "write", "matter due rule", 0.8, 260),
    "deadline_complete": _t("docketing", "write", "deadline receipt", 0.5, 200),
    "calendar_get": _t("docketing", "read", "timekeeper window", 6, 260),
    # records and retention
    "retention_policy_get": _t("records", "read", "practice", 2.2, 150),
    "hold_list": _t("records", "read", "matter", 3.4, 220),
    "hold_apply": _t("records", "write", "matter custodian scope", 0.9, 650),
    "hold_release": _t("records", "delete", "matter custodian", 0.7, 420),
    "custodian_notify": _t("records", "write", "matter custodian template", 0.6, 520),
    "disposition_list": _t("records", "read", "period", 18, 1800),
    "disposition_execute": _t("records", "delete", "matter approval", 1.0, 3100),
    "box_request": _t("records", "write", "matter boxes", 0.6, 300),
    # legal research (external services)
    "case_search": _t("research", "read", "query jurisdiction", 11, 1300),
    "case_get": _t("research", "read", "citation", 38, 900),
    "citator_check": _t("research", "read", "citation", 4.5, 700),
    "statute_get": _t("research", "read", "citation", 16, 600),
    "news_search": _t("research", "read", "query", 9, 1100),
    # virtual data rooms for deals
    "dataroom_index": _t("dataroom", "read", "room", 24, 800),
    "dataroom_download": _t("dataroom", "read", "room file", 260, 1900),
    "dataroom_upload": _t("dataroom", "write", "room folder title content_ref", 0.9, 2100),
    "dataroom_grant": _t("dataroom", "write", "room recipients role", 0.7, 330),
    "dataroom_revoke": _t("dataroom", "write", "room recipients", 0.5, 310),
    "dataroom_qa": _t("dataroom", "write", "room question", 1.1, 420),
    # identity, sessions and ethical walls
    "user_get": _t("identity", "read", "timekeeper", 2.1, 140),
    "user_lookup": _t("identity", "read", "query", 3.0, 180),
    "session_list": _t("identity", "read", "timekeeper", 2.6, 200),
    "session_revoke": _t("identity", "delete", "timekeeper reason", 0.4, 260),
    "group_add": _t("identity", "write", "timekeeper group", 0.5, 280),
    "group_remove": _t("identity", "delete", "timekeeper group", 0.5, 280),
    "mfa_reset": _t("identity", "write", "timekeeper ticket", 0.5, 300),
    "audit_search": _t("identity", "read", "query window", 30, 2300),
    "wall_create": _t("identity", "write", "matter screened reason", 0.9, 420),
    "wall_update": _t("identity", "write", "wall add", 0.7, 380),
    "user_disable": _t("identity", "delete", "timekeeper ticket", 0.4, 300),
    # mail and calendar
    "mail_search": _t("mail", "read", "query", 8, 500),
    "mail_get": _t("mail", "read", "message", 14, 300),
    "mail_send": _t("mail", "write", "recipients subject body", 0.4, 600),
    "calendar_list": _t("mail", "read", "window", 3.5, 250),
}

SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(t[0] for t in TOOLS.values()))
URI_SCHEMES: Final = ("dms://", "review://", "docket://", "rules://")
#: the server a resource is read from, by URI scheme
RESOURCE_SERVER: Final = {
    "dms://": "dms",
    "review://": "review",
    "docket://": "efiling",
    "rules://": "docketing",
}

_FULL: Final = ("dms", "matters", "timebill", "records", "identity")
_READONLY_ONLY: Final = ("review", "docketing", "conflicts", "dataroom")


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for name, (server, kind, *_) in TOOLS.items():
        if server in _FULL:
            out[name] = {
                "readOnlyHint": kind == "read",
                "destructiveHint": kind == "delete",
                "idempotentHint": kind != "write",
                "openWorldHint": False,
            }
        elif server in _READONLY_ONLY:
            out[name] = {"readOnlyHint": kind == "read"}
    return out


#: tool → MCP annotations, as the servers declare them (absent: the server declares none)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()
#: tools that declare ``destructiveHint: true``
DESTRUCTIVE: Final = frozenset(t for t, a in ANNOTATIONS.items() if a.get("destructiveHint"))


def server_of(tool: str) -> str:
    """The server that serves ``tool``; unknown tools are refused naming the tool."""
    try:
        return TOOLS[tool][0]
    except KeyError:
        raise ValueError(f"tool: {tool!r} is not one of the firm's tools") from None
