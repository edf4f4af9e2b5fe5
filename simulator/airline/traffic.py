"""The ordinary traffic: what people and jobs do about each day's flights and what goes wrong.

Each day holds a schedule of flights; every flight is planned and filed by the flight-plan job,
checked by the dispatcher on duty, turned by the origin station. Weather (snow at the northern
stations, most of it in Chicago and Denver) delays flights; a long delay sends crew control to
check legality and call out reserves, and customer care to rebook; a storm diverts some.
Aircraft break (AOG): the station's mechanic on duty troubleshoots from the tech log, the MEL
and the manual, orders a part and releases the aircraft hours later while operations swaps
tails. Between events people do their desk work at their own pace; jobs run on their clocks.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Final

from ..model import DAY_US
from ._emit import SECOND, Recorder
from .people import HOUR_US, STATIONS, Person, shifts

__all__ = ["Duty", "ordinary"]

MINUTE: Final = 60 * SECOND
_ROUTES: Final = [
    ("DEN", "ORD"),
    ("DEN", "JFK"),
    ("ORD", "JFK"),
    ("DEN", "HNL"),
    ("JFK", "LHR"),
    ("ORD", "LHR"),
    ("DEN", "NRT"),
    ("ORD", "NRT"),
    ("DEN", "LHR"),
]
_SNOW: Final = {"ORD": 0.22, "DEN": 0.18, "JFK": 0.12, "LHR": 0.06, "NRT": 0.05, "HNL": 0.0}


class Duty:
    """Who is on shift when: every person's shifts over the simulation, by role."""

    def __init__(self, people: list[Person], days: int, origin: int, weekday0: int) -> None:
        self.origin = origin
        self.by_role: dict[str, list[tuple[int, int, Person]]] = {}
        for p in people:
            for d in range(-1, days):
                if d < p.profile.first_day:
                    continue
                for lo, hi in shifts(p, d, weekday0):
                    self.by_role.setdefault(p.role, []).append((origin + lo, origin + hi, p))

    def who(
        self, rng: random.Random, role: str, t: int, station: str | None = None
    ) -> tuple[Person, int] | None:
        """Someone of ``role`` (at ``station``) on shift at ``t``, with their shift's start."""
        here = [
            (lo, p)
            for lo, hi, p in self.by_role.get(role, [])
            if lo <= t < hi and (station is None or p.station == station)
        ]
        if not here:
            return None
        lo, p = rng.choice(here)
        return p, lo


@dataclass(frozen=True, slots=True)
class Flight:
    number: str
    origin: str
    dest: str
    dep: int  # µs, UTC
    tail: str


def _pnr(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_uppercase + "23456789", k=6))


def schedule(rng: random.Random, day_start: int) -> list[Flight]:
    flights = []
    for k, (a, b) in enumerate(_ROUTES * 6):
        for o, d in ((a, b), (b, a)):
            if rng.random() < 0.15:
                continue
            local = 6 + rng.random() * 16
            dep = day_start + int((local - STATIONS[o]) * HOUR_US)
            tail = f"N{rng.randrange(300, 340)}NW"
            flights.append(Flight(f"NW{100 + k * 7 + (o < d)}", o, d, dep, tail))
    return flights


def ordinary(
    rec: Recorder,
    duty: Duty,
    people: list[Person],
    days: int,
    seed: int,
    weekday0: int,
    snow_day: dict[int, set[str]],
) -> None:
    """All the unlabelled traffic of ``days`` days into ``rec``."""
    svc = {p.name: p for p in people if p.role == "service"}
    for d in range(days):
        rng = random.Random(f"airline:day:{seed}:{d}")
        day0 = rec.origin + d * DAY_US
        snow = snow_day.get(d, set()) | {s for s, pr in _SNOW.items() if rng.random() < pr}
        for f in schedule(rng, day0):
            _flight(rec, duty, rng, f, snow, svc["svc-flightplan"], day0)
        for _ in range(rng.choice((0, 1, 1, 2))):
            _aog(rec, duty, rng, day0 + rng.randrange(DAY_US))
        _jobs(rec, rng, svc, day0, weekday0 + d)
    for p in people:
        if p.role == "service":
            continue
        for d in range(max(0, p.profile.first_day), days):
            for lo, hi in shifts(p, d, weekday0):
                _desk(
                    rec,
                    random.Random(f"airline:desk:{seed}:{p.name}:{d}"),
                    p,
                    rec.origin + lo,
                    rec.origin + hi,
                    d,
                )


