"""What each role does on a day, driven by the calendar: lectures, deadlines, grading, research.

Every function returns the *tasks* of one session: lists of steps, a step being
``(tool, args)`` or ``(None, uri)`` for a ``resources/read``. :func:`run_session` turns a
session into calls at the pace of a person with an agent.
"""

from __future__ import annotations

import random
from typing import Any, Final

from ._trail import Trail
from .catalog import TOOLS
from .org import GROUPS, Course, Org, Person

__all__ = ["HOUR_US", "Step", "run_session", "tasks_for"]

HOUR_US: Final = 3_600_000_000
S_US: Final = 1_000_000
Step = tuple[str | None, Any]
_QUERIES: Final = (
    "recursion base case",
    "normal form 3NF",
    "eigenvalues example",
    "lab 4 marks",
    "extension request",
    "projectile motion",
    "titration error",
    "osmosis",
    "elasticity of demand",
    "working memory",
    "p-value meaning",
    "bridge load",
    "segfault in loop",
    "tutorial room change",
    "exam format",
    "join query slow",
)
_TOPICS: Final = (
    "single-cell atlas",
    "ocean heat uptake",
    "sparse attention",
    "perovskite",
    "hippocampal replay",
    "exoplanet transit",
    "batch effects",
    "GPU scheduling",
)
_INSTRUMENTS: Final = {"genomics": "sequencer", "materials": "massspec", "neuro": "cryoem"}


def _ask(rng: random.Random) -> str:
    return rng.choice(_QUERIES) + ("" if rng.random() < 0.6 else f" week {rng.randint(1, 11)}")


def _doi(rng: random.Random) -> str:
    return f"10.{rng.randint(1000, 9999)}/j.{rng.randint(1, 99999)}"


