"""``generate``: fourteen days of a university's MCP traffic, the last one scored.

Each day follows the calendar: weekday or weekend, the lecture timetable, coursework deadlines
at 23:59 (students' submissions pile up before them, TAs grade for four days after), research
groups' HPC jobs and data, the offices' queues, and service accounts around the clock (HPC
monitor, LMS sync, backup, lab instruments). The scored day adds the hard negatives
(``negatives.py``). Deterministic from ``CampusConfig.seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tooltrail.simulator.model import DAY_US, SimConfig, Simulation, UserProfile

from ._trail import Trail
from .flows import HOUR_US, S_US, run_session, submit, tasks_for
from .negatives import add_hard_negatives
from .org import Org, Person, build_org

__all__ = ["CampusConfig", "generate"]


@dataclass(frozen=True)
class CampusConfig(SimConfig):
    """What to simulate: ``students`` enrolled, ``days`` (at least 7) from a Tuesday in the
    last teaching weeks; the last day (a Monday of assessment week) is scored."""

    seed: int = 1
    days: int = 14
    start: datetime = datetime(2026, 11, 24, tzinfo=UTC)  # a Tuesday
    students: int = 360

    def __post_init__(self) -> None:
        if self.days < 7:
            raise ValueError("days must be at least 7 (five of history before the scored day)")
        if self.students < 60:
            raise ValueError("students must be at least 60")
        super().__post_init__()


def _weekend(day: int) -> bool:
    return (day + 1) % 7 >= 5


def _sessions(rng: random.Random, p: Person, day: int) -> int:
    if _weekend(day) and rng.random() > p.weekend:
        return 0
    if rng.random() < 0.08:  # ill, away, a day without the assistant
        return 0
    mean = {"student": 2.0, "ta": 1.5, "lecturer": 1.6, "researcher": 2.2, "visiting": 2.0}.get(
        p.role, 2.2
    )
    return max(1, round(rng.gauss(mean, 0.8)))


def _people_day(trail: Trail, org: Org, day: int, day0: int) -> None:
    rng = trail.rng
    for p in org.people:
        if p.role == "service":
            continue
        for _ in range(_sessions(rng, p, day)):
            local = rng.uniform(p.start, p.end - 0.5)
            t0 = day0 + int((local - p.tz) * HOUR_US) + rng.randint(0, 59) * S_US
            tasks = tasks_for(rng, p, org, day)
            if tasks:
                run_session(trail, p, day, t0, tasks)
    who = {p.name: p for p in org.people}
    for course in org.courses.values():
        if day not in course.deadlines:
            continue
        a = f"a{course.deadlines.index(day) + 1}"
        for s in course.students:
            if rng.random() < 0.88:
                p = who[s]
                back = min(rng.expovariate(1 / 2.5), 13.0)  # hours before 23:59 local
                t0 = day0 + int((23.98 - back - p.tz) * HOUR_US)
                run_session(trail, p, day, t0, submit(rng, p, course, a), pace=(3, 25))


def _services(trail: Trail, org: Org, day: int, day0: int) -> None:
    rng = trail.rng
    svc = {p.name: p for p in org.by_role("service")}

    def one(name: str, ts: int, steps: list[tuple[str | None, object]]) -> None:
        run_session(trail, svc[name], day, ts, [steps], pace=(1, 3))

    checks: list[tuple[str | None, object]] = [
        ("queue_list", {"partition": "gpu"}) if k % 2 else ("job_status", {"state": "RUNNING"})
        for k in range(24 * 24 - 2)
    ]  # the monitor's one connection a day: a check every two and a half minutes
    run_session(
        trail,
        svc["svc-hpc-monitor"],
        day,
        day0 + rng.randint(0, 30) * S_US,
        [checks],
        pace=(148, 150),
    )
    one(
        "svc-lms-sync",
        day0 + 2 * HOUR_US + rng.randint(0, 300) * S_US,
        [
            s
            for c in org.courses
            for s in (("enrolment_list", {"course": c}), ("course_get", {"course": c}))
        ],
    )
    one(
        "svc-backup",
        day0 + HOUR_US + rng.randint(0, 600) * S_US,
        [
            ("rds_list", {"path": f"/projects/{g}", "recursive": True})
            for g in sorted({p.group for p in org.people if p.group})
        ],
    )
    one(
        "svc-idm",
        day0 + 3 * HOUR_US + rng.randint(0, 600) * S_US,
        [
            ("account_get", {"user": f"z{rng.randint(5_100_000, 5_999_999)}"})
            for _ in range(rng.randint(2, 6))
        ],
    )
    plans = (
        ("svc-instr-massspec", 0, 24, 20),
        ("svc-instr-sequencer", 18, 30, 10),
        ("svc-instr-cryoem", 9, 17, 15),
    )
    for name, h0, h1, every in plans:
        if _weekend(day) and name != "svc-instr-massspec":
            continue
        inst = name.removeprefix("svc-instr-")
        for m in range(h0 * 60, h1 * 60, every):
            one(
                name,
                day0 + m * 60 * S_US + rng.randint(0, 90) * S_US,
                [
                    (
                        "run_upload",
                        {
                            "instrument": inst,
                            "run": f"{inst}-{day:02d}{m:04d}",
                            "mb": rng.randint(50, 4000),
                        },
                    )
                ],
            )


def generate(config: CampusConfig | None = None) -> Simulation:
    """The simulated traffic: calls sorted by time, hard negatives labelled on the last day."""
    config = config or CampusConfig()
    rng = random.Random(config.seed)
    org = build_org(rng, config.students, config.days)
    trail = Trail(rng)
    for day in range(config.days):
        day0 = config.start_us + day * DAY_US
        _people_day(trail, org, day, day0)
        _services(trail, org, day, day0)
    cut = config.attack_start_us
    # the scored day's traffic is the hard negatives' and the ordinary traffic that is not theirs
    bursts = add_hard_negatives(trail, org, config.days - 1, cut)
    calls = sorted(
        (c for c in trail.calls if config.start_us <= c.ts < config.end_us), key=lambda c: c.ts
    )
    counted = {b.id: 0 for b in bursts}
    for c in calls:
        if c.label:
            counted[c.label] += 1
    bursts = [replace(b, calls=counted[b.id]) for b in bursts]
    users = [
        UserProfile(p.name, p.role, p.tz, p.start, p.end, (p.agent,), p.client, p.versions[1])
        for p in org.people
    ]
    return Simulation(config, calls, [], bursts, users)
