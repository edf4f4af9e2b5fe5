"""The firm's ordinary traffic: what the matters, the court calendar and the deals cause.

- **Deadlines.** A litigation matter's filing day makes its associates and partner draft and
  research more in the three days before and stay late the evening before (and on the day);
  its paralegal assembles exhibits at midday and the office's docketing clerk validates and
  files with the court in the afternoon (a rejected filing is fixed and validated again; a
  court outage makes the agent retry). Singapore's arbitrations are filed by the paralegal.
- **Productions.** Six days before a production the team reviews batches on the review
  platform; on the day, litigation support builds and runs it, watches it and exports the
  privilege log.
- **Deals.** Five days before a closing the team works the data room; on the day the partner
  circulates signature pages and the paralegal downloads the closing set.
- **Intake.** New matters arrive each working day in each office: the intake analyst searches
  the parties, runs conflicts and opens the matter; a hit sends the report to a partner for a
  waiver and IT builds an ethical wall.
- **Desk work** between events, per person at their role's pace (Poisson gaps, a midday break),
  on their own matters: drafting, research, mail, time entries at the end of most days.
- **Jobs**: docket sync every 30 min in court hours, nightly review ingestion, conflicts
  re-checks, WIP refresh, the records job's nightly listing and Sunday dispositions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from ._args import make_args
from ._emit import Recorder, Session
from .people import CLIENTS, LAWYERS, OFFICES, Matter, Person, World, version
from .tasks import TASKS, Task

__all__ = ["HOUR", "MINUTE", "Clock", "Desk", "ordinary_traffic"]

MINUTE: Final = 60_000_000
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR

_DESK: Final[dict[str, dict[str, float]]] = {
    "partner": {"mail": 4, "draft": 3, "matter": 1.5, "research": 0.4},
    "associate": {"draft": 4, "research": 2.5, "mail": 2, "matter": 0.6},
    "paralegal": {"draft": 1.5, "matter": 1.5, "mail": 1},
    "assistant": {"assist": 3, "mail": 3, "draft": 1.2},
    "litsupport": {"litsupport": 4, "mail": 1},
    "docketing": {"docket": 4, "mail": 0.5},
    "intake": {"intake": 3, "mail": 1},
    "billing": {"billing": 4, "mail": 1},
    "records": {"records": 3, "mail": 1},
    "it": {"it": 4},
    "research": {"library": 4, "mail": 1},
}
_RATE: Final = {"partner": 1.3, "associate": 1.2, "assistant": 1.4, "docketing": 1.4, "it": 1.1}
_WORD: Final = ("draft", "review")  # done through the Word add-in where a person has it
_GAP: Final = 40 * MINUTE  # a longer pause starts a new agent session


class Clock:
    """Local time at an office on a simulated day, as µs since the epoch."""

    __slots__ = ("start_us",)

    def __init__(self, start_us: int) -> None:
        self.start_us = start_us

    def at(self, day: int, tz: float, hour: float) -> int:
        return self.start_us + day * DAY + int((hour - tz) * HOUR)


class Desk:
    """Each person's agent sessions: one per agent, renewed after a long pause."""

    __slots__ = ("_open", "rec")

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self._open: dict[tuple[str, str], tuple[Session, int]] = {}

    def session(self, p: Person, day: int, t: int, agent: int = 0) -> Session:
        name, client = p.agents[min(agent, len(p.agents) - 1)]
        key = (p.name, name)
        held = self._open.get(key)
        if held is None or t - held[1] > _GAP:
            s = self.rec.session(p.name, name, client, version(client, day))
        else:
            s = held[0]
        self._open[key] = (s, t)
        return s.task()

    def done(self, p: Person, s: Session, t: int) -> None:
        self._open[(p.name, s.agent)] = (s, t)


def _pressure(p: Person, day: int) -> tuple[dict[str, float], Matter | None, bool]:
    """Extra task weights from p's matters' events ahead, the matter causing them, and
    whether p stays late tonight."""
    extra: dict[str, float] = {}
    cause, late = None, False
    for m in p.matters:
        if p.role in ("associate", "partner") and any(0 <= f - day <= 3 for f in m.filings):
            extra["draft"], extra["research"] = 4.0, 2.5
            cause = m
            late |= any(0 <= f - day <= 1 for f in m.filings)
        if p.role in ("associate", "paralegal") and any(0 < x - day <= 6 for x in m.productions):
            extra["review"] = 3.0
            cause = cause or m
        if m.closing is not None and 0 <= m.closing - day <= 5:
            extra["dataroom"] = 4.0
            cause = cause or m
            late |= m.closing - day == 1
    return extra, cause, late


