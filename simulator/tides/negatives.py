"""Labelled hard negatives on the scored (last) day: benign work that looks unusual.

Each is one or more labelled episodes (``benign:<name>#k``, an :class:`Incident` per person):

``nightly_batch``        svc-etl's nightly run, at 1.6× its usual size (a catch-up)
``release_spike``        release day: a dozen people merge, roll out and watch at 15:00 UTC
``new_hire``             a new person's first day: onboarding reads across docs, code, chat
``oncall_night``         an SRE paged at 03:00 local: 45 minutes of real incident work
``role_change``          a support engineer moves to the data team: new topics, new servers
``power_user_day``       the most active person has a three-times-heavier, ordinary day
``contractor_first_day`` a contractor on a client nobody uses, from the other office's hours
``security_scan``        the security team's scanner: reads across ten servers, many denied
``branch_cleanup``       a cleanup sprint: stale branches and tickets deleted for an hour
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Final

from ..model import Incident, SimCall
from ._calls import CallMaker, Seat
from .hawkes import person_calls
from .org import DAY_US, HOUR_US, Person, make_person
from .services import nightly_batch

__all__ = ["HARD_NEGATIVES", "choose", "negatives"]

HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(
    f"benign:{n}"
    for n in (
        "nightly_batch",
        "release_spike",
        "new_hire",
        "oncall_night",
        "role_change",
        "power_user_day",
        "contractor_first_day",
        "security_scan",
        "branch_cleanup",
    )
)
_MIN: Final = 60_000_000


def choose(rng: random.Random, staff: list[Person]) -> dict[str, Person]:
    """Who plays which part (distinct people, office staff with a full fortnight)."""
    office = [p for p in staff if p.last_day > 10**5 and p.first_day == 0]
    by_role = {r: [p for p in office if p.role == r] for r in ("sre", "support", "security")}
    cast = {
        "oncall_night": rng.choice(by_role["sre"]),
        "role_change": rng.choice(by_role["support"]),
        "security_scan": rng.choice(by_role["security"]),
        "power_user_day": max(office, key=lambda p: p.rate),
    }
    taken = {p.name for p in cast.values()}
    devs = [p for p in office if p.role == "developer" and p.name not in taken]
    cast["branch_cleanup"] = rng.choice(devs)
    return cast


def _local(p: Person, day_us: int, hour: float) -> int:
    """The UTC µs of ``hour`` local time on the UTC day at ``day_us`` (wrapped into it)."""
    off = int(((hour - p.tz) % 24) * HOUR_US)
    return day_us + off


def _episode(calls: list[SimCall], scenario: str, k: int, what: str) -> Incident:
    c0, c1 = calls[0], calls[-1]
    return Incident(
        f"{scenario}#{k}", scenario, c0.user, c0.agent, c0.client, c0.ts, c1.ts, len(calls), what
    )


def _seat(p: Person) -> Seat:
    return p.seats[0][1] if p.seats[0][2] < 10**6 else p.seats[0][0]


def _scripted(
    mk: CallMaker, seat: Seat, t0: int, tools: list[str], gap_s: float, label: str
) -> list[SimCall]:
    session, out, t = mk.hex(), [], t0
    for name in tools:
        t += int(mk.rng.expovariate(1.0 / gap_s) * 1e6) + 1_000_000
        out.append(mk.call(t, seat, session, name, label=label))
    return out


def negatives(
    mk: CallMaker, staff: list[Person], cast: dict[str, Person], start_us: int, days: int
) -> tuple[list[SimCall], list[Incident]]:
    """Every hard negative's calls on the last day, and their labelled episodes."""
    rng, last = mk.rng, days - 1
    day_us = start_us + last * DAY_US
    eps: list[tuple[str, list[SimCall], str]] = []

    def add(name: str, calls: list[SimCall], what: str) -> None:
        if calls:
            eps.append((f"benign:{name}", sorted(calls, key=lambda c: c.ts), what))

    add(
        "nightly_batch",
        nightly_batch(mk, day_us, 1.6, "benign:nightly_batch#0"),
        "the nightly ETL catching up (1.6x its usual size)",
    )
    crew = [
        p
        for p in staff
        if p.role in ("developer", "sre")
        and p.first_day == 0
        and p.name not in {q.name for q in cast.values()}
    ]
    release = [
        "get_pull_request",
        "merge_pull_request",
        "list_pipelines",
        "kubectl_rollout",
        "kubectl_get",
        "query_metrics",
        "get_sentry_issue",
        "slack_post_message",
    ]
    for k, p in enumerate(rng.sample(crew, min(12, len(crew)))):
        t0 = day_us + 15 * HOUR_US + int(rng.uniform(0, 40) * _MIN)
        tools = [rng.choice(release) for _ in range(rng.randrange(15, 40))]
        add(
            "release_spike",
            _scripted(mk, _seat(p), t0, tools, 90, f"benign:release_spike#{k}"),
            "release day: merge, roll out, watch",
        )
    hire = make_person(rng, "new00", "developer", 20, days)
    hire = replace(
        hire,
        theta0={"docs": 0.4, "coding": 0.4, "chat": 0.2},
        first_day=last,
        rate=14.0,
        theta1={"docs": 0.4, "coding": 0.4, "chat": 0.2},
    )
    add(
        "new_hire",
        list(person_calls(mk, hire, start_us, days, label="benign:new_hire#0")),
        "a new hire's first day: onboarding reads",
    )
    sre = cast["oncall_night"]
    page = [
        "list_incidents",
        "get_sentry_issue",
        "query_metrics",
        "kubectl_logs",
        "kubectl_describe",
        "kubectl_get",
        "cloudwatch_get_logs",
        "slack_post_message",
    ]
    tools = [rng.choice(page) for _ in range(rng.randrange(45, 70))]
    tools[len(tools) // 2 : len(tools) // 2] = ["kubectl_rollout", "kubectl_scale"]
    tools.append("resolve_sentry_issue")
    add(
        "oncall_night",
        _scripted(mk, _seat(sre), _local(sre, day_us, 3.0), tools, 35, "benign:oncall_night#0"),
        "paged at 03:00 local",
    )
    mover = cast["role_change"]
    moved = replace(
        mover,
        role="data",
        shift=-1,
        office="berlin",
        tz=1.0,
        work_start=9.0,
        work_end=17.5,
        first_day=last,
        theta0={"analysis": 0.7, "docs": 0.3},
        theta1={"analysis": 0.7, "docs": 0.3},
    )
    add(
        "role_change",
        list(person_calls(mk, moved, start_us, days, label="benign:role_change#0")),
        "support engineer joins the data team",
    )
    power = cast["power_user_day"]
    heavy = replace(power, rate=power.rate * 3, first_day=last)
    add(
        "power_user_day",
        list(person_calls(mk, heavy, start_us, days, label="benign:power_user_day#0")),
        "the most active person's heavy, ordinary day",
    )
    ctr = make_person(rng, "ctr99", "developer", 15, days)
    ide = Seat("ctr99", "junie", "jetbrains-ai", "2025.2.4")
    ctr = replace(
        ctr, office="sf", tz=-8.0, first_day=last, rate=8.0, seats=((ide, ide, 10**6, 1.0),)
    )
    add(
        "contractor_first_day",
        list(person_calls(mk, ctr, start_us, days, label="benign:contractor_first_day#0")),
        "a contractor's first day on a client nobody uses",
    )
    sec = cast["security_scan"]
    scan_seat = Seat(sec.name, "scanner", "tides-scanner", "0.4.0")
    scan_tools = [
        "list_directory",
        "get_file_contents",
        "list_tables",
        "redis_scan",
        "s3_list_objects",
        "get_dns_records",
        "kubectl_get",
        "list_containers",
        "slack_list_channels",
        "notion_search",
        "jira_search",
        "describe_instances",
    ]
    t0, session, scan = _local(sec, day_us, 10.5), mk.hex(), []
    for i in range(rng.randrange(120, 180)):
        name = scan_tools[i % len(scan_tools)]
        denied = rng.random() < 0.3
        scan.append(
            mk.call(
                t0 + i * int(rng.uniform(4, 9) * 1e6),
                scan_seat,
                session,
                name,
                label="benign:security_scan#0",
                outcome=("denied", "permission_denied") if denied else None,
            )
        )
    add("security_scan", scan, "the security team's announced scanner run")
    dev = cast["branch_cleanup"]
    tools = ["delete_branch"] * rng.randrange(30, 50) + ["jira_delete_issue"] * rng.randrange(
        10, 20
    )
    tools = [n for pair in zip(tools, ["list_pipelines"] * len(tools), strict=True) for n in pair]
    add(
        "branch_cleanup",
        _scripted(mk, _seat(dev), _local(dev, day_us, 14.0), tools, 25, "benign:branch_cleanup#0"),
        "cleanup sprint",
    )
    calls = [c for _s, cs, _w in eps for c in cs]
    return calls, [_episode(cs, s, int(cs[0].label.rpartition("#")[2]), w) for s, cs, w in eps]
