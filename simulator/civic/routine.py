"""The ordinary working day of each department: its tasks, their steps, and how often they come.

A person on shift starts tasks at their department's rate (a Poisson process): call-takers at
the 311 demand of the hour, works dispatch and crews faster in a storm or after a main break.
A task is one trace: its steps run in order, each taken with its probability and repeated up to
its count, the assistant thinking between them. A target ending in ``://`` is a resource read.
Each shift opens one session per assistant; about half the people reopen the app after lunch (a
new session that lists tools again). On a meeting night the clerk's staff stay for the meeting;
the on-call crew lead and IT engineer take the odd night callout.
"""

from __future__ import annotations

import random
from typing import Any, Final

from ._emit import Recorder, Session
from .events import HOUR_US, MINUTE_US, Calendar
from .people import CENTRAL, DEPARTMENTS, Person, shift

__all__ = ["MENUS", "Step", "meeting", "oncall", "oncall_nights", "run_task", "workday"]

Step = tuple[str, float, int]  # target, probability, most repeats
Task = tuple[str, float, tuple[Step, ...]]

MENUS: Final[dict[str, tuple[Task, ...]]] = {
    "calltaker": (
        ("new_request", 10, (("caller_lookup", .6, 1), ("address_geocode", .9, 1),
                             ("sr_search", .5, 1), ("kb_search", .35, 1), ("kb://", .25, 2),
                             ("sr_create", 1, 1), ("sr_route", .6, 1))),
        ("status", 6, (("caller_lookup", .5, 1), ("sr_search", .7, 1), ("sr_get", 1, 2),
                       ("wo_get", .3, 1))),
        ("billing_question", 3, (("caller_lookup", .4, 1), ("account_lookup", 1, 1),
                                 ("bill_get", .7, 2), ("sr_create", .2, 1))),
        ("update", 4, (("sr_get", 1, 1), ("sr_update", 1, 1))),
        ("information", 3, (("kb_search", 1, 2), ("kb://", .6, 2), ("zoning_get", .1, 1))),
    ),
    "permit_tech": (
        ("intake", 5, (("permit_search", .6, 1), ("parcel_lookup", .8, 1), ("zoning_get", .6, 1),
                       ("fee_assess", .7, 1), ("permit_issue", .5, 1))),
        ("schedule", 4, (("permit_get", 1, 1), ("inspection_schedule", 1, 1))),
        ("counter_question", 4, (("permit_search", 1, 2), ("permit_get", .7, 2))),
    ),
    "inspector": (
        ("inspection", 6, (("permit_get", 1, 1), ("plans://", .45, 3), ("address_geocode", .3, 1),
                           ("inspection_result", 1, 1))),
        ("route", 1, (("permit_search", 1, 2),)),
        ("reinspect", 1, (("permit_get", 1, 1), ("inspection_schedule", 1, 1))),
    ),
    "plan_reviewer": (
        ("review", 4, (("permit_get", 1, 1), ("plan_review_get", 1, 1), ("plans://", .9, 6),
                       ("zoning_get", .6, 1), ("permit_issue", .25, 1))),
        ("lookup", 2, (("permit_search", 1, 1), ("parcel_lookup", .6, 1))),
    ),
    "works_dispatch": (
        ("triage", 6, (("wo_search", 1, 1), ("sr_get", .6, 1), ("wo_create", .7, 1),
                       ("wo_assign", .8, 1))),
        ("fleet", 2, (("fleet_status", 1, 1), ("crew_roster", .5, 1))),
        ("telemetry", 2, (("level_get", 1, 3), ("alarm_ack", .2, 1))),
        ("close_out", 3, (("sr_get", .8, 1), ("sr_update", 1, 1))),
        ("cancel_duplicate", .25, (("wo_get", 1, 1), ("wo_cancel", 1, 1))),
    ),
    "crew_lead": (
        ("job", 6, (("wo_get", 1, 1), ("asset_get", .5, 1), ("gis://", .3, 1),
                    ("wo_update", .8, 2), ("wo_close", .6, 1))),
        ("check", 2, (("wo_search", 1, 1), ("crew_roster", .3, 1))),
    ),
    "records_clerk": (
        ("report_request", 6, (("incident_search", .7, 1), ("incident_report_get", 1, 2),
                               ("redaction_apply", .5, 1), ("release_log_add", .5, 1))),
        ("booking", 3, (("arrest_record_get", 1, 1), ("warrant_status", .4, 1))),
        ("foia_assist", 1, (("request_get", .6, 1), ("incident_report_get", 1, 3))),
    ),
    "court_clerk": (
        ("docket", 3, (("docket_search", 1, 1), ("case_get", 1, 3))),
        ("hearing", 3, (("case_get", 1, 1), ("hearing_schedule", 1, 1))),
        ("payment", 4, (("case_get", .5, 1), ("citation_payment_post", 1, 1))),
        ("warrant", 1, (("warrant_status", 1, 1), ("arrest_record_get", .3, 1))),
        ("expungement", .15, (("case_get", 1, 1), ("record_seal", 1, 1))),
    ),
    "finance": (
        ("payables", 5, (("invoice_get", 1, 2), ("vendor_payment_approve", .7, 1))),
        ("budget", 3, (("budget_query", 1, 2), ("journal_entry_post", .3, 1))),
        ("payroll_check", 1, (("employee_get", 1, 3), ("payroll_preview", .08, 1))),
        ("void", .1, (("invoice_get", 1, 1), ("payment_void", 1, 1))),
    ),
    "clerk": (
        ("agenda", 4, (("agenda_get", 1, 1), ("agenda_item_update", .6, 2),
                       ("ordinance_search", .4, 1), ("minutes://", .4, 1))),
        ("records", 3, (("doc_search", 1, 1), ("doc_get", .7, 2), ("doc_upload", .3, 1))),
        ("map", .5, (("parcel_lookup", 1, 1),)),
    ),
    "it": (
        ("ticket", 6, (("ticket_search", 1, 1), ("ad_user_get", .8, 1), ("password_reset", .4, 1),
                       ("group_add", .2, 1), ("ticket_update", 1, 1))),
        ("offboard", .2, (("ad_user_get", 1, 1), ("account_disable", 1, 1))),
        ("rotate", .1, (("secret_rotate", 1, 1),)),
    ),
    "hr": (
        ("employee", 5, (("employee_search", 1, 1), ("employee_get", 1, 2),
                         ("position_update", .2, 1), ("leave_approve", .5, 1))),
        ("onboarding", 1, (("onboarding_create", 1, 1), ("ticket_search", .3, 1))),
        ("separation", .15, (("employee_get", 1, 1), ("termination_process", 1, 1))),
    ),
    "foia": (
        ("triage", 3, (("request_search", 1, 1), ("request_get", 1, 1), ("request_update", .6, 1))),
        ("gather", 4, (("request_get", 1, 1), ("doc_search", 1, 2), ("doc_get", .9, 4),
                       ("doc_export", .3, 2), ("incident_report_get", .3, 2))),
        ("release", 1, (("request_get", 1, 1), ("release_package", 1, 1),
                        ("request_update", 1, 1))),
    ),
    "gis": (
        ("analysis", 4, (("layer_query", 1, 3), ("parcel_lookup", .6, 2), ("zoning_get", .5, 1))),
        ("edit", 3, (("gis://", .4, 1), ("feature_edit", 1, 3))),
        ("export", .6, (("layer_query", 1, 1), ("map_export", 1, 1))),
    ),
    "billing_csr": (
        ("account", 6, (("account_lookup", 1, 1), ("bill_get", .7, 2),
                        ("adjustment_post", .25, 1))),
        ("from_311", 2, (("sr_get", 1, 1), ("account_lookup", 1, 1), ("sr_update", .7, 1))),
        ("shutoffs", .6, (("shutoff_schedule", 1, 1), ("account_lookup", .8, 3))),
    ),
    "billing_vendor": (
        ("support", 3, (("account_lookup", 1, 2), ("bill_get", .8, 2))),
        ("shutoff_check", 1, (("shutoff_schedule", 1, 1),)),
    ),
}  # fmt: skip