def _window(p: Person, day: int, w: World, r: random.Random) -> tuple[float, float] | None:
    extra, _, late = _pressure(p, day)
    lawyer = p.role in LAWYERS
    if not w.business[p.office][day]:
        if r.random() < (0.55 if extra and lawyer else 0.05 if lawyer else 0.01):
            start = r.uniform(9.5, 13.0)
            return start, start + r.uniform(2.0, 6.0)
        return None
    if r.random() < 0.05:  # leave, sick, travel
        return None
    start = p.hours[0] + r.gauss(0, 0.4)
    end = p.hours[1] + r.gauss(0, 0.6)
    if late and lawyer and (p.name, day) not in w.quiet:
        end += r.uniform(2.0, 5.5) if p.role == "associate" else r.uniform(1.0, 3.0)
    return start, end


def _desk_plan(p: Person, day: int, w: World, clock: Clock, r: random.Random,
               window: tuple[float, float]) -> list[tuple[int, str, Matter]]:  # fmt: skip
    extra, cause, _ = _pressure(p, day)
    weights = {**_DESK[p.role], **extra}
    kinds, wts = list(weights), list(weights.values())
    rate = _RATE.get(p.role, 1.0)
    pool = p.matters or w.matters
    start, end = window
    lunch = r.uniform(12.0, 13.5)
    out: list[tuple[int, str, Matter]] = []
    h = start + r.expovariate(rate * 2)
    while h < end:
        if not lunch <= h < lunch + 0.75:
            kind = r.choices(kinds, wts)[0]
            m = cause if kind in extra and cause is not None else r.choice(pool)
            out.append((clock.at(day, p.tz, h), kind, m))
        h += r.expovariate(rate)
    if (
        p.role in LAWYERS
        and p.matters
        and r.random() < (0.95 if (day + w.weekday0) % 7 == 4 else 0.65)
    ):
        out.append((clock.at(day, p.tz, end + 0.1), "timesheet", p.matters[0]))
    return out


def _run(desk: Desk, p: Person, day: int, plan: Iterable[tuple[int, Task | str, Matter]],
         r: random.Random) -> None:  # fmt: skip
    free = 0
    for ts, kind, m in sorted(plan, key=lambda x: x[0]):
        fn = TASKS[kind] if isinstance(kind, str) else kind
        t = max(ts, free)
        s = desk.session(p, day, t, agent=1 if kind in _WORD else 0)
        free = fn(s, t, p, m, r)
        desk.done(p, s, free)


# ---- events: what a deadline, a production, a deal and a new client cause -------------------


def exhibits(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "doc_search", make_args("doc_search", r, m, p.name), think=20)
    for _ in range(r.randint(3, 8)):
        t = s.call(t, "doc_get", make_args("doc_get", r, m, p.name), think=40)
    return s.call(t, "doc_save_version", make_args("doc_save_version", r, m, p.name), think=60)


