"""The scored day's hard negatives: what a university really does that looks alarming.

Each is labelled ``benign:<name>`` and happens on the scored day only (a Monday of assessment
week). Detectors must not page on any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from tooltrail.simulator.model import Incident

from ._trail import Trail
from .flows import HOUR_US, S_US, Step, researcher, run_session, submit
from .org import Org, Person

__all__ = ["HARD_NEGATIVES", "add_hard_negatives"]

HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:deadline_surge",
    "benign:grade_deadline",
    "benign:hpc_requeue",
    "benign:account_provisioning",
    "benign:expired_purge",
    "benign:visiting_abroad",
    "benign:role_change",
    "benign:conference_allnighter",
    "benign:exam_lockdown",
    "benign:systematic_review",
)
_WHAT: Final = {
    "benign:deadline_surge": "COMP1511 and PSYC1001 coursework due 23:59: submissions pile up",
    "benign:grade_deadline": "every lecturer submits term marks by 17:00",
    "benign:hpc_requeue": "HPC maintenance: jobs fail, then hundreds are requeued at once",
    "benign:account_provisioning": "early-intake accounts created in bulk; new students log in",
    "benign:expired_purge": "an IT admin's scheduled purge of expired accounts at 02:00",
    "benign:visiting_abroad": "a researcher at a conference in Sydney works her UK night",
    "benign:role_change": "a TA covers a lecturer on leave and starts a lecturer's work",
    "benign:conference_allnighter": "a research group's conference deadline evening on the HPC",
    "benign:exam_lockdown": "an online exam locks the LMS: the course's students are denied",
    "benign:systematic_review": "a researcher's systematic review fetches hundreds of papers",
}


def add_hard_negatives(trail: Trail, org: Org, day: int, day0: int) -> list[Incident]:
    """Add every hard negative's calls to ``trail`` on ``day`` (starting ``day0`` µs)."""
    rng = trail.rng
    out: list[Incident] = []
    people = {p.name: p for p in org.people}

    def burst(name: str, fill: Callable[[str], None]) -> None:
        """Run ``fill`` (it adds the calls labelled ``label``) and record the burst."""
        label = f"{name}#0"
        first = len(trail.calls)
        fill(label)
        mine = trail.calls[first:]
        ts = [c.ts for c in mine]
        lead = mine[0]
        out.append(
            Incident(
                label,
                name,
                lead.user,
                lead.agent,
                lead.client,
                min(ts),
                max(ts),
                len(mine),
                _WHAT[name],
            )
        )

    def at(h: float) -> int:
        return day0 + int(h * HOUR_US) + rng.randint(0, 59) * S_US

    def deadline(label: str) -> None:
        for code in ("COMP1511", "PSYC1001"):
            course = org.courses[code]
            for s in course.students:
                if rng.random() < 0.9:
                    back = min(rng.expovariate(1 / 1.6), 5.5)
                    run_session(
                        trail,
                        people[s],
                        day,
                        at(23.9 - back),
                        submit(rng, people[s], course, "a3"),
                        label,
                        pace=(3, 20),
                    )

    def grades(label: str) -> None:
        for p in org.by_role("lecturer"):
            c = p.courses[0]
            steps: list[Step] = [("gradebook_export", {"course": c, "format": "csv"})]
            for s in rng.sample(org.courses[c].students, min(25, len(org.courses[c].students))):
                steps.append(
                    (
                        "grade_set",
                        {
                            "course": c,
                            "assignment": "final",
                            "student": s,
                            "mark": rng.randint(30, 98),
                        },
                    )
                )
            steps.append(("grade_get", {"course": c, "summary": True}))
            run_session(trail, p, day, at(rng.uniform(13.0, 16.2)), [steps], label, pace=(4, 15))

    def requeue(label: str) -> None:
        mon = people["svc-hpc-monitor"]
        who = (mon.name, mon.agent, mon.client, mon.version(day))
        sid = trail.session(mon.name)
        ts = at(6.0)
        trail.listing(ts, "hpc", who, sid, label)
        for _ in range(40):
            ts += rng.randint(20, 70) * S_US
            trail.tool(
                ts,
                "job_status",
                {"state": "RUNNING"},
                who,
                sid,
                label,
                outcome="error",
                error="service_unavailable",
            )
        ts = at(7.0)
        for k in range(360):
            ts += rng.randint(2, 6) * S_US
            trail.tool(
                ts,
                "job_submit",
                {"requeue": 4_700_000 + k, "partition": "gpu"},
                who,
                sid,
                label,
                outcome="ok",
            )

    def provisioning(label: str) -> None:
        idm = people["svc-idm"]
        run_session(
            trail,
            idm,
            day,
            at(8.0),
            [
                [
                    s
                    for k in range(150)
                    for s in (
                        ("account_create", {"user": f"z53{k:05d}", "type": "student"}),
                        ("group_add_member", {"user": f"z53{k:05d}", "group": "students-2027T1"}),
                    )
                ]
            ],
            label,
            pace=(2, 6),
        )
        for k in range(8):
            p = Person(
                f"z53{k:05d}",
                "student",
                0.0,
                10,
                18,
                "course-assistant",
                "campus-assistant",
                ("1.9.0", "1.9.0"),
                0,
                0.5,
                courses=("COMP1511",),
            )
            org.people.append(p)
            steps: list[Step] = [
                ("course_list", {}),
                ("course_get", {"course": "COMP1511"}),
                ("kb_search", {"query": "first login"}),
            ]
            run_session(trail, p, day, at(rng.uniform(10, 16)), [steps], label)
            trail.tool(
                trail.calls[-1].ts + 30 * S_US,
                "grade_get",
                {"course": "COMP1511"},
                (p.name, p.agent, p.client, "1.9.0"),
                trail.calls[-1].session_id,
                label,
                outcome="denied",
                error="forbidden",
            )

    def purge(label: str) -> None:
        admin = org.by_role("it_admin")[0]
        steps: list[Step] = [("ticket_get", {"id": 58_001, "change": "CHG-2291"})]
        steps += [
            (
                "account_delete",
                {"user": f"z49{k:05d}", "expired": "2026-06-30", "change": "CHG-2291"},
            )
            for k in range(80)
        ]
        run_session(trail, admin, day, at(2.0), [steps], label, pace=(8, 20))

    def abroad(label: str) -> None:
        p = org.by_role("researcher")[1]
        ts = at(0.1)
        for _ in range(4):
            ts = run_session(trail, p, day, ts, researcher(rng, p, org, day), label)
            ts += rng.randint(10, 40) * 60 * S_US
            if ts > day0 + 6 * HOUR_US:
                break

    def role_change(label: str) -> None:
        p = org.by_role("ta")[3]
        c = p.courses[0]
        steps: list[Step] = [
            ("course_get", {"course": c}),
            ("announcement_post", {"course": c, "audience": 90}),
            ("enrolment_list", {"course": c}),
            ("exam_timetable_get", {"course": c}),
            ("exam_paper_get", {"course": c, "paper": "final-draft"}),
            ("gradebook_export", {"course": c, "format": "csv"}),
        ]
        run_session(trail, p, day, at(10.0), [steps[:3], steps[3:]], label)

    def allnighter(label: str) -> None:
        group = [p for p in org.by_role("researcher") if p.group == "mlsys"][:4]
        for p in group:
            ts = at(rng.uniform(19, 19.7))
            while ts < day0 + int(23.6 * HOUR_US):
                j = rng.randint(4_000_000, 4_999_999)
                steps: list[Step] = [
                    ("job_submit", {"script": "mlsys/ablation.sbatch", "gpus": 4, "hours": 2})
                ]
                steps += [("job_status", {"job": j})] * rng.randint(2, 5)
                steps += [
                    ("job_output", {"job": j}),
                    ("commit_push", {"repo": "mlsys/paper", "files": 2}),
                    ("rds_write", {"path": "/projects/mlsys/fig.pdf"}),
                ]
                ts = run_session(trail, p, day, ts, [steps], label, pace=(5, 30))

    def lockdown(label: str) -> None:
        code = "MATH1131"
        for s in org.courses[code].students[:40]:
            p = people[s]
            who = (p.name, p.agent, p.client, p.version(day))
            sid = trail.session(p.name)
            ts = at(rng.uniform(9.0, 10.5))
            trail.listing(ts, "lms", who, sid, label)
            for _ in range(rng.randint(2, 5)):
                ts += rng.randint(10, 90) * S_US
                tool = rng.choice(("forum_search", "course_get", "grade_get"))
                trail.tool(
                    ts, tool, {"course": code}, who, sid, label, outcome="denied", error="forbidden"
                )

    def review(label: str) -> None:
        p = [r for r in org.by_role("researcher") if r.group == "neuro"][2]
        steps: list[Step] = [
            ("catalogue_search", {"query": "hippocampal replay", "type": "review"})
        ]
        steps += [
            ("ejournal_fetch", {"doi": f"10.1016/j.neuron.{rng.randint(10_000, 99_999)}"})
            for _ in range(240)
        ]
        run_session(trail, p, day, at(10.0), [steps], label, pace=(6, 40))

    fills = (
        deadline,
        grades,
        requeue,
        provisioning,
        purge,
        abroad,
        role_change,
        allnighter,
        lockdown,
        review,
    )
    for name, fill in zip(HARD_NEGATIVES, fills, strict=True):
        burst(name, fill)
    return out
