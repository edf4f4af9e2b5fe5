"""The hard negatives a UEBA product meets on a working day: a release afternoon, a role change,
an on-call night. Off by default (``SimConfig.hard_negatives``); labelled ``benign:*`` on the last
``attack_days`` days, ordinary (unlabelled) history before, so detectors can be tuned on them.

- ``benign:release_spike``  at 15:00 UTC of the last day every developer and ops person at work
                            runs 1-3 extra sessions within two hours that merge pull requests,
                            post to channels and check tables (tools and servers new to many)
- ``benign:role_change``    one developer becomes an analyst on the last day: every session of
                            that day walks the analyst's tools, with a fresh working set
- ``benign:oncall_night``   the ops rotation: each night one ops person handles 1-2 pages at
                            00:30-05:30 local (a page on every night of the rotation, labelled
                            only on the last day)
- ``benign:month_end``      the books close on the last day: every analyst stays 3.5-4.5 h past
                            the end of their day, a sitting every 15-40 minutes, with queries
                            and exports that return several times the usual rows

The month-end close was added in round 4, after the held-out generator's false alerts were read
by category (quarter-end late work among them): a pattern of real deployments, written from that
category, not from its code.

Deterministic from the config's seed; each part draws from its own ``random.Random``.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from typing import Final

from ._calls import Episode, S, Session, Who, local_midnight
from .benign import run_session
from .model import DAY_US, HARD_NEGATIVES, SimCall, SimConfig, UserProfile
from .world import WorkingSet

__all__ = [
    "HARD_NEGATIVES",
    "RELEASE",
    "labelled",
    "month_end",
    "oncall_nights",
    "release_spike",
    "role_change",
]


_RELEASE_WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "start": {"list_issues": 2, "get_file_contents": 2, "read_channel": 1, "list_tables": 1},
    "list_issues": {"get_file_contents": 2, "create_pull_request": 2},
    "get_file_contents": {"create_pull_request": 2, "get_file_contents": 1, "describe_table": 1},
    "create_pull_request": {"post_message": 2, "list_issues": 1, "run_query": 1},
    "post_message": {"read_channel": 1, "create_pull_request": 1, "list_tables": 1},
    "read_channel": {"post_message": 2, "list_issues": 1},
    "list_tables": {"describe_table": 2, "run_query": 1},
    "describe_table": {"run_query": 2, "post_message": 1},
    "run_query": {"run_query": 1, "post_message": 1, "get_file_contents": 1},
}
#: the release afternoon's chain, in the shape of :data:`~.world.TRANSITIONS`
RELEASE: Final[dict[str, tuple[list[str], list[float]]]] = {
    s: (list(w), list(itertools.accumulate(w.values()))) for s, w in _RELEASE_WEIGHTS.items()
}


def _last_day(cfg: SimConfig) -> int:
    return cfg.days - cfg.attack_days


def release_spike(
    cfg: SimConfig, users: list[UserProfile], working: dict[str, WorkingSet]
) -> list[tuple[Episode, Session]]:
    """The release afternoon: extra sessions of the people at work at 15:00 UTC."""
    rng = random.Random(f"{cfg.seed}:benign:release_spike")
    day = cfg.days - 1
    t0 = cfg.start_us + day * DAY_US + 15 * 3600 * S
    out: list[tuple[Episode, Session]] = []
    people = 0
    for user in users:
        local = ((t0 - local_midnight(cfg, user, day)) / 3600 / S) % 24
        if user.role not in ("developer", "ops") or not user.work_start <= local <= user.work_end:
            continue
        ep = Episode.of(
            f"benign:release_spike#{people}",
            Who.of(user),
            f"release afternoon: {user.name} merges, announces and checks tables",
        )
        people += 1
        for _ in range(rng.randint(1, 3)):
            start = t0 + int(rng.uniform(0, 2 * 3600) * S)
            chain = RELEASE if rng.random() < 0.7 else None
            session = run_session(rng, user, working[user.name], start, label=ep.id, chain=chain)
            out.append((ep, session))
    return out


def role_change(
    cfg: SimConfig, users: list[UserProfile], sessions: dict[str, list[Session]]
) -> tuple[Episode, list[Session]] | None:
    """One developer works as an analyst on the last day: that day's sessions are replaced."""
    rng = random.Random(f"{cfg.seed}:benign:role_change")
    developers = [u for u in users if u.role == "developer"]
    if not developers:
        return None
    old = rng.choice(developers)
    user = replace(old, role="analyst")
    ws = WorkingSet(rng, user)
    desc = f"{old.name} moved from developer to analyst"
    ep = Episode.of("benign:role_change#0", Who.of(old), desc)
    cut = cfg.start_us + _last_day(cfg) * DAY_US
    kept = [s for s in sessions[old.name] if not s.calls or s.calls[0].ts < cut]
    starts = [s.calls[0].ts for s in sessions[old.name] if s.calls and s.calls[0].ts >= cut]
    fresh = [run_session(rng, user, ws, t, label=ep.id) for t in starts]
    sessions[old.name][:] = kept + fresh  # in place: attack victims hold the same list
    return ep, fresh


