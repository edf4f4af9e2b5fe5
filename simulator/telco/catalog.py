"""The carrier's MCP servers, their tools and resources, and how each tool is annotated.

Eleven servers. Annotations come in three styles, as real vendors ship them:

- **full** (all four hints): ``noc``, ``care``, ``billing``, ``porting``, ``fraud``. Two of them
  mislead: ``port_status_sync`` says ``readOnlyHint`` though it writes the port state, and
  ``account_freeze`` says ``destructiveHint: false`` though it cuts a subscriber off.
- **read-only hint only** (``readOnlyHint`` true or false, nothing else): ``fieldops``,
  ``provisioning``, ``inventory``. ``hlr_resync`` says read-only though it rewrites the HLR.
- **absent** (names only): ``lawful``, ``change``, ``retail``.

A tool is ``Tool(server, kind, kb, ms, fields)``: its kind (``read``, ``search``, ``export``,
``write``, ``destroy``), its typical result (kB) and latency (ms), and the argument fields it
takes (values made by :func:`make_args`).
"""

from __future__ import annotations

import random
from typing import Any, Final, NamedTuple

__all__ = [
    "ANNOTATIONS",
    "DESTRUCTIVE",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "make_args",
    "server_of",
]


class Tool(NamedTuple):
    server: str
    kind: str  # read | search | export | write | destroy
    kb: float
    ms: float
    fields: tuple[str, ...]


