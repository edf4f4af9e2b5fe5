"""What each role does with its assistant, as short task recipes, and the arguments they type.

A recipe is a tuple of steps: a tool name, or ``@scheme://...`` for a resource to read (``{}``
filled with an id). The world (``generate.py``) decides when a task happens; this module only
says what it is made of.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["ROUTINES", "args_for", "uri"]

_FEEDERS = [f"FDR-{s}{n:02d}" for s in "ABCDEFGH" for n in range(1, 13)]
_SUBS = [f"SS{n:02d}" for n in range(1, 25)]
_REPOS = ("rtu-configs", "relay-settings", "firewall-ot", "historian-tags", "hmi-displays")
_TEXT = (
    "transformer oil leak", "pole replacement", "vegetation near line", "meter not reporting",
    "recloser lockout", "high bill complaint", "breaker maintenance", "relay test report",
    "substation inspection", "cable fault history", "storm preparedness", "switching procedure",
)  # fmt: skip


def _val(key: str, rng: random.Random) -> Any:
    if key in ("feeder",):
        return rng.choice(_FEEDERS)
    if key == "substation":
        return rng.choice(_SUBS)
    if key in ("work_order", "outage_id", "account", "meter", "alert_id", "ticket", "order_id"):
        return f"{key[:2].upper()}-{rng.randrange(10_000, 99_999)}"
    if key in ("query", "note", "summary"):
        return rng.choice(_TEXT)
    if key == "repo":
        return rng.choice(_REPOS)
    if key == "path":
        return f"{rng.choice(_SUBS).lower()}/{rng.choice(('rtu', 'relay', 'fw'))}.cfg"
    if key in ("days", "limit", "hours", "mw", "step"):
        return rng.randrange(1, 48)
    if key == "price":
        return round(rng.uniform(40, 220), 2)
    if key == "user":
        return f"{rng.choice('abcdefghijklmnoprstuvw')}.user{rng.randrange(100)}"
    if key in ("tags", "layer"):
        return rng.choice(("feeder_load", "bus_voltage", "transformer_temp", "lv_network"))
    return rng.choice(("open", "closed", "in_progress", "P1", "P2"))


_ARGS: dict[str, tuple[str, ...]] = {
    "scada_get_alarms": ("substation", "hours"), "scada_get_feeder_status": ("feeder",),
    "scada_get_substation": ("substation",), "ems_get_load_forecast": ("hours",),
    "ems_get_switching_order": ("order_id",), "ems_confirm_switching_step": ("order_id", "step"),
    "oms_list_outages": ("status",), "oms_get_outage": ("outage_id",),
    "oms_create_outage": ("feeder", "summary"), "oms_update_restoration": ("outage_id", "note"),
    "oms_close_outage": ("outage_id",), "oms_lookup_customer": ("account", "query"),
    "oms_reliability_indices": ("days",), "oms_export_outages": ("days", "status"),
    "wo_search": ("query", "status"), "wo_get": ("work_order",),
    "wo_create": ("feeder", "summary", "priority"), "wo_update": ("work_order", "note"),
    "wo_close": ("work_order",), "wo_delete": ("work_order",),
    "crew_list_available": ("substation",), "crew_dispatch": ("work_order", "feeder"),
    "crew_update_status": ("work_order", "status"), "crew_get_location": ("work_order",),
    "mdm_get_meter": ("meter",), "mdm_get_interval_reads": ("meter", "days"),
    "mdm_validate_reads": ("meter", "days"), "mdm_ingest_batch": ("limit",),
    "bill_get_account": ("account",), "bill_get_invoice": ("account",),
    "bill_run_cycle": ("limit",), "bill_rebill_account": ("account", "days"),
    "bill_adjust": ("account", "note"), "trade_get_prices": ("hours",),
    "trade_get_positions": ("hours",), "trade_get_gate_status": ("hours",),
    "trade_submit_bid": ("hours", "mw", "price"), "trade_cancel_bid": ("order_id",),
    "gis_get_asset": ("feeder",), "gis_trace_feeder": ("feeder",),
    "gis_search_assets": ("query",), "gis_export_layer": ("layer", "substation"),
    "doc_search": ("query",), "doc_get": ("ticket",), "doc_upload": ("summary",),
    "idm_get_user": ("user",), "idm_list_group_members": ("status",),
    "idm_reset_mfa": ("user",), "idm_add_to_group": ("user", "status"),
    "idm_disable_account": ("user",), "tkt_search": ("query",), "tkt_get": ("ticket",),
    "tkt_create": ("summary", "priority"), "tkt_comment": ("ticket", "note"),
    "otcfg_list_repos": (), "otcfg_get_file": ("repo", "path"), "otcfg_diff": ("repo", "path"),
    "otcfg_commit": ("repo", "path", "summary"), "otcfg_delete_backup": ("repo", "path"),
    "wx_get_forecast": ("hours",), "wx_get_observations": ("substation",),
    "wx_ingest_feed": ("limit",), "hist_query_tags": ("tags", "hours"),
    "hist_export": ("tags", "hours"), "siem_search_events": ("query", "hours"),
    "siem_get_alert": ("alert_id",), "siem_ack_alert": ("alert_id", "note"),
}  # fmt: skip


def args_for(tool: str, rng: random.Random, **fixed: Any) -> dict[str, Any]:
    """The arguments a person or job passes to ``tool`` (``fixed`` ones as given)."""
    return {k: fixed[k] if k in fixed else _val(k, rng) for k in _ARGS[tool]}


def uri(template: str, rng: random.Random) -> str:
    """A resource address from ``@scheme://path/{}`` with an id of the right kind filled in."""
    t = template[1:]
    if "{}" not in t:
        return t
    fill = rng.choice(_SUBS) if t.startswith(("scada", "otcfg")) else rng.choice(_FEEDERS)
    return t.replace("{}", fill)


