"""The scored day's hard negatives: New Year's Eve, with snow in Chicago and Denver.

Each is benign work this airline really does that looks like an attack to something that only
counts: one person or job, labelled ``benign:<name>#0``.

``irops_mass_rebook``  a care lead rebooks passengers off the cancelled flights for hours
``storm_cancellations`` operations cancels a bank of flights in minutes (a destructive tool)
``crew_rebuild``       crew control pulls and reassigns crews pairing by pairing after the storm
``aog_night``          a day-shift mechanic is called in at 02:00 for an AOG: manuals, parts
``quarter_end_export`` revenue exports every market's year-end figures, megabytes each
``new_hire``           a care agent's first shift: new person, lists tools, refused twice
``role_change``        a line mechanic starts as maintenance controller in the OCC: new servers
``regulator_audit``    the safety office pulls hundreds of reports for the FAA inspector
``fare_rerun``         the fare batch fails validation, is fixed and rerun with big filings
``acars_backfill``     the datalink provider is down for an hour; the job then backfills
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Final

from ..model import DAY_US, UserProfile
from ._emit import SECOND, Recorder
from .people import HOUR_US, Person
from .traffic import MINUTE, Duty, _pnr

__all__ = ["HARD_NEGATIVES", "hard_negatives", "newcomers"]

HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(
    f"benign:{n}"
    for n in (
        "irops_mass_rebook",
        "storm_cancellations",
        "crew_rebuild",
        "aog_night",
        "quarter_end_export",
        "new_hire",
        "role_change",
        "regulator_audit",
        "fare_rerun",
        "acars_backfill",
    )
)


def newcomers(seed: int, day: int) -> list[Person]:
    """The new care agent who starts on the scored day."""
    rng = random.Random(f"airline:hire:{seed}")
    name = f"{rng.choice(['noor', 'theo', 'ines', 'kofi'])}.new{rng.randrange(10, 99)}"
    profile = UserProfile(
        name, "care", -7.0, 7.0, 15.0, ("care-assistant",), "care-desk", "5.1.0", day
    )
    return [Person(profile, "DEN", "fixed", 7.0, (-day) % 7)]


def _pick(
    rng: random.Random, people: list[Person], role: str, taken: set[str], station: str | None = None
) -> Person:
    pool = [
        p
        for p in people
        if p.role == role
        and p.name not in taken
        and p.profile.first_day == 0
        and (station is None or p.station == station)
    ]
    p = rng.choice(pool)
    taken.add(p.name)
    return p


def hard_negatives(rec: Recorder, duty: Duty, people: list[Person], day: int, seed: int) -> None:
    """Every hard negative on ``day`` (the scored day) into ``rec``."""
    rng = random.Random(f"airline:negatives:{seed}")
    d0 = rec.origin + day * DAY_US
    taken: set[str] = set()

    def at(local_hour: float, p: Person) -> int:
        return d0 + int((local_hour - p.profile.tz_hours) * HOUR_US) + rng.randrange(10 * MINUTE)

    lab = {n: f"{n}#0" for n in HARD_NEGATIVES}

    p = _pick(rng, people, "care", taken, "DEN")
    t, s = at(9.0, p), rec.session(p, at(9.0, p))
    for _ in range(150):
        pnr = _pnr(rng)
        t = rec.call(t, p, s, "booking_get", {"pnr": pnr}, label=lab["benign:irops_mass_rebook"])
        t = rec.call(
            t,
            p,
            s,
            "rebook",
            {"pnr": pnr, "reason": "cancellation", "waiver": "WX1231"},
            label=lab["benign:irops_mass_rebook"],
        )

    p = _pick(rng, people, "occ", taken)
    t, s = at(6.5, p), rec.session(p, at(6.0, p))
    for k in range(24):
        t = rec.call(
            t,
            p,
            s,
            "flight_cancel",
            {"flight": f"NW{100 + k * 3}", "reason": "WX ORD"},
            label=lab["benign:storm_cancellations"],
            fail=False,
        )

    p = _pick(rng, people, "crew", taken)
    t, s = at(8.0, p), rec.session(p, at(8.0, p))
    for _ in range(60):
        pairing = f"P{rng.randrange(1000, 9999)}"
        label = lab["benign:crew_rebuild"]
        t = rec.call(t, p, s, "crew_remove_from_pairing", {"pairing": pairing}, label=label)
        t = rec.call(
            t,
            p,
            s,
            "crew_assign",
            {"pairing": pairing, "crew": f"C{rng.randrange(10000, 19999)}"},
            label=label,
        )

    p = _pick(rng, people, "mro", taken, "ORD")
    if p.shift_start > 12:  # the night mechanic is already there; call the day one in
        taken.discard(p.name)
        p = _pick(rng, people, "mro", taken, "ORD")
    t, s = at(2.0, p), rec.session(p, at(2.0, p))
    label, tr = lab["benign:aog_night"], f"{rng.getrandbits(64):016x}"
    t = rec.call(t, p, s, "tech_log_get", {"tail": "N318NW"}, label=label, trace=tr)
    t = rec.call(t, p, s, "mel_lookup", {"ata": "32", "tail": "N318NW"}, label=label, trace=tr)
    for k in range(14):
        t = rec.read(t, p, s, f"manuals://amm/32-{40 + k}-00", label=label, trace=tr, size=150_000)
        t = rec.call(
            t,
            p,
            s,
            "part_search",
            {"pn": f"C2014{k:02d}-3", "station": "ORD"},
            label=label,
            trace=tr,
        )
    t = rec.call(t, p, s, "part_reserve", {"pn": "C201407-3", "to": "ORD"}, label=label, trace=tr)
    rec.call(
        t,
        p,
        s,
        "workorder_create",
        {"tail": "N318NW", "ata": "32", "aog": True},
        label=label,
        trace=tr,
    )

    p = _pick(rng, people, "revenue", taken, "DEN")
    t, s = at(15.5, p), rec.session(p, at(15.5, p))
    for mk in ("DENORD", "DENJFK", "ORDJFK", "DENHNL", "JFKLHR", "ORDLHR", "DENNRT", "ORDNRT") * 5:
        t = rec.call(
            t,
            p,
            s,
            "revenue_export",
            {"market": mk, "period": "2026Q4"},
            label=lab["benign:quarter_end_export"],
            result=rng.randrange(1_500_000, 4_000_000),
        )

    p = next(q for q in people if q.profile.first_day == day)
    t, s = at(7.2, p), rec.session(p, at(7.0, p))
    label = lab["benign:new_hire"]
    for k in range(25):
        t = rec.call(
            t, p, s, "pax_search", {"last_name": rng.choice(["lee", "kim", "ruiz"])}, label=label
        )
        t = rec.call(t, p, s, "booking_get", {"pnr": _pnr(rng)}, label=label)
        if k in (6, 17):
            t = rec.call(
                t,
                p,
                s,
                "refund_issue",
                {"pnr": _pnr(rng), "amount": 420},
                label=label,
                error="forbidden",
            )
        t += rng.randrange(3, 12) * MINUTE

    p = _pick(rng, people, "mro", taken, "DEN")
    p = replace(p, profile=replace(p.profile, agents=("occ-copilot",), client="ops-console"))
    t, s = at(9.0, p), rec.session(p, at(9.0, p) + 1)
    label = lab["benign:role_change"]
    for _ in range(20):
        t = rec.call(t, p, s, "flight_search", {"status": "aog"}, label=label)
        t = rec.call(
            t,
            p,
            s,
            "tail_swap",
            {"from": f"N{rng.randrange(300, 340)}NW", "to": f"N{rng.randrange(300, 340)}NW"},
            label=label,
        )
        t = rec.call(t, p, s, "crew_track", {"base": "DEN"}, label=label)
        t += rng.randrange(5, 20) * MINUTE

    p = _pick(rng, people, "safety", taken)
    t, s = at(9.5, p), rec.session(p, at(9.5, p))
    label = lab["benign:regulator_audit"]
    t = rec.call(
        t, p, s, "report_search", {"kind": "ASAP", "days": 365}, label=label, result=250_000
    )
    for k in range(220):
        t = rec.call(t, p, s, "report_get", {"report": f"SR-{21000 + k}"}, label=label)

    p = next(q for q in people if q.name == "svc-fares")
    s = rec.session(p, d0 + 1)
    t = d0 + 15 * HOUR_US + rng.randrange(10 * MINUTE)
    label = lab["benign:fare_rerun"]
    for k in range(30):
        t = rec.call(
            t,
            p,
            s,
            "fare_file",
            {"market": "ALL", "chunk": k},
            label=label,
            error="validation_error",
        )
    t += 40 * MINUTE
    for k in range(30):
        t = rec.call(
            t,
            p,
            s,
            "fare_file",
            {"market": "ALL", "chunk": k, "records": list(range(120))},
            label=label,
            fail=False,
        )

    p = next(q for q in people if q.name == "svc-acars")
    s = rec.session(p, d0 + 2)
    t = d0 + 20 * HOUR_US + rng.randrange(10 * MINUTE)
    label = lab["benign:acars_backfill"]
    for _ in range(40):
        t = (
            rec.call(
                t,
                p,
                s,
                "acars_message_ingest",
                {"batch": 0},
                label=label,
                error="service_unavailable",
            )
            + 80 * SECOND
        )
    for k in range(60):
        t = rec.call(
            t,
            p,
            s,
            "acars_message_ingest",
            {"batch": 400, "since": k},
            label=label,
            fail=False,
            result=2_000,
        )