_T = Tool
TOOLS: Final[dict[str, Tool]] = {
    # network operations centre
    "alarm_list": _T("noc", "search", 6, 140, ("region", "severity", "since_min")),
    "alarm_ack": _T("noc", "write", 0.4, 90, ("alarm", "note")),
    "alarm_clear": _T("noc", "write", 0.4, 110, ("alarm", "note")),
    "cell_kpi_get": _T("noc", "read", 3, 220, ("cell", "window_min")),
    "link_status_get": _T("noc", "read", 1.5, 120, ("link",)),
    "topology_query": _T("noc", "search", 9, 380, ("site", "depth", "query")),
    "noc_incident_create": _T("noc", "write", 0.8, 160, ("title", "severity", "region")),
    "noc_incident_update": _T("noc", "write", 0.6, 130, ("incident", "note")),
    "traffic_reroute": _T("noc", "write", 0.9, 900, ("link", "via")),
    "node_reboot": _T("noc", "destroy", 0.5, 2400, ("node", "change")),
    # field operations (technicians' tablets)
    "job_list": _T("fieldops", "search", 4, 160, ("tech", "date")),
    "job_get": _T("fieldops", "read", 2.5, 120, ("job",)),
    "job_update": _T("fieldops", "write", 0.5, 140, ("job", "status", "note")),
    "splice_record_submit": _T("fieldops", "write", 0.7, 260, ("job", "closure", "fibres")),
    "photo_upload": _T("fieldops", "write", 0.3, 1800, ("job", "photo")),
    "climb_permit_request": _T("fieldops", "write", 0.6, 200, ("site", "tech")),
    "spare_order": _T("fieldops", "write", 0.5, 180, ("part", "qty", "job")),
    # customer care (subscriber CRM)
    "customer_search": _T("care", "search", 3, 200, ("query", "limit")),
    "customer_get": _T("care", "read", 6, 150, ("account",)),
    "usage_summary_get": _T("care", "read", 4, 240, ("account", "months")),
    "account_note_add": _T("care", "write", 0.3, 100, ("account", "note")),
    "plan_change": _T("care", "write", 0.8, 300, ("account", "plan")),
    "ticket_create": _T("care", "write", 0.6, 170, ("account", "category", "note")),
    "ticket_update": _T("care", "write", 0.5, 150, ("ticket", "status", "note")),
    "device_order_create": _T("care", "write", 0.9, 420, ("account", "device")),
    "contract_terminate": _T("care", "destroy", 0.5, 380, ("account", "reason")),
    # billing and revenue assurance
    "invoice_get": _T("billing", "read", 12, 260, ("account", "period")),
    "tariff_get": _T("billing", "read", 5, 120, ("plan",)),
    "cdr_query": _T("billing", "search", 28, 900, ("msisdn", "period", "limit")),
    "cdr_export": _T("billing", "export", 900, 6000, ("period", "segment", "format")),
    "adjustment_apply": _T("billing", "write", 0.5, 200, ("account", "amount", "reason")),
    "rerate_batch": _T("billing", "write", 2, 4000, ("tariff", "chunk", "period")),
    "bill_run_start": _T("billing", "write", 1, 1500, ("cycle", "period")),
    "bill_run_status": _T("billing", "read", 1.2, 150, ("cycle",)),
    "usage_batch_load": _T("billing", "write", 0.6, 2500, ("batch", "records")),
    "invoice_void": _T("billing", "destroy", 0.4, 220, ("invoice", "reason")),
    "leakage_report": _T("billing", "export", 140, 3500, ("period", "stream")),
    # number porting desk
    "port_request_get": _T("porting", "read", 2, 130, ("port",)),
    "port_in_submit": _T("porting", "write", 0.8, 600, ("msisdn", "donor", "account")),
    "port_out_approve": _T("porting", "write", 0.6, 400, ("port", "msisdn")),
    "port_reject": _T("porting", "write", 0.5, 300, ("port", "reason")),
    "port_status_sync": _T("porting", "write", 3, 1200, ("since_min",)),
    "number_block_get": _T("porting", "read", 5, 200, ("block",)),
    "number_reclaim": _T("porting", "destroy", 0.4, 250, ("msisdn", "block")),
    "port_record_delete": _T("porting", "destroy", 0.3, 180, ("port",)),
    # fraud
    "sim_swap_check": _T("fraud", "read", 1.8, 210, ("msisdn", "days")),
    "imei_history_get": _T("fraud", "read", 3.5, 260, ("msisdn",)),
    "risk_score_get": _T("fraud", "read", 1, 320, ("account",)),
    "fraud_case_open": _T("fraud", "write", 0.6, 180, ("account", "kind", "note")),
    "fraud_case_close": _T("fraud", "write", 0.4, 140, ("case", "outcome")),
    "account_freeze": _T("fraud", "write", 0.5, 300, ("account", "reason")),
    "fraud_case_purge": _T("fraud", "destroy", 0.3, 200, ("case",)),
    # provisioning (HLR/HSS, SIMs, fibre ONTs)
    "hlr_subscriber_get": _T("provisioning", "read", 2.2, 180, ("msisdn",)),
    "sim_activate": _T("provisioning", "write", 0.7, 900, ("iccid", "msisdn", "plan")),
    "esim_profile_download": _T("provisioning", "write", 1.1, 1400, ("eid", "msisdn")),
    "sim_swap_execute": _T("provisioning", "write", 0.6, 1100, ("msisdn", "iccid", "case")),
    "ont_activate": _T("provisioning", "write", 0.8, 1600, ("ont", "account", "profile")),
    "service_suspend": _T("provisioning", "write", 0.4, 500, ("msisdn", "reason")),
    "service_restore": _T("provisioning", "write", 0.4, 500, ("msisdn",)),
    "hlr_resync": _T("provisioning", "write", 0.9, 1300, ("msisdn",)),
    "order_fallout_list": _T("provisioning", "search", 7, 420, ("queue", "limit")),
    # network inventory (OSS)
    "circuit_get": _T("inventory", "read", 3, 160, ("circuit",)),
    "fibre_route_get": _T("inventory", "read", 8, 450, ("route",)),
    "cabinet_get": _T("inventory", "read", 2.5, 140, ("cabinet",)),
    "number_inventory_query": _T("inventory", "search", 10, 520, ("range", "status")),
    "port_assign": _T("inventory", "write", 0.5, 230, ("cabinet", "port", "account")),
    "asset_decommission": _T("inventory", "write", 0.4, 300, ("asset", "change")),
    # lawful intercept / law-enforcement request desk
    "warrant_register": _T("lawful", "write", 0.6, 300, ("warrant", "agency", "targets")),
    "intercept_provision": _T("lawful", "write", 0.5, 1800, ("warrant", "msisdn")),
    "intercept_status": _T("lawful", "read", 1, 200, ("warrant",)),
    "intercept_revoke": _T("lawful", "write", 0.4, 900, ("warrant", "msisdn")),
    "disclosure_export": _T("lawful", "export", 260, 5000, ("warrant", "msisdn", "period")),
    "request_log_get": _T("lawful", "search", 14, 400, ("period", "agency")),
    # change management (CAB)
    "change_get": _T("change", "read", 2, 120, ("change",)),
    "change_create": _T("change", "write", 0.7, 200, ("title", "window", "risk")),
    "change_approve": _T("change", "write", 0.4, 150, ("change",)),
    "change_implement_start": _T("change", "write", 0.4, 180, ("change",)),
    "change_implement_close": _T("change", "write", 0.5, 190, ("change", "result")),
    "freeze_calendar_get": _T("change", "read", 1.5, 110, ("month",)),
    # retail shops and handset stock
    "stock_check": _T("retail", "search", 1.5, 170, ("sku", "shop")),
    "preorder_get": _T("retail", "read", 1.2, 130, ("preorder",)),
    "preorder_fulfil": _T("retail", "write", 0.8, 600, ("preorder", "imei")),
    "handset_reserve": _T("retail", "write", 0.5, 240, ("sku", "shop", "account")),
}

SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(t.server for t in TOOLS.values()))

#: ``resources/read`` URIs: runbooks, field maps, the care knowledge base, tariffs, warrants
URI_SCHEMES: Final[tuple[str, ...]] = ("runbook://", "fieldmap://", "kb://", "tariff://", "lea://")
#: the server that serves each scheme
URI_SERVER: Final[dict[str, str]] = {
    "runbook://": "noc",
    "fieldmap://": "fieldops",
    "kb://": "care",
    "tariff://": "billing",
    "lea://": "lawful",
}

_FULL: Final = ("noc", "care", "billing", "porting", "fraud")
_READONLY_ONLY: Final = ("fieldops", "provisioning", "inventory")
#: annotations that do not say what the tool does (``docs/telco.md``)
_MISLEADING: Final[dict[str, dict[str, bool]]] = {
    "port_status_sync": {"readOnlyHint": True, "destructiveHint": False,
                         "idempotentHint": True, "openWorldHint": True},
    "account_freeze": {"readOnlyHint": False, "destructiveHint": False,
                       "idempotentHint": True, "openWorldHint": False},
    "hlr_resync": {"readOnlyHint": True},
}  # fmt: skip


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for name, t in TOOLS.items():
        ro = t.kind in ("read", "search", "export")
        if name in _MISLEADING:
            out[name] = dict(_MISLEADING[name])
        elif t.server in _FULL:
            out[name] = {
                "readOnlyHint": ro,
                "destructiveHint": t.kind == "destroy",
                "idempotentHint": ro or name in ("alarm_ack", "ticket_update", "rerate_batch"),
                "openWorldHint": t.server in ("porting", "noc"),
            }
        elif t.server in _READONLY_ONLY:
            out[name] = {"readOnlyHint": ro}
    return out


ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()
#: the tools whose own annotations call them destructive
DESTRUCTIVE: Final[frozenset[str]] = frozenset(
    t for t, a in ANNOTATIONS.items() if a.get("destructiveHint") is True
)


def server_of(tool: str) -> str:
    """The server that serves ``tool`` (``KeyError`` for a tool the carrier does not have)."""
    return TOOLS[tool].server


_PLANS: Final = ("mobile-s", "mobile-m", "mobile-unl", "fibre-500", "fibre-1g", "bundle-family")
_WORDS: Final = (
    "no signal",
    "slow fibre",
    "bill higher",
    "roaming",
    "port in",
    "esim",
    "router",
    "contract end",
    "cancel",
    "upgrade",
    "lost phone",
    "payment",
    "outage",
    "apn",
)
_SEV: Final = ("minor", "major", "critical")


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def _value(f: str, rng: random.Random) -> Any:
    """A value for argument field ``f``."""
    if f in ("msisdn",):
        return "+35191" + _digits(rng, 7)
    if f in ("account",):
        return "AC" + _digits(rng, 8)
    if f in ("query",):
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
    if f in ("note", "title", "reason"):
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 9)))
    if f in ("limit", "days", "months", "qty", "depth", "window_min", "since_min", "fibres"):
        return rng.choice((5, 10, 20, 25, 50, 90))
    if f == "records":
        return rng.randint(20_000, 90_000)
    if f in ("plan", "tariff", "profile"):
        return rng.choice(_PLANS)
    if f in ("severity",):
        return rng.choice(_SEV)
    if f in ("period", "month", "date"):
        return f"2026-{rng.choice(('08', '09', '10'))}"
    if f == "amount":
        return round(rng.uniform(-60, 60), 2)
    if f in ("status", "result", "outcome"):
        return rng.choice(("done", "in_progress", "blocked", "resolved"))
    if f in ("iccid", "eid", "imei"):
        return _digits(rng, 15)
    return f"{f[:3].upper()}-{_digits(rng, 6)}"


def make_args(tool: str, rng: random.Random, **fixed: Any) -> dict[str, Any]:
    """Arguments for ``tool``: a value per field, ``fixed`` ones as given."""
    return {f: fixed[f] if f in fixed else _value(f, rng) for f in TOOLS[tool].fields}