def oncall_nights(cfg: SimConfig, users: list[UserProfile]) -> list[tuple[Episode, Session]]:
    """Each night one ops person handles 1-2 pages; labelled on the last day only."""
    ops = [u for u in users if u.role == "ops"]
    rng = random.Random(f"{cfg.seed}:benign:oncall_night")
    out: list[tuple[Episode, Session]] = []
    cut = cfg.start_us + _last_day(cfg) * DAY_US
    working = {u.name: WorkingSet(random.Random(f"{cfg.seed}:oncall:{u.name}"), u) for u in ops}
    for day in range(cfg.days):
        if not ops:
            break
        user = ops[day % len(ops)]
        ep = Episode.of(
            f"benign:oncall_night#{day}",
            Who.of(user),
            f"{user.name} handles a page at night while on call",
        )
        for _ in range(rng.choice((1, 2))):
            start = local_midnight(cfg, user, day) + int(rng.uniform(0.5, 5.5) * 3600 * S)
            if day == cfg.days - 1 and start < cut:
                start += DAY_US  # the night that falls inside the labelled day
            label = ep.id if start >= cut else ""
            out.append((ep, run_session(rng, user, working[user.name], start, label=label)))
    return out


#: what a month-end close reads more of, and how much more
_CLOSE_TOOLS: Final = frozenset({"run_query", "export_table"})
_CLOSE_SCALE: Final = 6


def month_end(
    cfg: SimConfig, users: list[UserProfile], working: dict[str, WorkingSet]
) -> list[tuple[Episode, Session]]:
    """The analysts work late on the last day, on larger queries and exports."""
    rng = random.Random(f"{cfg.seed}:benign:month_end")
    day = cfg.days - 1
    out: list[tuple[Episode, Session]] = []
    for k, user in enumerate(u for u in users if u.role == "analyst"):
        ep = Episode.of(
            f"benign:month_end#{k}",
            Who.of(user),
            f"month-end close: {user.name} works late on large queries and exports",
        )
        t = local_midnight(cfg, user, day) + int((user.work_end - 0.5) * 3600 * S)
        until = t + int(rng.uniform(3.5, 4.5) * 3600 * S)
        while t < until:
            session = run_session(rng, user, working[user.name], t, label=ep.id)
            session.calls[:] = [
                replace(c, result_bytes=c.result_bytes * _CLOSE_SCALE)
                if c.tool in _CLOSE_TOOLS and c.outcome == "ok"
                else c
                for c in session.calls
            ]
            out.append((ep, session))
            t += int(rng.uniform(15, 40) * 60 * S)
    return out


def labelled(pairs: list[tuple[Episode, Session]]) -> list[tuple[Episode, list[SimCall]]]:
    """Episodes with their labelled calls (unlabelled history is ordinary traffic)."""
    by: dict[str, tuple[Episode, list[SimCall]]] = {}
    for ep, session in pairs:
        by.setdefault(ep.id, (ep, []))[1].extend(session.calls)
    return list(by.values())
