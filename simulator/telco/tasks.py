"""What each role's assistant does for one piece of work: a short trace of calls.

A task is ``task(s, ts, rng, w) -> ts``: it makes the calls of one piece of work in session
``s`` from ``ts`` (one trace) and returns when the person is done. :data:`TASKS` maps a role to
its tasks and their weights; :data:`RATE` is the role's pieces of work per hour.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from ._emit import SEC, Session
from .catalog import make_args
from .world import World

__all__ = ["RATE", "TASKS", "Task", "go", "pick", "read_doc"]

Task = Callable[[Session, int, random.Random, World], int]


def go(
    s: Session, ts: int, rng: random.Random, tr: str, tool: str,
    think: tuple[float, float] = (8, 45), **fixed: Any,
) -> int:  # fmt: skip
    """Call ``tool`` (arguments made, ``fixed`` as given), then think ``think`` seconds."""
    done = s.call(ts, tool, make_args(tool, rng, **fixed), tr, rng)
    return done + int(rng.uniform(*think) * SEC)


def _uri(rng: random.Random, scheme: str) -> str:
    paths = {
        "runbook://": ("fibre-cut", "cell-outage", "bgp-flap", "power-alarm", "core-reboot"),
        "fieldmap://": ("cabinet", "duct", "tower", "splice-closure"),
        "kb://": ("roaming", "esim", "router-reset", "bill-explained", "port-in", "apn"),
        "tariff://": ("mobile", "fibre", "bundle", "roaming-eu"),
        "lea://": ("warrant", "procedure", "handover"),
    }[scheme]
    return f"{scheme}{rng.choice(paths)}/{rng.randrange(1, 60)}"


def read_doc(s: Session, ts: int, rng: random.Random, tr: str, scheme: str) -> int:
    return s.read(ts, _uri(rng, scheme), tr, rng) + int(rng.uniform(20, 90) * SEC)


# -- network operations centre ------------------------------------------------------------------


def noc_triage(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "alarm_list")
    ts = go(s, ts, rng, tr, "alarm_ack")
    ts = go(s, ts, rng, tr, rng.choice(("cell_kpi_get", "link_status_get")))
    if rng.random() < 0.2:
        ts = read_doc(s, ts, rng, tr, "runbook://")
    if rng.random() < 0.5:
        ts = go(s, ts, rng, tr, "alarm_clear")
    return ts


def noc_flood(s: Session, ts: int, rng: random.Random, w: World) -> int:
    """An alarm flood (the fibre cut): acknowledge a screenful, check a link, note the incident."""
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "alarm_list", (5, 20), severity="critical")
    for _ in range(rng.randint(3, 8)):
        ts = go(s, ts, rng, tr, "alarm_ack", (2, 10), note="fibre cut")
    ts = go(s, ts, rng, tr, "link_status_get", (5, 30))
    if rng.random() < 0.3:
        ts = go(s, ts, rng, tr, "noc_incident_update", (30, 120))
    return ts


def noc_investigate(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "topology_query", (20, 90))
    for _ in range(rng.randint(1, 3)):
        ts = go(s, ts, rng, tr, "link_status_get")
    return go(s, ts, rng, tr, "cell_kpi_get")


def noc_incident(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "noc_incident_create", (30, 120))
    ts = read_doc(s, ts, rng, tr, "runbook://")
    for _ in range(rng.randint(1, 2)):
        ts = go(s, ts, rng, tr, "noc_incident_update", (60, 300))
    if rng.random() < 0.4:
        ts = go(s, ts, rng, tr, "link_status_get")
        ts = go(s, ts, rng, tr, "traffic_reroute", (30, 120))
    return ts


def noc_kpi(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    for _ in range(rng.randint(2, 4)):
        ts = go(s, ts, rng, tr, "cell_kpi_get", (5, 30))
    return ts


def noc_change(s: Session, ts: int, rng: random.Random, w: World) -> int:
    """A change implemented in a maintenance window (the night shift)."""
    tr = s.rec.trace()
    ch = f"CHG-{rng.randrange(10**5, 10**6)}"
    ts = go(s, ts, rng, tr, "change_get", change=ch)
    ts = go(s, ts, rng, tr, "change_implement_start", change=ch)
    if rng.random() < 0.6:
        ts = go(s, ts, rng, tr, "node_reboot", (120, 400), change=ch)
    else:
        ts = go(s, ts, rng, tr, "traffic_reroute", (60, 200))
    ts = go(s, ts, rng, tr, "link_status_get")
    return go(s, ts, rng, tr, "change_implement_close", change=ch)


def senior_design(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "topology_query", (30, 120))
    ts = go(s, ts, rng, tr, rng.choice(("fibre_route_get", "circuit_get", "cabinet_get")))
    if rng.random() < 0.3:
        ts = read_doc(s, ts, rng, tr, "runbook://")
    if rng.random() < 0.25:
        ts = go(s, ts, rng, tr, "change_create", (60, 240))
    return ts


def senior_review(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "change_get")
    ts = go(s, ts, rng, tr, "cell_kpi_get")
    return go(s, ts, rng, tr, "noc_incident_update", (30, 200))


# -- field technicians --------------------------------------------------------------------------


def field_job(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    job = f"JOB-{rng.randrange(10**6, 10**7)}"
    ts = go(s, ts, rng, tr, "job_get", (20, 120), job=job)
    if rng.random() < 0.5:
        ts = read_doc(s, ts, rng, tr, "fieldmap://")
    ts = go(s, ts, rng, tr, rng.choice(("cabinet_get", "fibre_route_get", "circuit_get")))
    ts = go(s, ts, rng, tr, "job_update", (600, 2400), job=job, status="in_progress")
    if s.agent == "tower-assist":
        ts = go(s, ts, rng, tr, "climb_permit_request", (300, 1200))
    else:
        ts = go(s, ts, rng, tr, "splice_record_submit", (60, 300), job=job)
    for _ in range(rng.randint(1, 3)):
        ts = go(s, ts, rng, tr, "photo_upload", (10, 60), job=job)
    if rng.random() < 0.12:
        ts = go(s, ts, rng, tr, "spare_order", job=job)
    return go(s, ts, rng, tr, "job_update", (300, 900), job=job, status="done")


def field_plan(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "job_list", (30, 120))
    return go(s, ts, rng, tr, "job_get", (60, 300))


# -- customer care ------------------------------------------------------------------------------


def care_contact(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    acct = f"AC{rng.randrange(10**7, 10**8)}"
    if rng.random() < 0.55:
        ts = go(s, ts, rng, tr, "customer_search", (5, 25))
    ts = go(s, ts, rng, tr, "customer_get", (15, 60), account=acct)
    outage = w.in_cut(ts)
    billing = w.local_day(ts) in {d + k for d in w.bill_days for k in (1, 2)}
    launch = w.local_day(ts) == w.launch_day
    r = rng.random()
    if outage and r < 0.6:
        ts = go(s, ts, rng, tr, "ticket_create", (20, 60), account=acct, category="outage")
    elif r < (0.5 if billing else 0.25):
        ts = go(s, ts, rng, tr, "invoice_get", (30, 120), account=acct)
        if rng.random() < 0.4:
            ts = go(s, ts, rng, tr, "usage_summary_get", (20, 90), account=acct)
    elif r < 0.5:
        ts = go(s, ts, rng, tr, "usage_summary_get", (20, 90), account=acct)
        if rng.random() < 0.3:
            ts = read_doc(s, ts, rng, tr, "kb://")
        if rng.random() < 0.6:
            ts = go(s, ts, rng, tr, "ticket_create", (20, 60), account=acct)
    elif r < 0.64:
        if rng.random() < 0.3:
            ts = read_doc(s, ts, rng, tr, "tariff://")
        ts = _care_write(s, ts, rng, tr, "plan_change", acct)
    elif r < (0.8 if launch else 0.7):
        ts = _care_write(s, ts, rng, tr, "device_order_create", acct)
    elif r < 0.73:
        ts = go(s, ts, rng, tr, "ticket_update", (20, 60))
    elif r < 0.745:
        ts = _care_write(s, ts, rng, tr, "contract_terminate", acct)
    return go(s, ts, rng, tr, "account_note_add", (5, 30), account=acct)


def _care_write(s: Session, ts: int, rng: random.Random, tr: str, tool: str, acct: str) -> int:
    """The outsourced partner may not terminate contracts or change some plans: refused."""
    if s.client == "partnerdesk" and (tool == "contract_terminate" or rng.random() < 0.2):
        done = s.call(ts, tool, make_args(tool, rng, account=acct), tr, rng, error="forbidden")
        return done + int(rng.uniform(10, 40) * SEC)
    return go(s, ts, rng, tr, tool, (15, 60), account=acct)


# -- porting, billing, fraud, lawful, change, provisioning, shops, regulatory, audit -------------


def porting_case(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    port = f"PRT-{rng.randrange(10**6, 10**7)}"
    ts = go(s, ts, rng, tr, "port_request_get", (20, 90), port=port)
    r = rng.random()
    if r < 0.55:
        ts = go(s, ts, rng, tr, "port_out_approve", port=port)
    elif r < 0.68:
        ts = go(s, ts, rng, tr, "port_reject", port=port)
    elif r < 0.88:
        ts = go(s, ts, rng, tr, "port_in_submit")
    elif r < 0.96:
        ts = go(s, ts, rng, tr, "number_block_get")
    elif r < 0.985:
        ts = go(s, ts, rng, tr, "port_record_delete", port=port)  # a withdrawn duplicate
    else:
        block = f"BLK-{rng.randrange(100, 999)}"
        ts = go(s, ts, rng, tr, "number_block_get", block=block)
        for _ in range(rng.randint(1, 4)):
            ts = go(s, ts, rng, tr, "number_reclaim", (5, 20), block=block)
    return ts


def billing_work(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    r = rng.random()
    if w.local_day(ts) in w.bill_days and r < 0.5:
        return go(s, ts, rng, tr, "bill_run_status", (60, 300))
    if r < 0.3:
        ts = go(s, ts, rng, tr, "invoice_get", (30, 120))
        if rng.random() < 0.3:
            ts = go(s, ts, rng, tr, "adjustment_apply")
        return ts
    if r < 0.55:
        ts = go(s, ts, rng, tr, "cdr_query", (60, 240))
        return go(s, ts, rng, tr, "tariff_get")
    if r < 0.7:
        return read_doc(s, go(s, ts, rng, tr, "tariff_get"), rng, tr, "tariff://")
    if r < 0.78:
        return go(s, ts, rng, tr, "leakage_report", (300, 900))
    if r < 0.8:
        return go(s, ts, rng, tr, "invoice_void")
    return go(s, ts, rng, tr, "cdr_query", (30, 200))


def fraud_review(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    msisdn = "+35191" + str(rng.randrange(10**6, 10**7))
    ts = go(s, ts, rng, tr, "sim_swap_check", (10, 60), msisdn=msisdn)
    ts = go(s, ts, rng, tr, "imei_history_get", (10, 60), msisdn=msisdn)
    ts = go(s, ts, rng, tr, "risk_score_get")
    if rng.random() < 0.3:
        ts = go(s, ts, rng, tr, "customer_get", (20, 60))
    if rng.random() < 0.15:
        ts = go(s, ts, rng, tr, "hlr_subscriber_get", msisdn=msisdn)
    if rng.random() < 0.25:
        ts = go(s, ts, rng, tr, "fraud_case_open", (30, 120))
        if rng.random() < 0.3:
            ts = go(s, ts, rng, tr, "account_freeze")
            if rng.random() < 0.5:
                ts = go(s, ts, rng, tr, "service_suspend", msisdn=msisdn)
    elif rng.random() < 0.2:
        ts = go(s, ts, rng, tr, "fraud_case_close")
        if rng.random() < 0.04:  # a closed false positive past its retention: purged
            ts = go(s, ts, rng, tr, "fraud_case_purge")
    return ts


def lawful_request(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    warrant = f"W-{rng.randrange(10**5, 10**6)}"
    r = rng.random()
    if r < 0.35:
        return go(s, ts, rng, tr, "intercept_status", (30, 180), warrant=warrant)
    if r < 0.55:
        return go(s, ts, rng, tr, "request_log_get", (60, 300))
    if r < 0.8:
        ts = read_doc(s, ts, rng, tr, "lea://")
        ts = go(s, ts, rng, tr, "warrant_register", (60, 240), warrant=warrant)
        for _ in range(rng.randint(1, 3)):
            ts = go(s, ts, rng, tr, "intercept_provision", (30, 120), warrant=warrant)
        return ts
    if r < 0.9:
        return go(s, ts, rng, tr, "disclosure_export", (120, 600), warrant=warrant)
    return go(s, ts, rng, tr, "intercept_revoke", warrant=warrant)


def change_admin(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    r = rng.random()
    if r < 0.4:
        ts = go(s, ts, rng, tr, "change_get", (30, 180))
        return go(s, ts, rng, tr, "change_approve") if rng.random() < 0.5 else ts
    if r < 0.7:
        return go(s, ts, rng, tr, "change_create", (60, 300))
    if r < 0.85:
        return go(s, ts, rng, tr, "freeze_calendar_get")
    return go(s, ts, rng, tr, "noc_incident_update", (60, 300))


def oss_fallout(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "order_fallout_list", (30, 120))
    msisdn = "+35191" + str(rng.randrange(10**6, 10**7))
    ts = go(s, ts, rng, tr, "hlr_subscriber_get", msisdn=msisdn)
    r = rng.random()
    if r < 0.4:
        ts = go(s, ts, rng, tr, "hlr_resync", msisdn=msisdn)
    elif r < 0.6:
        ts = go(s, ts, rng, tr, "sim_activate", msisdn=msisdn)
    elif r < 0.75:
        ts = go(s, ts, rng, tr, "ont_activate")
    elif r < 0.85:
        ts = go(s, ts, rng, tr, "number_inventory_query", (30, 120))
    elif r < 0.93:
        ts = go(s, ts, rng, tr, "service_restore", msisdn=msisdn)
    else:
        ts = go(s, ts, rng, tr, "port_assign")
    return ts


def shop_sale(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    launch = w.local_day(ts) == w.launch_day
    if rng.random() < 0.5:
        ts = go(s, ts, rng, tr, "customer_search", (10, 40))
        ts = go(s, ts, rng, tr, "customer_get", (30, 120))
    if rng.random() < 0.06:  # a lost or broken SIM replaced at the counter, after the ID check
        msisdn = "+35191" + str(rng.randrange(10**6, 10**7))
        ts = go(s, ts, rng, tr, "customer_get", (60, 180))
        return go(s, ts, rng, tr, "sim_swap_execute", (60, 180), msisdn=msisdn)
    if launch or rng.random() < 0.25:
        ts = go(s, ts, rng, tr, "preorder_get", (10, 60))
        return go(s, ts, rng, tr, "preorder_fulfil", (60, 240))
    ts = go(s, ts, rng, tr, "stock_check", (20, 120))
    if rng.random() < 0.4:
        ts = go(s, ts, rng, tr, "handset_reserve", (30, 120))
    return ts


def regulatory_work(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    r = rng.random()
    if r < 0.35:
        return go(s, ts, rng, tr, "leakage_report", (300, 900))
    if r < 0.75:
        return go(s, ts, rng, tr, "cdr_query", (60, 300))
    if r < 0.9:
        return go(s, ts, rng, tr, "customer_search", (60, 200))
    return go(s, ts, rng, tr, "cdr_export", (600, 1800))


def audit_work(s: Session, ts: int, rng: random.Random, w: World) -> int:
    tr = s.rec.trace()
    r = rng.random()
    if r < 0.4:
        return go(s, ts, rng, tr, "invoice_get", (120, 400))
    if r < 0.7:
        return go(s, ts, rng, tr, "change_get", (120, 400))
    return go(s, ts, rng, tr, "leakage_report", (300, 1200))


TASKS: Final[dict[str, tuple[tuple[Task, float], ...]]] = {
    "noc": ((noc_triage, 0.45), (noc_investigate, 0.25), (noc_incident, 0.1),
            (noc_kpi, 0.2)),
    "noc_senior": ((senior_design, 0.6), (senior_review, 0.4)),
    "field": ((field_job, 0.85), (field_plan, 0.15)),
    "care": ((care_contact, 1.0),),
    "partner": ((care_contact, 1.0),),
    "porting": ((porting_case, 1.0),),
    "billing": ((billing_work, 1.0),),
    "fraud": ((fraud_review, 1.0),),
    "lawful": ((lawful_request, 1.0),),
    "change": ((change_admin, 1.0),),
    "provisioning": ((oss_fallout, 1.0),),
    "shop": ((shop_sale, 1.0),),
    "regulatory": ((regulatory_work, 1.0),),
    "audit": ((audit_work, 1.0),),
}  # fmt: skip
#: pieces of work an hour, by role
RATE: Final[dict[str, float]] = {
    "noc": 5.0, "noc_senior": 2.5, "field": 0.9, "care": 6.0, "partner": 5.0, "porting": 5.0,
    "billing": 3.0, "fraud": 4.0, "lawful": 1.2, "change": 2.5, "provisioning": 3.5,
    "shop": 4.0, "regulatory": 1.2, "audit": 0.8,
}  # fmt: skip


def pick(role: str, rng: random.Random, w: World, ts: int) -> Task:
    """One of ``role``'s tasks by weight; in a maintenance window the NOC implements changes,
    in the fibre cut it opens incidents and triages."""
    if role == "noc" and w.in_window(ts) and rng.random() < 0.5:
        return noc_change
    if role == "noc" and w.in_cut(ts):
        return noc_flood if rng.random() < 0.8 else noc_incident
    options = TASKS[role]
    r = rng.random() * sum(wt for _, wt in options)
    for task, wt in options:
        r -= wt
        if r < 0:
            return task
    return options[-1][0]
