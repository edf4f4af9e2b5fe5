"""The utility's people and service accounts, the control-room rota and who is on call.

The utility sits at UTC+1 (no summer time in winter); its EMS vendor's support team works from
Bengaluru (UTC+5:30); one trading analyst works from London (UTC+0). The 24/7 control room runs
four crews (A-D) on the classic 12-hour rota: two days (07-19 local), two nights (19-07), four
off, the crews two days apart, so each day has one day crew and one night crew. Field crews are
on call in pairs, a week each. Everyone else works office hours on weekdays.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tooltrail.simulator import UserProfile

from ._writer import Actor

__all__ = ["LOCAL_TZ", "Org", "Person", "build_org"]

LOCAL_TZ = 1.0

_SURNAMES = (
    "keller",
    "novak",
    "berger",
    "huber",
    "wagner",
    "fischer",
    "weber",
    "meyer",
    "schulz",
    "hoffmann",
    "koch",
    "richter",
    "klein",
    "wolf",
    "neumann",
    "schwarz",
    "zimmer",
    "braun",
    "krueger",
    "hofmann",
    "hartmann",
    "lange",
    "schmitt",
    "werner",
    "krause",
    "meier",
    "lehmann",
    "schmid",
    "schulze",
    "maier",
    "koehler",
    "herrmann",
    "koenig",
    "walter",
    "mayer",
    "huber2",
    "kaiser",
    "fuchs",
    "peters",
    "lang",
    "scholz",
    "moeller",
    "weiss",
    "jung",
    "hahn",
    "vogel",
    "friedrich",
    "keller2",
    "guenther",
    "frank",
    "baumann",
    "beck",
    "roth",
    "sommer",
    "brandt",
    "graf",
    "haas",
    "dietrich",
    "ziegler",
    "kuhn",
    "engel",
    "pohl",
    "horn",
    "busch",
    "bergmann",
    "thomas",
    "voigt",
    "sauer",
    "arnold",
    "wolff",
)
_INITIALS = "abcdefghijklmnoprstuvw"

# role -> (count, agent, client, version, timezone)
_ROLES: dict[str, tuple[int, str, str, str, float]] = {
    "control_operator": (8, "gridops-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "dispatcher": (4, "dispatch-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "field_crew": (10, "fieldmate", "fieldmate-mobile", "3.2.0", LOCAL_TZ),
    "cs_agent": (10, "care-copilot", "care-web", "2.11.0", LOCAL_TZ),
    "billing": (3, "billing-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "meter_analyst": (2, "mdm-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "trader": (4, "desk-assistant", "trader-console", "5.0.1", LOCAL_TZ),
    "asset_planner": (5, "planning-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "protection_engineer": (4, "otcfg-agent", "claude-code", "2.0.31", LOCAL_TZ),
    "cyber": (3, "soc-assistant", "claude-code", "2.0.31", LOCAL_TZ),
    "regulatory": (2, "reporting-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "it_admin": (2, "iam-assistant", "claude-desktop", "1.4.2", LOCAL_TZ),
    "vendor": (2, "vendor-support", "claude-code", "2.0.28", 5.5),
}
_SERVICES = (
    ("svc-mdm-ingest", "mdm-ingestor"),
    ("svc-historian-export", "historian-exporter"),
    ("svc-market-bids", "bid-bot"),
    ("svc-weather-feed", "weather-feed"),
    ("svc-billing-run", "billing-batch"),
)


@dataclass(frozen=True, slots=True)
class Person:
    """An actor and how they work: crew letter (control room), on-call pair, usual start."""

    actor: Actor
    crew: int = -1  # control room crew 0-3, else -1
    pair: int = -1  # field on-call pair 0-4, else -1
    start: float = 8.0  # usual local start hour (office and field day work)


@dataclass
class Org:
    people: list[Person]
    services: dict[str, Actor]
    trainee: Actor
    days: int = 14

    def by_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.actor.role == role]

    def shift(self, person: Person, day: int) -> str | None:
        """``day``/``night``/None: the control-room crew's shift starting on ``day``."""
        if person.crew < 0:
            return None
        phase = (day + 2 * person.crew) % 8
        return "day" if phase < 2 else "night" if phase < 4 else None

    def on_shift(self, role: str, day: int, kind: str) -> list[Person]:
        return [p for p in self.by_role(role) if self.shift(p, day) == kind]

    def on_call(self, day: int) -> list[Person]:
        pair = (day // 7) % 5
        return [p for p in self.by_role("field_crew") if p.pair == pair]

    def profiles(self) -> list[UserProfile]:
        out = []
        for p in self.people:
            a = p.actor
            work = (0.0, 24.0) if p.crew >= 0 else (p.start, p.start + 8.5)
            out.append(
                UserProfile(
                    a.name, a.role, a.tz_hours, *work, (a.agent,), a.client, a.client_version
                )
            )
        t = self.trainee
        out.append(UserProfile(t.name, t.role, t.tz_hours, 7.0, 19.0, (t.agent,), t.client,
                               t.client_version, first_day=self.days - 1))  # fmt: skip
        for a in self.services.values():
            out.append(
                UserProfile(
                    a.name, "service", 0.0, 0.0, 24.0, (a.agent,), a.client, a.client_version
                )
            )
        return out


def build_org(rng: random.Random, days: int) -> Org:
    names = [f"{rng.choice(_INITIALS)}.{s}" for s in _SURNAMES]
    rng.shuffle(names)
    people: list[Person] = []
    for role, (count, agent, client, version, tz) in _ROLES.items():
        for i in range(count):
            zone = 0.0 if role == "trader" and i == 3 else tz
            actor = Actor(names.pop(), role, agent, client, version, zone)
            crew = i % 4 if role in ("control_operator", "dispatcher") else -1
            pair = i // 2 if role == "field_crew" else -1
            start = 6.5 if role in ("trader", "field_crew") else rng.uniform(7.5, 9.0)
            people.append(Person(actor, crew, pair, round(start, 2)))
    services = {n: Actor(n, "service", agent, "svc-runner", "1.0.4", 0.0) for n, agent in _SERVICES}
    trainee = Actor(
        names.pop(), "control_operator", "gridops-assistant", "claude-desktop", "1.4.2", LOCAL_TZ
    )
    return Org(people, services, trainee, days)
