"""The firm's scheduled jobs (``svc-*``), each one session a run, driven by what they watch.

``svc-docket``     every 30 min in New York's and London's court hours on working days: the
                   dockets of the litigation matters it tracks (one in three runs finds an
                   entry and computes a deadline)
``svc-ediscovery`` 03:00 UTC nightly: ingests collections for productions due within a week
``svc-conflicts``  04:00 UTC nightly: re-runs conflicts for the day before's new matters
``svc-billing``    06:00 UTC nightly: WIP per office, time lists of a sample of timekeepers
``svc-records``    08:00 UTC nightly: the disposition list; Sundays it disposes of the
                   matters whose retention ended (a handful a week)
"""

from __future__ import annotations

import random
from typing import Final

from ._args import make_args
from ._emit import Recorder, Session
from .people import OFFICES, World, version
from .traffic import HOUR, MINUTE, Clock

__all__ = ["scheduled_jobs"]

_CLIENT: Final = "job-runner"


def _run(rec: Recorder, job: str, day: int) -> Session:
    return rec.session(job, f"job:{job[4:]}", _CLIENT, version(_CLIENT, day))


def scheduled_jobs(w: World, rec: Recorder, clock: Clock, days: int, r: random.Random) -> None:
    tracked = [m for m in w.matters if m.practice == "litigation" and m.office != "SGP"]
    for day in range(days):
        weekday = (day + w.weekday0) % 7
        for office, (first, last) in (("NY", (6.5, 22.0)), ("LDN", (7.0, 18.0))):
            if not w.business[office][day]:
                continue
            h = first
            here = [m for m in tracked if (m.office == "NY") == (office == "NY")]
            while h < last:
                s = _run(rec, "svc-docket", day)
                t = clock.at(day, OFFICES[office][0], h) + r.randint(0, 40) * 1_000_000
                for m in r.sample(here, min(len(here), r.randint(2, 4))):
                    t = s.call(t, "docket_get", make_args("docket_get", r, m, s.user), think=2)
                    if r.random() < 0.1:
                        args = make_args("deadline_compute", r, m, s.user)
                        t = s.call(t, "deadline_compute", args, think=1)
                        t = s.call(t, "deadline_create", make_args("deadline_create", r, m, ""))
                h += 0.5
        s = _run(rec, "svc-ediscovery", day)
        t = clock.start_us + day * 24 * HOUR + 3 * HOUR + r.randint(0, 300) * 1_000_000
        due = [m for m in w.matters if any(0 < x - day <= 7 for x in m.productions)]
        for m in due:
            args = make_args("review_ingest_run", r, m, s.user)
            t = s.call(t, "review_ingest_run", args, think=240)
            t = s.call(t, "review_search", make_args("review_search", r, m, s.user), think=5)
        s = _run(rec, "svc-conflicts", day)
        t = clock.start_us + day * 24 * HOUR + 4 * HOUR + r.randint(0, 120) * 1_000_000
        for _, m in (x for x in w.intakes if x[0] == day - 1):
            t = s.call(t, "conflicts_run", make_args("conflicts_run", r, m, s.user), think=3)
            args = make_args("conflicts_report_get", r, m, s.user)
            t = s.call(t, "conflicts_report_get", args, think=2)
        s = _run(rec, "svc-billing", day)
        t = clock.start_us + day * 24 * HOUR + 6 * HOUR + r.randint(0, 120) * 1_000_000
        for office in OFFICES:
            args = make_args("wip_report", r, w.matters[0], s.user, office=office)
            t = s.call(t, "wip_report", args, think=5)
        for p in r.sample(w.people, 8):
            m = (p.matters or w.matters)[0]
            t = s.call(
                t, "time_entries_list", make_args("time_entries_list", r, m, p.name), think=1
            )
        s = _run(rec, "svc-records", day)
        t = clock.start_us + day * 24 * HOUR + 8 * HOUR + r.randint(0, 60) * 1_000_000
        m = w.matters[day % len(w.matters)]
        t = s.call(t, "disposition_list", make_args("disposition_list", r, m, s.user), think=10)
        if weekday == 6:
            t = s.call(t, "retention_policy_get", make_args("retention_policy_get", r, m, ""))
            for _ in range(r.randint(3, 9)):
                old = f"{r.randrange(10**4, 2 * 10**4):05d}-{r.randrange(1, 90):04d}"  # expired
                t = s.call(t, "hold_list", make_args("hold_list", r, m, "", matter=old), think=2)
                args = make_args("disposition_execute", r, m, s.user, matter=old)
                t = s.call(t, "disposition_execute", args, think=20)
                t += r.randint(0, 3) * MINUTE