_MEETING: Final[tuple[Step, ...]] = (
    ("agenda_get", 1, 1), ("public_comment_log", .5, 3), ("agenda_item_update", .4, 1),
    ("vote_record", .7, 1),
)  # fmt: skip
_CALLOUT: Final[dict[str, tuple[Step, ...]]] = {
    "crew_lead": (("wo_get", 1, 1), ("level_get", .6, 2), ("gis://", .5, 1), ("asset_get", .5, 1),
                  ("wo_update", 1, 2), ("wo_close", .5, 1)),
    "it": (("ticket_search", 1, 1), ("ad_user_get", .6, 1), ("ticket_update", 1, 2)),
}  # fmt: skip
_RATES: Final = {d.key: d.rate for d in DEPARTMENTS}


def run_task(
    rec: Recorder,
    s: Session,
    ts: int,
    steps: tuple[Step, ...],
    label: str = "",
    ctx: dict[str, Any] | None = None,
) -> int:
    """Run one task's ``steps`` as one trace from ``ts``; returns when it is done."""
    rng, trace = rec.rng, rec.hex(32)
    ctx = {} if ctx is None else ctx
    for target, prob, most in steps:
        if rng.random() >= prob:
            continue
        for _ in range(rng.randint(1, most)):
            if target.endswith("://"):
                ts = rec.read(s, ts, target, trace, label)
            else:
                ts = rec.call(s, ts, target, trace, ctx, label)
    return ts


