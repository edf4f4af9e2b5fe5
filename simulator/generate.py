"""``simulate(config)``: the world, its benign traffic, the bursts and the attacks, labelled.

Deterministic: every part draws from its own ``random.Random`` seeded by the config's seed and
the part's name, so the same config gives the same calls, and adding an attack leaves the other
traffic as it was (except the host session of a prompt injection, which the attack lengthens).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict

from ._calls import Episode, Session, Victim
from .attacks import SCENARIOS
from .benign import SVC_CI, SVC_ETL, ci_bot, nightly_batch, user_sessions, weekly_report
from .model import Incident, SimCall, SimConfig, Simulation, UserProfile
from .negatives import labelled, month_end, oncall_nights, release_spike, role_change
from .world import ROLES, WorkingSet, make_user

__all__ = ["simulate"]

log = logging.getLogger(__name__)


def _people(cfg: SimConfig) -> tuple[list[UserProfile], list[UserProfile]]:
    """Ordinary users ``u-00``… (at least one analyst) and the new users of the last day."""
    rng = random.Random(f"{cfg.seed}:world")
    roles = [rng.choices(ROLES, weights=(5, 3, 2))[0] for _ in range(cfg.users)]
    if "analyst" not in roles:
        roles[rng.randrange(cfg.users)] = "analyst"
    users = [
        make_user(random.Random(f"{cfg.seed}:profile:{i}"), f"u-{i:02d}", role, i)
        for i, role in enumerate(roles)
    ]
    new = [
        make_user(
            random.Random(f"{cfg.seed}:profile:{i}"),
            f"u-{i:02d}",
            rng.choice(ROLES),
            i,
            first_day=cfg.days - 1,
            new=True,
        )
        for i in range(cfg.users, cfg.users + cfg.new_users)
    ]
    return users, new


def _incident(ep: Episode, calls: list[SimCall]) -> Incident:
    return Incident(
        id=ep.id,
        scenario=ep.scenario,
        user=ep.who.user,
        agent=ep.who.agent,
        client=ep.who.client,
        start=calls[0].ts,
        end=calls[-1].ts,
        calls=len(calls),
        description=ep.description,
    )


def _hard_negatives(
    cfg: SimConfig,
    users: list[UserProfile],
    sessions: dict[str, list[Session]],
    victims: dict[str, Victim],
) -> list[tuple[Episode, list[SimCall]]]:
    """The hard negatives the config switches on (``negatives.py``); a role change replaces
    its person's sessions of the last day in place."""
    out: list[tuple[Episode, list[SimCall]]] = []
    if "benign:role_change" in cfg.hard_negatives:
        changed = role_change(cfg, users, sessions)
        if changed is not None:
            out.append((changed[0], []))  # its calls are in the person's sessions already
    if "benign:release_spike" in cfg.hard_negatives:
        working = {name: v.ws for name, v in victims.items()}
        out += labelled(release_spike(cfg, users, working))
    if "benign:oncall_night" in cfg.hard_negatives:
        out += labelled(oncall_nights(cfg, users))
    if "benign:month_end" in cfg.hard_negatives:
        out += labelled(month_end(cfg, users, {name: v.ws for name, v in victims.items()}))
    return out


def simulate(config: SimConfig) -> Simulation:
    """Simulate ``config``: calls sorted by time, attack incidents and benign bursts."""
    cfg = config
    users, new_users = _people(cfg)
    sessions: dict[str, list[Session]] = {}
    victims: dict[str, Victim] = {}
    episodes: list[tuple[Episode, list[SimCall]]] = []
    for user in users:
        rng = random.Random(f"{cfg.seed}:traffic:{user.name}")
        ws = WorkingSet(rng, user)
        sessions[user.name] = user_sessions(cfg, rng, user, ws)
        victims[user.name] = Victim(user, ws, sessions[user.name], rng)
    bursts: list[Episode] = []
    for k, user in enumerate(new_users):
        rng = random.Random(f"{cfg.seed}:traffic:{user.name}")
        label = f"benign:new_user#{k}"
        sessions[user.name] = user_sessions(
            cfg, rng, user, WorkingSet(rng, user), label=label, every_day_a_workday=True
        )
        who = sessions[user.name][0].who
        desc = f"{user.name} ({user.role}) starts today, with a new client and new agents"
        bursts.append(Episode(label, "benign:new_user", who, desc))
    ci_count = 0
    for day in range(cfg.days):
        episodes.append(nightly_batch(cfg, day, day))
        for ep_calls in ci_bot(cfg, day, ci_count):
            episodes.append(ep_calls)
            ci_count += 1
    episodes += _hard_negatives(cfg, users, sessions, victims)
    analyst = random.Random(f"{cfg.seed}:weekly").choice([u for u in users if u.role == "analyst"])
    episodes += weekly_report(cfg, analyst, victims[analyst.name].ws)

    order = [u.name for u in users]
    random.Random(f"{cfg.seed}:victims").shuffle(order)
    attacks: list[Episode] = []
    n = 0
    for scenario in cfg.scenarios:
        for k in range(cfg.incidents_per_scenario):
            victim = victims[order[n % len(order)]]
            n += 1
            rng = random.Random(f"{cfg.seed}:attack:{scenario}#{k}")
            ep, calls = SCENARIOS[scenario](cfg, rng, victim, f"{scenario}#{k}")
            episodes.append((ep, calls))
            attacks.append(ep)
    bursts += [ep for ep, _ in episodes if ep.scenario.startswith("benign:")]

    everything = [c for ss in sessions.values() for s in ss for c in s.calls]
    everything += [c for _, calls in episodes for c in calls]
    lo, hi = cfg.start_us, cfg.end_us
    calls = sorted((c for c in everything if lo <= c.ts < hi), key=lambda c: c.ts)
    by_label: dict[str, list[SimCall]] = defaultdict(list)
    for c in calls:
        if c.label:
            by_label[c.label].append(c)
    sim = Simulation(
        config=cfg,
        calls=calls,
        incidents=[_incident(ep, by_label[ep.id]) for ep in attacks if by_label[ep.id]],
        benign_bursts=sorted(
            (_incident(ep, by_label[ep.id]) for ep in bursts if by_label[ep.id]),
            key=lambda i: (i.start, i.id),
        ),
        users=[*users, *new_users, SVC_ETL, SVC_CI],
    )
    log.info(
        "simulated %d calls, %d incidents, %d benign bursts",
        len(calls),
        len(sim.incidents),
        len(sim.benign_bursts),
    )
    return sim
