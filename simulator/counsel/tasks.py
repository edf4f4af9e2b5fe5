"""The pieces of work a person's agent does, as call sequences: one function a kind of task.

Each takes a session, a start time, the person and the matter, and returns when the agent is
free again. Desk work (:mod:`.traffic`) and the hard negatives (:mod:`.negatives`) both use
them, so a drafting session looks the same whoever causes it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from ._args import doc_id as _doc
from ._args import make_args
from ._emit import Session
from .people import Matter, Person

__all__ = ["TASKS", "Task"]

Task = Callable[[Session, int, Person, Matter, random.Random], int]


def draft(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    if r.random() < 0.3:
        t = s.call(t, "folder_list", make_args("folder_list", r, m, u), think=15)
    t = s.call(t, "doc_search", make_args("doc_search", r, m, u), think=30)
    if r.random() < 0.2:
        t = s.call(t, "doc_profile_get", make_args("doc_profile_get", r, m, u), think=10)
    for _ in range(r.randint(1, 3)):
        doc = _doc(r, m)
        if r.random() < 0.3:
            t = s.read(t, f"dms://{m.lib.lower()}/{m.id}/{doc}", think=90)
        else:
            t = s.call(t, "doc_get", {"doc": doc}, think=90)
    if r.random() < 0.02:  # a precedent in another team's walled workspace: refused
        t = s.call(t, "doc_get", {"doc": f"{m.lib}DOCS-{r.randrange(10**6, 10**7)}.1"},
                   error="forbidden", think=40)  # fmt: skip
    if p.role == "partner":
        if r.random() < 0.6:
            t = s.call(t, "mail_send", make_args("mail_send", r, m, u), think=60)
        return t
    doc = _doc(r, m)
    t = s.call(t, "doc_checkout", {"doc": doc}, think=120)
    for _ in range(r.randint(1, 3)):
        clash = "conflict" if r.random() < 0.02 else None
        args = make_args("doc_save_version", r, m, u, doc=doc)
        t = s.call(t, "doc_save_version", args, error=clash, think=600)
    if r.random() < 0.04:  # a superseded draft cleaned up
        t = s.call(t, "doc_delete", make_args("doc_delete", r, m, u), think=30)
    return s.call(t, "doc_checkin", make_args("doc_checkin", r, m, u, doc=doc), think=40)


def research(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    for _ in range(r.randint(1, 3)):
        t = s.call(t, "case_search", make_args("case_search", r, m, p.name), think=50)
        for _ in range(r.randint(0, 2)):
            t = s.call(t, "case_get", make_args("case_get", r, m, p.name), think=120)
    for _ in range(r.randint(0, 3)):
        t = s.call(t, "citator_check", make_args("citator_check", r, m, p.name), think=25)
    if r.random() < 0.3:
        t = s.call(t, "statute_get", make_args("statute_get", r, m, p.name), think=60)
    return t


def mail(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    if r.random() < 0.5:
        t = s.call(t, "mail_search", make_args("mail_search", r, m, p.name), think=15)
    for _ in range(r.randint(1, 4)):
        t = s.call(t, "mail_get", make_args("mail_get", r, m, p.name), think=40)
    for _ in range(r.randint(0, 2)):
        t = s.call(t, "mail_send", make_args("mail_send", r, m, p.name), think=60)
    if r.random() < 0.25:
        t = s.call(t, "calendar_list", make_args("calendar_list", r, m, p.name), think=10)
    return t


def review(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "review_batch_checkout", make_args("review_batch_checkout", r, m, p.name))
    for _ in range(r.randint(6, 16)):
        if r.random() < 0.15:
            t = s.read(t, f"review://{m.id}/{make_args('review_doc_get', r, m, '')['control']}")
        else:
            t = s.call(t, "review_doc_get", make_args("review_doc_get", r, m, p.name), think=45)
        t = s.call(t, "review_code_doc", make_args("review_code_doc", r, m, p.name), think=8)
    return t


def dataroom(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    t = s.call(t, "dataroom_index", make_args("dataroom_index", r, m, u), think=40)
    for _ in range(r.randint(1, 4)):
        t = s.call(t, "dataroom_download", make_args("dataroom_download", r, m, u), think=90)
    if p.role == "paralegal":
        for _ in range(r.randint(1, 4)):
            t = s.call(t, "dataroom_upload", make_args("dataroom_upload", r, m, u), think=40)
    elif p.role == "associate" and r.random() < 0.5:
        t = s.call(t, "dataroom_qa", make_args("dataroom_qa", r, m, u), think=120)
    elif p.role == "partner" and r.random() < 0.4:
        t = s.call(t, "dataroom_grant", make_args("dataroom_grant", r, m, u), think=30)
    return t


def matter(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "matter_get", make_args("matter_get", r, m, p.name), think=30)
    t = s.call(t, "deadline_list", make_args("deadline_list", r, m, p.name), think=30)
    if r.random() < 0.15:
        t = s.call(t, "matter_update", make_args("matter_update", r, m, p.name), think=20)
    if p.role == "partner" and r.random() < 0.1:
        t = s.call(t, "matter_team_update", make_args("matter_team_update", r, m, p.name))
    if p.role == "partner" and r.random() < 0.3:
        t = s.call(t, "prebill_get", make_args("prebill_get", r, m, p.name), think=200)
        if r.random() < 0.5:
            t = s.call(t, "prebill_approve", make_args("prebill_approve", r, m, p.name))
    return t


def timesheet(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    """A lawyer's end-of-day time: an entry per matter worked (a rejected task code redone)."""
    for mm in r.sample(p.matters, min(len(p.matters), r.randint(2, 6))):
        args = make_args("time_entry_create", r, mm, p.name)
        if r.random() < 0.03:
            t = s.call(t, "time_entry_create", args, error="validation_error", think=20)
            args = {**args, "task": "L120"}
        t = s.call(t, "time_entry_create", args, think=40)
    return t


