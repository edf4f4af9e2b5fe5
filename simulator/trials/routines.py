"""Desk work: what each role does between work items, at its own pace (episodes per hour).

An episode is one trace of a few calls: a data manager's query round, a statistician's SAS job
submitted and polled until it finishes, a TMF specialist's filing, a sponsor's look at the
portal. The rates are per hour on duty (``World.desk``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from .people import SITES, Person
from .traffic import MINUTE, World

__all__ = ["routines"]

_BY_STUDY: Final = {
    st: [s.code for s in SITES if s.study == st and not s.first_day]
    for st in ("ONC-301", "CARD-210", "NEURO-115")
}
_PROGRAMS: Final = ("adsl.sas", "adae.sas", "adlb.sas", "t_ae_soc.sas", "f_km_pfs.R",
                    "t_demog.sas", "l_sae.sas", "adtte.sas", "t_lab_shift.R")  # fmt: skip


def routines(w: World) -> dict[str, tuple[float, Callable[[Person, int], int]]]:
    em, rng, gap = w.em, w.rng, w.gap

    def study(p: Person) -> str:
        return rng.choice(w.studies_of(p))

    def site(st: str) -> str:
        return rng.choice(_BY_STUDY[st])

    def dm(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        c = site(st)
        r = rng.random()
        if r < 0.55:
            ts, _ = em.call(s, ts, "query_list", {"study": st, "site": c, "status": "open"}, tr)
            for _ in range(rng.randint(1, 4)):
                ts, _ = em.call(s, ts + gap(20, 150), "form_get",
                                {"study": st, "subject": w.subject(c)}, tr)  # fmt: skip
                if rng.random() < 0.5:
                    ts, _ = em.call(s, ts + gap(30, 200), "query_open",
                                    {"study": st, "subject": w.subject(c),
                                     "text": em.text("query_open")}, tr)  # fmt: skip
        elif r < 0.7:
            ts, _ = em.call(s, ts, "lab_reconcile_run", {"study": st, "vendor": "central"}, tr)
            ts, _ = em.call(s, ts + gap(30, 200), "lab_results_get",
                            {"study": st, "subject": w.subject(c)}, tr)  # fmt: skip
        elif r < 0.85:
            ts, _ = em.call(s, ts, "subject_search", {"study": st, "site": c}, tr)
            ts, _ = em.call(s, ts + gap(10, 60), "audit_trail_get",
                            {"study": st, "subject": w.subject(c)}, tr)  # fmt: skip
        elif r < 0.87:
            ts, _ = em.call(s, ts, "reference_range_get", {"study": st, "lab": "central"}, tr)
        elif r < 0.885:  # a page entered against the wrong visit, removed on the site's request
            subj = w.subject(c)
            ts, _ = em.call(s, ts, "form_get", {"study": st, "subject": subj}, tr)
            ts, _ = em.call(
                s,
                ts + gap(30, 200),
                "form_delete",
                {"study": st, "subject": subj, "reason": "entered in error"},
                tr,
            )
        elif r < 0.95:
            ts, _ = em.call(s, ts, "visit_matrix_get", {"study": st, "subject": w.subject(c)}, tr)
            ts, _ = em.call(s, ts + gap(10, 90), "coding_history_get", {"study": st}, tr)
        else:  # a listing for the weekly data review meeting
            ts, _ = em.call(s, ts, "dataset_export", {"study": st, "domain": "ae", "format":
                            "xlsx"}, tr, result=int(em.size("dataset_export") / 8))  # fmt: skip
        return ts

    def biostat(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        prog = rng.choice(_PROGRAMS)
        if rng.random() < 0.15:
            ts = em.read(s, ts, "statcomp", f"sap://{st}/sap-v2.1.pdf", tr, 1_400_000) + gap(
                60, 600
            )
        ts, _ = em.call(s, ts, "program_list", {"study": st, "area": "tfl"}, tr)
        if rng.random() < 0.05:  # a stuck job from yesterday
            ts, _ = em.call(
                s, ts + gap(10, 60), "job_cancel", {"job": f"J{rng.randint(100000, 999999)}"}, tr
            )
        if rng.random() < 0.6:
            ts, _ = em.call(
                s,
                ts + gap(120, 900),
                "program_save",
                {"study": st, "program": prog, "source": em.text("program_save")},
                tr,
            )
        ts, ok = em.call(s, ts + gap(10, 60), "job_submit",
                         {"study": st, "program": prog, "engine": "SAS 9.4" if prog.endswith(
                             "sas") else "R 4.4", "args": em.text("job_submit")}, tr)  # fmt: skip
        if not ok:
            return ts
        job = f"J{rng.randint(100000, 999999)}"
        runs = int(rng.lognormvariate(2.8, 0.7) * MINUTE)  # a batch: minutes to hours
        end = ts + runs
        poll = w.session(p, ts, "sas-runner")
        while ts < end:
            ts += int(rng.uniform(2, 6) * MINUTE)
            ts, _ = em.call(poll, ts, "job_status", {"job": job}, tr)
        ts, _ = em.call(s, ts + gap(5, 60), "job_log_get", {"job": job}, tr)
        if rng.random() < 0.8:
            ts, _ = em.call(s, ts + gap(10, 120), "output_get", {"job": job, "format": "rtf"}, tr)
        if rng.random() < 0.25:
            ts, _ = em.call(s, ts + gap(30, 300), "dataset_get",
                            {"study": st, "dataset": f"ad{rng.choice(('sl', 'ae', 'lb', 'tte'))}"},
                            tr)  # fmt: skip
        return ts

    def pv(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        ts, _ = em.call(s, ts, "case_search", {"study": st, "status": rng.choice(
            ("open", "follow-up", "awaiting-ack"))}, tr)  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            case = f"{st[:3]}-{rng.randint(2026000, 2026999)}"
            ts, _ = em.call(s, ts + gap(20, 120), "case_get", {"case": case}, tr)
            if rng.random() < 0.35:
                ts, _ = em.call(
                    s,
                    ts + gap(60, 400),
                    "case_update",
                    {"case": case, "changes": em.text("case_update")},
                    tr,
                )
        if rng.random() < 0.3:
            ts, _ = em.call(s, ts + gap(20, 90), "expedited_report_list",
                            {"study": st, "due_within_days": 15}, tr)  # fmt: skip
        return ts

    def medmon(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        c = site(st)
        ts, _ = em.call(s, ts, "lab_results_get", {"study": st, "subject": w.subject(c)}, tr)
        ts, _ = em.call(s, ts + gap(30, 200), "form_get", {"study": st, "subject": w.subject(c)},
                        tr)  # fmt: skip
        if rng.random() < 0.4:
            ts, _ = em.call(s, ts + gap(60, 300), "query_open",
                            {"study": st, "subject": w.subject(c), "text": em.text(
                                "query_open", 1.5)}, tr)  # fmt: skip
        if rng.random() < 0.3:
            ts, _ = em.call(s, ts + gap(30, 120), "case_search", {"study": st, "serious": True}, tr)
        if st == "NEURO-115" and rng.random() < 0.4:
            ts, _ = em.call(
                s,
                ts + gap(30, 200),
                "image_read_get",
                {"study": st, "subject": w.subject(c), "modality": "MRI"},
                tr,
            )
        return ts

    def regaff(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        r = rng.random()
        ts, _ = em.call(s, ts, "submission_list", {"study": st}, tr)
        if r < 0.5:
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "submission_get",
                {"submission": f"SUB-{rng.randint(1000, 9999)}"},
                tr,
            )
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "ack_get",
                {"submission": f"SUB-{rng.randint(1000, 9999)}"},
                tr,
            )
        elif r < 0.85:
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "cta_status_get",
                {
                    "study": st,
                    "country": rng.choice(("DE", "PL", "ES", "JP", "FR", "IT", "BR", "AU")),
                },
                tr,
            )
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "doc_search",
                {"study": st, "zone": "03", "query": "approval"},
                tr,
            )
            ts = em.read(s, ts + gap(20, 120), "etmf", f"tmf://{st}/03.01/ec-approval",
                         tr, 260_000)  # fmt: skip
        else:
            seq = rng.randint(1, 40)
            ts, ok = em.call(
                s,
                ts + gap(60, 300),
                "submission_package_build",
                {"study": st, "sequence": seq, "region": "EU-CTR"},
                tr,
            )
            if ok and rng.random() < 0.3:
                ts, _ = em.call(
                    s,
                    ts + gap(300, 1800),
                    "submission_send",
                    {"study": st, "sequence": seq, "gateway": "CTIS"},
                    tr,
                )
        return ts

    def supply(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), rng.choice(("ONC-301", "CARD-210"))
        ts, _ = em.call(s, ts, "supply_status_get", {"study": st}, tr)
        for _ in range(rng.randint(1, 3)):
            ts, _ = em.call(s, ts + gap(10, 60), "site_inventory_get", {"site": site(st)}, tr)
        if rng.random() < 0.25:
            ts, _ = em.call(
                s,
                ts + gap(60, 300),
                "shipment_create",
                {"site": site(st), "kits": rng.randint(4, 24)},
                tr,
            )
        elif rng.random() < 0.12:
            ts, _ = em.call(s, ts + gap(30, 200), "shipment_list", {"study": st}, tr)
            if rng.random() < 0.3:
                ts, _ = em.call(
                    s,
                    ts + gap(30, 200),
                    "shipment_cancel",
                    {"shipment": f"SH-{rng.randint(1000, 9999)}"},
                    tr,
                )
            ts, _ = em.call(s, ts + gap(30, 200), "kit_quarantine",
                            {"kit": f"K{rng.randint(10000, 99999)}", "reason": "temp excursion"},
                            tr)  # fmt: skip
        return ts

    def tmf(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        r = rng.random()
        if r < 0.6:
            ts, _ = em.call(
                s,
                ts,
                "doc_upload",
                {
                    "study": st,
                    "artifact": f"0{rng.randint(1, 9)}.0{rng.randint(1, 5)}",
                    "content": em.text("doc_upload"),
                },
                tr,
            )
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "doc_file",
                {"study": st, "doc": f"D{rng.randint(100000, 999999)}"},
                tr,
            )
            if rng.random() < 0.5:
                ts, _ = em.call(
                    s,
                    ts + gap(60, 300),
                    "qc_review",
                    {"doc": f"D{rng.randint(100000, 999999)}", "result": "pass"},
                    tr,
                )
        elif r < 0.9:
            ts, _ = em.call(s, ts, "placeholder_list", {"study": st, "status": "expected"}, tr)
            if rng.random() < 0.2:
                ts, _ = em.call(s, ts + gap(10, 60), "filing_metrics_get", {"study": st}, tr)
            ts, _ = em.call(s, ts + gap(20, 90), "doc_search", {"study": st, "query": "CV"}, tr)
        else:
            ts, _ = em.call(
                s,
                ts,
                "doc_supersede",
                {"doc": f"D{rng.randint(100000, 999999)}", "reason": "new version"},
                tr,
            )
        return ts

    def it(p: Person, ts: int) -> int:
        s, tr = w.session(p, ts), w.trace()
        user = rng.choice(w.people).name
        ts, _ = em.call(s, ts, "user_get", {"user": user}, tr)
        r = rng.random()
        if r < 0.35:
            ts, _ = em.call(
                s,
                ts + gap(20, 120),
                "role_grant",
                {
                    "user": user,
                    "role": rng.choice(("edc-entry", "edc-review", "ctms-read", "tmf-edit")),
                },
                tr,
            )
        elif r < 0.55:
            ts, _ = em.call(s, ts + gap(10, 60), "password_reset", {"user": user}, tr)
            ts, _ = em.call(s, ts + gap(5, 30), "session_revoke", {"user": user}, tr)
        elif r < 0.62:
            ts, _ = em.call(s, ts + gap(20, 120), "role_revoke",
                            {"user": user, "role": "edc-entry",
                             "ticket": f"CHG{rng.randint(1000, 9999)}"}, tr)  # fmt: skip
        elif r < 0.75:
            ts, _ = em.call(s, ts + gap(20, 120), "group_members_get", {"group": "edc-sites"}, tr)
        elif r < 0.8:
            ts, _ = em.call(s, ts + gap(20, 120), "user_list", {"status": "inactive-90d"}, tr)
            if rng.random() < 0.3:  # a leaver
                ts, _ = em.call(s, ts + gap(20, 120), "account_disable", {"user": user}, tr)
        return ts

    def qa(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        ts, _ = em.call(s, ts, "doc_search", {"study": st, "query": "monitoring report"}, tr)
        ts = em.read(s, ts + gap(30, 200), "etmf", f"tmf://{st}/05.04/mvr-{rng.randint(1, 90)}",
                     tr, 300_000)  # fmt: skip
        if rng.random() < 0.4:
            ts = em.read(s, ts + gap(30, 200), "etmf", f"sop://QA-{rng.randint(1, 60):03d}", tr,
                         180_000)  # fmt: skip
        if rng.random() < 0.4:
            ts, _ = em.call(s, ts + gap(30, 200), "action_item_list", {"site": site(st)}, tr)
        return ts

    def sponsor(p: Person, ts: int) -> int:
        s, tr, st = w.session(p, ts), w.trace(), study(p)
        ts, _ = em.call(s, ts, "dashboard_get", {"study": st}, tr)
        ts, _ = em.call(s, ts + gap(20, 200), "metrics_get", {"study": st, "metric": "enrolment"},
                        tr)  # fmt: skip
        if rng.random() < 0.35:
            ts, _ = em.call(s, ts + gap(30, 200), "report_list", {"study": st}, tr)
            ts, _ = em.call(
                s, ts + gap(10, 90), "report_get", {"report": f"R-{st}-{rng.randint(1, 60)}"}, tr
            )
        return ts

    def cra(p: Person, ts: int) -> int:
        s, tr = w.session(p, ts), w.trace()
        c = rng.choice(p.sites)
        st = w.site_of(p).study
        r = rng.random()
        if r < 0.4:  # remote review of the site's pages
            ts, _ = em.call(s, ts, "query_list", {"study": st, "site": c, "status": "open"}, tr)
            for _ in range(rng.randint(1, 4)):
                ts, _ = em.call(s, ts + gap(30, 240), "form_get",
                                {"study": st, "subject": w.subject(c)}, tr)  # fmt: skip
        elif r < 0.7:
            ts, _ = em.call(s, ts, "action_item_list", {"site": c}, tr)
            ts, _ = em.call(s, ts + gap(30, 300), "action_item_update",
                            {"site": c, "item": rng.randint(1, 300),
                             "note": em.text("action_item_update")}, tr)  # fmt: skip
            if rng.random() < 0.08:  # a duplicate from the visit report
                ts, _ = em.call(
                    s,
                    ts + gap(10, 60),
                    "action_item_delete",
                    {"site": c, "item": rng.randint(1, 300)},
                    tr,
                )
        elif r < 0.85:
            if rng.random() < 0.15:
                ts, _ = em.call(s, ts, "site_list", {"study": st}, tr)
            ts, _ = em.call(s, ts, "visit_schedule_get", {"site": c}, tr)
            ts, _ = em.call(s, ts + gap(20, 100), "enrolment_metrics_get", {"site": c}, tr)
        else:
            ts, _ = em.call(s, ts, "doc_search", {"study": st, "site": c, "query": "1572"}, tr)
            ts, _ = em.call(
                s, ts + gap(20, 100), "doc_get", {"doc": f"D{rng.randint(100000, 999999)}"}, tr
            )
        return ts

    def coordinator(p: Person, ts: int) -> int:
        s, tr = w.session(p, ts), w.trace()
        c, st = p.sites[0], w.site_of(p).study
        ts, _ = em.call(s, ts, "subject_search", {"study": st, "site": c}, tr)
        if rng.random() < 0.5:
            ts, _ = em.call(s, ts + gap(20, 100), "visit_matrix_get",
                            {"study": st, "subject": w.subject(c)}, tr)  # fmt: skip
        return ts

    def investigator(p: Person, ts: int) -> int:
        s, tr = w.session(p, ts), w.trace()
        c, st = p.sites[0], w.site_of(p).study
        return em.call(s, ts, "lab_results_get", {"study": st, "subject": w.subject(c)}, tr)[0]

    def coder(p: Person, ts: int) -> int:
        s, tr = w.session(p, ts), w.trace()
        ts, _ = em.call(s, ts, "dictionary_version_get", {"dictionary": "WHODrug"}, tr)
        ts, _ = em.call(s, ts + gap(5, 60), "term_search",
                        {"verbatim": rng.choice(("paracetamol", "ondansetron", "metformin")),
                         "dictionary": "WHODrug"}, tr)  # fmt: skip
        return em.call(s, ts + gap(10, 60), "coding_update",
                       {"item": f"CM-{rng.randint(10000, 99999)}", "drug_code": rng.randint(
                           100000, 999999)}, tr)[0]  # fmt: skip

    return {
        "dm": (5.0, dm), "biostat": (1.0, biostat), "unblinded": (0.6, biostat),
        "pv": (2.4, pv), "medmon": (2.0, medmon), "regaff": (1.8, regaff),
        "supply": (2.2, supply), "tmf": (6.0, tmf), "it": (2.2, it), "qa": (1.8, qa),
        "sponsor": (0.9, sponsor), "cra": (3.0, cra), "coordinator": (2.0, coordinator),
        "investigator": (0.7, investigator), "coder": (2.0, coder),
    }  # fmt: skip
