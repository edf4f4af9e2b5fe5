"""How the trials' work turns into calls: a queue of work items, each taken by whoever is on duty.

Patients visit the sites in clinic hours; each visit is a work item for the site's coordinator
(pages saved, kits assigned, labs looked at) and may raise more: an adverse event to code, a
serious one to the safety desk (whoever is on the 24/7 rota picks it up), a suspected unexpected
serious reaction to report and to the medical monitor. The nightly edit checks raise queries the
coordinators answer and the data managers close. Items wait in a heap by ready time; a person
takes one at ``max(ready, when they are free)``, inside their duty (``people.py``), so work
queues up behind busy people and waits over nights and weekends. Between items people do their
role's desk work at its pace. One agent session per person per duty block.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from typing import Any, Final

from ..model import DAY_US
from ._emit import SECOND, Emitter, Session
from .people import HOUR_US, SITES, STUDIES, Person, Site

__all__ = ["MINUTE", "World"]

MINUTE: Final = 60 * SECOND
_SITE: Final = {s.code: s for s in SITES}
_PAGES: Final = ("VS", "AE", "CM", "LB", "EX", "ECOG", "TU", "QS", "EG", "PE", "DS", "MH")
_DOMAINS: Final = ("dm", "ae", "cm", "lb", "ex", "vs", "eg", "mh", "ds", "tu", "rs", "qs")
_AE_TERMS: Final = ("nausea", "fatigue", "headache", "rash", "neutropenia", "dizziness",
                    "diarrhoea", "peripheral oedema", "insomnia", "cough", "pyrexia")  # fmt: skip


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < limit:
            return n
        n += 1


class World:
    """The span's people, their sessions and the queue of work, over one :class:`Emitter`."""

    def __init__(
        self, rng: random.Random, em: Emitter, people: list[Person], days: int, scored: int
    ) -> None:
        self.rng, self.em, self.days, self.scored = rng, em, days, scored
        self.people = people
        self.by_role: dict[str, list[Person]] = {}
        for p in people:
            self.by_role.setdefault(p.role, []).append(p)
        self.busy: dict[str, int] = {}
        self.sessions: dict[tuple[str, int], Session] = {}
        self.heap: list[tuple[int, int, str, dict[str, Any]]] = []
        self.seq = 0
        self.subjects = {s.code: 8 + rng.randint(0, 30) for s in SITES}
        self.amendment = (5 * DAY_US, 7 * DAY_US)  # CARD-210's protocol amendment, eCRF v3

    # -- time and sessions --------------------------------------------------------------------
    def abs(self, t: int) -> int:
        return self.em.origin + t

    def day_of(self, ts: int) -> int:
        return (ts - self.em.origin) // DAY_US

    def session(self, p: Person, ts: int, agent: str | None = None) -> Session:
        """The person's session for the duty block holding ``ts`` (a new one outside duty)."""
        rel = ts - self.em.origin
        block = next((i for i, (a, b) in enumerate(p.duty) if a - HOUR_US <= rel < b + HOUR_US),
                     -1 - rel // HOUR_US)  # fmt: skip
        key = (f"{p.name}/{agent or p.agent}", block)
        s = self.sessions.get(key)
        if s is None:
            day = rel // DAY_US
            v = p.new_version if p.update_day is not None and day >= p.update_day else p.version
            s = self.em.session(p.name, agent or p.agent, p.client, v)
            self.sessions[key] = s
        return s

    def on_duty(self, p: Person, rel: int) -> tuple[int, int] | None:
        """The duty block holding ``rel`` or the next one (None: none left)."""
        for a, b in p.duty:
            if rel < b:
                return (max(a, rel), b)
        return None

    def push(self, ready: int, kind: str, payload: dict[str, Any]) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (ready, self.seq, kind, payload))

    def take(self, who: list[Person], ready: int) -> tuple[Person, int] | None:
        """Whoever of ``who`` can start soonest at or after ``ready`` (absolute µs)."""
        best: tuple[int, int, Person] | None = None
        for k, p in enumerate(who):
            rel = max(ready, self.busy.get(p.name, 0)) - self.em.origin
            blk = self.on_duty(p, rel)
            if blk is not None and (best is None or blk[0] < best[0]):
                best = (blk[0], k, p)
        if best is None:
            return None
        start = self.abs(best[0]) + int(self.rng.uniform(1, 12) * MINUTE)
        return best[2], start

    def run(self, handlers: dict[str, Callable[[Person, int, dict[str, Any]], int]],
            assignees: Callable[[str, dict[str, Any]], list[Person]]) -> None:  # fmt: skip
        """Work the queue until it is empty or past the span."""
        while self.heap:
            ready, _, kind, payload = heapq.heappop(self.heap)
            if ready >= self.em.end:
                continue
            got = self.take(assignees(kind, payload), ready)
            if got is None:
                continue
            p, start = got
            end = handlers[kind](p, start, payload)
            self.busy[p.name] = end + int(self.rng.uniform(2, 10) * MINUTE)

    # -- shared ids ---------------------------------------------------------------------------
    def subject(self, site: str) -> str:
        return f"{site}-{self.rng.randint(1, self.subjects[site]):03d}"

    def site_of(self, p: Person) -> Site:
        return _SITE[p.sites[0]]

    def trace(self) -> str:
        return self.em.hexid(64)

    def gap(self, lo: float, hi: float) -> int:
        """Think time between two steps, seconds."""
        return int(self.rng.uniform(lo, hi) * SECOND)

    # -- the sites' day -----------------------------------------------------------------------
    def schedule_visits(self, scale: float) -> None:
        """Patient visits at every active site, in its clinic hours on weekdays."""
        rng = self.rng
        rate = {"ONC-301": 3.2 * scale, "CARD-210": 2.6 * scale, "NEURO-115": 2.2 * scale}
        for site in SITES:
            for day in range(site.first_day + 1, self.days):
                if (day + 3) % 7 >= 5:
                    continue
                for _ in range(_poisson(rng, rate[site.study])):
                    local = rng.uniform(8.5, 15.5)
                    ready = int((day * 24 + local - site.tz) * HOUR_US)
                    self.push(self.abs(ready), "visit", {"site": site.code})

    def visit(self, p: Person, ts: int, w: dict[str, Any], label: str = "") -> int:
        """A coordinator enters a patient visit: pages, kits, labs; AEs raise more work."""
        em, rng = self.em, self.rng
        site = _SITE[w["site"]]
        s, tr, subj = self.session(p, ts), self.trace(), self.subject(site.code)
        ts, ok = em.call(s, ts, "subject_get", {"study": site.study, "subject": subj}, tr)
        ts += self.gap(5, 40)
        ts, _ = em.call(s, ts, "visit_matrix_get", {"study": site.study, "subject": subj}, tr)
        amended = (
            site.study == "CARD-210" and self.amendment[0] <= ts - em.origin < self.amendment[1]
        )
        pages = rng.sample(_PAGES, rng.randint(3, 8))
        if amended:
            pages = ["IC-v3", *pages]
            if rng.random() < 0.3:
                ts = em.read(s, ts + self.gap(5, 20), "edc", "protocol://CARD-210/amendment-3",
                             tr, 640_000) + self.gap(30, 120)  # fmt: skip
        for page in pages:
            ts += self.gap(40, 300)
            args = {"study": site.study, "subject": subj, "page": page,
                    "values": em.text("form_save")}  # fmt: skip
            if amended:
                args["form_version"] = "3.0"
            err = "validation_error" if amended and rng.random() < 0.2 else None
            ts, ok = em.call(s, ts, "form_save", args, tr, error=err)
            if not ok and err:
                ts, ok = em.call(s, ts + self.gap(30, 150), "form_save", args, tr)
            if page == "AE" and rng.random() < 0.6:
                term = rng.choice(_AE_TERMS)
                self.push(
                    ts + rng.randint(1, 6) * HOUR_US,
                    "coding",
                    {"study": site.study, "terms": rng.randint(1, 3), "term": term},
                )
                if rng.random() < 0.06:
                    self.push(ts + rng.randint(10, 90) * MINUTE, "sae",
                              {"study": site.study, "site": site.code, "subject": subj,
                               "term": term})  # fmt: skip
        r = rng.random()
        if site.study != "NEURO-115" and r < 0.45:
            ts += self.gap(20, 90)
            if r < 0.08:
                stratum = rng.randint(1, 4)
                ts, _ = em.call(
                    s,
                    ts,
                    "subject_randomise",
                    {"study": site.study, "subject": subj, "stratum": stratum},
                    tr,
                )
            ts, ok = em.call(s, ts + self.gap(5, 30), "kit_assign",
                             {"study": site.study, "subject": subj}, tr)  # fmt: skip
            if ok:
                ts, _ = em.call(
                    s,
                    ts + self.gap(60, 400),
                    "kit_dispense_confirm",
                    {"kit": f"K{rng.randint(10000, 99999)}", "subject": subj},
                    tr,
                )
        if rng.random() < 0.35:
            ts, _ = em.call(s, ts + self.gap(10, 60), "lab_results_get",
                            {"study": site.study, "subject": subj}, tr)  # fmt: skip
        return ts

    def answer_queries(self, p: Person, ts: int, w: dict[str, Any]) -> int:
        em, rng = self.em, self.rng
        site = _SITE[w["site"]]
        s, tr = self.session(p, ts), self.trace()
        ts, _ = em.call(s, ts, "query_list", {"study": site.study, "site": site.code,
                                              "status": "open"}, tr)  # fmt: skip
        for _ in range(w["n"]):
            q = f"Q-{rng.randint(100000, 999999)}"
            ts, _ = em.call(
                s,
                ts + self.gap(20, 90),
                "form_get",
                {"study": site.study, "subject": self.subject(site.code)},
                tr,
            )
            ts, _ = em.call(
                s,
                ts + self.gap(30, 240),
                "query_answer",
                {"query": q, "answer": em.text("query_answer")},
                tr,
            )
        self.push(
            ts + rng.randint(2, 20) * HOUR_US,
            "review",
            {"study": site.study, "site": site.code, "n": w["n"]},
        )
        return ts

    def review_queries(self, p: Person, ts: int, w: dict[str, Any]) -> int:
        em, rng = self.em, self.rng
        s, tr = self.session(p, ts), self.trace()
        ts, _ = em.call(s, ts, "query_list", {"study": w["study"], "site": w["site"],
                                              "status": "answered"}, tr)  # fmt: skip
        for _ in range(w["n"]):
            q = f"Q-{rng.randint(100000, 999999)}"
            ts, _ = em.call(
                s,
                ts + self.gap(15, 120),
                "form_get",
                {"study": w["study"], "subject": self.subject(w["site"])},
                tr,
            )
            if rng.random() < 0.85:
                ts, _ = em.call(s, ts + self.gap(5, 40), "query_close", {"query": q}, tr)
            else:
                ts, _ = em.call(
                    s,
                    ts + self.gap(30, 120),
                    "query_open",
                    {"query": q, "text": em.text("query_open")},
                    tr,
                )
        return ts

    def sign(self, p: Person, ts: int, w: dict[str, Any]) -> int:
        em, rng = self.em, self.rng
        site = self.site_of(p)
        s, tr = self.session(p, ts), self.trace()
        for _ in range(rng.randint(3, 14)):
            subj = self.subject(site.code)
            ts, _ = em.call(s, ts, "form_get", {"study": site.study, "subject": subj}, tr)
            ts, _ = em.call(
                s,
                ts + self.gap(20, 120),
                "form_sign",
                {"study": site.study, "subject": subj, "reason": "PI review"},
                tr,
            )
            ts += self.gap(5, 30)
        return ts

    # -- the safety desk ----------------------------------------------------------------------
    def sae(self, p: Person, ts: int, w: dict[str, Any], label: str = "") -> int:
        em, rng = self.em, self.rng
        s, tr = self.session(p, ts), self.trace()
        case = f"{w['study'][:3]}-{rng.randint(2026000, 2026999)}"
        ts, _ = em.call(
            s,
            ts,
            "case_create",
            {
                "study": w["study"],
                "subject": w["subject"],
                "source": "edc",
                "summary": em.text("case_create"),
            },
            tr,
            label=label,
        )
        ts, _ = em.call(
            s,
            ts + self.gap(60, 300),
            "form_get",
            {"study": w["study"], "subject": w["subject"]},
            tr,
            label=label,
        )
        for _ in range(rng.randint(1, 3)):
            ts, _ = em.call(
                s,
                ts + self.gap(20, 120),
                "meddra_code_event",
                {"case": case, "verbatim": w["term"]},
                tr,
                label=label,
            )
        ts, _ = em.call(
            s,
            ts + self.gap(300, 1200),
            "narrative_write",
            {"case": case, "text": em.text("narrative_write")},
            tr,
            label=label,
        )
        ts, _ = em.call(
            s,
            ts + self.gap(60, 240),
            "case_assess",
            {"case": case, "note": em.text("case_assess")},
            tr,
            label=label,
        )
        if w.get("susar") or rng.random() < 0.1:
            self.push(ts + rng.randint(20, 240) * MINUTE, "expedite", {"case": case, **w})
            self.push(ts + rng.randint(10, 120) * MINUTE, "medreview", {"case": case, **w})
        return ts

    def expedite(self, p: Person, ts: int, w: dict[str, Any], label: str = "") -> int:
        em = self.em
        s, tr = self.session(p, ts), self.trace()
        ts, _ = em.call(s, ts, "case_get", {"case": w["case"]}, tr, label=label)
        ts, _ = em.call(
            s,
            ts + self.gap(60, 400),
            "case_update",
            {"case": w["case"], "changes": em.text("case_update")},
            tr,
            label=label,
        )
        ts, _ = em.call(s, ts + self.gap(30, 200), "e2b_submit",
                        {"case": w["case"], "receiver": self.rng.choice(("FDA", "EMA", "PMDA",
                         "MHRA")), "type": "7-day"}, tr, label=label)  # fmt: skip
        ts, _ = em.call(
            s,
            ts + self.gap(20, 90),
            "expedited_report_list",
            {"study": w["study"], "due_within_days": 7},
            tr,
            label=label,
        )
        return ts

    def medreview(self, p: Person, ts: int, w: dict[str, Any]) -> int:
        em = self.em
        s, tr = self.session(p, ts), self.trace()
        ts, _ = em.call(s, ts, "case_get", {"case": w["case"]}, tr)
        ts, _ = em.call(s, ts + self.gap(60, 300), "case_history_get", {"case": w["case"]}, tr)
        ts, _ = em.call(
            s,
            ts + self.gap(60, 300),
            "lab_results_get",
            {"study": w["study"], "subject": w["subject"]},
            tr,
        )
        ts, _ = em.call(
            s,
            ts + self.gap(120, 600),
            "case_assess",
            {"case": w["case"], "note": em.text("case_assess", 2)},
            tr,
        )
        return ts

    def coding(self, p: Person, ts: int, w: dict[str, Any]) -> int:
        em, rng = self.em, self.rng
        s, tr = self.session(p, ts), self.trace()
        ts, _ = em.call(s, ts, "coding_queue_get", {"study": w["study"], "dictionary": "MedDRA"},
                        tr)  # fmt: skip
        for _ in range(w["terms"] + rng.randint(0, 4)):
            ts, _ = em.call(
                s,
                ts + self.gap(20, 100),
                "term_search",
                {"verbatim": rng.choice(_AE_TERMS), "level": "LLT"},
                tr,
            )
            ts, _ = em.call(s, ts + self.gap(10, 60), "term_code",
                            {"item": f"AE-{rng.randint(10000, 99999)}",
                             "llt": rng.randint(10000000, 10099999)}, tr)  # fmt: skip
        return ts

    # -- a CRA's monitoring visit -------------------------------------------------------------
    def monitoring_visit(self, p: Person, day: int, code: str) -> None:
        em, rng = self.em, self.rng
        site = _SITE[code]
        blocks = [b for b in p.duty if b[0] // DAY_US in (day, day - 1) and b[1] > day * DAY_US]
        if len(blocks) < 3:
            return
        tr = self.trace()
        ts = self.abs(blocks[0][0]) + self.gap(300, 1500)
        s = self.session(p, ts)
        ts, _ = em.call(s, ts, "visit_schedule_get", {"site": code}, tr)
        ts, _ = em.call(s, ts + self.gap(30, 120), "site_get", {"site": code}, tr)
        ts = em.read(s, ts + self.gap(60, 300), "etmf", f"tmf://{site.study}/isf/{code}/delegation-log",
                     tr, 220_000)  # fmt: skip
        for _ in range(rng.randint(4, 9)):
            subj = self.subject(code)
            ts, _ = em.call(s, ts + self.gap(120, 600), "subject_get",
                            {"study": site.study, "subject": subj}, tr)  # fmt: skip
            for _ in range(rng.randint(2, 6)):
                ts, _ = em.call(s, ts + self.gap(60, 420), "form_get",
                                {"study": site.study, "subject": subj}, tr)  # fmt: skip
            if rng.random() < 0.3:
                ts, _ = em.call(s, ts + self.gap(30, 120), "audit_trail_get",
                                {"study": site.study, "subject": subj}, tr)  # fmt: skip
            if rng.random() < 0.4:
                ts, _ = em.call(s, ts + self.gap(60, 300), "query_open",
                                {"study": site.study, "subject": subj,
                                 "text": em.text("query_open")}, tr)  # fmt: skip
            if ts - em.origin > blocks[1][1]:
                break
            if blocks[0][1] < ts - em.origin < blocks[1][0]:
                ts = self.abs(blocks[1][0]) + self.gap(60, 600)
                s = self.session(p, ts)
        if site.study != "NEURO-115":
            ts, _ = em.call(s, ts + self.gap(60, 300), "site_inventory_get", {"site": code}, tr)
        # the hotel desk, that evening
        ts = self.abs(blocks[2][0]) + self.gap(60, 900)
        s = self.session(p, ts)
        ts, _ = em.call(s, ts, "visit_report_create", {"site": code, "type": "IMV",
                        "findings": em.text("visit_report_create")}, tr)  # fmt: skip
        for _ in range(rng.randint(1, 5)):
            ts, _ = em.call(s, ts + self.gap(60, 400), "action_item_update",
                            {"site": code, "item": rng.randint(1, 300),
                             "note": em.text("action_item_update")}, tr)  # fmt: skip
        em.call(s, ts + self.gap(120, 900), "visit_report_submit", {"site": code}, tr)

    # -- desk work between items --------------------------------------------------------------
    def desk(self, routines: dict[str, tuple[float, Callable[[Person, int], int]]]) -> None:
        """Each person's routine at their role's rate (per hour on duty), Poisson in time."""
        rng = self.rng
        for p in self.people:
            got = routines.get(p.role)
            if got is None:
                continue
            rate, work = got
            visits = set(p.visits)
            for a, b in p.duty:
                if a // DAY_US in visits:
                    continue
                for _ in range(_poisson(rng, 1.2 * rate * (b - a) / HOUR_US)):
                    work(p, self.abs(rng.randint(a, b - 1)))

    def studies_of(self, p: Person) -> tuple[str, ...]:
        if p.sites:
            return tuple(dict.fromkeys(_SITE[c].study for c in p.sites))
        return STUDIES[p.shift % 3 :] + STUDIES[: p.shift % 3]
