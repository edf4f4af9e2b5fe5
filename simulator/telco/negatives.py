"""The scored day's hard negatives: benign work that looks like an attack family, labelled.

Each is one person's (or job's) episode in its own session, labelled ``benign:<name>#0``:

====================== ============================================================ ===========
name                   what happens                                                 looks like
====================== ============================================================ ===========
regulator_data_request the regulatory analyst exports 45 CDR extracts of 2-6 MB      bulk_read
                       for the regulator's retention audit, over two hours
number_block_reclaim   a porting-desk officer reclaims an aged number block: 150     destructive
                       ``number_reclaim`` (destructive) in ~25 min
noc_first_week         a NOC engineer on day four: lists every NOC tool, reads       novelty
                       14 runbooks, first changes and inventory look-ups
maintenance_change     a senior (office-hours) engineer runs the Tuesday window's    off_hours
                       core change at 02:00 local: reboots, reroutes, KPI checks
tariff_rerate          billing re-rates 180 chunks after a tariff error (20 fail      volume
                       validation first), then 40 adjustments
hlr_retry_storm        the HLR is down 45 min: the provisioning bot's activations     error_storm
                       fail and are retried, then the backlog drains
internal_audit         the auditor samples LI request logs, porting and fraud cases  novelty
                       (servers they never used); 3 exports refused
contractor_new_role    a splicing contractor starts on the provisioning fallout      novelty
                       team: new servers, new assistant, new client
sim_swap_sweep         after a SIM-swap ring alert a fraud analyst checks 160         bulk_read
                       numbers and freezes 25 accounts
partner_double_shift   an outsourced agent in Kuala Lumpur covers the carrier's       off_hours
                       morning after their own night: five more hours
li_court_order         the LI desk provisions a 25-target court order at 17:00 and   bulk/off
                       exports the disclosures
tower_night_callout    an island tower technician is called out at 03:00 to a mast   off_hours
                       power alarm
====================== ============================================================ ===========
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Final

from ..model import Incident
from ._emit import SEC, Recorder, Session
from .catalog import make_args
from .jobs import JOBS
from .people import Person
from .tasks import care_contact, go, noc_triage, read_doc
from .world import HOUR, MINUTE, World

__all__ = ["HARD_NEGATIVES", "cast", "plant"]

HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(
    f"benign:{n}"
    for n in (
        "regulator_data_request", "number_block_reclaim", "noc_first_week",
        "maintenance_change", "tariff_rerate", "hlr_retry_storm", "internal_audit",
        "contractor_new_role", "sim_swap_sweep", "partner_double_shift", "li_court_order",
        "tower_night_callout",
    )
)  # fmt: skip
_WHAT: Final[dict[str, str]] = {
    "regulator_data_request": "CDR extracts for the regulator's retention audit",
    "number_block_reclaim": "an aged number block reclaimed by the porting desk",
    "noc_first_week": "a new NOC engineer's fourth day: runbooks and first changes",
    "maintenance_change": "the Tuesday window's core change at 02:00, by an office-hours engineer",
    "tariff_rerate": "a re-rate after a tariff error, first run refused, then adjustments",
    "hlr_retry_storm": "the HLR down 45 min: activations fail, are retried, then drain",
    "internal_audit": "internal audit samples LI logs, porting and fraud cases",
    "contractor_new_role": "a splicing contractor's first day on provisioning fallout",
    "sim_swap_sweep": "a SIM-swap ring: 160 numbers checked, 25 accounts frozen",
    "partner_double_shift": "an outsourced agent covers the carrier's morning after their night",
    "li_court_order": "a 25-target court order provisioned and disclosed after hours",
    "tower_night_callout": "an island tower technician called out to a mast power alarm",
}


def cast(people: list[Person], w: World) -> dict[str, Person]:
    """Who plays each hard negative; scripted people get no ordinary shift on the scored day."""
    by_role: dict[str, list[Person]] = {}
    for p in people:
        by_role.setdefault(p.role, []).append(p)
    ctr = [p for p in by_role["field"] if p.name.startswith("ctr-") and p.first_day == 0]
    island = [p for p in by_role["field"] if p.tz == 0.0 and p.agent == "tower-assist"]
    who = {
        "regulator_data_request": by_role["regulatory"][0],
        "number_block_reclaim": by_role["porting"][0],
        "noc_first_week": next(p for p in by_role["noc"] if p.first_day > 0),
        "maintenance_change": by_role["noc_senior"][1],
        "tariff_rerate": by_role["billing"][0],
        "internal_audit": by_role["audit"][0],
        "contractor_new_role": ctr[0],
        "sim_swap_sweep": by_role["fraud"][0],
        "partner_double_shift": by_role["partner"][0],
        "li_court_order": by_role["lawful"][0],
        "tower_night_callout": (island or [by_role["field"][-1]])[0],
    }
    for name in ("noc_first_week", "contractor_new_role"):
        who[name].last_day = w.scored
    return who


def plant(rec: Recorder, who: dict[str, Person], w: World, seed: int) -> list[Incident]:
    """Every hard negative's calls on the scored day; their incidents (counted in the span)."""
    rng = random.Random(f"telco:{seed}:negatives")
    day = w.scored
    for name in HARD_NEGATIVES:
        short = name.removeprefix("benign:")
        label = f"{name}#0"
        if short == "hlr_retry_storm":
            _hlr_storm(rec, w, rng, label)
            continue
        p = who[short]
        agent, client, version = p.agent, p.client, p.version_on(day)
        if short == "contractor_new_role":
            agent, client, version = "oss-copilot", "claude-desktop", "0.9.12"
        s = rec.session(p.name, agent, client, version, label)
        _SCRIPTS[short](s, w, rng, p)
    made = [c for c in rec.calls if c.label and w.start_us <= c.ts < w.end_us]
    count = Counter(c.label for c in made)
    out = []
    for name in HARD_NEGATIVES:
        label = f"{name}#0"
        mine = [c for c in made if c.label == label]
        c0 = mine[0]
        out.append(
            Incident(label, name, c0.user, c0.agent, c0.client, min(c.ts for c in mine),
                     max(c.ts for c in mine), count[label], _WHAT[name.removeprefix("benign:")])
        )  # fmt: skip
    return out