def _flight(
    rec: Recorder, duty: Duty, rng: random.Random, f: Flight, snow: set[str], fp: Person, day0: int
) -> None:
    tr = f"{rng.getrandbits(64):016x}"
    sid = rec.session(fp, day0)
    t = f.dep - 90 * MINUTE + rng.randrange(5 * MINUTE)
    t = rec.call(
        t,
        fp,
        sid,
        "flight_plan_create",
        {"flight": f.number, "route": f"{f.origin}-{f.dest}"},
        trace=tr,
    )
    t = rec.call(
        t,
        fp,
        sid,
        "flight_plan_file",
        {"flight": f.number, "atc": "FAA" if f.origin != "LHR" else "EUROCONTROL"},
        trace=tr,
    )
    if (on := duty.who(rng, "dispatch", t)) is not None:
        p, lo = on
        s = rec.session(p, lo)
        t2 = t + rng.randrange(2 * MINUTE, 15 * MINUTE)
        t2 = rec.call(t2, p, s, "weather_get", {"station": f.dest, "kind": "TAF"}, trace=tr)
        if rng.random() < 0.5:
            t2 = rec.call(t2, p, s, "notam_search", {"station": f.dest}, trace=tr)
        if rng.random() < 0.3:
            t2 = rec.read(t2, p, s, f"ofp://{f.number}/{(f.dep // DAY_US)}", trace=tr)
        if f.dest in snow:
            t2 = rec.call(t2, p, s, "fuel_calc", {"flight": f.number, "extra_min": 30}, trace=tr)
    if (on := duty.who(rng, "station", f.dep - 40 * MINUTE, f.origin)) is not None:
        p, lo = on
        s = rec.session(p, lo)
        t3 = rec.call(f.dep - 40 * MINUTE, p, s, "turn_status_get", {"flight": f.number}, trace=tr)
        if rng.random() < 0.15:
            t3 = rec.call(
                t3,
                p,
                s,
                "gate_assign",
                {"flight": f.number, "gate": f"B{rng.randrange(1, 40)}"},
                trace=tr,
            )
        rec.call(
            f.dep - 20 * MINUTE,
            p,
            s,
            "load_sheet_create",
            {"flight": f.number, "pax": rng.randrange(90, 300)},
            trace=tr,
        )
    delay = 0.0
    if f.origin in snow or f.dest in snow:
        delay = rng.expovariate(1 / 80) if rng.random() < 0.55 else 0.0
    elif rng.random() < 0.12:
        delay = rng.expovariate(1 / 35)
    if delay >= 15:
        _delay(rec, duty, rng, f, int(delay), tr, divert=f.dest in snow and rng.random() < 0.08)


