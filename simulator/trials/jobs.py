"""The service accounts (``svc-*``) and their clocks.

``svc-editcheck``  01:30 UTC nightly: edit checks per active site, auto-queries, and the queries
                   become the coordinators' work next clinic morning
``svc-labxfer``    central-lab transfers at 03/09/15/21 UTC per study; a rejected file is re-run
``svc-resupply``   05:00 UTC: the IWRS resupply algorithm and inventory per site, shipments
``svc-e2b``        the safety gateway's inbox polled every five minutes, acknowledgements filed
``svc-autocode``   hourly MedDRA/WHODrug autocoding
``svc-datacut``    Mondays 22:00 UTC: the weekly data cut, every domain of every study exported
``svc-portal``     04:00 UTC: metrics and reports published to the sponsor portal
"""

from __future__ import annotations

from typing import Final

from ..model import DAY_US
from .people import HOUR_US, SITES, STUDIES, Person
from .traffic import _DOMAINS, MINUTE, World

__all__ = ["JOBS", "run_jobs"]

JOBS: Final = ("svc-editcheck", "svc-labxfer", "svc-resupply", "svc-e2b", "svc-autocode",
               "svc-datacut", "svc-portal")  # fmt: skip


def _svc(name: str) -> Person:
    return Person(name, "service", 0.0, 0.0, 24.0, "scheduler", "tt-jobs", "1.4.2")


def run_jobs(w: World, skip: set[tuple[str, int]]) -> list[Person]:
    """Every job's calls over the span, except the (job, day) pairs in ``skip`` (a hard
    negative runs those itself). Returns the job accounts."""
    em, rng, gap = w.em, w.rng, w.gap
    jobs = {n: _svc(n) for n in JOBS}
    for day in range(w.days):
        at = w.abs(day * DAY_US)
        wd = (day + 3) % 7
        # nightly edit checks
        if ("svc-editcheck", day) not in skip:
            s, ts = em.session("svc-editcheck", "scheduler", "tt-jobs", "1.4.2"), at + 90 * MINUTE
            for site in SITES:
                if site.first_day >= day:
                    continue
                tr = w.trace()
                ts, _ = em.call(
                    s,
                    ts + gap(2, 10),
                    "edit_check_run",
                    {"study": site.study, "site": site.code, "scope": "changed"},
                    tr,
                )
                n = rng.randint(0, 4) if wd < 5 else rng.randint(0, 1)
                for _ in range(n):
                    ts, _ = em.call(
                        s,
                        ts + gap(0.3, 2),
                        "query_open",
                        {
                            "study": site.study,
                            "subject": w.subject(site.code),
                            "text": "Auto: value out of expected range",
                        },
                        tr,
                    )
                if n:
                    morning = int((day * 24 + 8.5 - site.tz) * HOUR_US)
                    w.push(
                        w.abs(max(morning, ts - at + day * DAY_US)),
                        "queries",
                        {"site": site.code, "n": n},
                    )
        # lab transfers
        s = em.session("svc-labxfer", "scheduler", "tt-jobs", "1.4.2")
        for hour in (3, 9, 15, 21):
            for st in STUDIES:
                tr, ts = w.trace(), at + hour * HOUR_US + gap(0, 600)
                args = {
                    "study": st,
                    "vendor": "central-lab",
                    "file": f"{st}_{day:02d}{hour:02d}.xpt",
                }
                ts, ok = em.call(s, ts, "lab_transfer_ingest", args, tr)
                if not ok:
                    ts, ok = em.call(s, ts + 20 * MINUTE, "lab_transfer_ingest", args, tr)
                em.call(s, ts + gap(5, 30), "transfer_status", {"study": st}, tr)
        # supply
        s, tr = em.session("svc-resupply", "scheduler", "tt-jobs", "1.4.2"), w.trace()
        ts, _ = em.call(
            s, at + 5 * HOUR_US + gap(0, 120), "resupply_run", {"mode": "predictive"}, tr
        )
        for site in SITES:
            if site.study == "NEURO-115" or site.first_day >= day:
                continue
            ts, _ = em.call(s, ts + gap(1, 5), "site_inventory_get", {"site": site.code}, tr)
            if rng.random() < 0.15:
                ts, _ = em.call(
                    s,
                    ts + gap(1, 5),
                    "shipment_create",
                    {"site": site.code, "kits": rng.randint(6, 30), "auto": True},
                    tr,
                )
        # autocode, portal
        s = em.session("svc-autocode", "scheduler", "tt-jobs", "1.4.2")
        for hour in range(24):
            em.call(
                s,
                at + hour * HOUR_US + gap(60, 240),
                "autocode_run",
                {"dictionary": "MedDRA 27.0", "scope": "new"},
                w.trace(),
            )
        s, tr, ts = em.session("svc-portal", "scheduler", "tt-jobs", "1.4.2"), w.trace(), at
        for st in STUDIES:
            ts, _ = em.call(
                s,
                max(ts, at + 4 * HOUR_US) + gap(5, 60),
                "metrics_get",
                {"study": st, "metric": "all"},
                tr,
            )
            ts, _ = em.call(
                s, ts + gap(5, 30), "report_publish", {"study": st, "report": "daily-status"}, tr
            )
        # the weekly data cut, Monday night
        if wd == 0 and ("svc-datacut", day) not in skip:
            s, tr = em.session("svc-datacut", "scheduler", "tt-jobs", "1.4.2"), w.trace()
            ts = at + 22 * HOUR_US
            for st in STUDIES:
                for dom in _DOMAINS:
                    ts, _ = em.call(s, ts + gap(3, 20), "dataset_export",
                                    {"study": st, "domain": dom, "format": "sas7bdat",
                                     "cut": f"W{day // 7 + 6}"}, tr)  # fmt: skip
    # the safety gateway, polled all span long (one long-lived connection per day)
    for day in range(w.days):
        if ("svc-e2b", day) in skip:
            continue
        s = em.session("svc-e2b", "scheduler", "e2b-gateway", "2.0.7")
        at = w.abs(day * DAY_US)
        for k in range(288):
            tr = w.trace()
            ts, _ = em.call(
                s, at + k * 5 * MINUTE + gap(0, 8), "e2b_inbox_poll", {"mailbox": "regulators"}, tr
            )
            if rng.random() < 0.04:
                em.call(
                    s,
                    ts + gap(1, 5),
                    "case_update",
                    {"case": f"ONC-{rng.randint(2026000, 2026999)}", "changes": "ACK"},
                    tr,
                )
    return list(jobs.values())
