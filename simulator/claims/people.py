"""Who works at the insurer, when, and through which agent and client.

Seventy-four people in Central time (UTC−5 in September), three field adjusters of the west
territory in Mountain time (UTC−6), and five service accounts. A person's day is a list of work
*blocks* (local hours; ``desk`` on the laptop or ``field`` on the phone app); blocks follow the
role's rhythm, the person's own start time, a day off now and then, and storms.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

__all__ = ["ROLES", "SERVICES", "Block", "Person", "roster"]

#: role → (how many, local start, local end, agent, client)
ROLES: Final[dict[str, tuple[int, float, float, str, str]]] = {
    "desk_adjuster": (14, 8.0, 17.0, "claims-copilot", "claude-desktop"),
    "field_adjuster": (12, 8.0, 19.0, "claims-copilot", "claude-desktop"),
    "supervisor": (2, 7.5, 17.0, "claims-copilot", "claude-desktop"),
    "intake": (16, 7.0, 15.5, "intake-assistant", "intake-console"),
    "underwriter": (8, 8.0, 16.5, "uw-assistant", "claude-desktop"),
    "siu": (4, 8.0, 17.0, "siu-analyst", "claude-desktop"),
    "actuary": (5, 8.5, 17.5, "reserving-notebook", "jupyter-mcp"),
    "finance": (5, 7.5, 16.5, "payables-agent", "claude-desktop"),
    "it": (4, 7.0, 16.0, "it-ops", "claude-code"),
    "compliance": (2, 8.0, 17.0, "compliance-assistant", "claude-desktop"),
    "hr": (2, 8.0, 16.5, "hr-assistant", "claude-desktop"),
}
#: service accounts: name → agent, client
SERVICES: Final[dict[str, tuple[str, str]]] = {
    "svc-policysync": ("policy-sync", "batch-runner"),
    "svc-claimspay": ("claims-to-payments", "batch-runner"),
    "svc-ocr": ("ocr-ingest", "docflow"),
    "svc-catfeed": ("cat-feed", "feed-poller"),
    "svc-fraudscore": ("fraud-scoring", "claims-rules"),
}
#: client → (version, the day it updates, the version after)
CLIENT_VERSIONS: Final[dict[str, tuple[str, int, str]]] = {
    "claude-desktop": ("0.13.4", 6, "0.13.9"),
    "plainsward-field": ("4.2.0", 9, "4.3.0"),
    "intake-console": ("2.3.1", 99, "2.3.1"),
    "jupyter-mcp": ("1.4.0", 99, "1.4.0"),
    "claude-code": ("2.0.28", 3, "2.0.36"),
    "batch-runner": ("1.9.2", 99, "1.9.2"),
    "docflow": ("5.1.0", 99, "5.1.0"),
    "feed-poller": ("0.8.3", 99, "0.8.3"),
    "claims-rules": ("3.0.7", 99, "3.0.7"),
}
FIELD_AGENT: Final = ("field-assist", "plainsward-field")
REGIONS: Final = ("north", "central", "south", "west")

_SURNAMES: Final = (
    "okafor hansen lindqvist moreno pratt nguyen becker alvarez kowalski reyes schmidt "
    "osei patel larsen duarte fischer kim novak brennan ortiz weber haddad jensen soto "
    "murphy castillo ito wagner boateng romero keller chavez olsen tran meyer abbott "
    "delgado varga sorensen ibarra quinn richter mensah salazar petrov holm arce ferris "
    "lund navarro cho ruiz stein adeyemi vidal marsh pena kruger mbeki torres gray "
    "lyon baptiste dietz frey ochoa nilsen paredes yoon cortez vogel amato rios berg "
    "dahl esposito kaur lowe ramos"
)


@dataclass(frozen=True, slots=True)
class Block:
    """A stretch of work: local day index, local start/end hours, ``desk`` or ``field``."""

    day: int
    start: float
    end: float
    mode: str


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    tz: float
    start: float  # own local start hour
    length: float  # hours a usual day lasts
    agent: str
    client: str
    region: str
    shift: str  # day | evening (intake), else day
    weekend_rota: bool
    days_off: frozenset[int]
    index: int  # position within the role

    def version(self, client: str, day: int) -> str:
        v, at, after = CLIENT_VERSIONS[client]
        return after if day >= at else v

    def blocks(self, day: int, weekday: int, storm: int) -> list[Block]:
        """The person's work on local ``day`` (``weekday`` 0 = Monday); ``storm``: 0 none, 1
        the south wind/flood day, 2 the hail evening (the claims org stays late)."""
        if day in self.days_off:
            return []
        weekend = weekday >= 5
        r = self.role
        if r == "intake":
            if self.weekend_rota:
                if weekday in (0, 1):
                    return []
                if weekend:
                    return [Block(day, 8.0, 18.0, "desk")]
            elif weekend:
                return []
            if self.shift == "evening":
                end = 23.0 + (1.5 if storm == 2 else 0.0)
                return [Block(day, 14.5, end, "desk")]
            return [Block(day, self.start, self.start + self.length, "desk")]
        if r == "field_adjuster":
            late = 2.0 if storm and (storm == 2 or self.region == "south") else 0.0
            if weekend:
                if weekday == 5 and (day // 7 + self.index) % 2 == 0:
                    return [Block(day, 9.0, 14.0, "field")]
                return []
            desk = Block(day, self.start, self.start + 3.0, "desk")
            return [desk, Block(day, self.start + 4.5, self.start + self.length + late, "field")]
        if weekend:
            return []
        return [Block(day, self.start, self.start + self.length, "desk")]


def roster(rng: random.Random, days: int) -> list[Person]:
    """Everyone, with their own start hour and a day or two off in the span."""
    names = _SURNAMES.split()
    rng.shuffle(names)
    initials = "abcdefghjklmnprstvw"
    people: list[Person] = []
    for role, (n, start, end, agent, client) in ROLES.items():
        for i in range(n):
            surname = names.pop()
            name = f"{rng.choice(initials)}.{surname}"
            west = role == "field_adjuster" and i >= n - 3
            region = "west" if west else REGIONS[i % 3]
            evening = role == "intake" and i >= 9
            off = frozenset(d for d in range(days - 1) if rng.random() < 0.04)
            people.append(
                Person(
                    name=name, role=role, tz=-6.0 if west else -5.0,
                    start=start + rng.choice((-0.5, -0.25, 0.0, 0.0, 0.25, 0.5)),
                    length=end - start, agent=agent, client=client, region=region,
                    shift="evening" if evening else "day",
                    weekend_rota=role == "intake" and i in (3, 4, 12, 13),
                    days_off=off, index=i,
                )
            )  # fmt: skip
    return people
