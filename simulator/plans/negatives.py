"""The scored day's hard negatives: legitimate work that looks like an attack, labelled.

Each is ``benign:<name>#k`` on every call it consists of (:data:`HARD_NEGATIVES`):

``travel``              a person who flew to a zone ≥ 9 h away works their day there, at
                        hours they never worked in UTC (jet lag for the first days)
``overnight_refactor``  a developer leaves an agent on a big refactor at 18:30 local; it edits,
                        tests and commits unattended for hours
``war_room``            a 02:00 (local) incident: the on-call SRE, two colleagues and a backend
                        developer diagnose and mitigate for about 90 minutes (rollouts, pod
                        deletes, scaling, Slack)
``quarter_end_export``  finance exports the fiscal quarter: dozens of large BigQuery results
``new_hire``            a person's first day: onboarding reads across every configured server
``approved_cleanup``    a mass rename and delete in a repository, approved step by step by a human
``pentest``             the security team's announced scan of staging: many fetches with
                        payload-laden URLs, most failing
``ticketed_migration``  a ticketed clean-up deletes old rows in batches with ``execute_sql``
``client_upgrade``      a new client version rolls out: its first session re-lists the tools of
                        every configured server (``tools/list``), then works as usual
``flaky_server``        one server fails ~45 % of calls for an hour; agents retry with backoff

:func:`arrange` sets the day up before the traffic is drawn (trip, new hire, upgrades, the flaky
window); :func:`emit` adds the rest afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from ..model import DAY_US, SimCall
from .clock import ZONES, is_holiday, local_midnight_us
from .execute import Flaky, Run, run_goal, tool_call
from .org import Person, fresh_name, new_person
from .workspace import text
from .world import World

__all__ = ["arrange", "emit", "label_flaky"]

_MIN: Final = 60_000_000
_HOUR: Final = 60 * _MIN


def _eligible(world: World, p: Person, used: set[str], roles: tuple[str, ...] = ()) -> bool:
    d = world.scored
    day = world.start.toordinal() + d
    wd = (world.start.weekday() + d) % 7
    return (
        p.name not in used
        and (not roles or p.role in roles)
        and p.first_day <= d - 5
        and p.last_day > d
        and p.trip is None
        and p.role_change is None
        and not p.shift
        and wd in p.workdays
        and not is_holiday(p.country, world.start.fromordinal(day))
    )


def _pick(world: World, rng: random.Random, used: set[str], *roles: str) -> Person | None:
    c = [p for p in world.people if _eligible(world, p, used, roles)]
    c = c or [p for p in world.people if _eligible(world, p, used)]
    if not c:
        return None
    p = rng.choice(c)
    used.add(p.name)
    return p


def _local(world: World, p: Person, hour: float) -> int:
    """The UTC µs of ``hour`` local on the scored day (the local date that puts it in the day)."""
    _w, zone = p.zone_on(world.scored)
    lo = world.cfg.scored_us
    for shift in (0, 1, -1):
        t = local_midnight_us(
            zone, world.start.fromordinal(world.start.toordinal() + world.scored + shift)
        )
        t += int(hour * _HOUR)
        if lo <= t < lo + DAY_US - 2 * _HOUR:
            return t
    return lo + int(hour * _HOUR) % DAY_US


def arrange(world: World, rng: random.Random) -> dict[str, list[str]]:
    """Set up the scored day; returns hard negative → the people it involves."""
    want, d, used = set(world.cfg.hard_negatives), world.scored, set[str]()
    who: dict[str, list[str]] = {}
    lead = world.oncall.get(d) if "benign:war_room" in want else None
    if lead is not None:
        used.add(lead)  # the night's on-call SRE leads the war room
    if "benign:travel" in want and (p := _pick(world, rng, used, "pm", "manager", "finance")):
        gap = [(c, abs(ZONES[c].std - ZONES[p.country].std)) for c in ZONES]
        far = [c for c, h in gap if min(h, 24 - h) >= 9]
        p.trip = (d - 2, d, rng.choice(far))
        world.day_labels[(p.name, d)] = "benign:travel#0"
        who["benign:travel"] = [p.name]
    if "benign:new_hire" in want:
        role = rng.choice(["backend", "data"])
        country = rng.choice(["GB", "DE", "US-E", "IN"])
        name = fresh_name(rng, {p.name for p in world.people})
        p = new_person(world.rng("new_hire"), name, role, country, d)
        world.people.append(p)
        world.onboarding.add(p.name)
        world.day_labels[(p.name, d)] = "benign:new_hire#0"
        who["benign:new_hire"] = [p.name]
    if "benign:client_upgrade" in want:
        users = [
            p
            for p in world.people
            if any(a.client == "cursor" for a in p.agents) and p.active_on(d) and p.name not in used
        ]
        picks = sorted(rng.sample(users, min(len(users), rng.randint(6, 12))), key=lambda p: p.name)
        for k, p in enumerate(picks):
            world.upgrades[p.name] = ("cursor", "1.8.0", f"benign:client_upgrade#{k}")
            used.add(p.name)
        who["benign:client_upgrade"] = [p.name for p in picks]
    if "benign:flaky_server" in want:
        server = rng.choice(["atlassian", "sentry", "github"])
        s = world.cfg.scored_us + int(rng.uniform(12, 16) * _HOUR)
        world.flaky.setdefault(server, []).append(
            Flaky(server, s, s + int(rng.uniform(50, 80) * _MIN), 0.45)
        )
        who["benign:flaky_server"] = [server]
    for key, roles in (
        ("benign:overnight_refactor", ("backend", "frontend")),
        ("benign:war_room", ()),
        ("benign:quarter_end_export", ("finance", "data")),
        ("benign:approved_cleanup", ("backend", "frontend")),
        ("benign:pentest", ("security", "sre")),
        ("benign:ticketed_migration", ("backend", "data")),
    ):
        if key not in want:
            continue
        if key == "benign:war_room":
            names = _war_room_team(world, rng, used, lead)
            if names:
                who[key] = names
        elif p := _pick(world, rng, used, *roles):
            who[key] = [p.name]
    for day in range(d):  # flaky hours in the history too (unlabelled)
        if rng.random() < 0.25:
            server = rng.choice(["atlassian", "sentry", "github", "slack", "linear"])
            s = world.cfg.start_us + day * DAY_US + int(rng.uniform(8, 18) * _HOUR)
            world.flaky.setdefault(server, []).append(Flaky(server, s, s + 40 * _MIN, 0.35))
    return who


def _war_room_team(world: World, rng: random.Random, used: set[str], lead: str | None) -> list[str]:
    if lead is None:
        p = _pick(world, rng, used, "sre")
        if p is None:
            return []
        lead = p.name
    team = [lead]
    for roles in (("sre",), ("sre",), ("backend",)):
        if p := _pick(world, rng, used, *roles):
            team.append(p.name)
    return team


def _run(world: World, rng: random.Random, p: Person, t: int, label: str, **kw: object) -> Run:
    return world.run(rng, p, p.agents[0], world.scored, t, label=label, **kw)


def _overnight(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    run = _run(world, rng, p, _local(world, p, 18.5), label, interactive=False)
    stop = run.t + int(rng.uniform(4, 6) * _HOUR)
    while run.t < stop:
        run_goal(run, "long_refactor")
        run.t += int(rng.uniform(4, 15) * _MIN)  # the test suite runs in a shell (no MCP)
    return run.out


def _war_room(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    lead = world.person(names[0])
    t0 = _local(world, lead, 2.0 + rng.uniform(0, 0.5))
    out: list[SimCall] = []
    for i, name in enumerate(names):
        p = world.person(name)
        run = _run(world, rng, p, t0 + i * int(rng.uniform(4, 15) * _MIN), label)
        stop = t0 + int(rng.uniform(80, 100) * _MIN)
        goals = ["respond_page", "diagnose", "mitigate"] if p.role == "sre" else ["fix_bug"]
        while run.t < stop:
            run_goal(run, rng.choice(goals))
            run.t += int(rng.uniform(1, 5) * _MIN)  # dashboards, the bridge call, decisions
            run.t = (
                tool_call(run, "slack_post_message", run.t + int(rng.uniform(5, 60) * 1e6))
                if "slack" in run.servers
                else run.t
            )
        out.extend(run.out)
    return out


def _new_hire(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    out: list[SimCall] = []
    for _ in range(rng.randint(4, 7)):  # the onboarding buddy's "try these" list
        run = _run(world, rng, p, _local(world, p, rng.uniform(10, 16.5)), label)
        run_goal(run, "onboard")
        out.extend(run.out)
    return out


def _export(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    run = _run(world, rng, p, _local(world, p, 10.0 + rng.uniform(0, 2)), label)
    for _ in range(rng.randint(30, 50)):
        run.think(0.5)
        run.t = tool_call(run, "execute-query", run.t, result_scale=rng.uniform(15, 40))
        if rng.random() < 0.25:
            run.t = tool_call(run, "gsheets_read", run.t + 500_000, result_scale=5)
    run.t = tool_call(run, "slack_post_message", run.t + 10_000_000)
    return run.out


def _cleanup(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    run = _run(world, rng, p, _local(world, p, 14.0 + rng.uniform(0, 1.5)), label)
    run.t = tool_call(run, "search_files", run.t)
    run.t = tool_call(run, "list_directory", run.t + 2_000_000)
    for i in range(rng.randint(40, 70)):
        if i % 10 == 0:
            run.t += int(rng.uniform(20, 90) * 1e6)  # the human reads the next ten and says yes
        run.think(0.3)
        run.t = tool_call(run, "move_file", run.t)
    for _ in range(rng.randint(15, 30)):
        run.think(0.4)
        run.t = tool_call(run, "delete_file", run.t)
    run.t = tool_call(run, "git_commit", run.t + 5_000_000)
    return run.out


def _pentest(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    run = _run(world, rng, p, _local(world, p, 10.5 + rng.uniform(0, 3)), label)
    run.t = tool_call(
        run,
        "slack_post_message",
        run.t,
        args={"channel_id": "C0GENERAL01", "text": "Announced: staging pentest scan 2h (SEC-412)"},
    )
    host = f"https://staging.{p.team}.acme.dev"
    probes = [
        "../../etc/hosts",
        "%27%20OR%201%3D1--",
        "<script>alert(1)</script>",
        "{{7*7}}",
        "${jndi:ldap://scanner.acme.dev/a}",
        "A" * 400,
    ]
    for _ in range(rng.randint(80, 150)):
        url = f"{host}/{rng.choice(['api/v1/search', 'login', 'files', 'admin'])}?q="
        url += rng.choice(probes) + text(rng, rng.randint(0, 300)).replace(" ", "+")
        bad = rng.random() < 0.6
        outcome = ("error", rng.choice(["http_403", "http_404", "http_500"])) if bad else None
        run.t = tool_call(
            run,
            "fetch",
            run.t + int(rng.uniform(2, 9) * 1e6),
            args={"url": url, "max_length": 2000},
            outcome=outcome,
        )
    return run.out


def _migration(world: World, rng: random.Random, names: list[str], label: str) -> list[SimCall]:
    p = world.person(names[0])
    run = _run(world, rng, p, _local(world, p, 11.0 + rng.uniform(0, 3)), label)
    ticket = f"{p.ws.projects[0].upper()}-{rng.randrange(100, 999)}"
    table = p.ws.tables[0]
    run.t = tool_call(
        run, "get_object_details", run.t, args={"schema_name": "public", "object_name": table}
    )
    for i in range(rng.randint(25, 45)):
        sql = (
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE created_at < "  # noqa: S608
            f"'2024-01-01' ORDER BY id LIMIT 5000) /* {ticket} batch {i} */"
        )
        run.t = tool_call(
            run, "execute_sql", run.t + int(rng.uniform(15, 40) * 1e6), args={"sql": sql}
        )
    if "linear" in run.servers:
        tool_call(
            run,
            "linear_add_comment",
            run.t + 20_000_000,
            args={"issueId": ticket, "body": "old rows purged as agreed"},
        )
    return run.out


_EMITTERS: Final[dict[str, Callable[[World, random.Random, list[str], str], list[SimCall]]]] = {
    "benign:overnight_refactor": _overnight,
    "benign:war_room": _war_room,
    "benign:quarter_end_export": _export,
    "benign:new_hire": _new_hire,
    "benign:approved_cleanup": _cleanup,
    "benign:pentest": _pentest,
    "benign:ticketed_migration": _migration,
}


def emit(world: World, who: dict[str, list[str]]) -> list[SimCall]:
    """The calls of the hard negatives that are episodes of their own."""
    out: list[SimCall] = []
    for key, fn in _EMITTERS.items():
        if key in who:
            out.extend(fn(world, world.rng(key), who[key], f"{key}#0"))
    return out


def label_flaky(world: World, who: dict[str, list[str]], calls: list[SimCall]) -> list[SimCall]:
    """Calls to the flaky server in its scored-day window, labelled (unless labelled already)."""
    from dataclasses import replace

    if "benign:flaky_server" not in who:
        return calls
    server = who["benign:flaky_server"][0]
    w = next(f for f in world.flaky[server] if f.start >= world.cfg.scored_us)
    return [
        replace(c, label="benign:flaky_server#0")
        if c.server == server and w.start <= c.ts < w.end + 2 * _MIN and not c.label
        else c
        for c in calls
    ]
