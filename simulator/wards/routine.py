"""The work that comes with a shift rather than a patient, and the service identities.

Every clinical shift starts with a handover (the ward list, the inbox, a few charts); bed
managers watch the board all shift and hold the 08:30 and 14:00 bed meetings; schedulers,
coders, IT, analysts, pharmacists, radiologists and the auditor do their desk work; people on
call are paged a few times a night. Services: the lab interface posts results all day and night,
the robot dispenses (``work.py``), the backup exports the EHR at 00:20, the retention job purges
expired documents at 01:10, the claims batch goes at 22:00, the poller lists every server's
tools every 30 minutes.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict

from ._calls import Recorder, Task
from .args import note, sql
from .catalog import LIST_BYTES, SERVERS
from .flow import DAY_US, HOUR_US, MIN_US, Step, poisson
from .rota import Rota, Shift
from .work import actor, service

__all__ = ["Census", "routines", "services"]


class Census:
    """Which patients a unit has around a time (from the patients' nursing steps)."""

    def __init__(self, steps: list[Step]) -> None:
        self._by: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for s in steps:
            if s.kind in ("nursing", "ward_round", "triage"):
                self._by[s.unit].append((s.ts, s.patient.mrn))

    def around(self, unit: str, ts: int, hours: float = 6.0) -> list[str]:
        rows = self._by.get(unit, [])
        lo = bisect.bisect_left(rows, (ts, ""))
        hi = bisect.bisect_left(rows, (ts + int(hours * HOUR_US), ""))
        return list(dict.fromkeys(m for _, m in rows[lo:hi]))


def _handover(rng: random.Random, t: Task, unit: str, census: Census) -> None:
    t.call("flow_bed_board", {"unit": unit})
    t.call("msg_inbox", {"unread": True})
    if unit == "ED":
        t.call("lab_list_pending", {"unit": "ED"})
    mrns = census.around(unit, t.t)
    for mrn in rng.sample(mrns, min(len(mrns), rng.randint(2, 5))):
        t.read(f"ehr://patient/{mrn}/summary", think=(5.0, 40.0))


def _spread(rng: random.Random, s: Shift, n: int) -> list[int]:
    """``n`` times inside the shift, avoiding its first and last quarter hour."""
    lo, hi = s.start + 15 * MIN_US, s.end - 15 * MIN_US
    return sorted(rng.randint(lo, hi) for _ in range(n))


def routines(rng: random.Random, rota: Rota, rec: Recorder, census: Census) -> None:
    """Each shift's own work (not tied to a patient), in the rota's order."""
    for s in rota.shifts:
        p, role = s.person, s.person.role
        who = actor(p, s.start)
        if s.kind == "oncall":
            for ts in _spread(rng, s, poisson(rng, 0.7)):
                _page(rng, rec.task(actor(p, ts), ts), role, s.unit, census)
            continue
        begin = rec.task(who, s.start + int(rng.uniform(2, 20) * MIN_US))
        if role in ("nurse", "doctor"):
            _handover(rng, begin, s.unit, census)
        elif role == "bed_manager":
            for ts in _spread(rng, s, rng.randint(7, 11)):
                t = rec.task(actor(p, ts), ts)
                t.call("flow_bed_board", {"unit": "ALL"})
                if rng.random() < 0.4:
                    t.call(
                        "msg_send",
                        {
                            "to": f"team:{rng.choice(('amu', 'med', 'surg', 'ed'))}",
                            "text": note(rng, 60, 240),
                        },
                    )
            if s.kind == "fday":
                for hour in (8.5, 14.0):
                    t = rec.task(who, s.start - 8 * HOUR_US + int(hour * HOUR_US))
                    t.call("flow_forecast", {"horizon_hours": 24})
                    t.call("sched_theatre_list", {"days_ahead": 1})
        else:
            _desk(rng, rec, s, begin, census)


def _desk(rng: random.Random, rec: Recorder, s: Shift, begin: Task, census: Census) -> None:
    p, role = s.person, s.person.role
    if role == "consultant":
        begin.call("msg_inbox", {"unread": True})
    elif role == "radiologist":
        begin.call("imaging_list_studies", {"status": "unreported"})
    elif role == "pharmacist":
        begin.call("msg_inbox", {"unread": True})
        for ts in _spread(rng, s, rng.randint(2, 6)):
            rec.task(actor(p, ts), ts).call("rx_formulary_lookup", {"drug": note(rng, 8, 14)})
    elif role == "scheduler":
        for ts in _spread(rng, s, rng.randint(3, 6)):
            t = rec.task(actor(p, ts), ts)
            t.call("sched_theatre_list", {"theatre": f"T{rng.randint(1, 6)}", "days_ahead": 7})
            if rng.random() < 0.12:
                t.call(
                    "sched_cancel_slot",
                    {
                        "slot": f"T{rng.randint(1, 6)}-{rng.randint(1, 40)}",
                        "reason": "patient_unfit",
                    },
                )
    elif role == "coder":
        begin.call("claims_status", {"batch": "latest"})
        begin.call("msg_inbox", {"unread": True})
    elif role == "it_ops":
        begin.call("iam_whoami", {})
        jobs = (
            ("iam_reset_password", 4.0),
            ("iam_grant_access", 1.5),
            ("iam_revoke_access", 0.7),
            ("iam_list_sessions", 2.5),
            ("sql_query", 1.5),
        )
        for tool, lam in jobs:
            for ts in _spread(rng, s, poisson(rng, lam)):
                _it(rng, rec.task(actor(p, ts), ts), tool)
    elif role == "analyst":
        begin.call("sql_list_tables", {"schema": rng.choice(("adt", "ed", "pharmacy", "coding"))})
        for ts in _spread(rng, s, rng.randint(6, 14)):
            t = rec.task(actor(p, ts), ts)
            if rng.random() < 0.3:
                t.call("sql_describe", {"table": rng.choice(("adt.spells", "ed.arrivals"))})
            t.call("sql_query", {"sql": sql(rng), "limit": 5000})
        if rng.random() < 0.6:
            ts = s.end - int(rng.uniform(0.5, 2.0) * HOUR_US)
            rec.task(actor(p, ts), ts).call(
                "sql_export_csv", {"sql": sql(rng), "path": f"reports/{p.name}/weekly.csv"}
            )
    elif role == "auditor":
        begin.call("docs_read", {"path": "policies/ig/record-access-audit.pdf"})
        for ts in _spread(rng, s, rng.randint(2, 5)):
            t = rec.task(actor(p, ts), ts)
            mrns = census.around(rng.choice(("MED", "SURG", "AMU")), ts - DAY_US, 24)
            if mrns:
                t.call("ehr_get_patient", {"mrn": rng.choice(mrns), "sections": ["access_log"]})
            t.call("sql_query", {"sql": sql(rng, ops=True)})


def _it(rng: random.Random, t: Task, tool: str) -> None:
    user = f"{rng.choice('abcdefghjklmnprstw')}{rng.choice(('smith', 'khan', 'obi', 'novak'))}"
    if tool == "sql_query":
        t.call(tool, {"sql": sql(rng, ops=True)})
    elif tool == "iam_list_sessions":
        t.call(tool, {"user": user, "active": True})
    elif tool == "iam_grant_access":
        t.call(
            tool,
            {
                "user": user,
                "role": rng.choice(("ward_clerk", "nurse", "locum_doctor")),
                "ticket": f"INC{rng.randint(100000, 999999)}",
            },
        )
    else:
        t.call(tool, {"user": user, "ticket": f"INC{rng.randint(100000, 999999)}"})


def _page(rng: random.Random, t: Task, role: str, unit: str, census: Census) -> None:
    t.call("msg_ack_page", {"page_id": f"PG{rng.randint(100000, 999999)}"}, think=(20.0, 120.0))
    mrns = census.around(unit if unit != "RAD" else "ED", t.t, 3)
    mrn = rng.choice(mrns) if mrns else f"M{rng.randint(1_000_000, 9_999_999)}"
    if role == "radiologist":
        acc = f"ACC{rng.randint(1_000_000, 9_999_999)}"
        t.call("imaging_fetch_series", {"accession": acc, "series": 1})
        t.call(
            "imaging_write_report",
            {"accession": acc, "text": note(rng, 200, 800)},
            think=(60.0, 300.0),
        )
    elif role == "it_ops":
        t.call("iam_list_sessions", {"service": "ehr", "active": True})
        t.call("sql_query", {"sql": sql(rng, ops=True)})
    else:
        t.read(f"ehr://patient/{mrn}/summary")
        t.call("lab_get_results", {"mrn": mrn, "since_hours": 12})
        t.call(
            "ehr_write_note",
            {"mrn": mrn, "note_type": "telephone_advice", "text": note(rng, 80, 400)},
        )


def services(rng: random.Random, rec: Recorder, start_us: int, days: int, coded: list[int]) -> None:
    """The service identities' own schedules; ``coded``: episodes coded per day (for claims)."""
    lab, mon = service("lab"), service("monitor")
    for d in range(days):
        day0 = start_us + d * DAY_US
        for h in range(24):  # outpatient and GP results arrive all day and night
            for _ in range(poisson(rng, 16.0 if 8 <= h < 19 else 4.0)):
                t = rec.task(lab, day0 + h * HOUR_US + rng.randrange(HOUR_US))
                t.call(
                    "lab_post_result",
                    {
                        "mrn": f"M{rng.randint(1_000_000, 9_999_999)}",
                        "code": rng.choice(("HBA1C", "TFT", "FBC", "LIPID")),
                        "message_type": "ORU^R01",
                    },
                    think=(0.0, 0.5),
                )
        for k in range(48):
            t = rec.task(mon, day0 + k * 30 * MIN_US + rng.randint(0, 20_000_000))
            for server in SERVERS:
                t.list_tools(server, LIST_BYTES[server])
        backup(rng, rec.task(service("backup"), day0 + 20 * MIN_US + rng.randint(0, 5 * MIN_US)))
        purge(rng, rec.task(service("retention"), day0 + 70 * MIN_US), poisson(rng, 8.0))
        claims = rec.task(service("claims"), day0 + 22 * HOUR_US + rng.randint(0, 10 * MIN_US))
        claims.call("claims_submit_batch", {"batch": f"D{d:03d}", "episodes": max(1, coded[d])})
        for _ in range(2):
            claims.call("claims_status", {"batch": f"D{d:03d}"}, think=(60.0, 300.0))


def backup(rng: random.Random, t: Task) -> None:
    """The nightly EHR export: six partitions, the warehouse snapshot, the document index."""
    for part in range(6):
        t.call(
            "ehr_bulk_export",
            {"since": "P1D", "partition": part, "format": "ndjson"},
            think=(1.0, 4.0),
        )
    for table in ("adt.spells", "pharmacy.admin_daily"):
        t.call(
            "sql_export_csv",
            {"sql": f"SELECT * FROM {table}", "path": f"backup/{table}.csv"},  # noqa: S608
        )
    for folder in ("letters/", "scanned/", "reports/"):
        t.call("docs_list", {"path": folder, "modified_since": "P1D"})


def purge(rng: random.Random, t: Task, n: int, label_year: int = 2016) -> None:
    """The retention job: expired scanned forms deleted, one bulk purge of temporary uploads."""
    t.call("docs_list", {"path": "scanned/", "older_than_days": 2920})
    for _ in range(n):
        t.call(
            "docs_delete",
            {
                "path": f"scanned/{label_year}/{rng.getrandbits(32):08x}.tiff",
                "reason": "retention_expired",
            },
            think=(0.2, 1.5),
        )
    t.call("docs_purge_expired", {"class": "temp_uploads", "older_than_days": 30})
