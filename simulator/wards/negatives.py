"""The scored day's hard negatives: benign, labelled ``benign:<name>#0``, and unusual.

- ``mass_casualty``: 15:40, a coach crash brings 30 patients in 45 minutes under temporary
  numbers; ED, surgeons, ICU, radiology and the bed manager work them up, off-shift staff are
  called in, elective theatre slots are cancelled.
- ``ehr_downtime``: 04:30-06:00 the EHR is down (every EHR call by staff fails), then the night
  staff type up their paper notes and observations until 07:00.
- ``compliance_audit``: the information-governance auditor (a few record reads most days) pulls
  the access trail of ~320 charts in three hours.
- ``agency_first_shift``: an agency nurse never seen before works a night on MED.
- ``rotation_to_nights``: a nurse who only ever worked days does her first night.
- ``retention_purge``: the monthly retention run deletes hundreds of expired scanned forms.
- ``month_end_coding``: the coders stay to 21:00 coding the month's backlog; claims by payer.
- ``oncall_page_3am``: the medical consultant on call, paged at 03:05, looks at CT images on
  the imaging server their history barely has.

:func:`plan` picks the people and fixes the scored day's shifts before the rota fills it;
:func:`apply` adds and labels the calls after the ordinary traffic is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from ._calls import Actor, Recorder
from .args import note
from .flow import DAY_US, HOUR_US, MIN_US, Patient
from .org import Person, Staff, person
from .rota import Rostering, Rota, Shift
from .routine import Census, purge
from .work import Ward, actor, service

__all__ = ["DESCRIPTIONS", "HARD_NEGATIVES", "Plan", "apply", "plan"]

DESCRIPTIONS: Final[dict[str, str]] = {
    "benign:mass_casualty": "major incident: 30 casualties in 45 min, staff called in",
    "benign:ehr_downtime": "EHR outage 04:30-06:00, then paper notes typed up",
    "benign:compliance_audit": "IG auditor pulls the access trail of ~320 charts",
    "benign:agency_first_shift": "an agency nurse's first shift (night, MED)",
    "benign:rotation_to_nights": "a day-only nurse's first night shift",
    "benign:retention_purge": "monthly retention run deletes expired scanned forms",
    "benign:month_end_coding": "coders work late on the month-end backlog; claims by payer",
    "benign:oncall_page_3am": "on-call physician paged at 03:05 reviews CT images",
}
#: the hard negatives of the scored day, each labelled ``<name>#0``
HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(DESCRIPTIONS)


def _label(name: str) -> str:
    return f"benign:{name}#0"


@dataclass
class Plan:
    """Who the scored day's negatives are about, and their fixed shifts."""

    day0: int  # start of the scored day (µs)
    agency: Person
    rotated: Person
    fixed: list[Shift] = field(default_factory=list)