def assist(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    """An assistant: diaries, formatting a document, time entered for their partner."""
    t = s.call(t, "calendar_get", make_args("calendar_get", r, m, m.partner), think=20)
    if r.random() < 0.4:
        t = s.call(t, "time_entry_create", make_args("time_entry_create", r, m, m.partner))
    return s.call(t, "deadline_list", make_args("deadline_list", r, m, p.name), think=30)


def billing(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    tool = r.choice(("wip_report", "time_entries_list"))
    t = s.call(t, tool, make_args(tool, r, m, u))
    for mm in r.sample(p.matters or [m], 1) + [m] * r.randint(0, 3):
        t = s.call(t, "prebill_get", make_args("prebill_get", r, mm, u), think=120)
    if r.random() < 0.4:
        t = s.call(t, "rate_get", make_args("rate_get", r, m, u), think=15)
    if r.random() < 0.3:
        t = s.call(t, "time_entry_update", make_args("time_entry_update", r, m, u), think=30)
    if r.random() < 0.15:
        t = s.call(t, "writeoff_record", make_args("writeoff_record", r, m, u), think=30)
    if r.random() < 0.05:  # a duplicate entry removed
        t = s.call(t, "time_entry_delete", make_args("time_entry_delete", r, m, u), think=30)
    return t


def records(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    tool = r.choice(("disposition_list", "hold_list"))
    t = s.call(t, tool, make_args(tool, r, m, u))
    if r.random() < 0.4:
        t = s.call(t, "retention_policy_get", make_args("retention_policy_get", r, m, u))
    if r.random() < 0.3:
        for _ in range(r.randint(1, 3)):
            t = s.call(t, "hold_apply", make_args("hold_apply", r, m, u), think=40)
            t = s.call(t, "custodian_notify", make_args("custodian_notify", r, m, u), think=20)
    if r.random() < 0.25:
        t = s.call(t, "box_request", make_args("box_request", r, m, u))
    if r.random() < 0.08:  # a settled case: the hold lifted, the matter closed
        t = s.call(t, "hold_release", make_args("hold_release", r, m, u), think=60)
        t = s.call(t, "matter_close", make_args("matter_close", r, m, u))
    return t


def it_ticket(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    u = p.name
    tool = r.choice(("user_get", "user_lookup"))
    t = s.call(t, tool, make_args(tool, r, m, u))
    kinds = ("mfa_reset", "group_add", "session", "group_remove", "audit", "wall_update")
    kind = r.choice((*kinds, "user_disable") if r.random() < 0.1 else kinds)
    if kind == "session":
        t = s.call(t, "session_list", make_args("session_list", r, m, u))
        if r.random() < 0.5:
            t = s.call(t, "session_revoke", make_args("session_revoke", r, m, u))
    elif kind == "audit":
        t = s.call(t, "audit_search", make_args("audit_search", r, m, u), think=120)
    else:
        denied = "forbidden" if kind == "group_add" and r.random() < 0.05 else None
        t = s.call(t, kind, make_args(kind, r, m, u), error=denied)
    return t


def docket(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    """A docketing clerk: reads dockets and the court rules, computes and enters deadlines."""
    u = p.name
    for _ in range(r.randint(1, 3)):
        if r.random() < 0.3:
            t = s.read(t, f"docket://{m.court.lower()}/{m.case}", think=40)
        else:
            t = s.call(t, "docket_get", make_args("docket_get", r, m, u), think=40)
    if r.random() < 0.3:
        t = s.read(t, f"rules://{m.court.lower()}/{r.randint(1, 90)}", think=60)
    t = s.call(t, "deadline_compute", make_args("deadline_compute", r, m, u), think=30)
    if r.random() < 0.5:
        t = s.call(t, "deadline_create", make_args("deadline_create", r, m, u), think=20)
    return t


def litsupport(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    for _ in range(r.randint(1, 3)):
        t = s.call(t, "review_search", make_args("review_search", r, m, p.name), think=60)
    t = s.call(t, "production_status", make_args("production_status", r, m, p.name))
    if r.random() < 0.2:
        t = s.call(t, "review_ingest_run", make_args("review_ingest_run", r, m, p.name))
    if r.random() < 0.05:  # a superseded saved search set
        t = s.call(t, "review_set_delete", make_args("review_set_delete", r, m, p.name))
    return t


def intake_desk(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    t = s.call(t, "matter_search", make_args("matter_search", r, m, p.name), think=20)
    for _ in range(r.randint(1, 2)):
        t = s.call(t, "conflicts_search", make_args("conflicts_search", r, m, p.name))
    return t


def library(s: Session, t: int, p: Person, m: Matter, r: random.Random) -> int:
    """The research librarian: news and case alerts for the practice groups."""
    t = s.call(t, "news_search", make_args("news_search", r, m, p.name), think=60)
    return research(s, t, p, m, r)


TASKS: Final[dict[str, Task]] = {
    "draft": draft,
    "research": research,
    "mail": mail,
    "review": review,
    "dataroom": dataroom,
    "matter": matter,
    "timesheet": timesheet,
    "assist": assist,
    "billing": billing,
    "records": records,
    "it": it_ticket,
    "docket": docket,
    "litsupport": litsupport,
    "intake": intake_desk,
    "library": library,
}
