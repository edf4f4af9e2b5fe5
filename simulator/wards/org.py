"""The hospital's people and service identities: who they are, where they work, what they run.

Clinical units are ``ED``, ``AMU`` (acute medical unit), ``MED`` and ``SURG`` (wards) and
``ICU``; the rest are departments (``RAD`` radiology, ``PHARM``, ``FLOW`` bed management,
``THEATRES``, ``CODING``, ``IT``, ``BI``, ``COMPLIANCE``). Each person runs their role's
assistant (agents), through their usual client; clients update mid-history, person by person.
One nurse moves from ``SURG`` to ``ICU`` on :data:`MOVE_DAY`; a few people are on leave for a
stretch; two agency nurses fill a few shifts in the history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "CLINICAL_UNITS",
    "MOVE_DAY",
    "SERVICES",
    "Person",
    "Staff",
    "build_staff",
]

CLINICAL_UNITS: Final = ("ED", "AMU", "MED", "SURG", "ICU")
#: the day index on which the moving nurse starts on ICU
MOVE_DAY: Final = 6
DAY_US: Final = 86_400_000_000

# role: (units and head counts, agents, clients to choose from)
_ROLES: Final[dict[str, tuple[dict[str, int], tuple[str, ...], tuple[str, ...]]]] = {
    "nurse": ({"ED": 9, "AMU": 7, "MED": 8, "SURG": 8, "ICU": 8}, ("nurse-assist",), ("wardview",)),
    "doctor": (
        {"ED": 6, "AMU": 3, "MED": 4, "SURG": 4, "ICU": 3},
        ("scribe", "order-assist"),
        ("wardview", "wardview", "dictate-pro"),
    ),
    "consultant": (
        {"ED": 2, "MED": 3, "SURG": 3, "ICU": 2},
        ("scribe",),
        ("wardview-mobile",),
    ),
    "radiologist": ({"RAD": 3}, ("report-assist",), ("pacs-workstation",)),
    "pharmacist": ({"PHARM": 5}, ("pharm-assist",), ("wardview",)),
    "bed_manager": ({"FLOW": 5}, ("flow-agent",), ("flowdesk",)),
    "scheduler": ({"THEATRES": 2}, ("flow-agent",), ("flowdesk",)),
    "coder": ({"CODING": 4}, ("coding-assist",), ("claude-desktop",)),
    "it_ops": ({"IT": 3}, ("ops-agent",), ("vscode", "claude-code")),
    "analyst": ({"BI": 2}, ("bi-agent",), ("jupyter-mcp",)),
    "auditor": ({"COMPLIANCE": 1}, ("audit-assist",), ("claude-desktop",)),
}
# client: (version before, version after, day the roll-out starts); None: never updates
_VERSIONS: Final[dict[str, tuple[str, str | None, int]]] = {
    "wardview": ("3.8.2", "3.9.0", 7),
    "wardview-mobile": ("2.14.1", "2.15.0", 5),
    "dictate-pro": ("11.2", None, 0),
    "pacs-workstation": ("7.1.4", None, 0),
    "flowdesk": ("1.22.0", "1.23.1", 9),
    "claude-desktop": ("1.4.12", "1.5.0", 8),
    "vscode": ("1.109.2", "1.110.0", 4),
    "claude-code": ("2.3.7", "2.4.0", 3),
    "jupyter-mcp": ("0.9.3", None, 0),
}
#: service identities: (user, agent, client, version)
SERVICES: Final = {
    "lab": ("svc-lab-interface", "lab-interface", "hl7-bridge", "5.2.0"),
    "robot": ("svc-pharm-robot", "dispense-robot", "robot-ctl", "2019.4"),
    "backup": ("svc-backup", "ehr-backup", "cron", "1.0"),
    "retention": ("svc-retention", "retention-purge", "cron", "1.0"),
    "claims": ("svc-claims", "claims-batch", "cron", "1.0"),
    "monitor": ("svc-monitor", "poller", "zabbix-mcp", "6.4.1"),
}
_GIVEN: Final = "aabcdefghijklmnoprstwy"
_FAMILY: Final = [
    "okafor",
    "patel",
    "nowak",
    "walsh",
    "chen",
    "silva",
    "murphy",
    "kaur",
    "ahmed",
    "jones",
    "evans",
    "brennan",
    "rossi",
    "haddad",
    "mensah",
    "novak",
    "fischer",
    "ibrahim",
    "costa",
    "byrne",
    "obi",
    "reyes",
    "lindqvist",
    "tanaka",
    "osei",
    "malik",
    "quinn",
    "kowalski",
    "hughes",
    "adeyemi",
    "price",
    "martin",
    "dubois",
    "khan",
    "kelly",
    "moreau",
    "garcia",
    "singh",
    "nguyen",
    "wright",
]


@dataclass(slots=True, eq=False)
class Person:
    """A person: login, role, home unit (by day), agents, client and its versions over time."""

    name: str
    role: str
    unit: str
    agents: tuple[str, ...]
    client: str
    versions: tuple[tuple[int, str], ...]  # (from ts, version), ascending
    night_pref: str = "any"  # day | night | any: what the rota gives them when it can
    moved: tuple[int, str] | None = None  # (from day, new unit)
    leave: range = range(0)  # day indices off
    only: range | None = None  # when set, the only days they can work (agency staff)
    agency: bool = False

    def available(self, day: int) -> bool:
        return day not in self.leave and (self.only is None or day in self.only)

    def unit_on(self, day: int) -> str:
        return self.moved[1] if self.moved and day >= self.moved[0] else self.unit

    def version_at(self, ts: int) -> str:
        out = self.versions[0][1]
        for since, v in self.versions:
            if ts >= since:
                out = v
        return out


@dataclass
class Staff:
    """Everyone, by role; ``by_name`` for look-ups."""

    people: list[Person]
    by_role: dict[str, list[Person]] = field(default_factory=dict)
    by_name: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for p in self.people:
            self.by_role.setdefault(p.role, []).append(p)
            self.by_name[p.name] = p

    def add(self, p: Person) -> None:
        self.people.append(p)
        self.by_role.setdefault(p.role, []).append(p)
        self.by_name[p.name] = p


def _versions(rng: random.Random, client: str, start_us: int) -> tuple[tuple[int, str], ...]:
    old, new, day = _VERSIONS[client]
    if new is None:
        return ((start_us, old),)
    at = start_us + (day + rng.randint(0, 4)) * DAY_US + rng.randint(6, 20) * 3_600_000_000
    return ((start_us, old), (at, new))


def person(
    rng: random.Random, name: str, role: str, unit: str, start_us: int, **kw: object
) -> Person:
    """A person of ``role`` on ``unit`` with that role's agents and one of its clients."""
    _, agents, clients = _ROLES[role]
    client = rng.choice(clients)
    return Person(name, role, unit, agents, client, _versions(rng, client, start_us), **kw)  # type: ignore[arg-type]


