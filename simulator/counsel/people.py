"""Who works at Hartwell & Crane LLP, where and on what: offices, the roster and the matters.

Four offices in three continents' hours: New York (UTC−5 in late November), London (0),
Frankfurt (+1) and Singapore (+8). Partners lead matters; associates, a paralegal and the
partner's assistant make a matter's team. Litigation matters carry court filing deadlines and
document productions, deals carry a closing with a data room; some matters are behind an
ethical wall. Everything follows from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from ..model import UserProfile

__all__ = ["CLIENTS", "OFFICES", "Matter", "Person", "World", "build_world"]

#: office → (UTC offset in hours, document library prefix, court its clerks file with)
OFFICES: Final = {
    "NY": (-5.0, "NY", "NYSCEF"),
    "LDN": (0.0, "LN", "CE-FILE"),
    "FRA": (1.0, "FR", "CE-FILE"),
    "SGP": (8.0, "SG", "SIAC"),
}
#: role → (office → head count), local working hours, agents (name, client)
_ROSTER: Final = {
    "partner": ({"NY": 5, "LDN": 4, "FRA": 1, "SGP": 2}, (8.5, 19.5)),
    "associate": ({"NY": 9, "LDN": 7, "FRA": 2, "SGP": 4}, (9.5, 21.0)),
    "paralegal": ({"NY": 4, "LDN": 3, "FRA": 1, "SGP": 2}, (9.0, 18.5)),
    "assistant": ({"NY": 4, "LDN": 3, "FRA": 1, "SGP": 1}, (8.5, 17.5)),
    "litsupport": ({"NY": 2, "LDN": 1, "SGP": 1}, (9.0, 19.0)),
    "docketing": ({"NY": 2, "LDN": 1}, (8.0, 17.5)),
    "intake": ({"NY": 2, "LDN": 1}, (8.5, 17.5)),
    "billing": ({"NY": 2, "LDN": 1, "SGP": 1}, (8.5, 17.5)),
    "records": ({"NY": 1, "LDN": 1}, (8.0, 16.5)),
    "it": ({"NY": 2, "LDN": 1, "SGP": 1}, (8.0, 18.0)),
    "research": ({"NY": 1, "LDN": 1}, (9.0, 17.5)),
}
LAWYERS: Final = frozenset({"partner", "associate", "paralegal"})
#: the scheduled jobs: account → (agent, local-time office)
JOBS: Final = ("svc-docket", "svc-ediscovery", "svc-records", "svc-billing", "svc-conflicts")
_FIRST: Final = "abcdefghijklmnoprstvwy"
_SURNAMES: Final = (
    "okafor", "chen", "whitfield", "moreau", "tanaka", "brennan", "lindqvist", "haddad", "novak",
    "rahman", "osei", "castellano", "mehta", "fischer", "oduya", "kowalski", "sato", "delgado",
    "nair", "bergstrom", "achterberg", "ferreira", "lim", "oyelaran", "petrov", "quinn", "ravel",
    "schulz", "tremaine", "umeh", "vasquez", "walcott", "yilmaz", "zhou", "abernathy", "balogun",
    "carvalho", "dunmore", "eriksen", "falk", "gallo", "hirsch", "ivanova", "jaeger", "koh",
    "lachance", "mbeki", "nakamura", "ortega", "pereira", "rossi", "singh", "thorne", "ueda",
    "valli", "wong", "yeo"
)  # fmt: skip
CLIENTS: Final = (
    "Halvorsen Shipping AS", "Meridian Capital LP", "Kestrel Biotech Inc", "Oakmont Realty",
    "Sundara Holdings Pte", "Vantage Telecom", "Brightwater Energy", "Caldera Mining plc",
    "Novus Pharma AG", "Pinecrest Insurance", "Tamarind Foods", "Ironbridge Partners",
    "Lumen Analytics", "Ostrava Steel", "Quayside Logistics", "Redfern Media Group",
    "Aurelian Bank", "Blackthorn Aviation", "Cobalt Semiconductors", "Dunmore Estates",
    "Everly Retail", "Fairhaven Trust", "Granite Rail", "Harbourview Hotels",
)  # fmt: skip
_PRACTICES: Final = (
    ("litigation", 0.36), ("investigations", 0.14), ("corporate", 0.24), ("finance", 0.1),
    ("ip", 0.08), ("employment", 0.08),
)  # fmt: skip


@dataclass(slots=True)
class Person:
    name: str
    role: str
    office: str
    tz: float
    hours: tuple[float, float]
    #: (agent, client) this person works through; the first is their main one
    agents: tuple[tuple[str, str], ...]
    matters: list[Matter] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)  # an assistant's partners


@dataclass(slots=True)
class Matter:
    id: str
    client: str
    practice: str
    office: str
    partner: str
    team: tuple[str, ...]  # associates
    paralegal: str
    assistant: str
    walled: bool
    court: str
    case: str
    room: str
    lib: str
    doc0: int
    filings: tuple[int, ...] = ()  # days with a court filing deadline
    productions: tuple[int, ...] = ()  # days a document production goes out
    closing: int | None = None  # the day a deal closes

    def members(self) -> tuple[str, ...]:
        return (self.partner, *self.team, self.paralegal, self.assistant)


@dataclass(slots=True)
class World:
    people: list[Person]
    by_name: dict[str, Person]
    matters: list[Matter]
    business: dict[str, list[bool]]  # office → is day d a working day there
    weekday0: int  # the first day's weekday (Monday 0)
    #: (person, day) whose evening is not stretched by a deadline (a hard negative's night)
    quiet: set[tuple[str, int]] = field(default_factory=set)
    intakes: list[tuple[int, Matter]] = field(default_factory=list)  # (day, new matter)

    def staff(self, role: str, office: str | None = None) -> list[Person]:
        return [p for p in self.people if p.role == role and office in (None, p.office)]

    def profiles(self) -> list[UserProfile]:
        return [
            UserProfile(
                name=p.name, role=p.role, tz_hours=p.tz, work_start=p.hours[0],
                work_end=p.hours[1], agents=tuple(a for a, _ in p.agents),
                client=p.agents[0][1], client_version=CLIENT_VERSIONS[p.agents[0][1]][0],
            )
            for p in self.people
        ] + [
            UserProfile(name=j, role="service", tz_hours=0.0, work_start=0.0, work_end=24.0,
                        agents=(f"job:{j[4:]}",), client="job-runner", client_version="2.4.1")
            for j in JOBS
        ]  # fmt: skip


#: client → (version before, version after, the day it updates)
CLIENT_VERSIONS: Final = {
    "claude-desktop": ("0.14.10", "0.14.12", 7),
    "word-addin": ("3.2.0", "3.2.0", 0),
    "mcp-cli": ("1.8.2", "1.9.0", 9),
    "job-runner": ("2.4.1", "2.4.1", 0),
}


def version(client: str, day: int) -> str:
    before, after, on = CLIENT_VERSIONS[client]
    return after if day >= on else before


def _agents(role: str, rng: random.Random) -> tuple[tuple[str, str], ...]:
    if role == "it":
        return (("it-console", "mcp-cli"),)
    main = ("counsel-assistant", "claude-desktop")
    if role in ("associate", "paralegal", "assistant") or (
        role == "partner" and rng.random() < 0.5
    ):
        return (main, ("word-copilot", "word-addin"))
    return (main,)


def _holidays(office: str, start: date, days: int) -> list[bool]:
    """Working days: weekdays, less US Thanksgiving (4th Thursday of November) in New York."""
    out = []
    for d in range(days):
        on = start + timedelta(days=d)
        thanksgiving = on.month == 11 and on.weekday() == 3 and 22 <= on.day <= 28
        out.append(on.weekday() < 5 and not (office == "NY" and thanksgiving))
    return out


def build_world(rng: random.Random, days: int, start: date, n_matters: int) -> World:
    names = [f"{rng.choice(_FIRST)}.{n}" for n in rng.sample(_SURNAMES, len(_SURNAMES))]
    names += [f"{f}.{n}" for f in _FIRST for n in _SURNAMES if f"{f}.{n}" not in names][::53]
    names.reverse()
    people: list[Person] = []
    for role, (per_office, hours) in _ROSTER.items():
        for office, n in per_office.items():
            for _ in range(n):
                name = names.pop()
                people.append(Person(name, role, office, OFFICES[office][0], hours,
                                     _agents(role, rng)))  # fmt: skip
    by_name = {p.name: p for p in people}
    business = {o: _holidays(o, start, days) for o in OFFICES}

    def of(role: str, office: str) -> list[Person]:
        here = [p for p in people if p.role == role and p.office == office]
        return here or [p for p in people if p.role == role and p.office == "LDN"]

    partners = [p for p in people if p.role == "partner"]
    for office in OFFICES:
        desk = of("assistant", office)
        for i, q in enumerate(p for p in partners if p.office == office):
            desk[i % len(desk)].supports.append(q.name)
    matters: list[Matter] = []
    practices, weights = zip(*_PRACTICES, strict=True)
    for k in range(n_matters):
        lead = rng.choice(partners)
        practice = rng.choices(practices, weights)[0]
        pool = of("associate", lead.office)
        team = tuple(q.name for q in rng.sample(pool, min(len(pool), rng.randint(1, 3))))
        assistants = [a for a in of("assistant", lead.office) if lead.name in a.supports]
        assistant = (assistants or of("assistant", lead.office))[0].name
        client = rng.choice(CLIENTS)
        busy = [d for d in range(1, days) if business[lead.office][d]]
        m = Matter(
            id=f"{10000 + CLIENTS.index(client) * 37:05d}-{k + 1:04d}", client=client,
            practice=practice, office=lead.office, partner=lead.name, team=team,
            paralegal=rng.choice(of("paralegal", lead.office)).name, assistant=assistant,
            walled=rng.random() < 0.12, court=OFFICES[lead.office][2],
            case=f"{rng.randint(1, 9)}:25-cv-{rng.randrange(10**5):05d}",
            room=f"VDR-{rng.randrange(10**5):05d}", lib=OFFICES[lead.office][1],
            doc0=rng.randrange(10**6, 9 * 10**6),
        )  # fmt: skip
        if practice == "litigation":
            m.filings = tuple(sorted(rng.sample(busy, rng.choice((0, 1, 1, 2)))))
            if rng.random() < 0.35:
                m.productions = (rng.choice(busy),)
        elif practice == "investigations":
            m.productions = (rng.choice(busy),)
        elif practice in ("corporate", "finance") and rng.random() < 0.5:
            m.closing = rng.choice(busy)
        matters.append(m)
        for who in m.members():
            by_name[who].matters.append(m)
    return World(people, by_name, matters, business, start.weekday())