def _delay(
    rec: Recorder, duty: Duty, rng: random.Random, f: Flight, minutes: int, tr: str, divert: bool
) -> None:
    t = f.dep - rng.randrange(10, 60) * MINUTE
    if (on := duty.who(rng, "occ", t)) is not None:
        p, lo = on
        s = rec.session(p, lo)
        t1 = rec.call(t, p, s, "flight_status_get", {"flight": f.number}, trace=tr)
        rec.call(
            t1,
            p,
            s,
            "delay_code_set",
            {"flight": f.number, "code": rng.choice(["71", "75", "41", "93"]), "minutes": minutes},
            trace=tr,
        )
        if divert:
            alt = rng.choice([x for x in STATIONS if x not in (f.dest, f.origin)])
            t1 = rec.call(
                f.dep + 3 * HOUR_US,
                p,
                s,
                "diversion_plan",
                {"flight": f.number, "alternate": alt},
                trace=tr,
            )
            if (dd := duty.who(rng, "dispatch", t1)) is not None:
                dp, dlo = dd
                ds = rec.session(dp, dlo)
                t2 = rec.call(
                    t1 + MINUTE, dp, ds, "weather_get", {"station": alt, "kind": "METAR"}, trace=tr
                )
                rec.call(
                    t2,
                    dp,
                    ds,
                    "flight_plan_create",
                    {"flight": f.number, "route": f"{alt}-{f.dest}"},
                    trace=tr,
                )
    if minutes > 90 and (on := duty.who(rng, "crew", t + 5 * MINUTE)) is not None:
        p, lo = on
        s = rec.session(p, lo)
        t1 = rec.call(
            t + 5 * MINUTE,
            p,
            s,
            "crew_legality_check",
            {"flight": f.number, "delay_min": minutes},
            trace=tr,
        )
        if rng.random() < min(0.8, minutes / 300):  # the crew would time out: call a reserve
            t1 = rec.call(t1, p, s, "pairing_search", {"base": f.origin, "reserve": True}, trace=tr)
            t1 = rec.call(
                t1, p, s, "crew_roster_get", {"crew": f"C{rng.randrange(10000, 19999)}"}, trace=tr
            )
            t1 = rec.call(
                t1,
                p,
                s,
                "crew_assign",
                {"flight": f.number, "crew": f"C{rng.randrange(10000, 19999)}"},
                trace=tr,
            )
            rec.call(
                t1,
                p,
                s,
                "crew_notify",
                {"crew": f"C{rng.randrange(10000, 19999)}", "channel": "crew-app"},
                trace=tr,
            )
    if minutes > 150:
        for _ in range(rng.randrange(2, 8)):
            at = t + rng.randrange(10 * MINUTE, 120 * MINUTE)
            if (on := duty.who(rng, "care", at)) is not None:
                p, lo = on
                s = rec.session(p, lo)
                pnr = _pnr(rng)
                t1 = rec.call(at, p, s, "booking_get", {"pnr": pnr}, trace=tr)
                rec.call(
                    t1,
                    p,
                    s,
                    "rebook",
                    {"pnr": pnr, "flight": f.number, "reason": "delay"},
                    trace=tr,
                )


def _aog(rec: Recorder, duty: Duty, rng: random.Random, t: int) -> None:
    station = rng.choice(["DEN", "ORD", "JFK", "LHR", "NRT"])
    tail = f"N{rng.randrange(300, 340)}NW"
    tr = f"{rng.getrandbits(64):016x}"
    on = duty.who(rng, "mro", t, station)
    if on is None:
        return
    p, lo = on
    s = rec.session(p, lo)
    ata = rng.choice(["21", "24", "29", "32", "36", "49", "79"])
    t = rec.call(t, p, s, "tech_log_get", {"tail": tail}, trace=tr)
    t = rec.call(t, p, s, "defect_search", {"tail": tail, "ata": ata}, trace=tr)
    for _ in range(rng.randrange(1, 4)):
        t = rec.read(
            t,
            p,
            s,
            f"manuals://amm/{ata}-{rng.randrange(10, 99)}-{rng.randrange(0, 99):02d}",
            trace=tr,
            size=120_000,
        )
    t = rec.call(t, p, s, "mel_lookup", {"ata": ata, "tail": tail}, trace=tr)
    for _ in range(rng.randrange(1, 4)):
        t = rec.call(
            t,
            p,
            s,
            "part_search",
            {"pn": f"{rng.randrange(100000, 999999)}-{rng.randrange(1, 9)}", "station": station},
            trace=tr,
        )
    t = rec.call(
        t, p, s, "part_reserve", {"pn": f"{rng.randrange(100000, 999999)}", "to": station}, trace=tr
    )
    t = rec.call(t, p, s, "workorder_create", {"tail": tail, "ata": ata, "aog": True}, trace=tr)
    if (oc := duty.who(rng, "occ", t)) is not None:
        q, qlo = oc
        rec.call(
            t + 5 * MINUTE,
            q,
            rec.session(q, qlo),
            "tail_swap",
            {"from": tail, "to": f"N{rng.randrange(300, 340)}NW"},
            trace=tr,
        )
    later = t + rng.randrange(3, 9) * HOUR_US
    if (fix := duty.who(rng, "mro", later, station)) is not None:
        q, qlo = fix
        s2 = rec.session(q, qlo)
        later = rec.call(later, q, s2, "workorder_close", {"tail": tail, "ata": ata}, trace=tr)
        rec.call(later, q, s2, "aircraft_release", {"tail": tail}, trace=tr)