# role -> recipes (weight, steps) for its ordinary work
ROUTINES: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "control_operator": (
        (5, ("scada_get_alarms", "scada_get_feeder_status", "oms_list_outages")),
        (3, ("ems_get_load_forecast", "scada_get_substation", "@scada://substation/{}/oneline")),
        (1, ("@docs://procedures/switching-{}", "ems_get_switching_order")),
        (1, ("hist_query_tags", "scada_get_substation")),
        (1, ("wx_get_forecast", "ems_get_load_forecast")),
    ),
    "dispatcher": (
        (4, ("crew_get_location", "wo_search", "crew_list_available")),
        (2, ("wo_get", "wo_update", "crew_update_status")),
        (1, ("oms_list_outages", "oms_get_outage")),
    ),
    "field_crew": (
        (4, ("wo_get", "@gis://feeder/{}/map", "gis_get_asset", "wo_update", "wo_close")),
        (2, ("wo_search", "wo_get", "@docs://procedures/safety-{}")),
        (1, ("gis_search_assets", "gis_get_asset", "crew_update_status")),
    ),
    "cs_agent": (
        (6, ("oms_lookup_customer", "bill_get_account")),
        (3, ("bill_get_account", "bill_get_invoice", "bill_adjust")),
        (1, ("oms_lookup_customer", "tkt_create")),
    ),
    "billing": (
        (4, ("bill_get_account", "bill_get_invoice", "mdm_get_meter")),
        (2, ("bill_adjust", "bill_get_account")),
        (1, ("mdm_get_interval_reads", "mdm_validate_reads", "bill_rebill_account")),
        (1, ("tkt_search", "tkt_comment")),
    ),
    "meter_analyst": (
        (4, ("mdm_get_meter", "mdm_get_interval_reads", "mdm_validate_reads")),
        (2, ("tkt_search", "tkt_get", "tkt_comment")),
        (1, ("gis_search_assets", "mdm_get_meter")),
    ),
    "trader": (
        (5, ("trade_get_prices", "trade_get_positions")),
        (2, ("wx_get_forecast", "ems_get_load_forecast", "trade_get_prices")),
        (2, ("trade_get_gate_status", "trade_submit_bid")),
    ),
    "asset_planner": (
        (3, ("wo_search", "wo_get", "gis_get_asset")),
        (2, ("gis_search_assets", "wo_create", "@gis://feeder/{}/map")),
        (2, ("doc_search", "doc_get", "@docs://standards/maint-{}")),
        (1, ("hist_query_tags", "gis_export_layer")),
    ),
    "protection_engineer": (
        (3, ("otcfg_list_repos", "otcfg_get_file", "otcfg_diff")),
        (2, ("@otcfg://{}/relay-settings", "otcfg_get_file", "otcfg_commit")),
        (2, ("scada_get_substation", "hist_query_tags")),
        (1, ("doc_search", "doc_get", "tkt_comment")),
    ),
    "cyber": (
        (4, ("siem_search_events", "siem_get_alert", "siem_ack_alert")),
        (2, ("idm_get_user", "idm_list_group_members")),
        (2, ("otcfg_diff", "tkt_search", "tkt_comment")),
    ),
    "regulatory": (
        (3, ("oms_reliability_indices", "oms_list_outages")),
        (2, ("doc_search", "doc_get", "doc_upload")),
        (1, ("wo_search", "tkt_search")),
    ),
    "it_admin": (
        (3, ("tkt_search", "tkt_get", "idm_get_user")),
        (2, ("idm_reset_mfa", "tkt_comment")),
        (1, ("idm_list_group_members", "idm_add_to_group")),
    ),
    "vendor": (
        (2, ("tkt_get", "scada_get_substation", "hist_query_tags")),
        (1, ("otcfg_get_file", "otcfg_diff", "tkt_comment")),
    ),
}
