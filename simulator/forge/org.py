"""The engineering org: teams, engineers, their weeks, tools of habit, agents and repositories.

Nine teams in eight time zones; ``sre`` follows the sun (members in three zones), ``identity``
works Sunday to Thursday, a few people work four-day or Tuesday-to-Saturday weeks. Every engineer
has a desk assistant (chat-style host: tracker, docs, chat) and most have a coding agent (IDE or
CLI agent acting as them: fs, shell, git). Some take leave; one moves team mid-period; one joins
late. Deterministic from the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Final

from ._calls import Actor

__all__ = ["MONOREPO_DIRS", "TEAMS", "Engineer", "Team", "build_org", "repo_private"]


@dataclass(frozen=True, slots=True)
class Team:
    """A team: its members' time zones, week, repositories, servers of habit, on-call duty."""

    name: str
    tzs: tuple[float, ...]
    weight: int
    repos: tuple[str, ...]
    servers: tuple[str, ...]
    oncall: bool
    week: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0


TEAMS: Final[dict[str, Team]] = {
    t.name: t
    for t in (
        Team(
            "payments",
            (-5.0,),
            14,
            ("payments-api", "ledger", "billing-worker", "monorepo"),
            ("db", "observability"),
            True,
        ),
        Team(
            "search",
            (1.0,),
            12,
            ("search-svc", "ranker", "indexer", "monorepo"),
            ("observability", "cloud"),
            True,
        ),
        Team(
            "mobile", (-8.0,), 12, ("ios-app", "android-app", "mobile-bff", "monorepo"), (), False
        ),
        Team("web", (-3.0,), 14, ("web-app", "design-system", "monorepo"), (), False),
        Team(
            "identity",
            (2.0,),
            8,
            ("auth-svc", "sso-gateway"),
            ("secrets", "db"),
            True,
            (6, 0, 1, 2, 3),
        ),
        Team(
            "data",
            (5.5,),
            12,
            ("pipelines", "warehouse-models", "etl-jobs"),
            ("db", "cloud"),
            False,
        ),
        Team(
            "platform",
            (9.0,),
            10,
            ("infra-live", "terraform-modules", "ci-templates"),
            ("cloud", "ci", "secrets", "observability"),
            True,
        ),
        Team(
            "sre",
            (-8.0, 1.0, 5.5),
            9,
            ("runbooks", "alerting-rules"),
            ("observability", "cloud", "db"),
            False,
        ),
        Team(
            "security", (0.0,), 5, ("security-policies", "audit-tools"), ("secrets", "cloud"), False
        ),
    )
}
_PRIVATE: Final = frozenset({"ledger", "auth-svc", "security-policies", "infra-live"})
#: the shared monorepo's top-level directories (a refactor agent walks them all)
MONOREPO_DIRS: Final = tuple(
    f"{top}/{sub}"
    for top in ("services", "libs", "apps", "tools", "proto")
    for sub in ("auth", "billing", "search", "mobile", "web", "common", "events", "config")
)

_CODERS: Final = (
    ("claude-code", "claude-code", "2.1.{}", 30),
    ("cursor-agent", "cursor", "1.7.{}", 25),
    ("copilot-agent", "vscode", "1.104.{}", 20),
    ("codex", "codex-cli", "0.46.{}", 12),
    ("aider", "aider-cli", "0.86.{}", 7),
    ("junie", "jetbrains", "2025.3.{}", 6),
)
#: agent → (first day of its staged auto-update, the new version)
_UPDATES: Final = {"claude-code": (6, "2.2.0"), "cursor-agent": (8, "1.8.0")}
_DESKS: Final = (
    ("assistant", "claude-desktop", "1.3.{}"),
    ("assistant", "chatgpt-desktop", "1.2025.{}"),
    ("assistant", "goose", "1.9.{}"),
)
_FIRST_TEXT: Final = (
    "amara ben chen dara eli femi gita hugo ines jon kai lena maya nils omar priya quinn rosa "
    "sami tara umar vera wen xavi yuki zoe arjun bea carl dev emil fay gus hana ivan jade kofi "
    "leo mina noor olga pau ravi sara tomas uma viktor willa yara zane"
)
_FIRST: Final = _FIRST_TEXT.split(" ")