def _jobs(
    rec: Recorder, rng: random.Random, svc: dict[str, Person], day0: int, weekday: int
) -> None:
    acars = svc["svc-acars"]
    s = rec.session(acars, day0)
    for k in range(288):
        t = day0 + k * 5 * MINUTE + rng.randrange(20 * SECOND)
        t = rec.call(t, acars, s, "position_ingest", {"batch": rng.randrange(40, 160)})
        if k % 2 == 0:
            rec.call(t, acars, s, "acars_message_ingest", {"batch": rng.randrange(5, 40)})
    fares = svc["svc-fares"]
    s = rec.session(fares, day0)
    for hour in (1, 7, 13, 19):
        t = day0 + hour * HOUR_US + rng.randrange(5 * MINUTE)
        for _ in range(rng.randrange(8, 20) if weekday % 7 < 5 else rng.randrange(3, 8)):
            t = rec.call(
                t,
                fares,
                s,
                "fare_file",
                {
                    "market": rng.choice(["DENORD", "DENJFK", "JFKLHR", "DENNRT", "ORDLHR"]),
                    "records": rng.randrange(50, 900),
                },
            )
    legal = svc["svc-crewlegality"]
    s = rec.session(legal, day0)
    t = day0 + 9 * HOUR_US + rng.randrange(10 * MINUTE)  # 02:00 in Denver
    for _ in range(rng.randrange(30, 45)):
        t = rec.call(
            t,
            legal,
            s,
            "crew_legality_check",
            {"pairing": f"P{rng.randrange(1000, 9999)}", "horizon_h": 48},
        )


def _desk(rec: Recorder, rng: random.Random, p: Person, lo: int, hi: int, day: int) -> None:
    """A person's own work between events, at their own pace, with a break mid-shift."""
    s = rec.session(p, lo)
    pace = {
        "occ": 25,
        "crew": 30,
        "dispatch": 35,
        "mro": 40,
        "station": 45,
        "revenue": 18,
        "care": 9,
        "it": 45,
        "safety": 35,
    }[p.role]  # minutes between tasks
    t = lo + rng.randrange(2 * MINUTE, 20 * MINUTE)
    brk = lo + (hi - lo) // 2
    while t < hi - 10 * MINUTE:
        if brk <= t < brk + 40 * MINUTE:
            t = brk + 40 * MINUTE
            continue
        t = _task(rec, rng, p, s, t)
        t += int(rng.expovariate(1 / pace) * MINUTE) + MINUTE


