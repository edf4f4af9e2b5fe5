"""The City of Harlow Falls' MCP servers, their tools and how each tool behaves.

Thirteen servers. Annotations come in three styles, as the city's vendors ship them:

=================  ==========================================================================
all four hints     permits, works, records, finance, hr, edms, clerk, itops
readOnlyHint only  crm311, gis, courts (``true`` on reads, ``false`` on writes, nothing more)
none               foia, billing, sensors (a hosted vendor and two in-house adapters)
=================  ==========================================================================

A :class:`Tool` holds what the traffic needs to make a call of it: its server, whether it reads,
the argument fields (a kind per field, turned into values by ``routine``), the median result
size and duration, and how often it fails on its own. Resources are read from five schemes, each
on one server (:data:`URI_SCHEMES`, :func:`server_of_uri`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "DESTRUCTIVE",
    "READS",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
    "server_of_uri",
]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: ``fields`` maps an argument name to its kind; sizes in bytes, time in ms."""

    name: str
    server: str
    read: bool
    fields: tuple[tuple[str, str], ...]
    result_bytes: int
    ms: int
    fail: float = 0.01


def _t(
    server: str, name: str, read: bool, fields: str, kb: float, ms: int, fail: float = 0.01
) -> Tool:
    pairs = tuple((k, v) for k, v in (f.split(":") for f in fields.split()))
    return Tool(name, server, read, pairs, int(kb * 1000), ms, fail)


