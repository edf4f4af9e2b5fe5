"""Arguments for the firm's tools, filled field by field from a matter (catalog ``fields``).

One place builds every argument, so a person's queries, narratives and document lists have the
sizes their kind has in every part of the traffic (desk work, events, negatives, attacks).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final, Protocol

from .catalog import TOOLS
from .people import CLIENTS as _COMPANIES

__all__ = ["DOMAIN", "MatterLike", "make_args", "text", "words"]

DOMAIN: Final = "hartwell-law.com"
_WORDS: Final = (
    "indemnification", "escrow", "warranty", "breach", "fiduciary", "duty", "discovery",
    "deposition", "subpoena", "custodian", "privilege", "waiver", "motion", "compel", "summary",
    "judgment", "arbitration", "tribunal", "award", "jurisdiction", "forum", "clause",
    "limitation", "damages", "injunction", "disclosure", "regulator", "antitrust", "merger",
    "consideration", "earn-out", "closing", "conditions", "covenant", "lender", "facility",
    "security", "guarantee", "patent", "infringement", "claim", "construction", "licence",
    "royalty", "employment", "restrictive", "termination", "whistleblower", "sanctions", "export",
    "control", "bribery", "investigation", "production", "responsive", "redaction", "exhibit",
    "declaration", "affidavit", "brief", "reply", "opposition", "hearing", "schedule",
    "amendment", "board", "resolution", "shareholder", "consent", "disclosure", "letter"
)  # fmt: skip
_TASKS: Final = ("L110", "L120", "L210", "L250", "L310", "L330", "L430", "B110", "B160", "C300")
_RULES: Final = ("FRCP 26(a)(2)", "FRCP 56(b)", "CPLR 3212", "CPR 31.5", "CPR 3.12", "SIAC 25")
_FOLDERS: Final = ("Pleadings", "Correspondence", "Discovery", "Drafts", "Research", "Closing")
_DOCTYPES: Final = (
    "Memorandum of Law", "Reply Brief", "Share Purchase Agreement", "Disclosure Letter",
    "Witness Statement", "Privilege Log", "Board Minutes", "Facility Agreement",
    "Engagement Letter", "Expert Report", "Settlement Agreement", "Hold Notice",
)  # fmt: skip


class MatterLike(Protocol):
    id: str
    client: str
    practice: str
    office: str
    partner: str
    court: str
    case: str
    room: str
    lib: str
    doc0: int


def words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choices(_WORDS, k=rng.randint(lo, hi)))


def text(rng: random.Random, lo: int, hi: int) -> str:
    """Prose of ``lo``–``hi`` characters."""
    want = rng.randint(lo, hi)
    out = " ".join(rng.choices(_WORDS, k=want // 7 + 2)).capitalize()
    while len(out) < want:
        out += ". " + words(rng, 6, 14).capitalize()
    return out[:want]


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def doc_id(rng: random.Random, m: MatterLike) -> str:
    return f"{m.lib}DOCS-{m.doc0 + rng.randrange(900)}.{rng.randint(1, 7)}"


def _people(rng: random.Random, m: MatterLike, k: int) -> list[str]:
    return [f"{m.partner.split('.')[0]}{rng.randrange(90)}@{DOMAIN}" for _ in range(k)]


_Field = Callable[[random.Random, MatterLike, str], Any]
_FIELDS: Final[dict[str, _Field]] = {
    "query": lambda r, m, u: words(r, 2, 8),
    "workspace": lambda r, m, u: m.id,
    "matter": lambda r, m, u: m.id,
    "limit": lambda r, m, u: r.choice((25, 50, 100)),
    "folder": lambda r, m, u: r.choice(_FOLDERS),
    "doc": lambda r, m, u: doc_id(r, m),
    "comment": lambda r, m, u: text(r, 20, 120),
    "title": lambda r, m, u: f"{r.choice(_DOCTYPES)} - {m.client} (v{r.randint(1, 9)})",
    "content_ref": lambda r, m, u: f"blob:{_hex(r, 40)}",
    "source": lambda r, m, u: r.choice(("outlook", "word", "scan")),
    "recipients": lambda r, m, u: _people(r, m, r.randint(1, 4)),
    "reason": lambda r, m, u: text(r, 15, 80),
    "client": lambda r, m, u: m.client,
    "parties": lambda r, m, u: r.sample(_COMPANIES, r.randint(2, 7)),
    "party": lambda r, m, u: r.choice(_COMPANIES),
    "practice": lambda r, m, u: m.practice,
    "summary": lambda r, m, u: text(r, 150, 600),
    "partner": lambda r, m, u: m.partner,
    "field": lambda r, m, u: r.choice(("status", "phase", "budget", "billing_partner")),
    "value": lambda r, m, u: words(r, 1, 3),
    "add": lambda r, m, u: [u],
    "remove": lambda r, m, u: [],
    "to_partner": lambda r, m, u: m.partner,
    "note": lambda r, m, u: text(r, 30, 240),
    "run": lambda r, m, u: f"CR-{r.randrange(10**6):06d}",
    "control": lambda r, m, u: f"{m.client[:3].upper()}{r.randrange(10**7):07d}",
    "batch": lambda r, m, u: f"B-{r.randrange(4000)}",
    "coding": lambda r, m, u: {
        "responsive": r.random() < 0.4,
        "privilege": r.choice(("none", "none", "none", "ac", "wp")),
        "issues": r.sample(_WORDS, r.randint(0, 3)),
    },
    "set": lambda r, m, u: f"SET-{r.randrange(900)}",
    "prefix": lambda r, m, u: m.client[:3].upper(),
    "production": lambda r, m, u: f"PROD-{r.randrange(1, 40):03d}",
    "format": lambda r, m, u: r.choice(("csv", "xlsx", "pdf")),
    "collection": lambda r, m, u: f"COL-{r.randrange(10**5)}",
    "hours": lambda r, m, u: round(r.randint(1, 45) / 10, 1),
    "amount": lambda r, m, u: round(r.uniform(50, 9000), 2),
    "task": lambda r, m, u: r.choice(_TASKS),
    "narrative": lambda r, m, u: text(r, 60, 420),
    "entry": lambda r, m, u: f"TE-{r.randrange(10**8):08d}",
    "timekeeper": lambda r, m, u: u,
    "period": lambda r, m, u: "2026-11",
    "office": lambda r, m, u: m.office,
    "court": lambda r, m, u: m.court,
    "case": lambda r, m, u: m.case,
    "client_ref": lambda r, m, u: m.id,
    "documents": lambda r, m, u: [doc_id(r, m) for _ in range(r.randint(1, 6))],
    "filer": lambda r, m, u: u,
    "receipt": lambda r, m, u: f"{m.court}-{r.randrange(10**9):09d}",
    "window": lambda r, m, u: {"days": r.choice((1, 7, 14, 30))},
    "rule": lambda r, m, u: r.choice(_RULES),
    "trigger": lambda r, m, u: f"2026-{r.randint(10, 12)}-{r.randint(1, 28):02d}",
    "due": lambda r, m, u: f"2026-12-{r.randint(1, 28):02d}",
    "deadline": lambda r, m, u: f"DL-{r.randrange(10**6)}",
    "custodian": lambda r, m, u: f"{r.choice(_WORDS)}.{r.choice(_WORDS)}@{m.client.split()[0]}.com",
    "scope": lambda r, m, u: {"from": "2021-01-01", "sources": ["mail", "dms", "teams"]},
    "template": lambda r, m, u: "hold-notice-v4",
    "approval": lambda r, m, u: f"APR-{r.randrange(10**5)}",
    "boxes": lambda r, m, u: [f"BX{r.randrange(10**6)}" for _ in range(r.randint(1, 5))],
    "jurisdiction": lambda r, m, u: r.choice(("US-NY", "US-2dCir", "US-Del", "UK", "SG", "EU")),
    "citation": lambda r, m, u: f"{r.randint(1998, 2026)} WL {r.randrange(10**7)}",
    "room": lambda r, m, u: m.room,
    "file": lambda r, m, u: f"{r.randint(1, 12)}.{r.randint(1, 40)}.{r.randint(1, 9)}",
    "role": lambda r, m, u: r.choice(("viewer", "viewer", "q&a", "admin")),
    "question": lambda r, m, u: text(r, 60, 400),
    "group": lambda r, m, u: f"matter-{m.id}",
    "ticket": lambda r, m, u: f"INC{r.randrange(10**7):07d}",
    "wall": lambda r, m, u: f"WALL-{m.id}",
    "screened": lambda r, m, u: [f"{r.choice(_WORDS)[:6]}.{r.randrange(99)}"],
    "message": lambda r, m, u: f"AAMk{_hex(r, 24)}",
    "subject": lambda r, m, u: f"{m.client}: {words(r, 2, 6)}",
    "body": lambda r, m, u: text(r, 200, 2400),
}


def make_args(
    tool: str, rng: random.Random, m: MatterLike, user: str, **given: Any
) -> dict[str, Any]:
    """``tool``'s arguments for ``user`` working on ``m``; ``given`` fields as they are."""
    return {f: given[f] if f in given else _FIELDS[f](rng, m, user) for f in TOOLS[tool][2]}
