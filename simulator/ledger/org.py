"""Who works at the payments company: offices, roles, shifts, and the service accounts.

People sit in offices in six time zones and work their office's weekdays (a few fraud and
support staff in Bengaluru and São Paulo cover weekends). Each role reaches a fixed set of
servers; a person's first session of a shift lists those servers' tools.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

__all__ = ["OFFICES", "ROLE_SERVERS", "SERVICES", "Person", "staff"]

#: office → UTC offset in hours (November: no daylight saving in the north)
OFFICES: Final[dict[str, float]] = {
    "london": 0.0,
    "berlin": 1.0,
    "newyork": -5.0,
    "saopaulo": -3.0,
    "bengaluru": 5.5,
    "singapore": 8.0,
}
#: role → the servers its people use
ROLE_SERVERS: Final[dict[str, tuple[str, ...]]] = {
    "payops": ("payments-core", "settlement", "ledger"),
    "fraud": ("fraud", "payments-core", "crm"),
    "support": ("crm", "payments-core", "disputes"),
    "disputes": ("disputes", "payments-core", "crm"),
    "treasury": ("treasury", "settlement", "ledger"),
    "compliance": ("kyc", "crm", "reports"),
    "finance": ("ledger", "recon", "reports"),
    "engineer": ("observability", "payments-core", "settlement", "bankfiles"),
}
#: (role, office, headcount, of whom work weekends)
_DESKS: Final = (
    ("payops", "london", 3, 0),
    ("payops", "newyork", 2, 0),
    ("payops", "singapore", 2, 0),
    ("fraud", "london", 3, 0),
    ("fraud", "newyork", 3, 0),
    ("fraud", "bengaluru", 4, 2),
    ("support", "bengaluru", 5, 2),
    ("support", "saopaulo", 4, 2),
    ("support", "newyork", 3, 0),
    ("support", "london", 3, 0),
    ("disputes", "london", 3, 0),
    ("disputes", "newyork", 2, 0),
    ("treasury", "london", 2, 0),
    ("treasury", "newyork", 1, 0),
    ("treasury", "singapore", 1, 0),
    ("compliance", "berlin", 3, 0),
    ("compliance", "singapore", 2, 0),
    ("finance", "london", 3, 0),
    ("finance", "newyork", 2, 0),
    ("engineer", "berlin", 4, 0),
    ("engineer", "bengaluru", 3, 0),
    ("engineer", "newyork", 2, 0),
)
_FIRST: Final = (
    "ana", "ben", "chen", "dara", "eli", "fatima", "goran", "hana", "ivan", "jaya", "kofi",
    "lena", "mateo", "nia", "omar", "priya", "quinn", "rafael", "sara", "tomas", "uma", "vikram",
    "wei", "ximena", "yusuf", "zoe", "arjun", "bea", "carlos", "divya", "emeka", "freya",
)  # fmt: skip
#: role → (agent, client, client version) its people use
_TOOLING: Final[dict[str, tuple[str, str, str]]] = {
    "payops": ("ops-copilot", "payops-console", "3.4.1"),
    "fraud": ("fraud-assist", "payops-console", "3.4.1"),
    "support": ("support-assist", "zendesk-mcp", "1.9.0"),
    "disputes": ("dispute-assist", "payops-console", "3.4.1"),
    "treasury": ("claude-desktop", "claude-desktop", "0.14.2"),
    "compliance": ("kyc-assist", "payops-console", "3.4.1"),
    "finance": ("claude-desktop", "claude-desktop", "0.14.2"),
    "engineer": ("claude-code", "claude-code", "2.0.31"),
}
#: service account → (servers, agent, client, version, UTC offset of its schedule)
SERVICES: Final[dict[str, tuple[tuple[str, ...], str, str, str, float]]] = {
    "svc-settlement": (("settlement",), "settle-runner", "batchd", "5.2.0", 0.0),
    "svc-recon": (("recon", "bankfiles", "ledger"), "recon-runner", "batchd", "5.2.0", 0.0),
    "svc-bank-northbank": (("bankfiles",), "sftp-bridge", "bankfile-agent", "2.1.4", 0.0),
    "svc-bank-eastbridge": (("bankfiles",), "sftp-bridge", "bankfile-agent", "2.1.4", 8.0),
    "svc-bank-liberty": (("bankfiles",), "sftp-bridge", "bankfile-agent", "2.1.4", -5.0),
    "svc-cardnet": (("disputes", "payments-core"), "cardnet-ingest", "batchd", "5.2.0", -5.0),
    "svc-kyc-intake": (("kyc",), "kyc-intake", "batchd", "5.2.0", 1.0),
}


@dataclass(frozen=True, slots=True)
class Person:
    """A member of staff: role, office, local shift, weekend duty, and the MCP client they use."""

    name: str
    role: str
    office: str
    tz: float
    shift_start: float  # local hours
    shift_len: float
    weekends: bool
    agent: str
    client: str
    version: str

    def servers(self) -> tuple[str, ...]:
        return ROLE_SERVERS[self.role]


def staff(rng: random.Random) -> list[Person]:
    """Everyone on staff, named and rostered from ``rng``."""
    names = [f"{f}.{chr(97 + i)}" for i in range(3) for f in _FIRST]
    rng.shuffle(names)
    out: list[Person] = []
    for role, office, n, weekend in _DESKS:
        agent, client, version = _TOOLING[role]
        for k in range(n):
            start = rng.choice((7.5, 8.0, 8.5, 9.0, 9.5, 10.0))
            out.append(
                Person(names.pop(), role, office, OFFICES[office], start,
                       rng.choice((8.0, 8.5, 9.0)), k < weekend, agent, client, version)
            )  # fmt: skip
    return out