R, W = True, False
_ALL: Final = (
    # 311 call centre's case system
    _t("crm311", "sr_search", R, "address:addr status:sr_status since:date", 6, 320),
    _t("crm311", "sr_get", R, "sr:sr", 3.5, 140),
    _t("crm311", "sr_create", W, "type:sr_type address:addr description:text channel:channel",
       1.2, 420, 0.02),
    _t("crm311", "sr_update", W, "sr:sr note:text status:sr_status", 0.9, 260),
    _t("crm311", "sr_route", W, "sr:sr queue:queue", 0.6, 200),
    _t("crm311", "caller_lookup", R, "phone:phone", 1.1, 180),
    _t("crm311", "kb_search", R, "query:query", 4.0, 380),
    # permits and inspections
    _t("permits", "permit_search", R, "address:addr kind:permit_kind", 7, 450),
    _t("permits", "permit_get", R, "permit:permit", 5, 210),
    _t("permits", "permit_issue", W, "permit:permit conditions:text", 2, 650, 0.03),
    _t("permits", "permit_void", W, "permit:permit reason:text", 0.5, 300),
    _t("permits", "fee_assess", W, "permit:permit valuation:money", 0.8, 240),
    _t("permits", "inspection_schedule", W, "permit:permit date:date slot:slot", 0.7, 330, 0.03),
    _t("permits", "inspection_result", W, "permit:permit result:insp_result notes:text", 0.6, 360),
    _t("permits", "plan_review_get", R, "permit:permit", 12, 520),
    # public works
    _t("works", "wo_search", R, "area:district status:wo_status", 8, 380),
    _t("works", "wo_get", R, "wo:wo", 3, 150),
    _t("works", "wo_create", W, "kind:wo_kind address:addr priority:priority sr:sr", 1, 410),
    _t("works", "wo_assign", W, "wo:wo crew:crew", 0.5, 220),
    _t("works", "wo_update", W, "wo:wo note:text", 0.5, 200),
    _t("works", "wo_close", W, "wo:wo resolution:text", 0.5, 240),
    _t("works", "wo_cancel", W, "wo:wo reason:text", 0.4, 230),
    _t("works", "fleet_status", R, "pool:fleet_pool", 9, 300),
    _t("works", "crew_roster", R, "date:date", 4, 260),
    _t("works", "asset_get", R, "asset:asset", 2.5, 190),
    # police records unit
    _t("records", "incident_search", R, "query:query from:date to:date", 9, 600, 0.02),
    _t("records", "incident_report_get", R, "report:report", 14, 330),
    _t("records", "arrest_record_get", R, "booking:booking", 6, 280),
    _t("records", "redaction_apply", W, "report:report profile:redaction", 16, 1800, 0.03),
    _t("records", "release_log_add", W, "report:report requester:requester", 0.4, 200),
    _t("records", "record_seal", W, "booking:booking order:court_case", 0.4, 380),
    # municipal court clerk
    _t("courts", "docket_search", R, "date:date courtroom:courtroom", 10, 420),
    _t("courts", "case_get", R, "case:court_case", 4, 190),
    _t("courts", "hearing_schedule", W, "case:court_case date:date", 0.7, 340, 0.03),
    _t("courts", "citation_payment_post", W, "citation:citation amount:money", 0.5, 280),
    _t("courts", "warrant_status", R, "person:person_id", 1.5, 220),
    # finance and payroll
    _t("finance", "budget_query", R, "fund:fund dept:dept", 6, 480),
    _t("finance", "invoice_get", R, "invoice:invoice", 3, 200),
    _t("finance", "vendor_payment_approve", W, "invoice:invoice amount:money", 0.6, 420),
    _t("finance", "journal_entry_post", W, "fund:fund amount:money memo:text", 0.7, 380, 0.02),
    _t("finance", "payment_void", W, "payment:payment reason:text", 0.4, 330),
    _t("finance", "payroll_preview", R, "period:period dept:dept", 60, 2400, 0.02),
    _t("finance", "payroll_commit", W, "period:period", 3, 9000, 0.02),
    _t("finance", "ledger_export", R, "fund:fund period:period", 400, 3800, 0.02),
    # human resources
    _t("hr", "employee_search", R, "query:query dept:dept", 5, 300),
    _t("hr", "employee_get", R, "employee:employee", 3, 160),
    _t("hr", "leave_approve", W, "employee:employee days:days", 0.4, 220),
    _t("hr", "position_update", W, "employee:employee title:title", 0.6, 310),
    _t("hr", "onboarding_create", W, "name:name dept:dept title:title", 1, 560),
    _t("hr", "termination_process", W, "employee:employee date:date", 0.6, 520),
    # electronic document management (records retention lives here)
    _t("edms", "doc_search", R, "query:query series:series", 7, 520),
    _t("edms", "doc_get", R, "doc:doc", 45, 420),
    _t("edms", "doc_export", R, "doc:doc format:doc_format", 600, 2600, 0.02),
    _t("edms", "doc_upload", W, "series:series title:title", 0.8, 900, 0.02),
    _t("edms", "retention_hold", W, "doc:doc matter:matter", 0.4, 240),
    _t("edms", "doc_purge", W, "doc:doc schedule:schedule", 0.3, 260),
    # city clerk and council
    _t("clerk", "agenda_get", R, "meeting:meeting", 22, 300),
    _t("clerk", "agenda_item_update", W, "meeting:meeting item:item text:text", 0.8, 340),
    _t("clerk", "ordinance_search", R, "query:query", 8, 410),
    _t("clerk", "vote_record", W, "meeting:meeting item:item tally:tally", 0.5, 260),
    _t("clerk", "public_comment_log", W, "meeting:meeting speaker:name topic:text", 0.4, 210),
    _t("clerk", "minutes_publish", W, "meeting:meeting", 3, 1500, 0.02),
    # IT service desk and identity
    _t("itops", "ticket_search", R, "query:query queue:it_queue", 6, 350),
    _t("itops", "ticket_update", W, "ticket:ticket note:text", 0.6, 240),
    _t("itops", "ad_user_get", R, "account:account", 2.2, 180),
    _t("itops", "password_reset", W, "account:account", 0.4, 420, 0.02),
    _t("itops", "group_add", W, "account:account group:ad_group", 0.4, 310, 0.02),
    _t("itops", "account_disable", W, "account:account reason:text", 0.4, 330),
    _t("itops", "secret_rotate", W, "secret:secret", 0.5, 1200, 0.03),
    # GIS and planning
    _t("gis", "address_geocode", R, "address:addr", 0.9, 120),
    _t("gis", "parcel_lookup", R, "parcel:parcel", 2.8, 210),
    _t("gis", "layer_query", R, "layer:layer bbox:bbox", 26, 900, 0.02),
    _t("gis", "zoning_get", R, "parcel:parcel", 1.6, 170),
    _t("gis", "map_export", R, "layer:layer bbox:bbox format:map_format", 240, 4200, 0.03),
    _t("gis", "feature_edit", W, "layer:layer feature:feature", 0.6, 380),
    # FOIA request tracker (hosted; ships no annotations)
    _t("foia", "request_search", R, "status:foia_status", 6, 380),
    _t("foia", "request_get", R, "request:foia", 3, 190),
    _t("foia", "request_update", W, "request:foia note:text", 0.5, 260),
    _t("foia", "release_package", W, "request:foia docs:days", 2, 2200, 0.02),
    # utility billing (hosted; ships no annotations)
    _t("billing", "account_lookup", R, "account:util_account", 2.4, 260, 0.015),
    _t("billing", "bill_get", R, "account:util_account cycle:period", 5, 300, 0.015),
    _t("billing", "adjustment_post", W, "account:util_account amount:money reason:text", 0.5, 380),
    _t("billing", "payment_import", W, "file:pay_file", 1.5, 2800, 0.02),
    _t("billing", "meter_read_import", W, "route:route", 1.2, 1900, 0.02),
    _t("billing", "bill_run", W, "cycle:period route:route", 90, 6500, 0.02),
    _t("billing", "shutoff_schedule", R, "date:date", 11, 700),
    # water and sewer telemetry (in-house adapter; no annotations)
    _t("sensors", "telemetry_push", W, "station:station readings:days", 0.2, 60, 0.004),
    _t("sensors", "level_get", R, "station:station", 1.4, 90),
    _t("sensors", "alarm_ack", W, "station:station alarm:alarm", 0.3, 110),
)  # fmt: skip

