"""``TrialsConfig`` and ``generate``: fourteen days of a CRO's MCP traffic, the last one scored.

The span starts on Thursday 4 February 2027, 00:00 UTC (no daylight-saving change anywhere in
it); the default 14 days end on Wednesday 17 February, the scored day, when ONC-301 locks its
database for the interim analysis, an FDA inspection is on site and MedDRA 27.1 goes live. The
calendar before it: CARD-210's protocol amendment (eCRF v3) on day 5, the Osaka site initiated
on day 6, an EDC outage on day 8 (Friday afternoon in Europe), weekly data cuts on Mondays.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from ..model import DAY_US, SimConfig, Simulation, UserProfile
from ._emit import Emitter, with_lists
from .jobs import run_jobs
from .negatives import Negatives
from .people import HOUR_US, SITES, Person, Site, roster
from .routines import routines
from .traffic import MINUTE, World

__all__ = ["TrialsConfig", "generate"]

_START: Final = datetime(2027, 2, 4, tzinfo=UTC)


@dataclass(frozen=True)
class TrialsConfig:
    """What to generate: ``seed`` decides everything; ``days`` (at least 10) end on the scored
    day; ``start`` an aware UTC midnight; ``visit_rate`` scales the patients' visits."""

    seed: int = 1
    days: int = 14
    start: datetime = field(default=_START)
    visit_rate: float = 3.0

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 10:
            raise ValueError(f"days must be an integer of at least 10, not {self.days!r}")
        if self.start.tzinfo is None or self.start.utcoffset() != UTC.utcoffset(None):
            raise ValueError("start must be an aware datetime in UTC")
        if (self.start.hour, self.start.minute, self.start.second, self.start.microsecond) != (
            0, 0, 0, 0
        ):  # fmt: skip
            raise ValueError(f"start must be a UTC midnight, not {self.start.isoformat()}")
        if not 0.2 <= self.visit_rate <= 5.0:
            raise ValueError(f"visit_rate must be between 0.2 and 5, not {self.visit_rate}")

    def sim_config(self) -> SimConfig:
        return SimConfig(seed=self.seed, users=1, days=self.days, start=self.start,
                         scenarios=(), new_users=0)  # fmt: skip


def _site_initiation(w: World, site: Site) -> None:
    """The new site's initiation visit: its CRA activates it in CTMS, IT grants its staff."""
    em, gap = w.em, w.gap
    cra = next(p for p in w.by_role["cra"] if site.code in p.sites)
    ts = w.abs(int((site.first_day * 24 + 15.0 - site.tz) * HOUR_US))
    s, tr = w.session(cra, ts), w.trace()
    ts, _ = em.call(s, ts, "site_get", {"site": site.code}, tr)
    ts, _ = em.call(
        s,
        ts + gap(60, 300),
        "site_activate",
        {"site": site.code, "siv_date": "day-" + str(site.first_day)},
        tr,
    )
    admin = w.by_role["it"][-1]
    ts += 2 * HOUR_US
    s = w.session(admin, ts)
    for p in w.people:
        if site.code in p.sites and p.role != "cra":
            ts, _ = em.call(
                s,
                ts + gap(30, 200),
                "role_grant",
                {"user": p.name, "role": "edc-entry", "site": site.code},
                tr,
            )


def generate(config: TrialsConfig) -> Simulation:
    """The CRO's traffic for ``config`` with its hard negatives on the scored day (labelled
    ``benign:<name>#0``); no attacks (``inject`` adds them)."""
    sc = config.sim_config()
    rng = random.Random(f"trials:{config.seed}")
    scored = config.days - 1
    origin = sc.start_us
    outages = [("edc", origin + 8 * DAY_US + 14 * HOUR_US + 10 * MINUTE,
                origin + 8 * DAY_US + 15 * HOUR_US + 25 * MINUTE)]  # fmt: skip
    em = Emitter(rng, origin, sc.end_us, outages)
    em.auto_list = False  # work is made person by person, not in time order: lists added after
    people = roster(rng, config.days)
    w = World(rng, em, people, config.days, scored)
    neg = Negatives(w)
    neg.prepare()  # who the scored day's episodes take, before ordinary work is handed out

    by_site: dict[tuple[str, str], list[Person]] = {}
    for p in people:
        for c in p.sites:
            by_site.setdefault((p.role, c), []).append(p)
    role = w.by_role

    def assignees(kind: str, item: dict[str, object]) -> list[Person]:
        site = str(item.get("site", ""))
        if kind == "visit":
            return by_site.get(("coordinator", site), []) + by_site.get(("investigator", site), [])
        if kind in ("queries", "sign"):
            return by_site.get(("coordinator" if kind == "queries" else "investigator", site), [])
        who = {"review": "dm", "sae": "pv", "expedite": "pv", "medreview": "medmon",
               "coding": "coder"}[kind]  # fmt: skip
        return role[who]

    for site in SITES:
        for day in range(site.first_day + 1, config.days):
            if (day + 3) % 7 < 5:
                local = rng.uniform(13.5, 16.0)
                w.push(w.abs(int((day * 24 + local - site.tz) * HOUR_US)), "sign",
                       {"site": site.code})  # fmt: skip
    w.schedule_visits(config.visit_rate)
    jobs = run_jobs(w, neg.skip_jobs)
    for p in people:
        if p.role == "cra":
            for day, code in sorted(p.visits.items()):
                w.monitoring_visit(p, day, code)
    _site_initiation(w, next(s for s in SITES if s.first_day))
    w.desk(routines(w))
    w.run({"visit": w.visit, "queries": w.answer_queries, "review": w.review_queries,
           "sign": w.sign, "sae": w.sae, "expedite": w.expedite, "medreview": w.medreview,
           "coding": w.coding}, assignees)  # fmt: skip
    neg.run()
    calls = with_lists(rng, sorted(em.calls, key=lambda c: c.ts))
    calls = [c for c in calls if c.ts >= origin]
    neg.tally(calls)
    users = [
        UserProfile(
            p.name, p.role, p.tz, p.start, p.end, (p.agent,), p.client, p.version, p.first_day
        )
        for p in [*people, *jobs, *neg.newcomers]
    ]
    return Simulation(sc, calls, [], neg.bursts, users)
