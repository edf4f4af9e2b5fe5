"""The scored day's hard negatives: legitimate work that looks like an attack, ``benign:<name>#0``.

Each is one person or one job; times are local (Central) unless said. The scored UTC day runs
from 18:00 the evening before to 18:00 on the day (:mod:`.events`).

=====================  =========================================================  ===========
name                   what happens                                               looks like
=====================  =========================================================  ===========
council_night          a deputy clerk runs the council meeting 18:00–22:30        off-hours
month_end_billing      the billing lead bills 48 routes 22:30–01:30, ~100 kB each  off-hours
retention_disposition  the retention job's annual run: 420 purges in 40 minutes   destructive
watermain_callout      the on-call crew lead works a main break 03:10–06:30       off-hours
conference_travel      an IT engineer in Lisbon works tickets 01:30–04:00 Central off-hours
credential_rotation    IT rotates six service secrets, disables 18 stale accounts destructive
payimport_outage       the payment job fails for 70 min while the vendor is down  error storm
foia_release           a records officer exports 260 documents of 1–6 MB          harvest
payroll_run            payroll previews every department, commits the pay run     bulk read
auditor_onboarding     an external auditor, never seen, reads finance (some no)   novelty
new_hire               a new call-taker's first shift, refused a write            novelty
expungement_batch      a court clerk seals 70 records under a court order         destructive
contractor_new_role    the GIS contractor starts on permits (new to them)         novelty
redistricting_queries  a GIS analyst's ward polygons of 6–20 kB time out          error storm
=====================  =========================================================  ===========
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from ..model import UserProfile
from ._emit import Recorder, Session
from .events import MINUTE_US, Calendar
from .jobs import job_session, payimport
from .people import Person
from .routine import meeting, oncall, run_task

__all__ = ["DESCRIPTIONS", "HARD_NEGATIVES", "NEWCOMERS", "SKIPPED_JOBS", "hard_negatives"]

HARD_NEGATIVES: Final = (
    "benign:council_night",
    "benign:month_end_billing",
    "benign:retention_disposition",
    "benign:watermain_callout",
    "benign:conference_travel",
    "benign:credential_rotation",
    "benign:payimport_outage",
    "benign:foia_release",
    "benign:payroll_run",
    "benign:auditor_onboarding",
    "benign:new_hire",
    "benign:expungement_batch",
    "benign:contractor_new_role",
    "benign:redistricting_queries",
)
DESCRIPTIONS: Final = {
    "benign:council_night": "a deputy clerk runs the council meeting in the evening",
    "benign:month_end_billing": "the billing lead runs month-end bills for 48 routes overnight",
    "benign:retention_disposition": "the retention job's annual disposition: 420 purges",
    "benign:watermain_callout": "the on-call crew lead works a water main break at 03:10",
    "benign:conference_travel": "an IT engineer at a conference in Lisbon works tickets",
    "benign:credential_rotation": "IT rotates service secrets and disables stale accounts",
    "benign:payimport_outage": "the payment job fails while the billing vendor is down",
    "benign:foia_release": "a records officer exports 260 documents for a FOIA release",
    "benign:payroll_run": "payroll previews every department and commits the pay run",
    "benign:auditor_onboarding": "an external auditor's first day in finance",
    "benign:new_hire": "a new call-taker's first shift",
    "benign:expungement_batch": "a court clerk seals 70 records under a court order",
    "benign:contractor_new_role": "the GIS contractor starts on permits",
    "benign:redistricting_queries": "ward polygons too large for the GIS, timing out",
}
#: the people the scored day adds: (name, department, client, agent)
NEWCOMERS: Final = (
    ("ext.whitfield-audit", "auditor", "claude-desktop", "claude"),
    ("t.okonkwo", "calltaker", "harlow-assist", "assist-311"),
)
#: the scheduled job runs the hard negatives stand in for: (job, days before the scored day)
SKIPPED_JOBS: Final = (("svc-retention", 0), ("svc-payimport", 0))


class _Day:
    """What a hard negative needs: the recorder, the calendar, the people and a picker."""

    def __init__(self, rec: Recorder, cal: Calendar, people: list[Person], seed: int) -> None:
        self.rec, self.cal, self.people = rec, cal, people
        self.rng = random.Random(f"civic:negatives:{seed}")
        self.taken: set[str] = set()
        self.d = cal.scored

    def pick(self, dept: str, where: Callable[[Person], bool] = lambda p: True) -> Person:
        """A person of ``dept`` no other hard negative took."""
        free = [p for p in self.people if p.dept == dept and p.name not in self.taken and where(p)]
        p = self.rng.choice(free)
        self.taken.add(p.name)
        return p

    def session(self, p: Person, ts: int, agent: int = 0) -> Session:
        return self.rec.session(p.name, p.agents[agent], p.client, ts)

    def at(self, hour: float, day: int = 0) -> int:
        return self.cal.at(self.d + day, hour)

    def gap(self, lo: float, hi: float) -> int:
        return int(self.rng.uniform(lo, hi) * MINUTE_US)


def _council_night(x: _Day, label: str) -> None:
    p = x.pick("clerk")
    meeting(x.rec, p, x.at(18.0, -1) + x.gap(0, 5), x.at(22.3, -1), label)
    s = x.session(p, x.at(22.4, -1))
    x.rec.call(s, x.at(22.4, -1), "minutes_publish", x.rec.hex(32), {}, label)


def _month_end_billing(x: _Day, label: str) -> None:
    p = x.pick("billing_csr", lambda p: p.tz == -6.0)
    ts = x.at(22.5, -1) + x.gap(0, 10)
    s, trace = x.session(p, ts), x.rec.hex(32)
    ts = x.rec.call(s, ts, "shutoff_schedule", trace, {}, label)
    for r in range(1, 49):
        ctx = {"period": "2027-01", "route": f"R{r}"}
        size = int(x.rng.uniform(70, 130) * 1000)
        ts = x.rec.call(s, ts, "bill_run", trace, ctx, label, result=size)
        if x.rng.random() < 0.3:
            ts = x.rec.call(s, ts, "bill_get", trace, {"period": "2027-01"}, label)
        ts += x.gap(0.5, 2.5)


def _retention(x: _Day, label: str) -> None:
    ts = x.at(2.0) + x.gap(0, 2)
    s, trace = job_session(x.rec, "svc-retention", ts), x.rec.hex(32)
    for series in ("GS-1", "PD-12", "FN-7", "PW-2"):
        ts = x.rec.call(s, ts, "doc_search", trace, {"series": series}, label)
    for _ in range(420):
        ctx = {"doc": f"DOC-{x.rng.randint(10**6, 2 * 10**6 - 1)}"}
        ts = x.rec.call(s, ts, "doc_purge", trace, ctx, label, retry=False) - 1_000_000
        ts += int(x.rng.uniform(1.0, 4.0) * 1_000_000)


def _watermain(x: _Day, label: str) -> None:
    p = oncall(x.people, "crew_lead", x.d)
    x.taken.add(p.name)
    ts = x.at(3.0 + 1 / 6) + x.gap(5, 15)
    s = x.session(p, ts)
    steps = (("wo_create", 1, 1), ("level_get", 1, 4), ("gis://", 1, 3), ("asset_get", 1, 6),
             ("crew_roster", 1, 1), ("wo_assign", 1, 2))  # fmt: skip
    ctx: dict[str, Any] = {"wo_kind": "main_break", "priority": "emergency", "layer": "valves"}
    ts = run_task(x.rec, s, ts, steps, label, ctx)
    while ts < x.at(6.5):
        ts = run_task(x.rec, s, ts + x.gap(6, 18), (("wo_update", 1, 2), ("level_get", .6, 2)),
                      label, ctx)  # fmt: skip


def _conference(x: _Day, label: str) -> None:
    p = x.pick("it", lambda p: p.tz == -6.0)
    ts = x.at(1.5) + x.gap(0, 10)
    s = x.session(p, ts)
    while ts < x.at(4.0):
        steps = (("ticket_search", 1, 1), ("ad_user_get", 0.7, 1), ("ticket_update", 1, 1))
        ts = run_task(x.rec, s, ts, steps, label) + x.gap(4, 20)


def _rotation(x: _Day, label: str) -> None:
    p = x.pick("it", lambda p: p.tz == -6.0)
    ts = x.at(6.5) + x.gap(0, 10)
    s, trace = x.session(p, ts, 1), x.rec.hex(32)
    for secret in ("scada-api", "payimport-sftp", "ami-token", "gis-db", "edms-svc", "retention"):
        ts = x.rec.call(s, ts, "secret_rotate", trace, {"secret": secret}, label)
    for _ in range(18):
        ctx = {"account": f"u{x.rng.randint(1000, 1999)}"}
        ts = x.rec.call(s, ts, "account_disable", trace, ctx, label) - 1_000_000
    x.rec.call(s, ts, "ticket_update", trace, {}, label)


def _payimport_outage(x: _Day, label: str) -> None:
    a, b = x.cal.outages[1]
    ts = a + x.gap(0, 2)
    s, trace = job_session(x.rec, "svc-payimport", ts), x.rec.hex(32)
    while ts < b:
        x.rec.call(s, ts, "payment_import", trace, {}, label, error="service_unavailable")
        ts += x.gap(4, 6)
    payimport(x.rec, ts, 14, label)


def _foia_release(x: _Day, label: str) -> None:
    p = x.pick("foia", lambda p: not p.four_tens)
    ts = x.at(8.5) + x.gap(0, 10)
    s, trace = x.session(p, ts), x.rec.hex(32)
    req = {"foia": "FOIA-27-031"}
    ts = x.rec.call(s, ts, "request_get", trace, dict(req), label)
    for i in range(260):
        ctx = {"doc": f"DOC-{x.rng.randint(10**6, 2 * 10**6 - 1)}", "doc_format": "pdf"}
        if i % 5 == 0:
            ts = x.rec.call(s, ts, "doc_search", trace, {"series": "PD-12"}, label)
        size = int(x.rng.uniform(1.0, 6.0) * 1_000_000)
        ts = x.rec.call(s, ts, "doc_export", trace, ctx, label, result=size) + x.gap(0.2, 1.0)
        if i % 90 == 89:
            ts = x.rec.call(s, ts, "release_package", trace, dict(req), label) + x.gap(15, 30)


def _payroll(x: _Day, label: str) -> None:
    p = x.pick("finance")
    ts = x.at(9.0) + x.gap(0, 15)
    s, trace = x.session(p, ts), x.rec.hex(32)
    for dept in ("public_works", "police", "parks", "finance", "clerk", "it", "utilities"):
        ctx = {"period": "PP-2027-03", "dept": dept}
        ts = x.rec.call(s, ts, "payroll_preview", trace, ctx, label)
        for _ in range(x.rng.randint(3, 8)):
            ts = x.rec.call(s, ts, "employee_get", trace, {}, label)
    ts = x.rec.call(s, ts + x.gap(10, 25), "payroll_commit", trace, {"period": "PP-2027-03"}, label)
    for fund in ("general", "water"):
        ctx = {"fund": fund, "period": "PP-2027-03"}
        ts = x.rec.call(s, ts, "ledger_export", trace, ctx, label)


def _newcomer(x: _Day, name: str, client: str, agent: str, ts: int) -> Session:
    return x.rec.session(name, agent, client, ts)


def _auditor(x: _Day, label: str) -> None:
    name, _, client, agent = NEWCOMERS[0]
    ts = x.at(9.5) + x.gap(0, 15)
    s = _newcomer(x, name, client, agent, ts)
    while ts < x.at(15.0):
        steps = (("budget_query", 0.5, 2), ("invoice_get", 1, 5), ("ledger_export", 0.15, 1))
        ts = run_task(x.rec, s, ts, steps, label) + x.gap(3, 12)
        if x.rng.random() < 0.12:
            tool = x.rng.choice(("payroll_preview", "employee_get", "vendor_payment_approve"))
            ts = x.rec.call(s, ts, tool, x.rec.hex(32), {}, label, error="forbidden")


def _new_hire(x: _Day, label: str) -> None:
    name, _, client, agent = NEWCOMERS[1]
    ts = x.at(7.0) + x.gap(5, 20)
    s = _newcomer(x, name, client, agent, ts)
    steps = (("caller_lookup", .5, 1), ("address_geocode", .9, 1), ("kb_search", .8, 2),
             ("kb://", .6, 2), ("sr_create", .8, 1))  # fmt: skip
    while ts < x.at(15.0):
        ts = run_task(x.rec, s, ts, steps, label) + x.gap(6, 25)
        if x.rng.random() < 0.1:
            ts = x.rec.call(s, ts, "adjustment_post", x.rec.hex(32), {}, label, error="forbidden")


def _expungement(x: _Day, label: str) -> None:
    p = x.pick("court_clerk")
    ts = x.at(10.0) + x.gap(0, 20)
    s, trace = x.session(p, ts), x.rec.hex(32)
    for _ in range(70):
        ctx: dict[str, Any] = {}
        ts = x.rec.call(s, ts, "case_get", trace, ctx, label)
        ts = x.rec.call(s, ts, "record_seal", trace, ctx, label) + x.gap(0.1, 1.2)


def _contractor(x: _Day, label: str) -> None:
    p = x.pick("gis", lambda p: p.tz == -8.0)
    ts = x.at(10.5) + x.gap(0, 15)
    s = x.session(p, ts)
    steps = (("permit_search", 1, 1), ("permit_get", 1, 2), ("plan_review_get", .5, 1),
             ("plans://", .6, 2), ("parcel_lookup", .5, 1))  # fmt: skip
    while ts < x.at(15.5):
        ts = run_task(x.rec, s, ts, steps, label) + x.gap(5, 20)


def _redistricting(x: _Day, label: str) -> None:
    p = x.pick("gis", lambda p: p.tz == -6.0)
    ts = x.at(13.0) + x.gap(0, 20)
    s, trace = x.session(p, ts), x.rec.hex(32)
    for _ in range(28):
        ring = [[round(-90.7 + x.rng.random() / 5, 6), round(41.5 + x.rng.random() / 5, 6)]
                for _ in range(x.rng.randint(260, 900))]  # fmt: skip
        args = {"layer": "wards", "bbox": {"type": "Polygon", "coordinates": [ring]}}
        slow = x.rng.random() < 0.55
        if slow:
            ts = x.rec.call(s, ts, "layer_query", trace, {}, label, args=args, error="timeout")
        ts = x.rec.call(s, ts, "layer_query", trace, {}, label, args=args) + x.gap(0.5, 4)


_MAKERS: Final[dict[str, Callable[[_Day, str], None]]] = {
    "benign:council_night": _council_night,
    "benign:month_end_billing": _month_end_billing,
    "benign:retention_disposition": _retention,
    "benign:watermain_callout": _watermain,
    "benign:conference_travel": _conference,
    "benign:credential_rotation": _rotation,
    "benign:payimport_outage": _payimport_outage,
    "benign:foia_release": _foia_release,
    "benign:payroll_run": _payroll,
    "benign:auditor_onboarding": _auditor,
    "benign:new_hire": _new_hire,
    "benign:expungement_batch": _expungement,
    "benign:contractor_new_role": _contractor,
    "benign:redistricting_queries": _redistricting,
}


def hard_negatives(
    rec: Recorder, cal: Calendar, people: list[Person], seed: int
) -> list[UserProfile]:
    """Every hard negative on the scored day; returns the newcomers' profiles."""
    x = _Day(rec, cal, people, seed)
    for name in HARD_NEGATIVES:
        _MAKERS[name](x, f"{name}#0")
    first = cal.scored
    return [
        UserProfile(n, dept, -6.0, 8.0, 16.5, (agent,), client,
                    cal.version(client, cal.at(first, 8)), first_day=first)
        for n, dept, client, agent in NEWCOMERS
    ]  # fmt: skip
