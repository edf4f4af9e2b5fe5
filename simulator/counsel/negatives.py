"""The scored day's hard negatives: alarming-looking, legitimate work, labelled
``benign:<name>#0``, each one person or job.

:func:`plan_negatives` picks the actors before the traffic is made and sets the events that
cause their work (a filing due, a deal closing, an e-filing outage), so the ordinary traffic of
the days before already leads up to them; :func:`hard_negatives` adds their calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ..model import UserProfile
from ._args import make_args
from ._emit import Recorder, Session
from .people import OFFICES, Matter, Person, World, version
from .traffic import MINUTE, Clock

__all__ = ["HARD_NEGATIVES", "Plan", "hard_negatives", "plan_negatives"]

HARD_NEGATIVES: Final = (
    "benign:ediscovery_production",
    "benign:litigation_hold",
    "benign:retention_purge",
    "benign:lateral_partner",
    "benign:filing_allnighter",
    "benign:month_end_billing",
    "benign:deal_closing",
    "benign:conflicts_rerun",
    "benign:efiling_outage",
    "benign:departing_transfer",
    "benign:phishing_response",
)
_DESCRIBE: Final = {
    "benign:ediscovery_production": "litigation support QCs and produces 4,000 documents in "
    "8 volumes, with a multi-megabyte privilege log",
    "benign:litigation_hold": "records applies a litigation hold to 45 custodians and "
    "notifies each",
    "benign:retention_purge": "the records job disposes of 100 matters whose retention ended "
    "(general counsel's year-end approval)",
    "benign:lateral_partner": "a lateral partner's first day: new account, imports their "
    "book's documents, some walled matters refused",
    "benign:filing_allnighter": "a New York associate drafts and cite-checks through the "
    "night before a filing deadline",
    "benign:month_end_billing": "month-end: pre-bills generated for 60 matters, invoices "
    "exported per office",
    "benign:deal_closing": "the closing set (220 files) downloaded from the data room, the "
    "signed pages filed, bidders' access revoked",
    "benign:conflicts_rerun": "conflicts re-run over 120 parties of a merged boutique's clients",
    "benign:efiling_outage": "the court e-filing system is down for 40 minutes; the clerk's "
    "filings fail and are retried",
    "benign:departing_transfer": "a departing partner transfers 30 matters to colleagues "
    "and shares their workspaces",
    "benign:phishing_response": "security revokes sessions and resets MFA for 40 people "
    "after a phishing campaign",
}


@dataclass
class Plan:
    """Who does each hard negative, on which matter, and the one newcomer."""

    actors: dict[str, Person]
    matters: dict[str, Matter]
    lateral: Person
    describe: dict[str, str] = field(default_factory=lambda: dict(_DESCRIBE))

    def newcomers(self, clock: Clock, day: int) -> list[UserProfile]:
        p = self.lateral
        return [
            UserProfile(p.name, p.role, p.tz, p.hours[0], p.hours[1], ("counsel-assistant",),
                        "claude-desktop", version("claude-desktop", day), first_day=day)
        ]  # fmt: skip


def plan_negatives(w: World, clock: Clock, day: int, r: random.Random) -> Plan:
    taken: set[str] = set()

    def pick(role: str, office: str | None, want: Callable[[Person], bool] = bool) -> Person:
        free = [q for q in w.staff(role, office) if q.name not in taken]
        p = r.choice([q for q in free if want(q)] or free)  # a small firm: whoever is free
        taken.add(p.name)
        return p

    def lit(p: Person) -> bool:
        return any(m.practice == "litigation" for m in p.matters)

    def deals(p: Person) -> bool:
        return any(m.practice in ("corporate", "finance") for m in p.matters)

    def staffed(p: Person, practices: tuple[str, ...]) -> Matter:
        """One of p's matters in ``practices``; p joins one (or one becomes one) if none."""
        mine = [m for m in p.matters if m.practice in practices]
        if mine:
            return mine[0]
        m = next((m for m in w.matters if m.practice in practices), w.matters[0])
        m.practice = practices[0]
        if p.role in ("associate", "partner"):
            m.team = (*m.team, p.name)
            p.matters.append(m)
        return m

    actors = {
        "benign:ediscovery_production": pick("litsupport", "NY"),
        "benign:litigation_hold": pick("records", "LDN"),
        "benign:filing_allnighter": pick("associate", "NY", lit),
        "benign:month_end_billing": pick("billing", "NY"),
        "benign:deal_closing": pick("paralegal", None, deals),
        "benign:conflicts_rerun": pick("intake", "LDN"),
        "benign:efiling_outage": pick("docketing", "NY"),
        "benign:departing_transfer": pick("partner", "NY"),
        "benign:phishing_response": pick("it", "LDN"),
    }
    filing = staffed(actors["benign:filing_allnighter"], ("litigation",))
    filing.filings = (*(f for f in filing.filings if f != day), day)
    w.quiet.update({(actors["benign:filing_allnighter"].name, day - 1)})
    closing = staffed(actors["benign:deal_closing"], ("corporate", "finance"))
    closing.closing = day
    produced = staffed(actors["benign:ediscovery_production"], ("litigation",))
    lateral = Person("j.alcantara", "partner", "NY", OFFICES["NY"][0], (8.5, 19.5),
                     (("counsel-assistant", "claude-desktop"),))  # fmt: skip
    return Plan(actors, {"filing": filing, "closing": closing, "production": produced}, lateral)


