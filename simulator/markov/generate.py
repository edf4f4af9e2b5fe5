"""``generate(config)``: people as Markov chains over tools, in their own time zones and rhythms.

Structure (unlike ``simulator.generate``, which walks hand-written role tables over a shared
working set): each person draws a time zone, a working day, a weekly rhythm (some work weekends,
some are night owls), one to three agents with their own pace (an IDE assistant paced by a human,
an autonomous agent that fires every few seconds, some of which *retry* a failed call with the
same arguments), and a personal Markov chain over their role's tools (``catalog.chain_for``).
Tool calls record no resource (a real server middleware records one only for ``resources/read``);
some sessions read wiki pages as resources.

Hard negatives, labelled ``benign:*`` on the last ``attack_days`` days (ordinary history before):

- ``benign:batch_job``     svc-nightly at ~01:30 UTC: lists, reads and *deletes* hundreds of old
                           objects, drops partitions and unloads tables; svc-sync every hour
- ``benign:release_spike`` one company-wide release afternoon: every person at work then runs
                           extra sessions of merges, deploys, restarts and branch deletions, and
                           a new server (``notes``) is rolled out: most people at work try it
                           within three hours, the first of them before anyone else has
- ``benign:new_hire``      people whose first day is the last day
- ``benign:oncall_night``  the SRE rotation: the night's on-call person handles pages at 00-06
                           local (they did so on earlier nights too)
- ``benign:role_change``   a person switches role on the last day and works with tools they
                           never used (the first and half of the other sessions of a day)
- ``benign:month_end``     the books close on the last day: the data people at work stay three
                           to four hours past their day, with large queries and unloads (and
                           that night's ``benign:batch_job`` is the month's: twice the deletes,
                           more partitions dropped)

Ordinary traffic besides: some people's IDE assistants keep one MCP connection (one session)
open for the whole working day, and svc-watch, a monitoring account, checks the production
deployments every five minutes in a short session of its own.

The month-end close, the whole-day IDE connections and svc-watch were added in round 4, after
the held-out generator's false alerts were read by category (ordinary traffic of all-day IDE
sessions, month- and quarter-end batches and late work): patterns of real deployments, written
from that list of categories, not from its code.

Deterministic from ``config.seed``; everything is event time in µs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from ..model import DAY_US, Incident, SimCall, SimConfig, Simulation, UserProfile
from ._calls import S, call, hex_id, resource_read
from .catalog import Chain, chain_for

__all__ = ["HARD_NEGATIVES", "MarkovConfig", "generate"]

HARD_NEGATIVES: Final = (
    "benign:batch_job",
    "benign:release_spike",
    "benign:new_hire",
    "benign:oncall_night",
    "benign:role_change",
    "benign:month_end",
)
_TZ: Final = (-8.0, -7.0, -5.0, -5.0, -3.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.5, 8.0, 9.0, 10.0)
_CLIENTS: Final = (
    ("jetbrains-ai", "2025.3"),
    ("continue", "1.4.2"),
    ("opencode", "0.9.1"),
    ("claude-desktop", "0.15.0"),
    ("librechat", "0.8.0"),
)
_ROLE_WEIGHTS: Final = {"backend": 5, "data": 3, "sre": 3, "support": 3, "pm": 2}
#: what a month-end close reads more of
_BIG: Final = ("sql_query", "unload_to_bucket", "get_object")


@dataclass(frozen=True)
class MarkovConfig:
    """What to generate: ``days`` of traffic for ``users`` people; the last ``attack_days`` days
    hold the labelled hard negatives (and are where an attack library injects)."""

    seed: int = 11
    users: int = 24
    days: int = 9
    attack_days: int = 1
    new_hires: int = 2
    start: datetime = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday

    def sim_config(self) -> SimConfig:
        return SimConfig(
            seed=self.seed,
            users=self.users,
            days=self.days,
            start=self.start,
            attack_days=self.attack_days,
            scenarios=(),
            incidents_per_scenario=0,
            new_users=self.new_hires,
        )


@dataclass
class _Agent:
    name: str
    median_gap: float  # seconds between calls
    retries: bool


@dataclass
class _Person:
    profile: UserProfile
    role: str
    chain: Chain
    agents: list[_Agent]
    weekend: bool
    owl: bool
    first_day: int = 0
    next_role: str | None = None
    next_chain: Chain | None = None
    sessions_per_day: float = 4.0
    whole_day: bool = False  # the IDE assistant keeps one connection open all day
    extra: dict[str, Any] = field(default_factory=dict)


class _Out:
    """Calls being built and the labelled episodes they form."""

    def __init__(self, cfg: MarkovConfig, rng: random.Random) -> None:
        self.cfg, self.rng = cfg, rng
        self.calls: list[SimCall] = []
        self.episodes: dict[str, tuple[str, str, str, str, str]] = {}  # id → scenario, who, desc

    def label(self, scenario: str, ts: int, who: tuple[str, str, str], desc: str) -> str:
        """The label of a hard negative on the labelled days ("" before them): one episode per
        scenario and person."""
        if ts < self.cfg.sim_config().attack_start_us:
            return ""
        for eid, (scen, user, *_rest) in self.episodes.items():
            if scen == scenario and user == who[0]:
                return eid
        eid = f"{scenario}#{sum(1 for e in self.episodes.values() if e[0] == scenario)}"
        self.episodes[eid] = (scenario, who[0], who[1], who[2], desc)
        return eid


def _session(
    out: _Out,
    rng: random.Random,
    person: _Person,
    start: int,
    label: str,
    chain: Chain | None,
    *,
    day: int | None = None,
    scale: float = 1.0,
) -> None:
    """One sitting of ``person`` from ``start``. An IDE that keeps its connection all day
    (``whole_day``) carries every sitting of ``day`` in one MCP session; ``scale`` multiplies
    the results of queries and unloads (a month-end close reads more)."""
    p, chain = person.profile, chain or person.chain
    agent = rng.choice(person.agents)
    session = hex_id(rng)
    if day is not None and person.whole_day and agent.name.endswith("-ide"):
        session = person.extra.setdefault(f"ide:{day}", session)
    n = 1 + int(rng.expovariate(1 / (40 if agent.median_gap < 10 else 18)))
    state, t = "<start>", start
    for _ in range(n):
        if rng.random() < 0.04 and person.role in ("pm", "data", "support"):
            out.calls.append(resource_read(rng, t, p, agent.name, session, label))
        else:
            state = chain.step(rng, state)
            made = call(rng, t, p, agent.name, session, state, label)
            if scale != 1.0 and state in _BIG and made.outcome == "ok":
                made = replace(made, result_bytes=int(made.result_bytes * scale))
            out.calls.append(made)
            tries = 0
            while agent.retries and made.outcome == "error" and tries < 2:
                tries += 1
                t += int(rng.uniform(1, 4) * S)
                outcome = ("error", made.error_type) if rng.random() < 0.6 else ("ok", None)
                made = call(
                    rng, t, p, agent.name, session, state, label, args=made.args, outcome=outcome
                )
                out.calls.append(made)
        t += int(max(0.3, rng.lognormvariate(math.log(agent.median_gap), 0.9)) * S)


def _people(cfg: MarkovConfig) -> list[_Person]:
    rng = random.Random(f"markov:{cfg.seed}:people")
    roles = list(_ROLE_WEIGHTS)
    people = []
    for i in range(cfg.users + cfg.new_hires):
        role = rng.choices(roles, weights=list(_ROLE_WEIGHTS.values()))[0]
        if i < 3:
            role = "sre"  # a rotation needs people
        owl = rng.random() < 0.1
        start = rng.gauss(12.0, 0.7) if owl else rng.gauss(8.5, 0.8)
        client, version = rng.choice(_CLIENTS)
        name = f"{rng.choice('abcdefghjkmnprstvwz')}{rng.choice('aeiou')}{i:02d}"
        prof = UserProfile(
            name, role, rng.choice(_TZ), start, start + rng.uniform(7.5, 10.0), (), client, version
        )
        agents = [
            _Agent(f"{name}-{kind}", gap, rng.random() < 0.4)
            for kind, gap in rng.sample(
                [("ide", rng.uniform(15, 40)), ("auto", rng.uniform(2.5, 6)), ("cli", 10.0)],
                rng.randint(1, 3),
            )
        ]
        person = _Person(
            prof,
            role,
            chain_for(f"{cfg.seed}:{name}", role),
            agents,
            weekend=rng.random() < 0.2,
            owl=owl,
            sessions_per_day=rng.uniform(2.5, 6.0),
        )
        if i >= cfg.users:
            person.first_day = cfg.days - cfg.attack_days
        people.append(person)
    for person in people:  # its own stream: the draws above stay as they were
        own = random.Random(f"markov:{cfg.seed}:ide:{person.profile.name}")
        person.whole_day = any(a.name.endswith("-ide") for a in person.agents) and (
            own.random() < 0.5
        )
    changer = rng.choice([p for p in people[3 : cfg.users] if p.role != "sre"])
    changer.next_role = rng.choice([r for r in roles if r not in (changer.role, "sre")])
    changer.next_chain = chain_for(f"{cfg.seed}:{changer.profile.name}:new", changer.next_role)
    return people


def _midnight(cfg: MarkovConfig, tz: float, day: int) -> int:
    return cfg.sim_config().start_us + day * DAY_US - int(tz * 3600 * S)


def _workdays(out: _Out, cfg: MarkovConfig, person: _Person) -> None:
    rng = random.Random(f"markov:{cfg.seed}:days:{person.profile.name}")
    p = person.profile
    switch = cfg.days - cfg.attack_days
    for day in range(person.first_day, cfg.days):
        weekday = (cfg.start.weekday() + day) % 7
        mid = _midnight(cfg, p.tz_hours, day)
        if weekday >= 5:
            if not person.weekend:
                continue
            count, lo, hi = rng.randint(1, 3), 10.0, 16.0
        else:
            count = max(1, round(rng.gauss(person.sessions_per_day, 1.0)))
            lo, hi = p.work_start, p.work_end - 0.3
        for k in range(count):
            start = mid + int(rng.uniform(lo, hi) * 3600 * S)
            label, chain = "", None
            if person.first_day and day == person.first_day:
                label = out.label(
                    "benign:new_hire",
                    start,
                    (p.name, "", p.client),
                    f"{p.name} ({person.role}) starts today",
                )
            if person.next_chain is not None and day >= switch and (k == 0 or rng.random() < 0.5):
                chain = person.next_chain
                label = out.label(
                    "benign:role_change",
                    start,
                    (p.name, "", p.client),
                    f"{p.name} moved from {person.role} to {person.next_role}",
                )
            _session(out, rng, person, start, label, chain, day=day)


def _oncall(out: _Out, cfg: MarkovConfig, people: list[_Person]) -> None:
    sres = [p for p in people if p.role == "sre" and not p.first_day]
    rng = random.Random(f"markov:{cfg.seed}:oncall")
    for day in range(cfg.days):
        person = sres[day % len(sres)]
        p = person.profile
        last = day >= cfg.days - cfg.attack_days  # a labelled night has at least one page
        for _ in range(rng.choice((1, 2) if last else (0, 1, 1, 2))):
            start = _midnight(cfg, p.tz_hours, day) + int(rng.uniform(0.5, 5.5) * 3600 * S)
            if last and start < cfg.sim_config().attack_start_us:
                start += DAY_US  # the night that falls inside the labelled day
            label = out.label(
                "benign:oncall_night",
                start,
                (p.name, "", p.client),
                f"{p.name} handles a page at night while on call",
            )
            _session(out, rng, person, start, label, None)


def _batch(out: _Out, cfg: MarkovConfig) -> None:
    rng = random.Random(f"markov:{cfg.seed}:batch")
    svc = UserProfile("svc-nightly", "service", 0.0, 0.0, 24.0, ("janitor",), "python-sdk", "1.21")
    sync = UserProfile("svc-sync", "service", 0.0, 0.0, 24.0, ("crm-sync",), "python-sdk", "1.21")
    for day in range(cfg.days):
        t = cfg.sim_config().start_us + day * DAY_US + int((5400 + rng.uniform(-300, 300)) * S)
        label = out.label(
            "benign:batch_job",
            t,
            ("svc-nightly", "janitor", svc.client),
            "nightly cleanup: old objects deleted, partitions dropped, unloads",
        )
        session = hex_id(rng)
        plan = (
            ["list_objects"] * rng.randint(20, 40)
            + ["get_object"] * rng.randint(200, 400)
            + ["delete_object"] * rng.randint(100, 250)
            + ["drop_partition"] * 3
            + ["unload_to_bucket"] * rng.randint(4, 8)
        )
        if day == cfg.days - 1:  # the month's close: twice the deletes, more partitions
            close = random.Random(f"markov:{cfg.seed}:month_end:batch")
            plan += ["delete_object"] * plan.count("delete_object") + ["drop_partition"] * 6
            close.shuffle(plan)
        for tool in plan:
            out.calls.append(call(rng, t, svc, "janitor", session, tool, label))
            t += int(rng.uniform(0.3, 2.5) * S)
        for hour in range(24):
            t = (
                cfg.sim_config().start_us
                + day * DAY_US
                + hour * 3600 * S
                + int(rng.uniform(0, 60) * S)
            )
            session = hex_id(rng)
            for _ in range(rng.randint(20, 40)):
                tool = rng.choice(("find_account", "get_account", "update_account"))
                out.calls.append(call(rng, t, sync, "crm-sync", session, tool, ""))
                t += int(rng.uniform(0.5, 3) * S)


def _watch(out: _Out, cfg: MarkovConfig) -> None:
    """svc-watch checks the production deployments every five minutes (a short session)."""
    rng = random.Random(f"markov:{cfg.seed}:watch")
    svc = UserProfile("svc-watch", "service", 0.0, 0.0, 24.0, ("watchdog",), "python-sdk", "1.21")
    t = cfg.sim_config().start_us + int(rng.uniform(0, 300) * S)
    while t < cfg.sim_config().end_us:
        session, at = hex_id(rng), t
        for tool in ("list_pods", *["describe_deploy"] * rng.randint(1, 3)):
            out.calls.append(call(rng, at, svc, "watchdog", session, tool, ""))
            at += int(rng.uniform(0.2, 1.5) * S)
        t += int((300 + rng.uniform(-5, 5)) * S)


def _month_end(out: _Out, cfg: MarkovConfig, people: list[_Person]) -> None:
    """The data people at work on the last day stay 3-4 h past their day: large queries and
    unloads, a sitting every 15-40 minutes (the data team; someone else when there is none)."""
    rng = random.Random(f"markov:{cfg.seed}:month_end")
    day = cfg.days - 1
    weekday = (cfg.start.weekday() + day) % 7
    staff = [p for p in people if not p.first_day and weekday < 5]
    closing = [p for p in staff if p.role == "data"] or staff[-1:]
    for person in closing:
        p = person.profile
        t = _midnight(cfg, p.tz_hours, day) + int((p.work_end - 0.5) * 3600 * S)
        until = t + int(rng.uniform(3.5, 4.5) * 3600 * S)
        while t < until:
            label = out.label(
                "benign:month_end",
                t,
                (p.name, "", p.client),
                f"month-end close: {p.name} works late on large queries and unloads",
            )
            _session(out, rng, person, t, label, None, day=day, scale=8.0)
            t += int(rng.uniform(15, 40) * 60 * S)


def _release(out: _Out, cfg: MarkovConfig, people: list[_Person]) -> None:
    rng = random.Random(f"markov:{cfg.seed}:release")
    day = cfg.days - 1
    t0 = cfg.sim_config().start_us + day * DAY_US + 15 * 3600 * S
    chain = Chain(
        rng,
        (
            "merge",
            "open_merge_request",
            "restart_deploy",
            "describe_deploy",
            "list_pods",
            "pod_logs",
            "repo_log",
        ),
        ("delete_branch", "scale_deploy"),
    )
    for person in people:
        if not _at_work(cfg, person, t0) or person.role == "pm":
            continue
        for _ in range(rng.randint(1, 3)):
            start = t0 + int(rng.uniform(0, 2 * 3600) * S)
            label = _release_label(out, start)
            _session(out, rng, person, start, label, chain if rng.random() < 0.7 else None)
    _launch(out, cfg, people, t0)


def _at_work(cfg: MarkovConfig, person: _Person, t0: int) -> bool:
    """Whether an established ``person`` is within their working day at ``t0`` (last day)."""
    p = person.profile
    local = ((t0 - _midnight(cfg, p.tz_hours, cfg.days - 1)) / 3600 / S) % 24
    return not person.first_day and p.work_start <= local <= p.work_end


def _release_label(out: _Out, start: int) -> str:
    return out.label(
        "benign:release_spike",
        start,
        ("*", "", ""),
        "release afternoon: everyone merges, deploys and cleans branches",
    )


def _launch(out: _Out, cfg: MarkovConfig, people: list[_Person], t0: int) -> None:
    """The ``notes`` server goes live at ``t0``: seven in ten people at work try it in the
    next three hours (a sitting over its five tools), the release afternoon's label."""
    rng = random.Random(f"markov:{cfg.seed}:launch")
    notes = Chain(
        rng, ("search_notes", "list_notebooks", "read_note", "write_note", "link_note"), ()
    )
    for person in people:
        if not _at_work(cfg, person, t0) or rng.random() > 0.7:
            continue
        start = t0 + int(rng.uniform(0, 3 * 3600) * S)
        _session(out, rng, person, start, _release_label(out, start), notes, day=cfg.days - 1)


def generate(config: MarkovConfig | None = None) -> Simulation:
    """The traffic of ``config`` (calls sorted by time) with its hard negatives labelled."""
    cfg = config or MarkovConfig()
    sc = cfg.sim_config()
    out = _Out(cfg, random.Random(f"markov:{cfg.seed}"))
    people = _people(cfg)
    for person in people:
        _workdays(out, cfg, person)
    _oncall(out, cfg, people)
    _batch(out, cfg)
    _release(out, cfg, people)
    _watch(out, cfg)
    _month_end(out, cfg, people)
    calls = sorted((c for c in out.calls if sc.start_us <= c.ts < sc.end_us), key=lambda c: c.ts)
    spans: dict[str, list[int]] = {}
    for c in calls:
        if c.label:
            spans.setdefault(c.label, []).append(c.ts)
    bursts = [
        Incident(
            eid, scen, user, agent, client, min(spans[eid]), max(spans[eid]), len(spans[eid]), desc
        )
        for eid, (scen, user, agent, client, desc) in out.episodes.items()
        if eid in spans
    ]
    users = [p.profile for p in people]
    return Simulation(sc, calls, [], sorted(bursts, key=lambda b: (b.start, b.id)), users)
