"""The hospital's eleven MCP servers, their tools and what a call of each costs.

Each tool has a typical result size and duration (log-normal around them), a failure rate and
the errors it fails with; :data:`DENIALS` are refusals (outcome ``denied``), the rest errors.
Servers annotate their tools as real ones do: ``ehr``, ``lab``, ``flow``, ``billing`` and
``docs`` fully (all four MCP hints), ``orders`` and ``analytics`` with ``readOnlyHint`` only,
``pharmacy`` and ``messaging`` for some tools, ``imaging`` and ``identity`` (older servers) not at
all. Resources are read as ``ehr://`` (chart views) and ``docs://`` (letters, scanned forms).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "DENIALS",
    "LIST_BYTES",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
]


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool: its server, typical result bytes and milliseconds, failure rate and errors."""

    server: str
    result_b: int
    dur_ms: int
    fail: float
    errors: tuple[str, ...]


#: error types that are refusals (outcome ``denied``)
DENIALS: Final = frozenset({"forbidden", "break_glass_required", "not_authorized"})

_NET = ("timeout", "upstream_unavailable")

# name: (server, result bytes, ms, failure rate, errors)
_SPECS: Final[dict[str, tuple[str, int, int, float, tuple[str, ...]]]] = {
    # electronic health record (FHIR facade)
    "ehr_search_patients": ("ehr", 1_800, 320, 0.02, ("timeout", "invalid_query")),
    "ehr_get_patient": ("ehr", 7_500, 190, 0.015, ("timeout", "forbidden")),
    "ehr_get_encounter": ("ehr", 3_200, 150, 0.01, ("timeout", "not_found")),
    "ehr_list_notes": ("ehr", 5_500, 240, 0.01, ("timeout",)),
    "ehr_write_note": ("ehr", 420, 380, 0.02, ("note_locked", "validation_error", "timeout")),
    "ehr_amend_note": ("ehr", 400, 360, 0.03, ("note_locked", "forbidden")),
    "ehr_record_obs": ("ehr", 260, 140, 0.01, ("validation_error", "timeout")),
    "ehr_register_patient": ("ehr", 900, 520, 0.04, ("duplicate_mrn", "validation_error")),
    "ehr_bulk_export": ("ehr", 38_000_000, 21_000, 0.03, _NET),
    # orders (CPOE)
    "orders_list": ("orders", 2_600, 170, 0.01, ("timeout",)),
    "orders_get_orderset": ("orders", 4_100, 130, 0.005, ("not_found",)),
    "orders_create": ("orders", 520, 410, 0.04, ("validation_error", "duplicate_order")),
    "orders_sign": ("orders", 300, 260, 0.02, ("not_authorized", "validation_error")),
    "orders_cancel": ("orders", 280, 240, 0.03, ("already_resulted", "not_authorized")),
    # laboratory (LIS)
    "lab_get_results": ("lab", 3_900, 210, 0.015, ("timeout", "not_found")),
    "lab_list_pending": ("lab", 2_100, 180, 0.01, ("timeout",)),
    "lab_post_result": ("lab", 180, 90, 0.01, ("hl7_reject", "timeout")),
    "lab_add_on_test": ("lab", 350, 300, 0.05, ("sample_too_old", "validation_error")),
    "lab_cancel_specimen": ("lab", 240, 220, 0.04, ("already_resulted",)),
    # imaging (RIS / PACS)
    "imaging_list_studies": ("imaging", 2_400, 400, 0.01, ("timeout",)),
    "imaging_get_report": ("imaging", 3_100, 280, 0.02, ("not_found", "timeout")),
    "imaging_request": ("imaging", 450, 480, 0.03, ("validation_error", "duplicate_order")),
    "imaging_fetch_series": ("imaging", 9_500_000, 6_500, 0.03, ("timeout", "pacs_busy")),
    "imaging_write_report": ("imaging", 380, 420, 0.02, ("study_locked",)),
    # pharmacy
    "rx_check_interactions": ("pharmacy", 1_600, 260, 0.01, ("timeout",)),
    "rx_formulary_lookup": ("pharmacy", 1_200, 120, 0.005, ("not_found",)),
    "rx_reconcile": ("pharmacy", 2_800, 450, 0.02, ("validation_error",)),
    "rx_verify_order": ("pharmacy", 600, 330, 0.03, ("validation_error", "not_authorized")),
    "rx_record_admin": ("pharmacy", 240, 150, 0.015, ("barcode_mismatch", "validation_error")),
    "rx_dispense": ("pharmacy", 310, 1_900, 0.02, ("out_of_stock", "robot_jam")),
    "rx_cancel_dispense": ("pharmacy", 260, 300, 0.02, ("already_dispensed",)),
    # patient flow: beds and theatre scheduling
    "flow_bed_board": ("flow", 6_200, 230, 0.01, ("timeout",)),
    "flow_request_bed": ("flow", 380, 260, 0.01, ("validation_error",)),
    "flow_assign_bed": ("flow", 340, 290, 0.04, ("bed_taken", "validation_error")),
    "flow_release_bed": ("flow", 300, 210, 0.01, ("validation_error",)),
    "flow_forecast": ("flow", 4_800, 1_400, 0.02, ("timeout",)),
    "sched_theatre_list": ("flow", 3_600, 260, 0.01, ("timeout",)),
    "sched_book_slot": ("flow", 420, 380, 0.05, ("slot_taken", "validation_error")),
    "sched_cancel_slot": ("flow", 300, 300, 0.02, ("not_found",)),
    # secure messaging and paging
    "msg_send": ("messaging", 220, 310, 0.01, ("rate_limited", "timeout")),
    "msg_page": ("messaging", 200, 420, 0.02, ("pager_offline",)),
    "msg_ack_page": ("messaging", 160, 150, 0.005, ("not_found",)),
    "msg_inbox": ("messaging", 3_400, 200, 0.01, ("timeout",)),
    # clinical coding and claims
    "coding_get_episode": ("billing", 8_800, 420, 0.01, ("not_found",)),
    "coding_suggest": ("billing", 2_300, 2_600, 0.04, ("timeout", "rate_limited")),
    "coding_assign": ("billing", 300, 330, 0.03, ("validation_error", "episode_locked")),
    "claims_submit_batch": ("billing", 2_200, 14_000, 0.05, ("payer_rejected", "timeout")),
    "claims_status": ("billing", 1_900, 600, 0.02, ("timeout",)),
    # documents: letters, scanned forms, reports
    "docs_list": ("docs", 3_000, 210, 0.01, ("timeout",)),
    "docs_read": ("docs", 42_000, 380, 0.01, ("not_found", "forbidden")),
    "docs_write": ("docs", 380, 520, 0.02, ("validation_error", "quota_exceeded")),
    "docs_move": ("docs", 260, 240, 0.02, ("not_found",)),
    "docs_delete": ("docs", 200, 210, 0.03, ("not_found", "legal_hold")),
    "docs_purge_expired": ("docs", 520, 2_400, 0.04, ("legal_hold", "timeout")),
    # identity and access administration
    "iam_whoami": ("identity", 420, 60, 0.002, ("timeout",)),
    "iam_list_sessions": ("identity", 3_800, 240, 0.01, ("forbidden",)),
    "iam_reset_password": ("identity", 240, 520, 0.05, ("forbidden", "mfa_required")),
    "iam_grant_access": ("identity", 280, 460, 0.06, ("forbidden", "approval_required")),
    "iam_revoke_access": ("identity", 260, 410, 0.03, ("not_found",)),
    "iam_break_glass": ("identity", 340, 380, 0.02, ("forbidden",)),
    # analytics warehouse
    "sql_list_tables": ("analytics", 2_900, 350, 0.005, ("timeout",)),
    "sql_describe": ("analytics", 1_700, 260, 0.01, ("not_found",)),
    "sql_query": ("analytics", 24_000, 2_800, 0.05, ("syntax_error", "timeout", "forbidden")),
    "sql_export_csv": ("analytics", 1_400_000, 9_000, 0.04, ("timeout", "quota_exceeded")),
}

