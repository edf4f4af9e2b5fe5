"""Argument values by kind (the ``fields`` of a catalog tool) and resource URIs by scheme.

Within one task the same kind keeps its value (``ctx``): the request a call-taker looks up is the
one they update, the permit an inspector reads is the one they record a result on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

__all__ = ["args_for", "uri_for", "value"]

_STREETS: Final = (
    "Elm St", "Maple Ave", "River Rd", "Falls Pkwy", "Oak St", "Commerce Dr", "Lincoln Ave",
    "Mill St", "Prairie Ln", "Harlow Blvd", "Depot St", "Cedar Ct", "Bluff Rd", "3rd St",
)  # fmt: skip
_WORDS: Final = (
    "pothole", "near", "the", "corner", "caller", "reports", "water", "leak", "streetlight",
    "out", "since", "Tuesday", "resident", "asks", "about", "schedule", "snow", "not", "plowed",
    "garbage", "missed", "again", "inspection", "passed", "with", "notes", "follow", "up",
    "needed", "per", "supervisor", "meter", "reading", "high", "bill", "disputed", "tree",
    "down", "blocking", "sidewalk", "noise", "complaint", "abandoned", "vehicle",
)  # fmt: skip
_QUERIES: Final = (
    "snow emergency parking", "bulk item pickup", "water shutoff notice", "fence permit height",
    "dog license renewal", "leaf collection dates", "sidewalk repair cost share",
    "burglary Maple Ave", "vehicle tow report", "council resolution 2026-114", "zoning R-2 setback",
    "vendor 10422", "overtime policy", "retention schedule GS-1", "vpn access", "mfa reset",
    "hydrant flushing", "lead service line", "parking citation appeal", "rental registration",
)  # fmt: skip


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 26)))


def _num(prefix: str, lo: int, hi: int) -> Callable[[random.Random], str]:
    return lambda rng: f"{prefix}{rng.randint(lo, hi)}"


def _pick(*options: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(options)


_KINDS: Final[dict[str, Callable[[random.Random], Any]]] = {
    "addr": lambda r: f"{r.randint(100, 4999)} {r.choice(_STREETS)}",
    "text": _text,
    "query": lambda r: r.choice(_QUERIES),
    "date": lambda r: f"2027-{r.randint(1, 2):02d}-{r.randint(1, 28):02d}",
    "days": lambda r: r.randint(1, 12),
    "money": lambda r: round(r.lognormvariate(5.0, 1.3), 2),
    "phone": lambda r: f"+1-563-555-{r.randint(0, 9999):04d}",
    "name": lambda r: f"{r.choice('ABCDEFGHJKLMNPRSTW')}. {r.choice(_STREETS).split()[0]}",
    "sr": _num("SR-27-", 1000, 9999),
    "sr_status": _pick("open", "in_progress", "closed", "referred"),
    "sr_type": _pick("pothole", "streetlight", "missed_pickup", "snow_plow", "water_leak",
                     "tree", "noise", "abandoned_vehicle", "sidewalk", "graffiti"),
    "channel": _pick("phone", "phone", "walk_in", "email"),
    "queue": _pick("streets", "water", "forestry", "sanitation", "code_enforcement"),
    "permit_kind": _pick("building", "electrical", "plumbing", "fence", "roof", "demolition"),
    "permit": _num("BP-27-", 100, 2400),
    "slot": _pick("am", "pm"),
    "insp_result": _pick("pass", "pass", "fail", "partial", "no_access"),
    "district": _pick("ward-1", "ward-2", "ward-3", "ward-4", "ward-5", "ward-6"),
    "wo_status": _pick("open", "assigned", "in_progress"),
    "wo": _num("WO-", 52000, 58999),
    "wo_kind": _pick("pothole", "main_break", "plow", "sign", "hydrant", "sewer_backup"),
    "priority": _pick("low", "normal", "normal", "high", "emergency"),
    "crew": _num("crew-", 1, 12),
    "fleet_pool": _pick("plows", "loaders", "utility", "sewer"),
    "asset": _num("HYD-", 1, 4200),
    "report": _num("HFPD-26-", 10000, 39999),
    "redaction": _pick("juvenile", "victim", "standard", "cji"),
    "requester": _pick("press", "insurer", "attorney", "resident"),
    "booking": _num("BK-", 200000, 299999),
    "court_case": _num("MC-26-", 1000, 8999),
    "courtroom": _pick("1A", "1B", "2"),
    "citation": _num("HF", 7000000, 7999999),
    "person_id": _num("P", 100000, 999999),
    "fund": _pick("general", "water", "sewer", "streets", "capital"),
    "dept": _pick("public_works", "police", "parks", "finance", "clerk", "it", "utilities"),
    "invoice": _num("INV-", 300000, 399999),
    "payment": _num("PMT-", 80000, 89999),
    "period": _pick("2027-01", "2027-02", "PP-2027-02", "PP-2027-03"),
    "employee": _num("E", 1000, 1999),
    "title": _pick("Maintenance Worker II", "Clerk III", "Inspector I", "Analyst", "Engineer"),
    "series": _pick("GS-1", "GS-4", "PD-12", "CL-3", "FN-7", "PW-2"),
    "doc": _num("DOC-", 1000000, 1999999),
    "doc_format": _pick("pdf", "pdf", "native", "tiff"),
    "matter": _num("LIT-", 100, 199),
    "schedule": _pick("GS-1-7y", "PD-12-3y", "FN-7-6y"),
    "meeting": _pick("council-2027-02-01", "plancomm-2027-01-25", "council-2027-01-18"),
    "item": lambda r: f"{r.randint(1, 18)}.{r.choice('abc')}",
    "tally": _pick("7-0", "6-1", "5-2", "4-3"),
    "ticket": _num("INC", 40000, 49999),
    "it_queue": _pick("desk", "network", "apps", "security"),
    "account": _num("u", 1000, 1999),
    "ad_group": _pick("gg-permits-rw", "gg-finance-ro", "gg-vpn", "gg-records-ro"),
    "secret": _pick("scada-api", "payimport-sftp", "ami-token", "gis-db", "edms-svc"),
    "parcel": lambda r: f"{r.randint(10, 99)}-{r.randint(10, 36)}-{r.randint(100, 499)}-001",
    "layer": _pick("parcels", "water_mains", "valves", "zoning", "snow_routes", "wards"),
    "bbox": lambda r: [round(-90.7 + r.uniform(0, 0.2), 5), round(41.5 + r.uniform(0, 0.2), 5),
                       round(-90.5 + r.uniform(0, 0.05), 5), round(41.7 + r.uniform(0, 0.05), 5)],
    "map_format": _pick("pdf", "geojson", "png"),
    "feature": _num("F", 10000, 99999),
    "foia_status": _pick("new", "assigned", "review", "due_this_week"),
    "foia": _num("FOIA-27-", 10, 480),
    "util_account": _num("UA-", 100000, 199999),
    "pay_file": lambda r: f"lockbox-{r.randint(1, 4)}-{r.randint(1000, 9999)}.csv",
    "route": _num("R", 1, 48),
    "station": _pick("lift-3", "lift-7", "tower-n", "tower-s", "wtp-in", "wtp-out", "lift-11"),
    "alarm": _pick("high_level", "low_pressure", "comm_loss", "pump_fail"),
}  # fmt: skip

_URIS: Final[dict[str, Callable[[random.Random], str]]] = {
    "kb://": lambda r: f"kb://articles/{r.randint(100, 480)}",
    "plans://": lambda r: f"plans://BP-27-{r.randint(100, 2400)}/sheet-{r.randint(1, 24)}.pdf",
    "gis://": lambda r: f"gis://layers/{r.choice(('valves', 'water_mains', 'snow_routes'))}",
    "docs://": lambda r: f"docs://DOC-{r.randint(1000000, 1999999)}",
    "minutes://": lambda r: f"minutes://{r.choice(('council', 'plancomm'))}/{r.randint(4, 25)}",
}  # fmt: skip


def value(kind: str, rng: random.Random, ctx: dict[str, Any]) -> Any:
    """A value of ``kind``: the task's own (``ctx``) when it already has one."""
    if kind not in ctx:
        ctx[kind] = _KINDS[kind](rng)
    return ctx[kind]


def args_for(
    fields: tuple[tuple[str, str], ...], rng: random.Random, ctx: dict[str, Any]
) -> dict[str, Any]:
    """Arguments for a tool's ``fields``; free text is drawn anew, entities kept per task."""
    return {name: _text(rng) if kind == "text" else value(kind, rng, ctx) for name, kind in fields}


def uri_for(scheme: str, rng: random.Random) -> str:
    """A resource of ``scheme``."""
    return _URIS[scheme](rng)