@dataclass(frozen=True)
class Engineer:
    """One person: team(s) over time, week and hours, actors, habits, leave."""

    name: str
    team: str
    tz: float
    week: tuple[int, ...]
    start_h: float
    hours: float
    desk: Actor
    coder: Actor | None
    sessions: float  # coding-agent sessions per workday
    first_day: int = 0
    leave: frozenset[int] = frozenset()
    move: tuple[int, str] | None = None  # (day, new team)
    extra: tuple[str, ...] = field(default_factory=tuple)  # servers of personal habit
    upgrade: tuple[int, str] | None = None  # (day, version): the coding agent auto-updates

    def coder_on(self, day: int) -> Actor | None:
        """The coding agent as it is on ``day`` (after its auto-update, if any)."""
        if self.coder is not None and self.upgrade is not None and day >= self.upgrade[0]:
            return replace(self.coder, version=self.upgrade[1])
        return self.coder

    def hands(self, day: int) -> Actor:
        """Who does the hands-on work on ``day``: the coding agent, else the desk assistant."""
        return self.coder_on(day) or self.desk

    def team_on(self, day: int) -> Team:
        if self.move is not None and day >= self.move[0]:
            return TEAMS[self.move[1]]
        return TEAMS[self.team]

    def servers_on(self, day: int) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.team_on(day).servers, *self.extra)))

    @property
    def role(self) -> str:
        return {"data": "analyst", "sre": "ops", "platform": "ops"}.get(self.team, "developer")


def repo_private(repo: str, team: Team) -> bool:
    """A private repository outside ``team``: its calls are denied."""
    return repo in _PRIVATE and repo not in team.repos


def _actor(rng: random.Random, user: str, row: tuple[str, str, str]) -> Actor:
    agent, client, version = row
    return Actor(user, agent, client, version.format(rng.randint(0, 9)))


def _engineer(rng: random.Random, name: str, team: Team, days: int) -> Engineer:
    tz = rng.choice(team.tzs)
    week = team.week
    odd = rng.random()
    if odd < 0.07:
        week = week[:4]  # a four-day week
    elif odd < 0.10 and team.week[0] == 0:
        week = (1, 2, 3, 4, 5)  # Tuesday to Saturday
    coder, upgrade = None, None
    if rng.random() < 0.85:
        c = rng.choices(_CODERS, weights=[w for *_, w in _CODERS])[0]
        coder = _actor(rng, name, (c[0], c[1], c[2]))
        if c[0] in _UPDATES and rng.random() < 0.8:  # a staggered auto-update
            day, version = _UPDATES[c[0]]
            upgrade = (min(days - 2, day + rng.randint(0, 3)), version)
    leave: frozenset[int] = frozenset()
    if rng.random() < 0.12:
        start = rng.randrange(0, days - 2)
        leave = frozenset(range(start, min(days - 1, start + rng.randint(2, 6))))
    extra = tuple(s for s in ("observability", "db", "cloud", "ci") if rng.random() < 0.08)
    return Engineer(
        name=name,
        team=team.name,
        tz=tz,
        week=week,
        start_h=rng.uniform(7.5, 10.5),
        hours=rng.uniform(7.0, 9.5),
        desk=_actor(rng, name, rng.choice(_DESKS)),
        coder=coder,
        sessions=rng.lognormvariate(0.0, 0.6),
        leave=leave,
        extra=extra,
        upgrade=upgrade,
    )


def build_org(rng: random.Random, size: int, days: int) -> list[Engineer]:
    """``size`` engineers across the teams by weight; one late joiner, one team move."""
    names = [f"{f}.{chr(97 + i % 26)}{i // 26 or ''}" for i, f in enumerate(_FIRST * 6)]
    rng.shuffle(names)
    teams = list(TEAMS.values())
    picks = rng.choices(teams, weights=[t.weight for t in teams], k=size)
    for slot, t in enumerate(teams * 2):
        picks[slot] = t  # every team has two people at least
    out = [_engineer(rng, names[i], t, days) for i, t in enumerate(picks)]
    # a late joiner (onboarding in the history) and a move between teams
    out[1] = replace(out[1], first_day=days // 2, leave=frozenset())
    mover = next(i for i, e in enumerate(out) if e.team == "web" and i > 1)
    out[mover] = replace(out[mover], move=(days // 2, "search"), leave=frozenset())
    return out
