"""Plausible arguments: note text, ids, paths and SQL for the hospital's tools."""

from __future__ import annotations

import random
from typing import Final

__all__ = ["bed", "drug", "note", "order_id", "sql"]

_WORDS: Final = [
    "pt",
    "reviewed",
    "on",
    "ward",
    "round",
    "alert",
    "and",
    "orientated",
    "obs",
    "stable",
    "afebrile",
    "chest",
    "clear",
    "abdomen",
    "soft",
    "non",
    "tender",
    "plan",
    "continue",
    "iv",
    "antibiotics",
    "repeat",
    "bloods",
    "mane",
    "review",
    "by",
    "team",
    "pain",
    "controlled",
    "mobilising",
    "with",
    "physio",
    "eating",
    "and",
    "drinking",
    "catheter",
    "removed",
    "bowels",
    "open",
    "news2",
    "score",
    "discussed",
    "with",
    "family",
    "consent",
    "obtained",
    "for",
    "procedure",
    "fluid",
    "balance",
    "positive",
    "wound",
    "clean",
    "dry",
    "intact",
    "oxygen",
    "weaned",
    "to",
    "room",
    "air",
    "sats",
    "96%",
    "on",
    "air",
    "hr",
    "88",
    "bp",
    "128/76",
    "awaiting",
    "ct",
    "report",
    "escalate",
    "if",
    "deteriorates",
    "dnacpr",
    "not",
    "in",
    "place",
    "safeguarding",
    "none",
]
_DRUGS: Final = (
    "paracetamol",
    "amoxicillin",
    "co-amoxiclav",
    "enoxaparin",
    "morphine",
    "ondansetron",
    "furosemide",
    "bisoprolol",
    "atorvastatin",
    "metformin",
    "insulin_aspart",
    "omeprazole",
    "apixaban",
    "gentamicin",
    "piperacillin_tazobactam",
    "salbutamol",
    "prednisolone",
)
_QUERIES: Final = (
    "SELECT ward, count(*) FROM adt.census WHERE snapshot_date = current_date GROUP BY ward",
    "SELECT specialty, avg(los_hours) FROM adt.spells WHERE discharged >= now() - "
    "interval '7 days' GROUP BY specialty",
    "SELECT hour, count(*) FROM ed.arrivals WHERE arrived >= current_date - 28 GROUP BY hour",
    "SELECT breach_reason, count(*) FROM ed.four_hour WHERE day = current_date - 1 GROUP BY 1",
    "SELECT drug, sum(doses) FROM pharmacy.admin_daily WHERE day >= current_date - 7 "
    "GROUP BY drug ORDER BY 2 DESC LIMIT 50",
    "SELECT theatre, sum(minutes_used) / sum(minutes_booked) FROM theatres.utilisation "
    "WHERE week = date_trunc('week', current_date) GROUP BY theatre",
    "SELECT hrg, count(*), sum(tariff) FROM coding.episodes WHERE month = date_trunc('month', "
    "current_date) GROUP BY hrg",
)
_OPS_QUERIES: Final = (
    "SELECT user_name, count(*) FROM audit.logins WHERE ts >= now() - interval '1 day' "
    "AND outcome = 'fail' GROUP BY 1 HAVING count(*) > 5",
    "SELECT client, version, count(*) FROM audit.sessions WHERE ts >= current_date GROUP BY 1, 2",
    "SELECT * FROM audit.record_access WHERE user_name = :u AND ts >= now() - interval "
    "'30 days' ORDER BY ts DESC LIMIT 200",
)


def note(rng: random.Random, lo: int, hi: int) -> str:
    """Free text of ``lo``..``hi`` characters, built from ward vocabulary."""
    n = rng.randint(lo, hi)
    words = rng.choices(_WORDS, k=n // 5 + 1)
    return " ".join(words)[:n]


def drug(rng: random.Random) -> str:
    return rng.choice(_DRUGS)


def order_id(rng: random.Random) -> str:
    return f"ORD-{rng.randint(1_000_000, 9_999_999)}"


def bed(rng: random.Random, unit: str) -> str:
    return f"{unit}-{rng.randint(1, 28):02d}"


def sql(rng: random.Random, ops: bool = False) -> str:
    """A statement an analyst (or, ``ops``, IT) runs on the warehouse."""
    return rng.choice(_OPS_QUERIES if ops else _QUERIES)
