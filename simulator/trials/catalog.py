"""The CRO's MCP servers and their tools: what each does, how big its answers are, how it is
annotated.

Eleven servers, 82 tools. Each :class:`Tool` states its kind (``read``, ``write``, ``destroy``),
the median size of its answer and of the free text its arguments carry, and its median latency;
the traffic draws lognormal sizes around them. Annotations come in the three styles vendors ship:
all four hints (edc, ctms, etmf, coding, identity), ``readOnlyHint`` alone (iwrs, statcomp, labs:
``false`` on their writes), none (safety, regsub, portal). A few hints are wrong, as vendors'
are: ``query_close`` and ``doc_supersede`` say they destroy nothing, ``kit_quarantine`` claims
to be read-only, and ``coding_queue_get`` claims to destroy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    server: str
    kind: str  # read | write | destroy
    result: int  # median answer, bytes
    ms: float  # median latency, ms
    text: int = 0  # median free text carried in the arguments, characters (0: none)


def _t(server: str, kind: str, spec: str) -> list[Tool]:
    out = []
    for item in spec.split(";"):
        name, result, ms, *text = item.split()
        out.append(Tool(name, server, kind, int(result), float(ms), int(text[0]) if text else 0))
    return out


_ALL: Final = [
    # electronic data capture: eCRF pages, queries, edit checks, exports
    *_t(
        "edc",
        "read",
        "subject_search 2400 120; subject_get 5200 90; form_get 3800 80;"
        "query_list 2900 110; audit_trail_get 14000 260; form_version_list 1600 60;"
        "visit_matrix_get 3300 95; dataset_export 2600000 9000",
    ),
    *_t(
        "edc",
        "write",
        "form_save 420 150 600; form_sign 300 140; query_open 380 120 220;"
        "query_answer 360 110 260; query_close 260 90; edit_check_run 9000 4200;"
        "form_lock 240 130",
    ),
    *_t("edc", "destroy", "query_delete 200 85; form_delete 220 120"),
    # randomisation and trial supply
    *_t(
        "iwrs",
        "read",
        "supply_status_get 3100 140; site_inventory_get 2200 110;"
        "randomisation_list_get 480000 2400; kit_lookup 900 70; shipment_list 2700 120",
    ),
    *_t(
        "iwrs",
        "write",
        "subject_randomise 520 380; kit_assign 440 260;"
        "kit_dispense_confirm 300 150; shipment_create 700 420; resupply_run 6400 5200;"
        "kit_quarantine 320 200",
    ),
    *_t("iwrs", "destroy", "shipment_cancel 280 230"),
    # safety database: cases, MedDRA, expedited reports over E2B
    *_t(
        "safety",
        "read",
        "case_get 8800 160; case_search 4100 240; expedited_report_list 3600 190;"
        "e2b_inbox_poll 700 380; case_history_get 12000 300",
    ),
    *_t(
        "safety",
        "write",
        "case_create 900 420 800; case_update 620 260 500;"
        "narrative_write 400 310 3200; meddra_code_event 520 210; e2b_submit 1800 2600;"
        "case_assess 480 200 400",
    ),
    *_t("safety", "destroy", "case_nullify 300 280 200"),
    # clinical trial management: sites, visits, monitoring reports
    *_t(
        "ctms",
        "read",
        "site_get 3400 100; site_list 5200 140; visit_schedule_get 2600 110;"
        "enrolment_metrics_get 4800 320; action_item_list 2100 100",
    ),
    *_t(
        "ctms",
        "write",
        "visit_report_create 700 380 5200; visit_report_submit 320 260;"
        "action_item_update 300 140 300; site_activate 460 520",
    ),
    *_t("ctms", "destroy", "action_item_delete 220 120"),
    # electronic trial master file
    *_t(
        "etmf",
        "read",
        "doc_search 3900 210; doc_get 180000 420; placeholder_list 6100 240;"
        "filing_metrics_get 2900 300",
    ),
    *_t(
        "etmf",
        "write",
        "doc_upload 600 1800 24000; doc_file 340 260; qc_review 300 180 300;doc_supersede 320 300",
    ),
    *_t("etmf", "destroy", "doc_delete 240 260"),
    # statistics compute: SAS / R batch jobs
    *_t(
        "statcomp",
        "read",
        "program_list 3400 130; job_status 520 70; job_log_get 42000 400;"
        "output_get 1400000 3800; dataset_get 5200000 12000",
    ),
    *_t("statcomp", "write", "job_submit 460 900 900; program_save 300 320 4000"),
    *_t("statcomp", "destroy", "job_cancel 260 300"),
    # medical coding: MedDRA and WHODrug
    *_t(
        "coding",
        "read",
        "term_search 3600 180; coding_queue_get 7200 210;"
        "dictionary_version_get 380 50; coding_history_get 4100 170",
    ),
    *_t("coding", "write", "term_code 300 140; coding_update 320 150; autocode_run 5200 3100"),
    *_t("coding", "destroy", "coding_uncode 240 130"),
    # regulatory submissions gateway
    *_t(
        "regsub",
        "read",
        "submission_list 4200 260; submission_get 22000 380; ack_get 1200 240;"
        "cta_status_get 1800 300",
    ),
    *_t("regsub", "write", "submission_package_build 8800 14000; submission_send 1400 5200"),
    *_t("regsub", "destroy", "submission_withdraw 400 900"),
    # central lab data and imaging reads
    *_t(
        "labs",
        "read",
        "lab_results_get 9600 240; reference_range_get 2100 120;"
        "image_read_get 6400 300; transfer_status 800 90",
    ),
    *_t("labs", "write", "lab_transfer_ingest 4200 7800; lab_reconcile_run 7200 4600"),
    *_t("labs", "destroy", "transfer_purge 300 600"),
    # the sponsor's portal (read-mostly, sponsor users)
    *_t(
        "portal",
        "read",
        "report_list 3800 220; report_get 1900000 2600; dashboard_get 26000 900;"
        "metrics_get 5200 400",
    ),
    *_t("portal", "write", "report_publish 520 1400"),
    # identity and access administration
    *_t(
        "identity",
        "read",
        "user_get 1300 60; user_list 24000 300; access_review_get 31000 700;"
        "group_members_get 5800 160",
    ),
    *_t("identity", "write", "role_grant 300 240; session_revoke 220 130; password_reset 240 180"),
    *_t("identity", "destroy", "role_revoke 240 220; account_disable 260 250"),
]

TOOLS: Final[dict[str, Tool]] = {t.name: t for t in _ALL}
SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(t.server for t in _ALL))
#: resources read by URI: trial master file documents, protocols, SOPs, analysis plans
URI_SCHEMES: Final[tuple[str, ...]] = ("tmf://", "protocol://", "sop://", "sap://")

_FULL: Final = ("edc", "ctms", "etmf", "coding", "identity")
_READONLY_ONLY: Final = ("iwrs", "statcomp", "labs")
_MISLEADING: Final[dict[str, dict[str, bool]]] = {
    "query_close": {"destructiveHint": False},  # closes a query for good: no reopen in this EDC
    "doc_supersede": {"destructiveHint": False},  # hides the earlier version from the TMF index
    "kit_quarantine": {"readOnlyHint": True},  # blocks a kit from dispensing
    "coding_queue_get": {"readOnlyHint": False, "destructiveHint": True},  # claims the batch
}


def _hints(t: Tool) -> dict[str, bool] | None:
    if t.server in _FULL:
        ro = t.kind == "read"
        hints = {
            "readOnlyHint": ro,
            "destructiveHint": t.kind == "destroy",
            "idempotentHint": ro or t.name.endswith(("_close", "_lock", "_sign")),
            "openWorldHint": False,
        }
        hints.update(_MISLEADING.get(t.name, {}))
        return hints
    if t.server in _READONLY_ONLY:
        return {"readOnlyHint": _MISLEADING.get(t.name, {}).get("readOnlyHint", t.kind == "read")}
    return None


ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    t.name: h for t in _ALL if (h := _hints(t)) is not None
}


def server_of(tool: str) -> str:
    """The server a tool belongs to (``KeyError`` for a tool that is not the CRO's)."""
    return TOOLS[tool].server