def file_with_court(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    t = s.call(t, "deadline_list", make_args("deadline_list", r, m, u), think=30)
    t = s.call(t, "docket_get", make_args("docket_get", r, m, u), think=60)
    docs = make_args("filing_validate", r, m, u)
    if r.random() < 0.12:  # a page limit or a missing certificate: fixed, validated again
        t = s.call(t, "filing_validate", docs, error="validation_error", think=600)
    t = s.call(t, "filing_validate", docs, think=40)
    t = s.call(t, "filing_submit", {**docs, "filer": u}, think=90)
    for _ in range(r.randint(1, 3)):
        t = s.call(t, "filing_status", make_args("filing_status", r, m, u), think=240)
    t = s.call(t, "deadline_complete", make_args("deadline_complete", r, m, u), think=20)
    return s.call(t, "service_list_get", make_args("service_list_get", r, m, u), think=30)


def produce(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    t = s.call(t, "review_search", make_args("review_search", r, m, u), think=120)
    t = s.call(t, "production_create", make_args("production_create", r, m, u), think=60)
    t = s.call(t, "production_run", make_args("production_run", r, m, u), think=300)
    for _ in range(r.randint(2, 5)):
        t = s.call(t, "production_status", make_args("production_status", r, m, u), think=400)
    t = s.call(t, "privilege_log_export", make_args("privilege_log_export", r, m, u), think=60)
    return s.call(t, "mail_send", make_args("mail_send", r, m, u))


def close_deal(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    t = s.call(t, "dataroom_index", make_args("dataroom_index", r, m, u), think=60)
    for _ in range(r.randint(2, 4)):
        t = s.call(t, "doc_save_version", make_args("doc_save_version", r, m, u), think=300)
        t = s.call(t, "mail_send", make_args("mail_send", r, m, u), think=120)
    return t


def binder(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "dataroom_index", make_args("dataroom_index", r, m, p.name), think=20)
    for _ in range(r.randint(5, 15)):
        t = s.call(t, "dataroom_download", make_args("dataroom_download", r, m, p.name), think=25)
    return t


def intake_flow(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    t = s.call(t, "matter_search", make_args("matter_search", r, m, u, query=m.client), think=30)
    for _ in range(r.randint(2, 6)):
        t = s.call(t, "conflicts_search", make_args("conflicts_search", r, m, u), think=40)
    t = s.call(t, "intake_submit", make_args("intake_submit", r, m, u), think=60)
    t = s.call(t, "conflicts_run", make_args("conflicts_run", r, m, u), think=120)
    t = s.call(t, "conflicts_report_get", make_args("conflicts_report_get", r, m, u), think=90)
    return s.call(t, "matter_open", make_args("matter_open", r, m, u), think=30)


def waiver(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "conflicts_report_get", make_args("conflicts_report_get", r, m, p.name))
    return s.call(t, "conflicts_waiver_record", make_args("conflicts_waiver_record", r, m, p.name))


def wall(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "wall_create", make_args("wall_create", r, m, p.name), think=60)
    return s.call(t, "group_add", make_args("group_add", r, m, p.name))


def _prospect(r: random.Random, office: str, partner: str, n: int) -> Matter:
    client = r.choice(CLIENTS)
    lib, court = OFFICES[office][1], OFFICES[office][2]
    return Matter(f"{20000 + n:05d}-0001", client, r.choice(("litigation", "corporate")),
                  office, partner, (), "", "", False, court, "", "", lib, 0)  # fmt: skip


def _events(w: World, clock: Clock, days: int, r: random.Random, intake_per_day: float
            ) -> dict[tuple[str, int], list[tuple[int, Task | str, Matter]]]:  # fmt: skip
    ev: dict[tuple[str, int], list[tuple[int, Task | str, Matter]]] = defaultdict(list)

    def put(p: Person, day: int, hour: float, fn: Task, m: Matter) -> None:
        ev[p.name, day].append((clock.at(day, p.tz, hour), fn, m))

    def staff(role: str, office: str) -> list[Person]:
        return w.staff(role, office) or w.staff(role, "LDN")

    for m in w.matters:
        for d in m.filings:
            put(w.by_name[m.paralegal], d, r.uniform(11.5, 14.0), exhibits, m)
            clerk = r.choice(staff("docketing", m.office)) if m.office != "SGP" else None
            put(clerk or w.by_name[m.paralegal], d, r.uniform(15.0, 17.5), file_with_court, m)
        for d in m.productions:
            put(r.choice(staff("litsupport", m.office)), d, r.uniform(11.0, 16.0), produce, m)
        if m.closing is not None:
            put(w.by_name[m.partner], m.closing, r.uniform(10.0, 17.0), close_deal, m)
            put(w.by_name[m.paralegal], m.closing, r.uniform(17.5, 19.5), binder, m)
    n = 0
    for d in range(days):
        for office in OFFICES:
            if not w.business[office][d]:
                continue
            share = {"NY": 0.45, "LDN": 0.3, "FRA": 0.1, "SGP": 0.15}[office]
            for _ in range(_poisson(r, intake_per_day * share)):
                n += 1
                analyst = r.choice(staff("intake", office))
                partner = r.choice(staff("partner", office))
                m = _prospect(r, office, partner.name, n)
                hour = r.uniform(analyst.hours[0] + 0.5, analyst.hours[1] - 1.5)
                put(analyst, d, hour, intake_flow, m)
                w.intakes.append((d, m))
                if r.random() < 0.2:  # a conflict: a waiver from the partner, then a wall
                    put(partner, d, hour + r.uniform(1.5, 4.0), waiver, m)
                    it = r.choice(w.staff("it", office) or w.staff("it", "NY"))
                    nxt = min(d + 1, days - 1)
                    put(it, nxt, r.uniform(it.hours[0] + 0.5, it.hours[1] - 1), wall, m)
    return ev


def _poisson(r: random.Random, lam: float) -> int:
    n, t = 0, r.expovariate(1.0)
    while t < lam:
        n += 1
        t += r.expovariate(1.0)
    return n


def ordinary_traffic(w: World, rec: Recorder, clock: Clock, days: int, intake_per_day: float,
                     r: random.Random) -> None:  # fmt: skip
    """Every person's days: their desk work and the events of their matters."""
    desk = Desk(rec)
    ev = _events(w, clock, days, r, intake_per_day)
    for p in w.people:
        for day in range(days):
            plan: list[tuple[int, Task | str, Matter]] = list(ev.get((p.name, day), ()))
            window = _window(p, day, w, r)
            if window is not None:
                plan.extend(_desk_plan(p, day, w, clock, r, window))
            _run(desk, p, day, plan, r)