def student(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    out: list[list[Step]] = []
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        c = rng.choice(p.courses)
        course = org.courses[c]
        soon = any(0 <= d - day <= 2 for d in course.deadlines)
        x = rng.random()
        if soon and x < 0.5:
            a = f"a{course.deadlines.index(next(d for d in course.deadlines if d >= day)) + 1}"
            t: list[Step] = [("assignment_get", {"course": c, "assignment": a})]
            if c.startswith("COMP"):
                t.append(("file_get", {"repo": f"{c.lower()}/{p.name}-{a}", "path": "main.c"}))
            t.append(("forum_search", {"course": c, "query": _ask(rng)}))
            out.append(t)
        elif x < 0.72:
            n = rng.randint(1, 10)
            t = [("course_get", {"course": c}), (None, f"lms://course/{c}/lecture/{n}/slides.pdf")]
            if rng.random() < 0.4:
                t.append(("forum_search", {"course": c, "query": _ask(rng)}))
            if rng.random() < 0.25:
                t.append(("catalogue_search", {"query": _ask(rng), "type": "book"}))
                t.append((None, f"library://item/b{rng.randint(100_000, 999_999)}"))
            out.append(t)
        elif x < 0.82:
            out.append([("grade_get", {"course": c})])
        elif x < 0.9:
            out.append([("mail_search", {"query": c}), ("mail_read", {"id": rng.randint(1, 9999)})])
        elif x < 0.96:
            out.append(
                [
                    ("course_list", {}),
                    (
                        "forum_post",
                        {"course": c, "thread": rng.randint(1, 400), "chars": rng.randint(80, 900)},
                    ),
                ]
            )
        else:
            t = [
                (
                    "kb_search",
                    {
                        "query": rng.choice(
                            ("wifi eduroam", "vpn", "printing quota", "password expired")
                        )
                    },
                )
            ]
            if rng.random() < 0.5:
                t.append(("ticket_create", {"category": "access", "summary_chars": 140}))
            out.append(t)
    return out


def submit(rng: random.Random, p: Person, course: Course, a: str) -> list[list[Step]]:
    """A student's deadline session: check the brief, (COMP) push, upload, maybe re-upload."""
    c = course.code
    t: list[Step] = [("assignment_get", {"course": c, "assignment": a})]
    if c.startswith("COMP"):
        t.append(("commit_push", {"repo": f"{c.lower()}/{p.name}-{a}", "files": rng.randint(1, 6)}))
    for _ in range(1 + (rng.random() < 0.3)):
        t.append(
            (
                "submission_upload",
                {
                    "course": c,
                    "assignment": a,
                    "file": f"{p.name}-{a}.zip",
                    "mb": rng.randint(1, 40),
                },
            )
        )
    return [t]


def ta(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    c = p.courses[0]
    course = org.courses[c]
    grading = any(1 <= day - d <= 4 for d in course.deadlines)
    out: list[list[Step]] = []
    for _ in range(rng.randint(2, 4)):
        if grading and rng.random() < 0.7:
            a = f"a{1 + sum(d < day for d in course.deadlines) - 1}"
            t: list[Step] = [("submission_list", {"course": c, "assignment": a})]
            for s in rng.sample(course.students, min(len(course.students), rng.randint(3, 8))):
                t.append(("submission_download", {"course": c, "assignment": a, "student": s}))
                t.append(
                    (
                        "grade_set",
                        {"course": c, "assignment": a, "student": s, "mark": rng.randint(35, 100)},
                    )
                )
            out.append(t)
        else:
            out.append(
                [
                    ("forum_search", {"course": c, "query": _ask(rng)}),
                    (
                        "forum_post",
                        {
                            "course": c,
                            "thread": rng.randint(1, 400),
                            "chars": rng.randint(200, 1500),
                        },
                    ),
                ]
            )
    if rng.random() < 0.5:
        out.append([("mail_search", {"query": f"{c} extension"}), ("mail_send", {"to": 1})])
    return out


def lecturer(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    c = p.courses[0]
    course = org.courses[c]
    wd = (day + 1) % 7
    out: list[list[Step]] = []
    for d, _h in course.lectures:
        if d == wd:
            n = rng.randint(6, 11)
            out.append(
                [
                    ("course_get", {"course": c}),
                    (None, f"lms://course/{c}/lecture/{n}/slides.pdf"),
                    ("announcement_post", {"course": c, "audience": len(course.students)}),
                ]
            )
    for _ in range(rng.randint(1, 3)):
        x = rng.random()
        if x < 0.35:
            out.append(
                [
                    ("mail_search", {"query": rng.choice(("committee", c, "extension"))}),
                    ("mail_read", {"id": rng.randint(1, 99999)}),
                ]
            )
        elif x < 0.55:
            out.append([("gradebook_export", {"course": c, "format": "csv"})])
        elif x < 0.7:
            out.append(
                [
                    ("exam_paper_get", {"course": c, "paper": "final-draft"}),
                    ("exam_timetable_get", {"course": c}),
                ]
            )
        elif x < 0.85:
            out.append([("forum_search", {"course": c, "query": _ask(rng)})])
        else:
            out.append(
                [
                    ("catalogue_search", {"query": rng.choice(_TOPICS), "type": "article"}),
                    ("ejournal_fetch", {"doi": _doi(rng)}),
                ]
            )
    return out


def researcher(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    g = p.group
    out: list[list[Step]] = []
    for _ in range(rng.randint(2, 5)):
        x = rng.random()
        run = f"/projects/{g}/runs/r{rng.randint(100, 999)}"
        if x < 0.3:
            out.append(
                [
                    ("rds_list", {"path": f"/projects/{g}/raw"}),
                    ("rds_read", {"path": f"{run}/data.h5"}),
                    (None, f"rds://projects/{g}/README.md"),
                ]
            )
        elif x < 0.55:
            j = rng.randint(4_000_000, 4_999_999)
            t: list[Step] = [
                (
                    "job_submit",
                    {
                        "script": f"{g}/train.sbatch",
                        "gpus": rng.choice((0, 1, 2, 4)),
                        "hours": rng.randint(1, 48),
                    },
                ),
                ("queue_list", {"user": p.name}),
            ]
            t += [("job_status", {"job": j})] * rng.randint(1, 3)
            if rng.random() < 0.5:
                t += [("job_output", {"job": j - rng.randint(1, 50)}), (None, f"hpc://job/{j}/log")]
            out.append(t)
        elif x < 0.7:
            out.append(
                [
                    ("repo_list", {"group": g}),
                    ("file_get", {"repo": f"{g}/pipeline", "path": "src/model.py"}),
                    ("commit_push", {"repo": f"{g}/pipeline", "files": rng.randint(1, 9)}),
                    ("pipeline_status", {"repo": f"{g}/pipeline"}),
                ]
            )
        elif x < 0.82:
            out.append(
                [
                    ("catalogue_search", {"query": rng.choice(_TOPICS), "type": "article"}),
                    ("ejournal_fetch", {"doi": _doi(rng)}),
                ]
            )
        elif x < 0.9:
            out.append(
                [("rds_write", {"path": f"{run}/results.parquet", "mb": rng.randint(1, 800)})]
            )
            if rng.random() < 0.2:
                out[-1].append(("dataset_share", {"path": run, "with": rng.choice(GROUPS)}))
        elif x < 0.95 and g in _INSTRUMENTS:
            out.append(
                [
                    ("run_list", {"instrument": _INSTRUMENTS[g]}),
                    ("calibration_get", {"instrument": _INSTRUMENTS[g]}),
                ]
            )
        else:
            out.append([("mail_search", {"query": "reviewer"}), ("mail_read", {"id": 7})])
            if rng.random() < 0.3:
                out[-1].append(("expense_submit", {"amount": rng.randint(20, 900), "code": g}))
    return out


def office(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    """IT admins, registrar and finance staff: a queue of small cases through the day."""
    out: list[list[Step]] = []
    for _ in range(rng.randint(3, 7)):
        x = rng.random()
        if p.role == "it_admin":
            t: list[Step] = [
                ("ticket_search", {"status": "open", "queue": "identity"}),
                ("ticket_get", {"id": rng.randint(50_000, 59_999)}),
            ]
            if x < 0.5:
                t += [
                    ("account_get", {"user": f"z{rng.randint(5_100_000, 5_999_999)}"}),
                    (
                        rng.choice(("password_reset", "mfa_reset", "group_add_member")),
                        {"user": f"z{rng.randint(5_100_000, 5_999_999)}"},
                    ),
                ]
            elif x < 0.6:
                t.append((None, f"kb://articles/{rng.randint(100, 400)}"))
            t.append(("ticket_update", {"status": rng.choice(("resolved", "waiting"))}))
        elif p.role == "registrar":
            sid = f"z{rng.randint(5_100_000, 5_999_999)}"
            t = [("student_get", {"student": sid})]
            if x < 0.3:
                t.append(("transcript_get", {"student": sid}))
            elif x < 0.55:
                t.append(
                    (
                        "enrolment_update",
                        {
                            "student": sid,
                            "course": rng.choice(list(org.courses)),
                            "action": rng.choice(("add", "drop")),
                        },
                    )
                )
            elif x < 0.7:
                t.append(("enrolment_list", {"course": rng.choice(list(org.courses))}))
            elif x < 0.8:
                t.append(("exam_timetable_get", {"term": "2026-T3"}))
            if rng.random() < 0.3:
                t.append(("mail_send", {"to": 1}))
        else:
            if x < 0.4:
                t = [
                    ("invoice_get", {"invoice": rng.randint(10_000, 99_999)}),
                    ("po_approve", {"po": rng.randint(7_000, 7_999)}),
                ]
            elif x < 0.7:
                t = [
                    (
                        "po_create",
                        {"supplier": rng.randint(1, 400), "amount": rng.randint(100, 60_000)},
                    )
                ]
            elif x < 0.85:
                t = [("budget_report", {"cost_centre": rng.choice(GROUPS), "period": "2026-11"})]
            else:
                t = [("mail_read", {"id": rng.randint(1, 99999)})]
        out.append(t)
    return out


ROLE_TASKS: Final = {
    "student": student,
    "ta": ta,
    "lecturer": lecturer,
    "researcher": researcher,
    "visiting": researcher,
    "it_admin": office,
    "registrar": office,
    "finance": office,
}


def tasks_for(rng: random.Random, p: Person, org: Org, day: int) -> list[list[Step]]:
    return ROLE_TASKS[p.role](rng, p, org, day)


def run_session(
    trail: Trail,
    p: Person,
    day: int,
    t0: int,
    tasks: list[list[Step]],
    label: str = "",
    *,
    pace: tuple[int, int] = (4, 45),
) -> int:
    """The calls of one session from ``t0`` (µs): listings first, then the tasks' steps with a
    few seconds between steps and minutes between tasks. Returns the last call's time."""
    rng = trail.rng
    who = (p.name, p.agent, p.client, p.version(day))
    sid = trail.session(p.name)
    servers: dict[str, None] = {}
    for t in tasks:
        for tool, uri in t:
            servers[TOOLS[tool][0] if tool else _uri_server(uri)] = None
    ts = t0
    for s in servers:
        trail.listing(ts, s, who, sid, label)
        ts += rng.randint(5, 80) * 1000
    for t in tasks:
        for tool, args in t:
            ts += rng.randint(*pace) * S_US + rng.randint(0, 999_999)
            if tool is None:
                trail.read(ts, args, who, sid, label)
            else:
                trail.tool(ts, tool, args, who, sid, label)
        ts += rng.randint(60, 720) * S_US
    return ts


def _uri_server(uri: str) -> str:
    return {"lms": "lms", "rds": "rds", "library": "library", "hpc": "hpc", "kb": "helpdesk"}[
        uri.split("://", 1)[0]
    ]