def plan(rng: random.Random, staff: Staff, rostering: Rostering, day: int) -> Plan:
    """Choose the rotated nurse (only day shifts so far) and add the agency nurse."""
    day0 = rostering.start_us + day * DAY_US
    kinds: dict[str, set[str]] = {}
    for s in rostering.shifts:
        kinds.setdefault(s.person.name, set()).add(s.kind)
    rotated = next(
        p
        for p in sorted(staff.by_role["nurse"], key=lambda p: (p.unit != "SURG", p.name))
        if kinds.get(p.name) == {"day"} and not p.agency and p.available(day) and not p.moved
    )
    agency = person(
        rng, "agency.mensah7", "nurse", "MED", rostering.start_us, agency=True, only=range(0)
    )
    staff.add(agency)
    fixed = [
        Shift(
            rotated, rotated.unit, "night", day0 + 19 * HOUR_US, day0 + 31 * HOUR_US + HOUR_US // 2
        ),
        Shift(agency, "MED", "night", day0 + 19 * HOUR_US, day0 + 31 * HOUR_US + HOUR_US // 2),
    ]
    return Plan(day0, agency, rotated, fixed)


def apply(
    rng: random.Random, p: Plan, rota: Rota, rec: Recorder, ward: Ward, census: Census
) -> None:
    """Add the negatives' calls and label the calls that belong to them."""
    for who, name in ((p.rotated, "rotation_to_nights"), (p.agency, "agency_first_shift")):
        _relabel(rec, _label(name), lambda d, n=who.name: d[6] == n, p.day0, p.day0 + DAY_US)
    _downtime(rng, p, rec, ward)
    _mass_casualty(rng, p, rota, rec, ward)
    _audit(rng, p, rota, rec, census)
    _month_end(rng, p, rota, rec, ward)
    t = rec.task(service("retention"), p.day0 + 2 * HOUR_US, _label("retention_purge"))
    for _ in range(3):
        purge(rng, t, rng.randint(140, 170), label_year=2015)
    _page(rng, p, rota, rec, census)


def _relabel(rec: Recorder, label: str, match: object, lo: int, hi: int) -> list[list[object]]:
    hit = [d for d in rec.drafts if lo <= d[0] < hi and not d[15] and match(d)]  # type: ignore[operator]
    for d in hit:
        d[15] = label
    return hit


def _downtime(rng: random.Random, p: Plan, rec: Recorder, ward: Ward) -> None:
    lo, hi = p.day0 + 4 * HOUR_US + 30 * MIN_US, p.day0 + 6 * HOUR_US
    label = _label("ehr_downtime")
    staff_ehr = lambda d: d[1] == "ehr" and not str(d[6]).startswith("svc-")  # noqa: E731
    failed = _relabel(rec, label, staff_ehr, lo, hi)
    for d in failed:
        d[11], d[12], d[13], d[14] = (
            "error",
            "upstream_unavailable",
            rng.randint(2, 30) * 1_000_000,
            120,
        )
    by_user: dict[str, list[list[object]]] = {}
    for d in failed:
        by_user.setdefault(str(d[6]), []).append(d)
    for user, rows in sorted(by_user.items()):
        first = rows[0]
        who = Actor(user, str(first[7]), str(first[8]), str(first[9]))
        t = rec.task(who, hi + int(rng.uniform(2, 25) * MIN_US), label)
        for d in rows:
            if d[2] == "tools/call" and d[3] in ("ehr_write_note", "ehr_record_obs"):
                args = dict(d[5])  # type: ignore[call-overload]
                args["recorded_during_downtime"] = True
                t.call(str(d[3]), args, think=(5.0, 30.0), ok=True)
        for _ in range(rng.randint(2, 5)):
            pt = Patient(f"M{rng.randint(1_000_000, 9_999_999)}", "", "", "", "")
            t.call(
                "ehr_write_note",
                {
                    "mrn": pt.mrn,
                    "note_type": "downtime_transcription",
                    "text": note(rng, 600, 2500),
                },
                think=(20.0, 120.0),
            )


def _casualty(rng: random.Random, k: int) -> Patient:
    return Patient(
        f"T{9_000_000 + k * 37 + rng.randint(0, 36)}",
        f"E9{rng.randint(1_000_000, 9_999_999)}",
        f"unknown-{k:02d}",
        "1900-01-01",
        "major_trauma",
    )


def _mass_casualty(rng: random.Random, p: Plan, rota: Rota, rec: Recorder, ward: Ward) -> None:
    label = _label("mass_casualty")
    t0 = p.day0 + 15 * HOUR_US + 40 * MIN_US
    on = [s.person for s in rota.shifts if s.start <= t0 < s.end and s.kind != "oncall"]
    ed = [x for x in on if x.unit == "ED" and x.role in ("nurse", "doctor", "consultant")]
    called = [
        x
        for x in rota.shifts
        if x.person.role in ("doctor", "nurse")
        and x.start // DAY_US != t0 // DAY_US
        and x.person not in on
    ]
    extra = list(dict.fromkeys(s.person for s in called))[:8]
    team = ed + [x for x in on if x.role in ("consultant", "doctor") and x.unit in ("SURG", "ICU")]
    team += extra
    rad = [x for x in on if x.role == "radiologist"]
    flow = [x for x in on if x.role == "bed_manager"]
    nurses = [x for x in ed + extra if x.role == "nurse"] or ed
    docs = [x for x in team if x.role != "nurse"] or team
    if flow:
        b = rec.task(actor(flow[0], t0), t0, label)
        for x in extra:
            b.call(
                "msg_page",
                {"to": x.name, "text": "MAJOR INCIDENT declared: attend ED"},
                think=(2, 10),
            )
        for _ in range(8):
            b.call(
                "sched_cancel_slot",
                {"slot": f"T{rng.randint(1, 6)}-{rng.randint(1, 40)}", "reason": "major_incident"},
                think=(5, 30),
            )
        for _ in range(14):
            b.call("flow_bed_board", {"unit": "ALL"}, think=(60, 300))
    for k in range(30):
        pt = _casualty(rng, k)
        ts = t0 + rng.randint(0, 45 * MIN_US)
        n = rec.task(actor(nurses[k % len(nurses)], ts), ts, label)
        n.call(
            "ehr_register_patient",
            {"surname": pt.surname, "dob": pt.dob, "arrival": "major_incident"},
        )
        ward.obs(n, pt)
        d = rec.task(actor(docs[k % len(docs)], n.t), n.t + rng.randint(2, 20) * MIN_US, label)
        d.read(f"ehr://patient/{pt.mrn}/summary")
        acc = f"ACC9{rng.randint(100000, 999999)}"
        d.call("imaging_request", {"mrn": pt.mrn, "modality": "CT", "reason": "trauma_series"})
        for code in ("FBC", "G&S", "COAG", "VBG"):
            d.call(
                "orders_create",
                {"mrn": pt.mrn, "encounter_id": pt.encounter, "code": code, "priority": "stat"},
                think=(0.5, 2.0),
            )
        d.call(
            "ehr_write_note",
            {
                "mrn": pt.mrn,
                "encounter_id": pt.encounter,
                "note_type": "trauma",
                "text": note(rng, 400, 1600),
            },
        )
        if rad:
            r = rec.task(actor(rad[k % len(rad)], d.t), d.t + rng.randint(10, 40) * MIN_US, label)
            r.call("imaging_fetch_series", {"accession": acc, "series": 1})
            r.call(
                "imaging_write_report",
                {"accession": acc, "text": note(rng, 200, 800)},
                think=(30, 120),
            )
        d.call("lab_get_results", {"mrn": pt.mrn, "since_hours": 2}, think=(600, 1800))
        d.call("imaging_get_report", {"accession": acc})


def _audit(rng: random.Random, p: Plan, rota: Rota, rec: Recorder, census: Census) -> None:
    auditor = next(s.person for s in rota.shifts if s.person.role == "auditor")
    t = rec.task(actor(auditor, p.day0), p.day0 + 10 * HOUR_US, _label("compliance_audit"))
    t.call("docs_read", {"path": "audits/2026-11/terms-of-reference.pdf"})
    mrns = [
        m
        for u in ("MED", "SURG", "AMU", "ICU", "ED")
        for m in census.around(u, p.day0 - 4 * DAY_US, 96)
    ]
    for k, mrn in enumerate(mrns[:320]):
        t.call("ehr_get_patient", {"mrn": mrn, "sections": ["access_log"]}, think=(3.0, 40.0))
        if k % 4 == 0:
            t.call("ehr_list_notes", {"mrn": mrn, "author": "any"}, think=(2.0, 10.0))
        if k % 40 == 39:
            t.call(
                "sql_query", {"sql": "SELECT * FROM audit.record_access WHERE mrn = ANY(:batch)"}
            )
    t.call(
        "docs_write", {"path": "audits/2026-11/findings-draft.docx", "text": note(rng, 2000, 4000)}
    )


def _month_end(rng: random.Random, p: Plan, rota: Rota, rec: Recorder, ward: Ward) -> None:
    label = _label("month_end_coding")
    coders = sorted(
        {
            s.person.name: s.person
            for s in rota.shifts
            if s.person.role == "coder" and s.start // DAY_US == p.day0 // DAY_US
        }.values(),
        key=lambda x: x.name,
    )
    for c in coders:
        t = rec.task(actor(c, p.day0), p.day0 + int(rng.uniform(13.5, 15) * HOUR_US), label)
        for _ in range(rng.randint(45, 60)):
            pt = Patient(
                f"M{rng.randint(1_000_000, 9_999_999)}",
                f"E{rng.randint(10_000_000, 99_999_999)}",
                "",
                "",
                "",
            )
            ward.code(t, pt)
            t.wait(rng.uniform(240, 420))  # an episode takes minutes to read
    claims = rec.task(service("claims"), p.day0 + 22 * HOUR_US + 40 * MIN_US, label)
    for payer in ("nhs-sus", "bupa", "axa", "aviva", "vitality", "self-pay"):
        claims.call(
            "claims_submit_batch",
            {"batch": f"M2026-11-{payer}", "episodes": rng.randint(200, 900), "payer": payer},
            size=6.0,
        )
        claims.call("claims_status", {"batch": f"M2026-11-{payer}"}, think=(30, 120))


def _page(rng: random.Random, p: Plan, rota: Rota, rec: Recorder, census: Census) -> None:
    at = p.day0 + 3 * HOUR_US + 5 * MIN_US
    sh = rota.on("consultant", "MED", at, oncall=True)
    assert sh is not None
    t = rec.task(actor(sh.person, at), at, _label("oncall_page_3am"))
    mrns = census.around("MED", at, 4) or [f"M{rng.randint(1_000_000, 9_999_999)}"]
    mrn = mrns[0]
    acc = f"ACC{rng.randint(1_000_000, 9_999_999)}"
    t.call("msg_ack_page", {"page_id": f"PG{rng.randint(100000, 999999)}"})
    t.read(f"ehr://patient/{mrn}/summary")
    t.call("lab_get_results", {"mrn": mrn, "since_hours": 6})
    t.call("imaging_list_studies", {"mrn": mrn})
    t.call("imaging_fetch_series", {"accession": acc, "series": 1})
    t.call("imaging_fetch_series", {"accession": acc, "series": 2})
    t.call("imaging_get_report", {"accession": acc})
    t.call("orders_create", {"mrn": mrn, "code": "CTPA", "priority": "stat"})
    t.call(
        "ehr_write_note", {"mrn": mrn, "note_type": "telephone_advice", "text": note(rng, 200, 700)}
    )
    t.call("msg_send", {"to": "bleep:2212", "text": note(rng, 60, 200)})