def _production(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m, u = p.matters["production"], s.user
    for _ in range(4):
        t = s.call(t, "review_search", make_args("review_search", r, m, u), think=60)
    t = s.call(t, "production_create", make_args("production_create", r, m, u), think=90)
    for _ in range(120):  # QC sample of the set
        t = s.call(t, "review_doc_get", make_args("review_doc_get", r, m, u), think=12)
    for vol in range(8):
        args = make_args("production_run", r, m, u, production=f"PROD-{vol + 41:03d}")
        t = s.call(t, "production_run", args, result=r.randint(3000, 6000), think=30)
        for _ in range(3):
            t = s.call(t, "production_status", args, think=120)
    for fmt in ("xlsx", "pdf"):
        args = make_args("privilege_log_export", r, m, u, format=fmt)
        t = s.call(t, "privilege_log_export", args, result=r.randint(2_000_000, 4_500_000))
    s.call(t, "mail_send", make_args("mail_send", r, m, u))


def _hold(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m = r.choice([x for x in w.matters if x.practice in ("litigation", "investigations")])
    t = s.call(t, "hold_list", make_args("hold_list", r, m, s.user), think=60)
    for _ in range(45):
        args = make_args("hold_apply", r, m, s.user)
        t = s.call(t, "hold_apply", args, think=15)
        notice = make_args("custodian_notify", r, m, s.user, custodian=args["custodian"])
        t = s.call(t, "custodian_notify", notice, think=10)


def _purge(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m = w.matters[0]
    t = s.call(t, "disposition_list", make_args("disposition_list", r, m, s.user), think=5)
    t = s.call(t, "retention_policy_get", make_args("retention_policy_get", r, m, s.user))
    for k in range(100):
        old = f"{r.randrange(10**4, 2 * 10**4):05d}-{k + 1:04d}"
        t = s.call(t, "disposition_execute", make_args("disposition_execute", r, m, s.user,
                                                       matter=old, approval="APR-GC-2026-12"),
                   think=15)  # fmt: skip


def _lateral(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    u = s.user
    book = [r.choice(w.matters) for _ in range(25)]
    t = s.call(t, "calendar_list", make_args("calendar_list", r, book[0], u), think=120)
    for m in book:
        t = s.call(t, "matter_get", make_args("matter_get", r, m, u), think=30)
        for _ in range(3):
            t = s.call(t, "doc_import", make_args("doc_import", r, m, u, source="lateral"), think=8)
    walled = [x for x in w.matters if x.walled]  # screened from the lateral, and three of
    screened = r.sample(walled, min(3, len(walled))) + r.sample(w.matters, 3)  # their old clients'
    for m in screened[:3]:
        t = s.call(t, "doc_get", make_args("doc_get", r, m, u), error="forbidden", think=60)
    for m in book[:6]:
        t = s.call(t, "conflicts_search", make_args("conflicts_search", r, m, u), think=40)
    s.call(t, "mail_send", make_args("mail_send", r, book[0], u))


def _allnighter(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m, u = p.matters["filing"], s.user
    end = t + 7 * 60 * MINUTE
    while t < end:
        t = s.call(t, "doc_get", make_args("doc_get", r, m, u), think=60)
        t = s.call(t, "doc_save_version", make_args("doc_save_version", r, m, u), think=240)
        for _ in range(r.randint(1, 4)):
            t = s.call(t, "citator_check", make_args("citator_check", r, m, u), think=20)
        if r.random() < 0.5:
            t = s.call(t, "case_search", make_args("case_search", r, m, u), think=90)
            t = s.call(t, "case_get", make_args("case_get", r, m, u), think=120)


def _billing(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    u = s.user
    t = s.call(t, "wip_report", make_args("wip_report", r, w.matters[0], u), think=120)
    for m in r.sample(w.matters, min(60, len(w.matters))):
        t = s.call(t, "prebill_generate", make_args("prebill_generate", r, m, u), think=20)
        t = s.call(t, "prebill_get", make_args("prebill_get", r, m, u), think=60)
    for office in OFFICES:
        args = make_args("invoice_export", r, w.matters[0], u, office=office, format="csv")
        t = s.call(t, "invoice_export", args, result=r.randint(2_000_000, 6_000_000), think=60)


def _closing(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m, u = p.matters["closing"], s.user
    for _ in range(3):
        t = s.call(t, "dataroom_index", make_args("dataroom_index", r, m, u), think=20)
    for _ in range(220):
        t = s.call(t, "dataroom_download", make_args("dataroom_download", r, m, u), think=6)
    for _ in range(30):
        t = s.call(t, "doc_import", make_args("doc_import", r, m, u, source="signing"), think=10)
    for _ in range(6):
        t = s.call(t, "dataroom_revoke", make_args("dataroom_revoke", r, m, u), think=10)


def _conflicts(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    m = r.choice(w.matters)
    for k in range(120):
        args = make_args("conflicts_run", r, m, s.user, matter=f"BV-{k + 1:04d}")
        t = s.call(t, "conflicts_run", args, think=10)
        t = s.call(t, "conflicts_report_get", make_args("conflicts_report_get", r, m, s.user))


def _efiling(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    ny = [m for m in w.matters if m.office == "NY" and m.practice == "litigation"]
    for m in r.sample(ny or w.matters, min(3, len(ny or w.matters))):
        docs = {**make_args("filing_submit", r, m, s.user), "filer": s.user}
        for _ in range(12):  # the agent retries; the clerk tries again a few minutes later
            t = s.call(t, "filing_submit", docs, think=20)
            if s.rec.calls[-1].outcome == "ok":
                break
            t += r.randint(5, 9) * MINUTE
        t = s.call(t, "filing_status", make_args("filing_status", r, m, s.user), think=60)


def _departing(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    actor = p.actors["benign:departing_transfer"]
    book = actor.matters + r.sample(w.matters, min(len(w.matters), 30))
    others = [q.name for q in w.staff("partner", actor.office) if q.name != actor.name]
    for m in book[:30]:
        t = s.call(t, "workspace_get", make_args("workspace_get", r, m, s.user), think=20)
        to = r.choice(others)
        t = s.call(t, "matter_transfer", make_args("matter_transfer", r, m, s.user,
                                                   to_partner=to), think=30)  # fmt: skip
        t = s.call(t, "doc_share", make_args("doc_share", r, m, s.user, recipients=[to]))


def _phishing(s: Session, t: int, p: Plan, w: World, r: random.Random) -> None:
    u, m = s.user, w.matters[0]
    for _ in range(5):
        t = s.call(t, "audit_search", make_args("audit_search", r, m, u), think=90)
    for q in r.sample(w.people, 40):
        t = s.call(t, "session_revoke", make_args("session_revoke", r, m, u, timekeeper=q.name))
        t = s.call(t, "mfa_reset", make_args("mfa_reset", r, m, u, timekeeper=q.name), think=15)


_Burst = Callable[[Session, int, Plan, World, random.Random], None]
#: name → (what it does, its start: UTC hour of the scored day)
_BURSTS: Final[dict[str, tuple[_Burst, float]]] = {
    "benign:ediscovery_production": (_production, 15.0),
    "benign:litigation_hold": (_hold, 10.0),
    "benign:retention_purge": (_purge, 8.5),
    "benign:lateral_partner": (_lateral, 14.2),
    "benign:filing_allnighter": (_allnighter, 3.0),
    "benign:month_end_billing": (_billing, 16.0),
    "benign:deal_closing": (_closing, 0.0),  # the paralegal's evening, local
    "benign:conflicts_rerun": (_conflicts, 9.5),
    "benign:efiling_outage": (_efiling, 19.7),
    "benign:departing_transfer": (_departing, 21.0),
    "benign:phishing_response": (_phishing, 13.0),
}


def outage_window(clock: Clock, day: int) -> tuple[int, int]:
    """The scored day's e-filing outage (40 min from 19:40 UTC, New York's afternoon)."""
    a = clock.at(day, 0.0, 19 + 40 / 60)
    return a, a + 40 * MINUTE


def hard_negatives(
    w: World, rec: Recorder, clock: Clock, day: int, plan: Plan, r: random.Random
) -> None:
    for name in HARD_NEGATIVES:
        burst, hour = _BURSTS[name]
        if name == "benign:retention_purge":
            s = rec.session(
                "svc-records", "job:records", "job-runner", version("job-runner", day), f"{name}#0"
            )
        else:
            p = plan.lateral if name == "benign:lateral_partner" else plan.actors[name]
            agent, client = p.agents[0]
            s = rec.session(p.name, agent, client, version(client, day), f"{name}#0")
            if name == "benign:deal_closing":
                hour = (17.5 - p.tz) % 24
        jitter = 0 if name == "benign:efiling_outage" else r.randint(0, 600) * 1_000_000
        burst(s, clock.at(day, 0.0, hour) + jitter, plan, w, r)
