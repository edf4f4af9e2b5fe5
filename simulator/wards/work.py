"""Patient steps become calls by whoever is on shift for the unit at the time.

:class:`Ward` holds the rota and the recorder; :meth:`Ward.step` runs one
:class:`~.flow.Step`. A patient keeps one nurse (and one doctor) for the length of a shift
(the patient's number picks among those on); when a unit has nobody of a role on, the cover
units' staff do the work (a night doctor covers all the wards), and when nobody can, the step
leaves no call (the work waits, as it does).
"""

from __future__ import annotations

import random
import zlib
from typing import Final

from ._calls import Actor, Recorder, Task
from .args import bed, drug, note, order_id
from .flow import MIN_US, Patient, Step
from .org import SERVICES, Person
from .rota import Rota

__all__ = ["Ward"]

_OBS_KEYS: Final = ("hr", "rr", "sbp", "spo2", "temp")


def actor(p: Person, ts: int, agent: str | None = None) -> Actor:
    return Actor(p.name, agent or p.agents[0], p.client, p.version_at(ts))


def service(kind: str) -> Actor:
    user, agent, client, version = SERVICES[kind]
    return Actor(user, agent, client, version)


class Ward:
    """Turns steps into tasks of the people on shift."""

    def __init__(self, rng: random.Random, rota: Rota, rec: Recorder) -> None:
        self.rng, self.rota, self.rec = rng, rota, rec

    def task(self, role: str, unit: str, ts: int, p: Patient, *, agent: int = 0) -> Task | None:
        """A task for the ``role`` on shift for ``unit`` at ``ts`` (None: nobody is on)."""
        s = self.rota.on(role, unit, ts, zlib.crc32(p.mrn.encode()))
        if s is None:
            return None
        who = s.person
        return self.rec.task(actor(who, ts, who.agents[min(agent, len(who.agents) - 1)]), ts)

    def step(self, s: Step) -> None:
        getattr(self, f"_{s.kind}")(s)

    # -- emergency department -----------------------------------------------------------------

    def _triage(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("nurse", "ED", s.ts, p)) is None:
            return
        t.call("ehr_search_patients", {"query": f"{p.surname} {p.dob}", "limit": 10})
        if rng.random() < 0.2:
            t.call(
                "ehr_register_patient",
                {
                    "surname": p.surname,
                    "dob": p.dob,
                    "arrival": rng.choice(("ambulance", "walk-in")),
                },
            )
        self.obs(t, p)
        t.call(
            "ehr_write_note",
            {
                "mrn": p.mrn,
                "encounter_id": p.encounter,
                "note_type": "triage",
                "text": note(rng, 200, 700),
            },
        )

    def _ed_assess(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("doctor", "ED", s.ts, p)) is None:
            return
        if rng.random() < 0.01:  # a restricted record: break glass first
            t.call("iam_break_glass", {"mrn": p.mrn, "reason": "emergency_care"})
        t.read(f"ehr://patient/{p.mrn}/summary")
        if rng.random() < 0.5:
            t.call("ehr_list_notes", {"mrn": p.mrn, "encounter_id": p.encounter})
        if rng.random() < 0.03:
            t.call(
                "msg_page",
                {
                    "to": f"oncall:{rng.choice(('surgery', 'medicine', 'icu'))}",
                    "text": note(rng, 40, 160),
                },
            )
        t.call(
            "ehr_write_note",
            {
                "mrn": p.mrn,
                "encounter_id": p.encounter,
                "note_type": "clerking",
                "text": note(rng, 600, 2400),
            },
        )
        if not (p.labs or p.accession):
            return
        o = self.task("doctor", "ED", t.t, p, agent=1)
        assert o is not None
        if rng.random() < 0.4:
            o.call("orders_get_orderset", {"name": p.complaint})
        ids = []
        for code in p.labs:
            ids.append(order_id(rng))
            o.call(
                "orders_create",
                {"mrn": p.mrn, "encounter_id": p.encounter, "code": code, "priority": "urgent"},
                think=(0.5, 2.0),
            )
        if p.accession:
            o.call(
                "imaging_request",
                {"mrn": p.mrn, "modality": rng.choice(("CT", "XR", "US")), "reason": p.complaint},
            )
        if ids:
            o.call("orders_sign", {"order_ids": ids})
        if rng.random() < 0.4:
            o.call("rx_check_interactions", {"mrn": p.mrn, "drugs": [drug(rng), drug(rng)]})

    def _lab_result(self, s: Step) -> None:
        t = self.rec.task(service("lab"), s.ts)
        code = s.patient.labs[zlib.crc32(str(s.ts).encode()) % len(s.patient.labs)]
        t.call(
            "lab_post_result",
            {"mrn": s.patient.mrn, "code": code, "message_type": "ORU^R01"},
            think=(0.0, 0.5),
        )

    def _radiology(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        key = zlib.crc32(p.mrn.encode())
        sh = self.rota.on("radiologist", "RAD", s.ts, key) or self.rota.on(
            "radiologist", "RAD", s.ts, key, oncall=True
        )
        if sh is None or p.accession is None:
            return
        t = self.rec.task(actor(sh.person, s.ts), s.ts)
        if rng.random() < 0.3:
            t.call("imaging_list_studies", {"status": "unreported", "priority": "urgent"})
        for series in range(1, rng.randint(2, 4)):
            t.call("imaging_fetch_series", {"accession": p.accession, "series": series})
        t.call(
            "imaging_write_report",
            {"accession": p.accession, "text": note(rng, 300, 1200)},
            think=(30.0, 240.0),
        )

    def _ed_review(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("doctor", "ED", s.ts, p)) is None:
            return
        if p.labs:
            t.call("lab_get_results", {"mrn": p.mrn, "codes": p.labs, "since_hours": 12})
            if rng.random() < 0.05:  # a haemolysed sample: cancel it, add the test on another
                t.call(
                    "lab_cancel_specimen", {"mrn": p.mrn, "code": p.labs[0], "reason": "haemolysed"}
                )
                t.call("lab_add_on_test", {"mrn": p.mrn, "code": p.labs[0]})
        if p.accession:
            t.call("imaging_get_report", {"accession": p.accession})
        t.call(
            "ehr_write_note",
            {
                "mrn": p.mrn,
                "encounter_id": p.encounter,
                "note_type": "review",
                "text": note(rng, 200, 900),
            },
        )

    def _ed_discharge(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("doctor", "ED", s.ts, p)) is None:
            return
        t.call(
            "docs_write",
            {
                "path": f"letters/{p.mrn}/{p.encounter}-ed.pdf",
                "template": "ed_discharge",
                "text": note(rng, 400, 1500),
            },
        )
        if rng.random() < 0.3:
            t.call(
                "msg_send", {"to": f"gp:{rng.randint(80000, 89999)}", "text": note(rng, 80, 300)}
            )

    def _admit_request(self, s: Step) -> None:
        p = s.patient
        if (t := self.task("nurse", "ED", s.ts, p)) is None:
            return
        t.call("flow_request_bed", {"mrn": p.mrn, "complaint": p.complaint, "priority": "high"})

    # -- wards -------------------------------------------------------------------------------

    def _bed(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        ts = s.ts - int(rng.uniform(15, 45) * MIN_US)
        if (t := self.task("bed_manager", "FLOW", ts, p)) is None:
            return
        t.call("flow_bed_board", {"unit": s.unit})
        t.call("flow_assign_bed", {"mrn": p.mrn, "unit": s.unit, "bed": bed(rng, s.unit)})

    def _ward_arrival(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        self._bed(s)
        if (t := self.task("nurse", s.unit, s.ts, p)) is not None:
            t.read(f"ehr://patient/{p.mrn}/summary")
            self.obs(t, p)
            if rng.random() < 0.5:
                self.admin(t, p)
            t.call(
                "ehr_write_note",
                {
                    "mrn": p.mrn,
                    "encounter_id": p.encounter,
                    "note_type": "admission",
                    "text": note(rng, 300, 900),
                },
            )
        sh = self.rota.on(
            "pharmacist", "PHARM", s.ts + 2 * 3_600_000_000, zlib.crc32(p.mrn.encode())
        )
        if sh is not None:
            ph = self.rec.task(actor(sh.person, s.ts), s.ts + int(rng.uniform(30, 120) * MIN_US))
            ph.call("rx_reconcile", {"mrn": p.mrn, "sources": ["gp_record", "patient", "pod"]})
            ph.call("rx_check_interactions", {"mrn": p.mrn, "drugs": [drug(rng) for _ in range(4)]})

    def _transfer(self, s: Step) -> None:
        self._ward_arrival(s)

    def _pre_op(self, s: Step) -> None:
        p = s.patient
        if (t := self.task("doctor", "SURG", s.ts, p)) is None:
            return
        t.call("ehr_get_patient", {"mrn": p.mrn, "sections": ["allergies", "meds", "consent"]})
        t.call(
            "orders_create",
            {"mrn": p.mrn, "encounter_id": p.encounter, "code": "G&S", "priority": "routine"},
        )

    def _ward_round(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("doctor", s.unit, s.ts, p)) is not None:
            t.read(f"ehr://patient/{p.mrn}/summary")
            t.call("lab_get_results", {"mrn": p.mrn, "since_hours": 24})
            if rng.random() < 0.3:
                t.call("ehr_list_notes", {"mrn": p.mrn, "encounter_id": p.encounter})
            if rng.random() < 0.1:
                t.call("ehr_get_encounter", {"mrn": p.mrn, "encounter_id": p.encounter})
            t.call(
                "ehr_write_note",
                {
                    "mrn": p.mrn,
                    "encounter_id": p.encounter,
                    "note_type": "progress",
                    "text": note(rng, 300, 1400),
                },
            )
            if rng.random() < 0.03:
                t.call(
                    "ehr_amend_note",
                    {"mrn": p.mrn, "encounter_id": p.encounter, "text": note(rng, 100, 500)},
                )
            if rng.random() < 0.5 and (o := self.task("doctor", s.unit, t.t, p, agent=1)):
                if rng.random() < 0.3:
                    o.call("orders_list", {"mrn": p.mrn, "status": "active"})
                if rng.random() < 0.08:
                    o.call("orders_cancel", {"order_id": order_id(rng), "reason": "duplicate"})
                if rng.random() < 0.05:
                    o.call("lab_add_on_test", {"mrn": p.mrn, "code": "MG"})
                ids = [order_id(rng) for _ in range(rng.randint(1, 2))]
                for _ in ids:
                    o.call(
                        "orders_create",
                        {
                            "mrn": p.mrn,
                            "encounter_id": p.encounter,
                            "code": rng.choice(("FBC", "U&E", "CRP", "XR")),
                        },
                    )
                o.call("orders_sign", {"order_ids": ids})
        if rng.random() < 0.35 and (c := self.task("consultant", s.unit, s.ts + 20 * MIN_US, p)):
            c.call("ehr_get_patient", {"mrn": p.mrn, "sections": ["problems", "results"]})
            if rng.random() < 0.02:
                c.call("imaging_get_report", {"mrn": p.mrn, "latest": True})
            c.call(
                "ehr_write_note",
                {
                    "mrn": p.mrn,
                    "encounter_id": p.encounter,
                    "note_type": "consultant",
                    "text": note(rng, 100, 500),
                },
            )
        if rng.random() < 0.3 and (ph := self.task("pharmacist", "PHARM", s.ts + 90 * MIN_US, p)):
            ph.call("rx_verify_order", {"mrn": p.mrn, "order_id": order_id(rng)})

    def _nursing(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("nurse", s.unit, s.ts, p)) is None:
            return
        for _ in range(2 if s.unit == "ICU" else 1):
            self.obs(t, p)
        for _ in range(rng.randint(0, 2)):
            self.admin(t, p)
        if rng.random() < 0.25:
            t.call(
                "ehr_write_note",
                {
                    "mrn": p.mrn,
                    "encounter_id": p.encounter,
                    "note_type": "nursing",
                    "text": note(rng, 100, 600),
                },
            )

    def _dispense(self, s: Step) -> None:
        t = self.rec.task(service("robot"), s.ts)
        t.call(
            "rx_dispense",
            {"mrn": s.patient.mrn, "ward": s.unit, "items": self.rng.randint(1, 9)},
            think=(0.0, 1.0),
        )

    def _discharge(self, s: Step) -> None:
        p, rng = s.patient, self.rng
        if (t := self.task("doctor", s.unit, s.ts, p)) is not None:
            t.call(
                "docs_write",
                {
                    "path": f"letters/{p.mrn}/{p.encounter}-discharge.pdf",
                    "template": "discharge",
                    "text": note(rng, 800, 3000),
                },
            )
            if (o := self.task("doctor", s.unit, t.t, p, agent=1)) is not None:
                o.call("orders_create", {"mrn": p.mrn, "encounter_id": p.encounter, "code": "TTO"})
        if (ph := self.task("pharmacist", "PHARM", s.ts + 30 * MIN_US, p)) is not None:
            ph.call("rx_verify_order", {"mrn": p.mrn, "order_id": order_id(rng), "tto": True})
            if rng.random() < 0.05:
                ph.call("rx_cancel_dispense", {"mrn": p.mrn, "reason": "discharged"})
        if (b := self.task("bed_manager", "FLOW", s.ts + 60 * MIN_US, p)) is not None:
            b.call("flow_release_bed", {"mrn": p.mrn, "unit": s.unit})

    # -- back office ---------------------------------------------------------------------------

    def _coding(self, s: Step) -> None:
        p = s.patient
        if (t := self.task("coder", "CODING", s.ts, p)) is None:
            return
        self.code(t, p)

    def code(self, t: Task, p: Patient) -> None:
        """A coder codes one finished episode."""
        rng = self.rng
        t.call("coding_get_episode", {"encounter_id": p.encounter})
        if rng.random() < 0.3:
            t.call("ehr_list_notes", {"mrn": p.mrn, "encounter_id": p.encounter})
        if rng.random() < 0.3:
            t.read(f"docs://letters/{p.mrn}/{p.encounter}-discharge.pdf", size=40_000)
        if rng.random() < 0.08:  # a misfiled scan goes to the right record
            t.call(
                "docs_move",
                {
                    "path": f"scanned/inbox/{rng.getrandbits(32):08x}.tiff",
                    "to": f"records/{p.mrn}/",
                },
            )
        t.call("coding_suggest", {"encounter_id": p.encounter, "scheme": "ICD-10"})
        t.call(
            "coding_assign",
            {
                "encounter_id": p.encounter,
                "codes": [
                    f"{rng.choice('IJKRS')}{rng.randint(10, 99)}.{rng.randint(0, 9)}"
                    for _ in range(rng.randint(1, 4))
                ],
            },
        )

    def _elective_booking(self, s: Step) -> None:
        p = s.patient
        if (t := self.task("scheduler", "THEATRES", s.ts, p)) is None:
            return
        t.call("sched_theatre_list", {"theatre": f"T{self.rng.randint(1, 6)}", "days_ahead": 7})
        t.call(
            "sched_book_slot",
            {"mrn": p.mrn, "procedure": p.complaint, "theatre": f"T{self.rng.randint(1, 6)}"},
        )

    # -- shared ---------------------------------------------------------------------------------

    def obs(self, t: Task, p: Patient) -> None:
        rng = self.rng
        values = {k: rng.randint(10, 180) for k in _OBS_KEYS}
        t.call(
            "ehr_record_obs",
            {"mrn": p.mrn, "obs": values, "news2": rng.randint(0, 7)},
            think=(0.5, 3.0),
        )

    def admin(self, t: Task, p: Patient) -> None:
        rng = self.rng
        t.call(
            "rx_record_admin",
            {
                "mrn": p.mrn,
                "drug": drug(rng),
                "dose": f"{rng.randint(1, 20) * 50}mg",
                "barcode": f"{rng.getrandbits(40):010x}",
            },
            think=(0.5, 3.0),
        )
