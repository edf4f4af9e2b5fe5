"""Patient flow: arrivals and what then happens to each patient, as time-stamped steps.

ED arrivals follow the hour of day (quiet 03:00-06:00, busiest late morning and early evening)
and the day of the week (Monday busiest); a weekday brings elective surgical admissions booked
days before. A patient is triaged, assessed (lab and imaging orders), reviewed when results are
back, then sent home or admitted: to the acute medical unit and on to a medical ward, to the
surgical ward, or to ICU first. Inpatients get a ward round every morning, nursing rounds every
shift, the robot's morning dispense; discharge happens in the working day (weekend discharges
often wait for Monday) and is coded by the coders on the next weekday. Arrivals start five days
before the simulated window so the wards are full on day 0.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Final

__all__ = ["Patient", "Step", "patient_flow", "poisson"]

HOUR_US: Final = 3_600_000_000
DAY_US: Final = 24 * HOUR_US
MIN_US: Final = 60_000_000
_WARMUP_DAYS: Final = 5
# relative ED arrivals per hour of the day, and per weekday (Monday first)
_HOURLY: Final = (
    0.55,
    0.45,
    0.38,
    0.3,
    0.28,
    0.3,
    0.4,
    0.6,
    0.95,
    1.3,
    1.45,
    1.5,
    1.45,
    1.35,
    1.3,
    1.3,
    1.35,
    1.4,
    1.35,
    1.2,
    1.05,
    0.9,
    0.8,
    0.65,
)
_WEEKLY: Final = (1.18, 1.04, 1.0, 0.98, 1.02, 0.9, 0.92)


@dataclass(slots=True)
class Patient:
    mrn: str
    encounter: str
    surname: str
    dob: str
    complaint: str
    admitted: bool = False
    labs: list[str] = field(default_factory=list)
    accession: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """Something that happens to a patient at ``ts`` on ``unit``: ``kind`` names the work."""

    ts: int
    kind: str
    patient: Patient
    unit: str


_COMPLAINTS: Final = (
    "chest_pain",
    "shortness_of_breath",
    "abdominal_pain",
    "fall",
    "sepsis",
    "stroke",
    "headache",
    "fracture",
    "collapse",
    "confusion",
    "cellulitis",
    "overdose",
)
_LABS: Final = ("FBC", "U&E", "CRP", "LFT", "TROP", "COAG", "LACT", "VBG", "BCUL")
_SURNAMES: Final = [
    "smith",
    "brown",
    "wilson",
    "taylor",
    "davies",
    "evans",
    "thomas",
    "roberts",
    "johnson",
    "lewis",
    "walker",
    "white",
    "edwards",
    "hughes",
    "green",
    "hall",
    "wood",
    "harris",
    "martin",
    "jackson",
    "clarke",
    "clark",
    "turner",
    "hill",
    "scott",
    "cooper",
    "morris",
    "ward",
    "moore",
    "king",
    "watson",
    "baker",
    "harrison",
    "morgan",
    "patel",
    "young",
    "allen",
    "mitchell",
]


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; ``lam`` is small here)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _patient(rng: random.Random) -> Patient:
    dob = f"{rng.randint(1931, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Patient(
        mrn=f"M{rng.randint(1_000_000, 9_999_999)}",
        encounter=f"E{rng.randint(10_000_000, 99_999_999)}",
        surname=rng.choice(_SURNAMES),
        dob=dob,
        complaint=rng.choice(_COMPLAINTS),
    )


def _next_weekday_hour(
    t: int, start_us: int, weekday0: int, lo: float, hi: float, rng: random.Random
) -> int:
    day = (t - start_us) // DAY_US + 1
    while (weekday0 + day) % 7 >= 5:
        day += 1
    return start_us + day * DAY_US + int(rng.uniform(lo, hi) * HOUR_US)


def patient_flow(
    rng: random.Random, start_us: int, days: int, weekday0: int, arrivals_per_day: float
) -> list[Step]:
    """Every step of every patient whose journey touches the window, sorted by time."""
    steps: list[Step] = []
    per_hour = arrivals_per_day / sum(_HOURLY)
    for d in range(-_WARMUP_DAYS, days):
        wd = (weekday0 + d) % 7
        day_start = start_us + d * DAY_US
        for h in range(24):
            for _ in range(poisson(rng, per_hour * _HOURLY[h] * _WEEKLY[wd])):
                t = day_start + h * HOUR_US + rng.randrange(HOUR_US)
                _ed_journey(rng, steps, t, start_us, weekday0)
        if wd < 5:
            for _ in range(poisson(rng, 5.0)):
                _elective(rng, steps, day_start, start_us, weekday0)
    steps.sort(key=lambda s: (s.ts, s.kind, s.patient.mrn))
    return steps


def _minutes(rng: random.Random, lo: float, hi: float) -> int:
    return int(rng.uniform(lo, hi) * MIN_US)


def _ed_journey(rng: random.Random, out: list[Step], t0: int, start_us: int, wd0: int) -> None:
    p = _patient(rng)
    add = out.append
    add(Step(t0 + _minutes(rng, 3, 20), "triage", p, "ED"))
    assess = t0 + _minutes(rng, 20, 150)
    p.labs = rng.sample(_LABS, rng.choices((0, 1, 2, 3, 4), (1, 2, 4, 3, 1))[0])
    if rng.random() < 0.35:
        p.accession = f"ACC{rng.randint(1_000_000, 9_999_999)}"
    add(Step(assess, "ed_assess", p, "ED"))
    back = assess
    for _ in p.labs:
        r = assess + _minutes(rng, 40, 100)
        back = max(back, r)
        add(Step(r, "lab_result", p, "LAB"))
    if p.accession:
        r = assess + _minutes(rng, 30, 180)
        back = max(back, r)
        add(Step(r, "radiology", p, "RAD"))
    review = back + _minutes(rng, 5, 40)
    add(Step(review, "ed_review", p, "ED"))
    decide = review + _minutes(rng, 10, 60)
    if rng.random() >= 0.28:
        add(Step(decide, "ed_discharge", p, "ED"))
        return
    p.admitted = True
    add(Step(decide, "admit_request", p, "ED"))
    arrive = decide + _minutes(rng, 30, 300)
    route = rng.choices(("AMU", "SURG", "ICU"), (65, 27, 8))[0]
    if route == "AMU":
        stays = [("AMU", rng.uniform(12, 36)), ("MED", 24 * rng.lognormvariate(math.log(2.5), 0.6))]
    elif route == "SURG":
        stays = [("SURG", 24 * rng.lognormvariate(math.log(3.0), 0.6))]
    else:
        nxt = rng.choice(("MED", "SURG"))
        stays = [("ICU", rng.uniform(24, 72)), (nxt, 24 * rng.lognormvariate(math.log(3.5), 0.5))]
    _inpatient(rng, out, p, arrive, stays, start_us, wd0)


def _elective(rng: random.Random, out: list[Step], day_start: int, start_us: int, wd0: int) -> None:
    p = _patient(rng)
    p.admitted = True
    p.complaint = rng.choice(("hip_replacement", "cholecystectomy", "hernia_repair", "tkr"))
    booked = day_start - rng.randint(2, 6) * DAY_US + int(rng.uniform(9, 15.5) * HOUR_US)
    if (wd0 + (booked - start_us) // DAY_US) % 7 < 5:
        out.append(Step(booked, "elective_booking", p, "THEATRES"))
    arrive = day_start + int(rng.uniform(7.0, 8.5) * HOUR_US)
    out.append(Step(arrive - _minutes(rng, 5, 30), "pre_op", p, "SURG"))
    _inpatient(rng, out, p, arrive, [("SURG", 24 * rng.uniform(1, 3.5))], start_us, wd0)


def _inpatient(
    rng: random.Random,
    out: list[Step],
    p: Patient,
    arrive: int,
    stays: list[tuple[str, float]],
    start_us: int,
    wd0: int,
) -> None:
    add = out.append
    t = arrive
    for i, (unit, hours) in enumerate(stays):
        add(Step(t, "ward_arrival" if i == 0 else "transfer", p, unit))
        end = t + int(hours * HOUR_US)
        last = i == len(stays) - 1
        if last:  # discharges happen in the working day, often not at weekends
            day = (end - start_us) // DAY_US
            while (wd0 + day) % 7 >= 5 and rng.random() < 0.6:
                day += 1
            end = start_us + day * DAY_US + int(rng.uniform(10.5, 17.5) * HOUR_US)
            end = max(end, t + 4 * HOUR_US)
        day = (t - start_us) // DAY_US
        while start_us + day * DAY_US < end:
            base = start_us + day * DAY_US
            for ts, kind in (
                (base + int(rng.uniform(8.5, 12.5) * HOUR_US), "ward_round"),
                (base + int(rng.uniform(6.0, 9.0) * HOUR_US), "dispense"),
                (base + int(rng.uniform(8.0, 12.0) * HOUR_US), "nursing"),
                (base + int(rng.uniform(13.0, 18.5) * HOUR_US), "nursing"),
                (base + int(rng.uniform(20.0, 23.5) * HOUR_US), "nursing"),
                (base + int(rng.uniform(24.5, 30.5) * HOUR_US), "nursing"),
            ):
                if t < ts < end:
                    add(Step(ts, kind, p, unit))
            day += 1
        t = end
    add(Step(t, "discharge", p, stays[-1][0]))
    add(Step(_next_weekday_hour(t, start_us, wd0, 9.5, 16.5, rng), "coding", p, "CODING"))