def _task(rec: Recorder, rng: random.Random, p: Person, s: str, t: int) -> int:
    r = rng.random()
    if p.role == "occ":
        t = rec.call(
            t,
            p,
            s,
            "flight_search",
            {"status": rng.choice(["delayed", "out", "all"]), "hub": "DEN"},
        )
        if r < 0.1:
            t = rec.read(t, p, s, f"sop://occ/{rng.choice(['irops', 'deice', 'aog', 'diversion'])}")
        return (
            rec.call(t, p, s, "flight_status_get", {"flight": f"NW{rng.randrange(100, 170)}"})
            if r < 0.5
            else t
        )
    if p.role == "crew":
        t = rec.call(t, p, s, "crew_track", {"base": rng.choice(["DEN", "ORD", "JFK"])})
        return (
            rec.call(t, p, s, "crew_roster_get", {"crew": f"C{rng.randrange(10000, 19999)}"})
            if r < 0.6
            else t
        )
    if p.role == "dispatch":
        t = rec.call(
            t, p, s, "weather_get", {"station": rng.choice(list(STATIONS)), "kind": "METAR"}
        )
        return (
            rec.read(t, p, s, f"wx://sigmet/{rng.choice(['KZDV', 'KZAU', 'KZNY'])}", size=8_000)
            if r < 0.3
            else t
        )
    if p.role == "mro":
        tail = f"N{rng.randrange(300, 340)}NW"
        t = rec.call(t, p, s, "tech_log_get", {"tail": tail})
        if r < 0.4:
            t = rec.call(t, p, s, "defect_search", {"tail": tail, "open": True})
        if r < 0.15:
            t = rec.call(
                t,
                p,
                s,
                "workorder_close",
                {"tail": tail, "task": f"{rng.randrange(10, 99)}-{rng.randrange(100, 999)}"},
            )
        return t
    if p.role == "station":
        t = rec.call(t, p, s, "turn_status_get", {"station": p.station})
        return (
            rec.call(t, p, s, "baggage_trace", {"tag": f"0{rng.randrange(10**9)}"})
            if r < 0.35
            else t
        )
    if p.role == "revenue":
        mk = rng.choice(["DENORD", "DENJFK", "JFKLHR", "DENNRT", "ORDLHR", "DENHNL"])
        t = rec.call(
            t, p, s, "booking_curve_get", {"market": mk, "days_out": rng.choice([7, 14, 30, 60])}
        )
        t = rec.call(t, p, s, "inventory_get", {"market": mk})
        if r < 0.5:
            t = rec.call(t, p, s, "fare_search", {"market": mk, "cabin": rng.choice("YJ")})
        if r < 0.12:
            t = rec.call(t, p, s, "fare_file", {"market": mk, "records": rng.randrange(1, 20)})
        if r < 0.03:
            t = rec.call(
                t,
                p,
                s,
                "revenue_export",
                {"market": mk, "period": "week"},
                result=rng.randrange(200_000, 900_000),
            )
        return t
    if p.role == "care":
        name = rng.choice(["garcia", "smith", "tanaka", "nguyen", "okafor", "muller", "silva"])
        t = rec.call(t, p, s, "pax_search", {"last_name": name, "member": rng.random() < 0.5})
        t = rec.call(t, p, s, "pax_get", {"member": f"NW{rng.randrange(10**7, 10**8)}"})
        pnr = _pnr(rng)
        t = rec.call(t, p, s, "booking_get", {"pnr": pnr})
        if r < 0.2:
            t = rec.call(t, p, s, "rebook", {"pnr": pnr, "reason": "voluntary"})
        elif r < 0.25:
            t = rec.call(t, p, s, "refund_issue", {"pnr": pnr, "amount": rng.randrange(80, 900)})
        elif r < 0.35:
            t = rec.call(
                t,
                p,
                s,
                "miles_adjust",
                {"member": f"NW{rng.randrange(10**7, 10**8)}", "miles": rng.randrange(500, 5000)},
            )
        elif r < 0.37:
            t = rec.call(t, p, s, "booking_cancel", {"pnr": pnr, "reason": "customer request"})
        return t
    if p.role == "it":
        u = f"e{rng.randrange(10000, 99999)}"
        t = rec.call(t, p, s, "user_get", {"employee": u})
        if r < 0.3:
            t = rec.call(
                t,
                p,
                s,
                "role_grant",
                {"employee": u, "role": rng.choice(["care-agent", "ramp", "mro-line"])},
            )
        elif r < 0.45:
            t = rec.call(t, p, s, "session_revoke", {"employee": u, "reason": "password reset"})
        elif r < 0.6:
            t = rec.call(t, p, s, "audit_log_search", {"employee": u, "days": 7})
        elif r < 0.64:
            t = rec.call(t, p, s, "role_revoke", {"employee": u, "role": "contractor"})
        return t
    # safety
    t = rec.call(
        t, p, s, "report_search", {"kind": rng.choice(["ASAP", "FOQA", "ground"]), "days": 30}
    )
    t = rec.call(t, p, s, "report_get", {"report": f"SR-{rng.randrange(20000, 29999)}"})
    if r < 0.3:
        t = rec.call(
            t,
            p,
            s,
            "fdm_event_search",
            {"event": rng.choice(["unstable_approach", "hard_landing", "tcas_ra"])},
        )
    return t