def build_staff(rng: random.Random, start_us: int, days: int) -> Staff:
    """The whole staff, deterministic from ``rng``: names, units, preferences, leave, a move."""
    names: set[str] = set()
    people: list[Person] = []
    for role, (units, _, _) in _ROLES.items():
        for unit, count in units.items():
            for _ in range(count):
                name = f"{rng.choice(_GIVEN)}{rng.choice(_FAMILY)}"
                while name in names:
                    name = f"{name[:-1]}{rng.randint(2, 9)}" if name[-1].isdigit() else name + "2"
                names.add(name)
                pref = rng.choices(("day", "night", "any"), (5, 2, 3))[0]
                people.append(person(rng, name, role, unit, start_us, night_pref=pref))
    staff = Staff(people)
    mover = staff.by_role["nurse"][[p.unit for p in staff.by_role["nurse"]].index("SURG")]
    mover.moved = (MOVE_DAY, "ICU")
    mover.night_pref = "any"
    onleave = [p for p in people if p is not mover and p.role in ("nurse", "doctor", "coder")]
    for p in rng.sample(onleave, 5):
        first = rng.randint(1, max(1, days - 8))
        p.leave = range(first, first + rng.randint(3, 6))
    for k, (unit, first) in enumerate((("ED", 3), ("MED", 8))):
        name = f"agency.{rng.choice(_FAMILY)}{k + 1}"
        staff.add(
            person(
                rng,
                name,
                "nurse",
                unit,
                start_us,
                night_pref="any",
                agency=True,
                only=range(first, first + 3),
            )
        )
    return staff
