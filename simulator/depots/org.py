"""The company: regions and depots, the staff on their shifts, and the service identities.

Four operating regions in four time zones, each with depots. People work shifts in local time:
depot sorters at night (weekend nights on a two-week rotation), drivers from early morning,
dispatchers in their region's day, customer service follow-the-sun (London, Manila, Mexico City),
brokers, claims, IT and analysts in office hours. Seasonal temp drivers join mid-history for the
peak. Every person calls through one AI assistant (their ``agent``) and one client app.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Final

from ..model import UserProfile
from ._record import Actor

__all__ = ["DEPOTS", "PARTNERS", "REGIONS", "Org", "Staff", "build_org"]

#: region → (UTC offset in hours, its depots)
REGIONS: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "uk": (0.0, ("LON1", "MAN2", "BHX3")),
    "de": (1.0, ("FRA1", "HAM2")),
    "ro": (2.0, ("BUC1", "CLJ2")),
    "tr": (3.0, ("IST1",)),
}
DEPOTS: Final[dict[str, str]] = {d: r for r, (_tz, ds) in REGIONS.items() for d in ds}
#: partner EDI integrations → their schedule (``hourly``, ``nightly`` or ``on_demand``)
PARTNERS: Final[dict[str, str]] = {
    "northwind": "hourly",
    "kestrel-retail": "nightly",
    "bluefin-mart": "on_demand",
    "orbis-pharma": "hourly",
    "tallgrass": "nightly",
    "quayline": "on_demand",
}

#: role → (share of staff, agent, client, start hour, end hour); home places for CS and brokers
_ROLES: Final[dict[str, tuple[float, str, str, float, float]]] = {
    "driver": (0.42, "scan-assistant", "scanhub-android", 6.5, 16.5),
    "depot": (0.20, "sort-assistant", "scanhub-android", 22.0, 6.0),
    "dispatcher": (0.09, "dispatch-copilot", "ops-console", 7.0, 17.0),
    "cs": (0.12, "service-copilot", "deskside", 8.0, 16.5),
    "claims": (0.05, "claims-copilot", "deskside", 8.5, 17.0),
    "broker": (0.05, "broker-assistant", "ops-console", 8.0, 17.5),
    "it": (0.03, "ops-agent", "claude-desktop", 9.0, 18.0),
    "analyst": (0.04, "data-copilot", "claude-desktop", 9.5, 18.0),
}
_CS_HOMES: Final = (0.0, 0.0, 8.0, 8.0, -6.0)  # London, Manila, Mexico City
_BROKER_HOMES: Final = (0.0, 1.0, -5.0)  # Dover, Frankfurt, the New York desk
_FIRST: Final = (
    "ana",
    "ben",
    "chen",
    "dara",
    "emre",
    "fatma",
    "gus",
    "hana",
    "ivo",
    "jo",
    "kai",
    "lena",
    "mihai",
    "nia",
    "olek",
    "priya",
    "quinn",
    "rosa",
    "sam",
    "tomas",
    "uma",
    "vlad",
    "wen",
    "yusuf",
    "zofia",
    "arjun",
    "bea",
    "ciprian",
    "dilek",
    "elif",
    "finn",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "kemal",
    "luca",
    "maya",
)
_LAST: Final = (
    "ng",
    "popescu",
    "smith",
    "yilmaz",
    "muller",
    "kaya",
    "reyes",
    "santos",
    "ionescu",
    "schmidt",
    "patel",
    "cruz",
    "demir",
    "okafor",
    "weber",
    "garcia",
    "lim",
    "stan",
    "brown",
    "aydin",
    "fischer",
    "tan",
    "moreno",
    "wagner",
    "celik",
    "bianchi",
)
APP_UPDATE_DAY: Final = 7  # the handheld app auto-updates from here on


@dataclass(frozen=True, slots=True)
class Staff:
    """A person (or service identity) and where they work."""

    profile: UserProfile
    region: str
    depot: str
    team: int  # weekend rotation group (0 or 1)
    temp: bool = False

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def role(self) -> str:
        return self.profile.role

    def actor(self, day: int) -> Actor:
        p = self.profile
        version = p.client_version
        if p.client == "scanhub-android" and day >= APP_UPDATE_DAY:
            version = "4.13.1"
        return Actor(p.name, p.agents[0], p.client, version, mobile=p.client == "scanhub-android")

    def works(self, day: int, weekday: int) -> bool:
        """Whether this person has a shift starting on local ``weekday`` (0 Monday) of ``day``."""
        if day < self.profile.first_day:
            return False
        if self.role == "depot":  # Sunday night sorts Monday's parcels; Saturday night off
            return weekday < 5 or (weekday == 6 and (day // 7 + self.team) % 2 == 0)
        if self.role == "driver":
            return weekday < 5 or (weekday == 5 and (day // 7 + self.team) % 2 == 0)
        if self.role == "cs":
            return weekday < 5 or (weekday == 5 and self.team == 0)
        return weekday < 5


@dataclass(frozen=True, slots=True)
class Org:
    staff: tuple[Staff, ...]
    services: tuple[Staff, ...]

    def of(self, role: str, region: str | None = None) -> list[Staff]:
        return [s for s in self.staff if s.role == role and region in (None, s.region)]


def _names(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}"
        if name in seen:
            name = f"{name}{len(out)}"
        seen.add(name)
        out.append(name)
    return out


def build_org(rng: random.Random, users: int, temps: int) -> Org:
    """``users`` permanent staff split by role, ``temps`` seasonal drivers, the services."""
    counts = {r: max(1, round(share * users)) for r, (share, *_rest) in _ROLES.items()}
    names = iter(_names(rng, sum(counts.values()) + temps))
    regions = list(REGIONS)
    staff: list[Staff] = []
    for role, n in counts.items():
        _share, agent, client, start, end = _ROLES[role]
        version = "4.12.0" if client == "scanhub-android" else f"2.{rng.randint(3, 9)}.0"
        for i in range(n):
            region = regions[i % len(regions)]
            tz, depots = REGIONS[region]
            if role == "cs":
                tz = _CS_HOMES[i % len(_CS_HOMES)]
            elif role == "broker":
                tz = _BROKER_HOMES[i % len(_BROKER_HOMES)]
            jitter = rng.choice((-0.5, -0.25, 0.0, 0.25, 0.5))
            profile = UserProfile(
                next(names),
                role,
                tz,
                (start + jitter) % 24,
                (end + jitter) % 24,
                (agent,),
                client,
                version,
            )
            staff.append(Staff(profile, region, depots[i // len(regions) % len(depots)], i % 2))
    drivers = [s for s in staff if s.role == "driver"]
    for i in range(temps):
        base = drivers[i % len(drivers)]
        profile = replace(base.profile, name=next(names), first_day=6 + i % 4)
        staff.append(replace(base, profile=profile, team=i % 2, temp=True))
    return Org(tuple(staff), _services())


def _services() -> tuple[Staff, ...]:
    def svc(name: str, agent: str, client: str) -> Staff:
        return Staff(
            UserProfile(name, "service", 0.0, 0.0, 24.0, (agent,), client, "1.8.2"), "uk", "LON1", 0
        )

    edi = [svc(f"svc-edi-{p}", "edi-bridge", "edi-gateway") for p in PARTNERS]
    return (
        *edi,
        svc("svc-route-optimiser", "optimiser", "batch-runner"),
        svc("svc-telematics", "poller", "batch-runner"),
        svc("svc-dwh-export", "exporter", "batch-runner"),
        svc("svc-retention", "retention-job", "batch-runner"),
        svc("svc-billing", "billing-job", "batch-runner"),
        svc("svc-webshop", "shop-connector", "edi-gateway"),
    )