def _at(w: World, p: Person, hour: float, rng: random.Random) -> int:
    return w.local(w.scored, hour, p.tz) + int(rng.uniform(0, 10) * MINUTE)


def _regulator(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 10.0, rng), s.rec.trace()
    for k in range(45):
        seg = f"region-{k % 9}/{'voice' if k % 2 else 'data'}"
        t = s.call(ts, "cdr_export", make_args("cdr_export", rng, period="2026-Q3", segment=seg),
                   tr, rng, size=int(rng.uniform(2e6, 6e6)))  # fmt: skip
        ts = t + int(rng.uniform(60, 150) * SEC)
    for _ in range(3):
        ts = go(s, ts, rng, tr, "leakage_report", (60, 200), period="2026-Q3")


def _reclaim(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 14.0, rng), s.rec.trace()
    block = "BLK-7731"
    for _ in range(3):
        ts = go(s, ts, rng, tr, "number_block_get", (30, 90), block=block)
    for k in range(150):
        msisdn = f"+3519177310{k:02d}" if k < 100 else f"+351917731{k:03d}"
        ts = go(s, ts, rng, tr, "number_reclaim", (6, 13), msisdn=msisdn, block=block)
    go(s, ts, rng, tr, "number_block_get", block=block)


def _first_week(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts = _at(w, p, 8.0, rng)
    end = w.local(w.scored, 16.5, p.tz)
    for server in ("noc", "change", "inventory"):  # the tour of the tools
        ts = s.list_tools(ts, server, s.rec.trace(), rng) + int(rng.uniform(20, 90) * SEC)
    tr = s.rec.trace()
    for _ in range(14):
        ts = read_doc(s, ts, rng, tr, "runbook://")
    for tool in ("topology_query", "fibre_route_get", "circuit_get", "cabinet_get",
                 "freeze_calendar_get", "change_get", "number_inventory_query"):  # fmt: skip
        ts = go(s, ts, rng, tr, tool, (60, 300))
    while ts < end:
        ts = noc_triage(s, ts + int(rng.expovariate(4.0) * HOUR), rng, w)


def _maintenance(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 2.0, rng), s.rec.trace()
    ch = "CHG-884120"
    ts = go(s, ts, rng, tr, "change_get", (30, 90), change=ch)
    ts = read_doc(s, ts, rng, tr, "runbook://")
    ts = go(s, ts, rng, tr, "change_implement_start", (20, 60), change=ch)
    for k in range(6):
        node = f"core-mgw-{k + 1:02d}"
        ts = go(s, ts, rng, tr, "node_reboot", (180, 420), node=node, change=ch)
        ts = go(s, ts, rng, tr, "link_status_get", (20, 60))
        ts = go(s, ts, rng, tr, "cell_kpi_get", (20, 60))
        if k in (2, 4):
            ts = go(s, ts, rng, tr, "traffic_reroute", (60, 180))
    go(s, ts, rng, tr, "change_implement_close", change=ch, result="done")


def _rerate(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 9.5, rng), s.rec.trace()
    ts = go(s, ts, rng, tr, "tariff_get", (60, 240), plan="mobile-unl")
    ts = read_doc(s, ts, rng, tr, "tariff://")
    for k in range(20):  # the first run against the broken tariff: refused
        t = s.call(ts, "rerate_batch", make_args("rerate_batch", rng, chunk=k, tariff="mobile-unl"),
                   tr, rng, error="validation_error")  # fmt: skip
        ts = t + int(rng.uniform(2, 8) * SEC)
    ts += int(rng.uniform(25, 45) * MINUTE)
    tr = s.rec.trace()
    for k in range(180):
        ts = go(s, ts, rng, tr, "rerate_batch", (12, 25), chunk=k, tariff="mobile-unl-v2")
    for _ in range(40):
        ts = go(s, ts, rng, tr, "adjustment_apply", (15, 45), reason="rerate tariff error")


def _hlr_storm(rec: Recorder, w: World, rng: random.Random, label: str) -> None:
    """The HLR down 09:30-10:15 local: the bot's ordinary activations in that window are the
    storm's (removed, redone here failing and retried), then 120 drain in 15 minutes."""
    a, b = w.local(w.scored, 9.5), w.local(w.scored, 10.25)
    rec.calls[:] = [c for c in rec.calls if not (c.user == "svc-provisioning" and a <= c.ts < b)]
    agent, client, version = JOBS["svc-provisioning"]
    s = rec.session("svc-provisioning", agent, client, version, label)
    ts, queued = a + int(rng.uniform(0, 60) * SEC), []
    while ts < b:
        tr, msisdn = rec.trace(), "+35191" + str(rng.randrange(10**6, 10**7))
        err = rng.choice(("service_unavailable", "service_unavailable", "timeout"))
        s.call(ts, "hlr_subscriber_get", make_args("hlr_subscriber_get", rng, msisdn=msisdn), tr,
               rng, error=err)  # fmt: skip
        queued.append((tr, msisdn))
        ts += int(rng.expovariate(40.0) * HOUR)
    ts = b + int(rng.uniform(1, 3) * MINUTE)
    for tr, msisdn in queued + [(rec.trace(), "+35191" + str(rng.randrange(10**6, 10**7)))
                                for _ in range(max(0, 120 - len(queued)))]:  # fmt: skip
        t = s.call(ts, "hlr_subscriber_get", make_args("hlr_subscriber_get", rng, msisdn=msisdn),
                   tr, rng)  # fmt: skip
        s.call(t + int(rng.uniform(0.2, 1) * SEC), "sim_activate",
               make_args("sim_activate", rng, msisdn=msisdn), tr, rng)  # fmt: skip
        ts += int(rng.uniform(4, 9) * SEC)


def _audit(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 10.0, rng), s.rec.trace()
    for period in ("2026-07", "2026-08", "2026-09"):
        ts = go(s, ts, rng, tr, "request_log_get", (120, 400), period=period)
    for _ in range(10):
        ts = go(s, ts, rng, tr, "intercept_status", (60, 180))
    for _ in range(3):  # the auditor may see that disclosures exist, not their content
        t = s.call(ts, "disclosure_export", make_args("disclosure_export", rng), tr, rng,
                   error="forbidden")  # fmt: skip
        ts = t + int(rng.uniform(60, 120) * SEC)
    ts = read_doc(s, ts, rng, tr, "lea://")
    for _ in range(20):
        ts = go(s, ts, rng, tr, "port_request_get", (40, 120))
    for _ in range(8):
        ts = go(s, ts, rng, tr, "risk_score_get", (60, 150))
    go(s, ts, rng, tr, "change_get", (60, 120))


def _contractor(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts = _at(w, p, 9.0, rng)
    end = w.local(w.scored, 15.5, p.tz)
    tr = s.rec.trace()
    ts = go(s, ts, rng, tr, "order_fallout_list", (120, 400), queue="fibre")
    while ts < end:
        tr = s.rec.trace()
        ts = go(s, ts, rng, tr, "order_fallout_list", (30, 120), queue="fibre")
        ts = go(s, ts, rng, tr, "cabinet_get", (30, 120))
        ts = go(s, ts, rng, tr, rng.choice(("port_assign", "ont_activate", "hlr_subscriber_get")))
        ts += int(rng.expovariate(5.0) * HOUR)


def _sweep(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 11.0, rng), s.rec.trace()
    for k in range(160):
        msisdn = "+35191" + str(rng.randrange(10**6, 10**7))
        ts = go(s, ts, rng, tr, "sim_swap_check", (4, 20), msisdn=msisdn, days=30)
        if k % 4 == 0:
            ts = go(s, ts, rng, tr, "imei_history_get", (5, 20), msisdn=msisdn)
        if k % 32 == 0:
            ts = go(s, ts, rng, tr, "fraud_case_open", (30, 90), kind="sim_swap_ring")
        if k % 6 == 0 and k < 150:
            ts = go(s, ts, rng, tr, "account_freeze", (10, 30), reason="sim swap ring")


def _double_shift(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts = w.local(w.scored, 13.6, p.tz)
    end = w.local(w.scored, 18.5, p.tz)
    while ts < end:
        ts = care_contact(s, ts + int(rng.expovariate(5.0) * HOUR), rng, w)


def _court_order(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 17.0, rng), s.rec.trace()
    warrant = "W-551902"
    ts = read_doc(s, ts, rng, tr, "lea://")
    ts = go(s, ts, rng, tr, "warrant_register", (60, 180), warrant=warrant, targets=25)
    for _ in range(25):
        ts = go(s, ts, rng, tr, "intercept_provision", (20, 60), warrant=warrant)
    for _ in range(10):
        t = s.call(ts, "disclosure_export", make_args("disclosure_export", rng, warrant=warrant),
                   tr, rng, size=int(rng.uniform(4e5, 1.5e6)))  # fmt: skip
        ts = t + int(rng.uniform(60, 180) * SEC)
    go(s, ts, rng, tr, "intercept_status", warrant=warrant)


def _tower(s: Session, w: World, rng: random.Random, p: Person) -> None:
    ts, tr = _at(w, p, 3.0, rng), s.rec.trace()
    job = "JOB-9930417"
    ts = go(s, ts, rng, tr, "job_get", (60, 180), job=job)
    for _ in range(2):
        ts = read_doc(s, ts, rng, tr, "fieldmap://")
    ts = go(s, ts, rng, tr, "climb_permit_request", (1200, 2400))
    ts = go(s, ts, rng, tr, "job_update", (1800, 3600), job=job, status="in_progress")
    for _ in range(4):
        ts = go(s, ts, rng, tr, "photo_upload", (20, 60), job=job)
    ts = go(s, ts, rng, tr, "spare_order", job=job, part="PSU-48V")
    go(s, ts, rng, tr, "job_update", job=job, status="done")


_SCRIPTS: Final = {
    "regulator_data_request": _regulator,
    "number_block_reclaim": _reclaim,
    "noc_first_week": _first_week,
    "maintenance_change": _maintenance,
    "tariff_rerate": _rerate,
    "internal_audit": _audit,
    "contractor_new_role": _contractor,
    "sim_swap_sweep": _sweep,
    "partner_double_shift": _double_shift,
    "li_court_order": _court_order,
    "tower_night_callout": _tower,
}
