"""The MCP servers of a payments company, their tools and the annotations they declare.

Each tool lives on exactly one server. Servers written in-house declare full annotations; the
GitHub-style ones state only ``readOnlyHint`` (``false`` on writes, nothing else); the vendor
bank-file gateway and the observability bridge declare none. A tool's typical duration (ms) and
result size (bytes) sit beside it: a search returns pages, an export returns megabytes.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ANNOTATIONS", "COST", "SERVERS", "TOOLS", "URI_SCHEMES", "server_of"]

_RO: Final = {"readOnlyHint": True, "destructiveHint": False, "openWorldHint": False}
_WRITE: Final = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False}
_KILL: Final = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False}
_RO_ONLY: Final = {"readOnlyHint": True}
_W_ONLY: Final = {"readOnlyHint": False}

#: server → tool → (annotations or None, typical duration ms, typical result bytes)
TOOLS: Final[dict[str, dict[str, tuple[dict[str, bool] | None, int, int]]]] = {
    "payments-core": {
        "txn_search": (_RO, 180, 9_000),
        "txn_get": (_RO, 40, 2_400),
        "refund_create": (_WRITE, 260, 700),
        "capture_retry": (_WRITE, 900, 600),
        "payment_void": (_KILL, 300, 500),
    },
    "ledger": {
        "ledger_get_entry": (_RO, 35, 1_800),
        "ledger_trial_balance": (_RO, 2_400, 60_000),
        "ledger_post_adjustment": (_WRITE, 120, 600),
        "ledger_reverse_entry": (_KILL, 150, 650),
        "ledger_delete_draft": (_KILL, 80, 300),
        "ledger_export": (_RO, 6_000, 900_000),
    },
    "fraud": {
        "fraud_list_alerts": (_RO, 120, 6_000),
        "fraud_get_alert": (_RO, 60, 3_200),
        "fraud_close_alert": (_WRITE, 90, 400),
        "account_freeze": (_KILL, 110, 450),
        "account_unfreeze": (_WRITE, 110, 450),
    },
    "disputes": {
        "dispute_list": (_RO_ONLY, 150, 7_000),
        "dispute_get": (_RO_ONLY, 70, 4_000),
        "dispute_attach_evidence": (_W_ONLY, 400, 500),
        "dispute_submit": (_W_ONLY, 350, 600),
        "dispute_accept": (_W_ONLY, 200, 500),
    },
    "kyc": {
        "kyc_search": (_RO_ONLY, 140, 5_000),
        "kyc_get_case": (_RO_ONLY, 80, 3_500),
        "kyc_request_docs": (_W_ONLY, 200, 400),
        "kyc_decide": (_W_ONLY, 180, 450),
    },
    "crm": {
        "customer_lookup": (_RO, 90, 3_000),
        "customer_update_contact": (_WRITE, 120, 500),
        "ticket_get": (_RO, 50, 2_200),
        "ticket_reply": (_WRITE, 140, 400),
        "ticket_close": (_WRITE, 60, 300),
    },
    "treasury": {
        "treasury_positions": (_RO, 700, 14_000),
        "fx_rates": (_RO, 90, 2_000),
        "treasury_transfer": (_WRITE, 1_100, 700),
    },
    "settlement": {
        "settle_create_batch": (_WRITE, 4_000, 1_200),
        "settle_submit_batch": (_WRITE, 2_500, 800),
        "settle_batch_status": (_RO, 60, 900),
    },
    "bankfiles": {
        "bankfile_list": (None, 300, 2_500),
        "bankfile_fetch": (None, 1_800, 400_000),
        "bankfile_upload": (None, 2_200, 300),
        "bankfile_ack": (None, 200, 200),
    },
    "recon": {
        "recon_run": (_WRITE, 8_000, 3_000),
        "recon_list_exceptions": (_RO, 200, 8_000),
        "recon_get_exception": (_RO, 60, 2_000),
        "recon_resolve": (_WRITE, 120, 400),
    },
    "observability": {
        "logs_search": (None, 900, 20_000),
        "metrics_query": (None, 400, 6_000),
        "incident_page": (None, 300, 500),
    },
    "reports": {
        "report_run": (_RO_ONLY, 3_000, 40_000),
        "report_export": (_RO_ONLY, 9_000, 1_500_000),
    },
}

SERVERS: Final[tuple[str, ...]] = tuple(TOOLS)
#: tool → annotations as each server declares them (tools of servers that declare none absent)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {
    t: dict(a) for tools in TOOLS.values() for t, (a, _, _) in tools.items() if a is not None
}
#: tool → (typical duration ms, typical result bytes)
COST: Final[dict[str, tuple[int, int]]] = {
    t: (ms, size) for tools in TOOLS.values() for t, (_, ms, size) in tools.items()
}
_SERVER: Final[dict[str, str]] = {t: s for s, tools in TOOLS.items() for t in tools}
#: resources the servers expose (KYC documents, dispute evidence, bank files, runbooks)
URI_SCHEMES: Final[tuple[str, ...]] = ("kyc://", "disputes://", "sftp://", "runbook://")
#: URI scheme → the server that serves it
URI_SERVER: Final[dict[str, str]] = {
    "kyc://": "kyc",
    "disputes://": "disputes",
    "sftp://": "bankfiles",
    "runbook://": "observability",
}


def server_of(tool: str) -> str:
    """The server a tool belongs to (``KeyError`` for a tool this world does not have)."""
    return _SERVER[tool]