def _pace(p: Person, cal: Calendar, ts: int) -> float:
    """Tasks per hour for ``p`` at ``ts``."""
    rate = _RATES[p.dept]
    if p.dept == "calltaker":
        return rate * cal.demand_311(ts)
    if p.dept in ("works_dispatch", "crew_lead"):
        return rate * cal.surge(ts)
    return rate


def workday(rec: Recorder, cal: Calendar, p: Person, day: int, seed: int) -> None:
    """``p``'s ordinary work on local ``day`` (nothing on a day off)."""
    hours = shift(p, cal.weekday(day), day, day in cal.storm_days, seed)
    if hours is not None:
        ahead = p.tz - CENTRAL  # a shift in the person's own time zone, in Central hours
        _shift(rec, cal, p, cal.at(day, hours[0] - ahead), cal.at(day, hours[1] - ahead))
    if p.dept == "clerk" and day in cal.meeting_nights and day != cal.scored - 1:
        meeting(rec, p, cal.at(day, 17.6 + rec.rng.random() * 0.3), cal.at(day, 22.2))


def _shift(rec: Recorder, cal: Calendar, p: Person, begin: int, end: int) -> None:
    rng = rec.rng
    menu = MENUS[p.dept]
    weights = [w for _, w, _ in menu]
    lunch = begin + int((end - begin) * rng.uniform(0.42, 0.55))
    lunch_end = lunch + rng.randint(25, 50) * MINUTE_US
    sessions = {a: rec.session(p.name, a, p.client, begin) for a in p.agents}
    reopened = rng.random() < 0.5
    ts = begin + rng.randint(2, 15) * MINUTE_US
    while ts < end:
        ts += int(rng.expovariate(_pace(p, cal, ts)) * HOUR_US)
        if lunch <= ts < lunch_end:
            ts = lunch_end + rng.randint(0, 10) * MINUTE_US
            if reopened:
                sessions = {a: rec.session(p.name, a, p.client, ts) for a in p.agents}
                reopened = False
        if ts >= end:
            break
        agent = p.agents[0] if len(p.agents) == 1 or rng.random() < 0.75 else p.agents[1]
        steps = rng.choices(menu, weights)[0][2]
        ts = run_task(rec, sessions[agent], ts, steps)


def meeting(rec: Recorder, p: Person, begin: int, end: int, label: str = "") -> int:
    """A clerk minding an evening meeting from ``begin`` to ``end``; returns the calls made."""
    s = rec.session(p.name, p.agents[0], p.client, begin)
    ts, made = begin, 0
    ctx: dict[str, Any] = {"meeting": "council-2027-02-01"}
    while ts < end:
        before = len(rec.calls)
        ts = run_task(rec, s, ts, _MEETING, label, dict(ctx))
        made += len(rec.calls) - before
        ts += rec.rng.randint(4, 14) * MINUTE_US
    return made


def oncall_nights(rec: Recorder, cal: Calendar, people: list[Person], seed: int) -> None:
    """Night callouts of the week's on-call crew lead and IT engineer (history only)."""
    rng = random.Random(f"civic:oncall:{seed}")
    for dept, per_night in (("crew_lead", 0.45), ("it", 0.15)):
        for day in range(-1, cal.scored - 1):
            if rng.random() >= per_night:
                continue
            p = oncall(people, dept, day)
            ts = cal.at(day, rng.uniform(21.5, 29.5))
            s = rec.session(p.name, p.agents[0], p.client, ts)
            for _ in range(rng.randint(1, 3)):
                ts = run_task(rec, s, ts, _CALLOUT[dept]) + rng.randint(3, 20) * MINUTE_US


def oncall(people: list[Person], dept: str, day: int) -> Person:
    """Who is on call for ``dept`` on local ``day``."""
    staff = [p for p in people if p.dept == dept and p.tz == -6.0]
    return staff[(day // 7) % len(staff)]