TOOLS: Final[dict[str, Tool]] = {
    name: Tool(server, size, ms, fail, errors)
    for name, (server, size, ms, fail, errors) in _SPECS.items()
}
SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(t.server for t in TOOLS.values()))
#: the size of each server's ``tools/list`` result (bytes)
LIST_BYTES: Final[dict[str, int]] = {
    s: 650 * sum(t.server == s for t in TOOLS.values()) for s in SERVERS
}
#: the schemes of the resources the servers serve (``resources/read``)
URI_SCHEMES: Final = ("ehr://", "docs://")


def server_of(tool: str) -> str:
    """The server that serves ``tool`` (``KeyError`` for a tool no server has)."""
    return TOOLS[tool].server


def _full(ro: bool, destructive: bool, idempotent: bool, openworld: bool) -> dict[str, bool]:
    return {
        "readOnlyHint": ro,
        "destructiveHint": destructive,
        "idempotentHint": idempotent,
        "openWorldHint": openworld,
    }


_R, _W = _full(True, False, True, False), _full(False, False, False, False)
_IDEM, _DEL = _full(False, False, True, False), _full(False, True, True, False)
#: tool → its MCP annotations, as the servers' ``tools/list`` gives them (absent: none given)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    **{t: _R for t in ("ehr_search_patients", "ehr_get_patient", "ehr_get_encounter")},
    "ehr_list_notes": _R,
    "ehr_write_note": _W,
    "ehr_amend_note": _full(False, True, True, False),
    "ehr_record_obs": _W,
    "ehr_register_patient": _W,
    "ehr_bulk_export": _R,
    **{t: {"readOnlyHint": True} for t in ("orders_list", "orders_get_orderset")},
    **{t: {"readOnlyHint": False} for t in ("orders_create", "orders_sign", "orders_cancel")},
    **{t: _R for t in ("lab_get_results", "lab_list_pending")},
    "lab_post_result": _IDEM,
    "lab_add_on_test": _W,
    "lab_cancel_specimen": _DEL,
    "rx_check_interactions": _R,
    "rx_formulary_lookup": _R,
    "rx_cancel_dispense": _DEL,
    **{t: {"readOnlyHint": False} for t in ("rx_reconcile", "rx_verify_order")},
    **{t: _R for t in ("flow_bed_board", "flow_forecast", "sched_theatre_list")},
    **{t: _W for t in ("flow_request_bed", "sched_book_slot")},
    **{t: _IDEM for t in ("flow_assign_bed", "flow_release_bed")},
    "sched_cancel_slot": _DEL,
    "msg_send": _full(False, False, False, True),
    "msg_page": _full(False, False, False, True),
    "msg_inbox": _R,
    **{t: _R for t in ("coding_get_episode", "claims_status")},
    "coding_suggest": _full(True, False, True, True),
    "coding_assign": _IDEM,
    "claims_submit_batch": _full(False, False, False, True),
    **{t: _R for t in ("docs_list", "docs_read")},
    "docs_write": _W,
    "docs_move": _IDEM,
    **{t: _DEL for t in ("docs_delete", "docs_purge_expired")},
    **{t: {"readOnlyHint": True} for t in ("sql_list_tables", "sql_describe")},
    "sql_query": {"readOnlyHint": False},
}