TOOLS: Final[dict[str, Tool]] = {t.name: t for t in _ALL}
SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(t.server for t in _ALL))
READS: Final[frozenset[str]] = frozenset(t.name for t in _ALL if t.read)

_FULL: Final = ("permits", "works", "records", "finance", "hr", "edms", "clerk", "itops")
_READONLY_ONLY: Final = ("crm311", "gis", "courts")
#: the tools that destroy or revoke something, stated ``destructiveHint: true``
DESTRUCTIVE: Final[frozenset[str]] = frozenset(
    {
        "permit_void",
        "wo_cancel",
        "record_seal",
        "payment_void",
        "termination_process",
        "doc_purge",
        "account_disable",
    }
)
_IDEMPOTENT: Final = frozenset({"wo_assign", "retention_hold", "group_add", "leave_approve"})
_OPEN_WORLD: Final = frozenset({"secret_rotate", "minutes_publish", "payroll_commit"})


def _annotations(t: Tool) -> dict[str, bool] | None:
    if t.server in _FULL:
        return {
            "readOnlyHint": t.read,
            "destructiveHint": t.name in DESTRUCTIVE,
            "idempotentHint": t.read or t.name in _IDEMPOTENT,
            "openWorldHint": t.name in _OPEN_WORLD,
        }
    if t.server in _READONLY_ONLY:
        return {"readOnlyHint": t.read}
    return None


#: tool → its MCP annotations, for the tools whose servers declare any
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    t.name: a for t in _ALL if (a := _annotations(t)) is not None
}

#: resource scheme → the server that serves it
_SCHEMES: Final = {
    "kb://": "crm311",
    "plans://": "permits",
    "gis://": "gis",
    "docs://": "edms",
    "minutes://": "clerk",
}
URI_SCHEMES: Final[tuple[str, ...]] = tuple(_SCHEMES)


def server_of(tool: str) -> str:
    """The server that serves ``tool`` (``KeyError`` for a tool the city does not have)."""
    return TOOLS[tool].server


def server_of_uri(uri: str) -> str:
    """The server that serves resource ``uri``."""
    return next(s for scheme, s in _SCHEMES.items() if uri.startswith(scheme))
