"""Stories through their lifecycle: pitch → research → draft → edit → legal → publish → social
→ update / correct. Each step is done by whoever holds that job at that moment.

A story starts in a reporter's (or stringer's) shift: from the desk's diary, or from a wire item
the desk picked up. The reporter researches (archive, wire, chat, a transcribed interview, a
data query through a data journalist), drafts with autosaves, and submits. The desk editor on
shift (the night desk when the day desks are gone) edits it, sometimes sends it back, opens a
legal review for the sensitive ones (the lawyers work office hours: a story waits for them),
and publishes. A picture editor finds or crops the art, a social producer schedules posts, a
developing story is updated for hours, and the standards editor appends corrections the next
day. Wait times are queues: a step that finds nobody on shift waits for the next shift.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from .org import HOUR_US, Person
from .roster import Roster
from .tape import Tape, text

__all__ = ["Story", "run_story"]

MIN: Final = 60_000_000
_EDITORS: Final = ("editor", "night-editor")
_QUERIES: Final = (
    "budget vote",
    "central bank rates",
    "port strike",
    "election turnout",
    "flood defences",
    "transfer window",
    "museum funding",
    "chip exports",
    "ceasefire talks",
    "housing starts",
    "heatwave deaths",
    "rail franchise",
    "vaccine trial",
    "mayor resigns",
    "bond yields",
)


@dataclass(slots=True)
class Story:
    """One story: its reporter, desk, when it starts and what it will need."""

    id: str
    reporter: Person
    start: int
    words: int
    sensitive: bool
    art: bool
    data: bool
    developing: bool
    wire_item: str = ""


def _q(rng: random.Random) -> str:
    return rng.choice(_QUERIES)


def _research(tape: Tape, s: Story, t: int, tr: str, roster: Roster) -> int:
    rng, p = tape.rng, s.reporter
    agent = p.agents[-1]
    if s.wire_item:
        t = tape.call(p, t, "wire_get_item", {"item_id": s.wire_item}, trace=tr, agent=agent)
        t += rng.randint(1, 6) * MIN
    for _ in range(rng.randint(1, 4)):
        t = tape.call(
            p,
            t,
            "archive_search",
            {"query": _q(rng), "since": "2015-01-01", "limit": 20},
            trace=tr,
            agent=agent,
        )
        t += rng.randint(20, 240) * 1_000_000
        if rng.random() < 0.6:
            uri = f"archive://article/{rng.randint(1995, 2026)}/{rng.randint(1, 99999):05d}"
            t = tape.read(p, t, uri, trace=tr, agent=agent, size=11_000)
            t += rng.randint(30, 300) * 1_000_000
    if rng.random() < 0.5:
        t = tape.call(p, t, "wire_search", {"query": _q(rng), "hours": 24}, trace=tr, agent=agent)
    if rng.random() < 0.25:  # an interview on tape
        t = tape.call(
            p,
            t,
            "transcribe_audio",
            {"file": f"interviews/{s.id}.m4a", "language": "en"},
            trace=tr,
            agent=agent,
        )
        t = tape.call(
            p, t + rng.randint(1, 5) * MIN, "transcribe_get", {"job": s.id}, trace=tr, agent=agent
        )
    if s.data:
        got = roster.pick(rng, ("data",), t, p.bureau)
        if got is not None:
            data_session(tape, got[0], got[1], tr)
    channel = f"#desk-{p.desk}"
    pitch = {"channel": channel, "text": text(rng.randint(150, 600))}
    return tape.call(p, t, "chat_post_message", pitch, trace=tr)


def data_session(tape: Tape, p: Person, t: int, tr: str = "") -> int:
    """A data journalist at work: look at the tables, query, refine, maybe export."""
    rng = tape.rng
    tr = tr or tape.trace()
    table = rng.choice(
        (
            "census_2021",
            "election_results",
            "house_prices",
            "crime_stats",
            "company_filings",
            "hospital_waits",
        )
    )
    if rng.random() < 0.3:
        t = tape.call(p, t, "sql_list_tables", {"schema": "public"}, trace=tr) + 20 * 1_000_000
    t = tape.call(p, t, "sql_describe_table", {"table": table}, trace=tr)
    for _ in range(rng.randint(3, 12)):
        t += rng.randint(30, 400) * 1_000_000
        sql = (
            f"SELECT region, count(*) FROM {table} WHERE year >= {rng.randint(2010, 2024)} "  # noqa: S608
            f"GROUP BY region ORDER BY 2 DESC LIMIT {rng.choice((20, 50, 200, 1000))}"
        )
        bad = rng.random() < 0.1
        t = tape.call(
            p,
            t,
            "sql_run_query",
            {"sql": sql},
            trace=tr,
            outcome="error" if bad else "ok",
            error="sql_error" if bad else None,
            result=int(rng.lognormvariate(8.8, 1.3)),
        )
    if rng.random() < 0.3:
        t = tape.call(
            p,
            t + 60 * 1_000_000,
            "sql_export_csv",
            {"sql": f"SELECT * FROM {table}", "format": "csv"},  # noqa: S608
            trace=tr,
        )
    return t


def _draft(tape: Tape, s: Story, t: int, tr: str) -> int:
    rng, p = tape.rng, s.reporter
    t = tape.call(
        p,
        t + rng.randint(5, 40) * MIN,
        "cms_create_draft",
        {"desk": p.desk, "headline": text(70), "slug": s.id},
        trace=tr,
    )
    saves = max(2, s.words // rng.randint(120, 220))
    for k in range(saves):
        t += rng.randint(3, 14) * MIN
        size = int(s.words * 6.2 * (k + 1) / saves)
        t = tape.call(p, t, "cms_update_draft", {"draft_id": s.id, "body": text(size)}, trace=tr)
    return tape.call(
        p,
        t + rng.randint(1, 8) * MIN,
        "cms_submit_for_edit",
        {"draft_id": s.id, "desk": p.desk},
        trace=tr,
    )


def _art(tape: Tape, s: Story, t: int, tr: str, roster: Roster) -> None:
    rng = tape.rng
    got = roster.pick(rng, ("photo-editor",), t, s.reporter.bureau)
    if got is None:
        return
    ed, t = got
    if rng.random() < 0.4:
        shooter = roster.pick(rng, ("photographer",), t, ed.bureau)
        if shooter is not None:
            ph, u = shooter
            for k in range(rng.randint(3, 14)):
                big = rng.random() < 0.02
                u = tape.call(
                    ph,
                    u + rng.randint(10, 90) * 1_000_000,
                    "photo_upload",
                    {"filename": f"{s.id}-{k:02d}.jpg", "bytes": rng.randint(4, 22) * 1_000_000},
                    trace=tr,
                    outcome="error" if big else "ok",
                    error="payload_too_large" if big else None,
                )
            t = max(t, u)
    t = tape.call(ed, t, "photo_search", {"query": _q(rng), "licensed": True}, trace=tr)
    asset = f"IMG-{rng.randint(1, 9_999_999):07d}"
    for _ in range(rng.randint(1, 3)):
        t = tape.call(
            ed,
            t + rng.randint(10, 90) * 1_000_000,
            "photo_get_asset",
            {"asset_id": asset},
            trace=tr,
        )
    t = tape.call(ed, t, "photo_license_check", {"asset_id": asset}, trace=tr)
    if rng.random() < 0.5:
        t = tape.read(ed, t, f"dam://asset/{asset}", trace=tr, size=2_000)
    t = tape.call(ed, t, "photo_crop", {"asset_id": asset, "ratio": "16:9"}, trace=tr)
    tape.call(ed, t, "photo_caption", {"asset_id": asset, "caption": text(160)}, trace=tr)


def _edit(tape: Tape, s: Story, t: int, tr: str, roster: Roster) -> tuple[Person, int] | None:
    rng = tape.rng
    got = roster.pick(rng, _EDITORS, t + rng.randint(3, 45) * MIN, s.reporter.bureau)
    if got is None:
        return None
    ed, t = got
    t = tape.call(ed, t, "cms_list_queue", {"desk": s.reporter.desk}, trace=tr)
    t = tape.call(ed, t + 20_000_000, "cms_get_article", {"article_id": s.id}, trace=tr)
    if rng.random() < 0.3:
        t = tape.read(ed, t, "style://guide/house-style", trace=tr, size=40_000)
    for _ in range(rng.randint(1, 4)):
        t += rng.randint(2, 9) * MIN
        clash = rng.random() < 0.04  # the reporter still has it open
        t = tape.call(
            ed,
            t,
            "cms_update_draft",
            {"draft_id": s.id, "body": text(s.words * 6)},
            trace=tr,
            outcome="error" if clash else "ok",
            error="conflict" if clash else None,
        )
    if rng.random() < 0.2:  # back to the reporter
        t = tape.call(ed, t, "cms_add_edit_note", {"draft_id": s.id, "note": text(300)}, trace=tr)
        rep = s.reporter
        u = t + rng.randint(10, 50) * MIN
        if roster.shift_end(rep, u) is not None:
            for _ in range(rng.randint(1, 3)):
                u = (
                    tape.call(
                        rep,
                        u,
                        "cms_update_draft",
                        {"draft_id": s.id, "body": text(s.words * 6)},
                        trace=tr,
                    )
                    + rng.randint(3, 9) * MIN
                )
            u = tape.call(
                rep, u, "cms_submit_for_edit", {"draft_id": s.id, "desk": rep.desk}, trace=tr
            )
            end = roster.shift_end(ed, u)
            if end is None:
                return _edit(tape, s, u, tr, roster)
            t = tape.call(
                ed, u + rng.randint(3, 20) * MIN, "cms_get_article", {"article_id": s.id}, trace=tr
            )
    return ed, t


def _legal(tape: Tape, s: Story, ed: Person, t: int, tr: str, roster: Roster) -> int:
    rng = tape.rng
    review = f"LR-{s.id[-6:]}"
    t = tape.call(
        ed, t, "legal_open_review", {"article_id": s.id, "reason": "defamation risk"}, trace=tr
    )
    if rng.random() < 0.1:  # the editor tries to publish before the lawyer has read it
        tape.call(
            ed,
            t + 2 * MIN,
            "cms_publish",
            {"article_id": s.id},
            trace=tr,
            outcome="denied",
            error="legal_hold",
        )
    got = roster.pick(rng, ("lawyer",), t + rng.randint(15, 120) * MIN)
    if got is None:
        return t
    law, u = got
    u = tape.call(law, u, "legal_get_review", {"review_id": review}, trace=tr)
    u = tape.call(law, u + 30_000_000, "cms_get_article", {"article_id": s.id}, trace=tr)
    for _ in range(rng.randint(1, 3)):
        u = tape.call(
            law,
            u + rng.randint(4, 20) * MIN,
            "legal_add_comment",
            {"review_id": review, "text": text(rng.randint(200, 900))},
            trace=tr,
        )
    if rng.random() < 0.2:
        u = tape.call(law, u, "legal_flag", {"review_id": review, "severity": "amend"}, trace=tr)
        u = tape.call(
            s.reporter,
            u + rng.randint(10, 60) * MIN,
            "cms_update_draft",
            {"draft_id": s.id, "body": text(s.words * 6)},
            trace=tr,
        )
    return tape.call(
        law, u + rng.randint(2, 15) * MIN, "legal_clear", {"review_id": review}, trace=tr
    )


def _after(tape: Tape, s: Story, ed: Person, t: int, tr: str, roster: Roster) -> None:
    rng = tape.rng
    got = roster.pick(rng, ("social",), t + rng.randint(2, 30) * MIN)
    if got is not None:
        soc, u = got
        for _ in range(rng.randint(1, 3)):
            u = tape.call(
                soc,
                u,
                "social_schedule_post",
                {
                    "article_id": s.id,
                    "network": rng.choice(("x", "bluesky", "instagram", "linkedin")),
                },
                trace=tr,
            )
            u += rng.randint(1, 10) * MIN
    rep, u = s.reporter, t
    if s.developing:
        for _ in range(rng.randint(1, 5)):
            u += rng.randint(20, 90) * MIN
            who = rep if roster.shift_end(rep, u) is not None else ed
            if roster.shift_end(who, u) is None:
                break
            u = tape.call(
                who,
                u,
                "cms_update_published",
                {"article_id": s.id, "body": text(s.words * 7)},
                trace=tr,
            )
    for _ in range(rng.randint(0, 2)):
        u += rng.randint(40, 200) * MIN
        if roster.shift_end(rep, u) is not None:
            u = tape.call(rep, u, "analytics_story_traffic", {"article_id": s.id}, trace=tr)
    if rng.random() < 0.03:  # a correction the next day
        got = roster.pick(rng, ("standards",), t + 20 * HOUR_US)
        if got is not None:
            std, v = got
            v = tape.call(std, v, "cms_get_article", {"article_id": s.id}, trace=tr)
            tape.call(
                std,
                v + 6 * MIN,
                "cms_append_correction",
                {"article_id": s.id, "note": text(240)},
                trace=tr,
            )


def run_story(tape: Tape, s: Story, roster: Roster) -> None:
    """Every call of ``s``'s life, by whoever is on shift at each step."""
    rng = tape.rng
    tr = tape.trace()
    t = _research(tape, s, s.start, tr, roster)
    t = _draft(tape, s, t, tr)
    if s.art:
        _art(tape, s, t, tr, roster)
    got = _edit(tape, s, t, tr, roster)
    if got is None:
        return
    ed, t = got
    if s.sensitive:
        t = _legal(tape, s, ed, t, tr, roster)
        back = roster.pick(rng, _EDITORS, t + rng.randint(5, 30) * MIN, s.reporter.bureau)
        if back is None:
            return
        ed, t = back
    if s.reporter.role == "stringer" and rng.random() < 0.05:  # not theirs to publish
        tape.call(
            s.reporter,
            t,
            "cms_publish",
            {"article_id": s.id},
            trace=tr,
            outcome="denied",
            error="forbidden",
        )
    t = tape.call(ed, t + rng.randint(1, 10) * MIN, "cms_publish", {"article_id": s.id}, trace=tr)
    _after(tape, s, ed, t, tr, roster)
