"""The scored day's hard negatives: real newsroom events that look like attacks, labelled
``benign:<name>#0``. The scored day is Wednesday 4 November 2026 (UTC) by default: the night of
the US midterm elections.

``election_night``     London politics people who never work nights run the live blog, the
                       results database and the social feeds from 00:15 to 07:30 UTC
``breaking_surge``     at 03:10 Hong Kong time an earthquake: the Asian bureaus are woken, and
                       everyone on shift anywhere drops everything; the ingestor polls hard and
                       is rate-limited
``legal_takedown``     a court order: the standards editor unpublishes and deletes dozens of
                       articles in an hour and registers each with legal
``archive_migration``  a data journalist exports the archive, decade by decade, to the new
                       search cluster: large results for three hours, a tool they never used
``new_hire``           a reporter's first day: every tool is new, some are refused
``wire_outage``        the agency feed is down for 75 minutes; the ingestor's polls fail, then
                       the backlog is replayed in pages, with a few duplicates refused
``travelling``         a New York correspondent files from Tokyo: their own work, nine hours
                       early in UTC
``gdpr_purge``         the monthly erasure job, a service account of its own, deletes the
                       subscribers who asked to be forgotten
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from .org import HOUR_US, Person, Shift, Staff
from .roster import Roster
from .routines import SEC, flash
from .stories import MIN, Story, run_story
from .tape import Tape, text

__all__ = ["DESCRIPTIONS", "HARD_NEGATIVES", "Plan", "play", "prepare"]

HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:election_night",
    "benign:breaking_surge",
    "benign:legal_takedown",
    "benign:archive_migration",
    "benign:new_hire",
    "benign:wire_outage",
    "benign:travelling",
    "benign:gdpr_purge",
)
#: one line per hard negative (the incident's description)
DESCRIPTIONS: Final[dict[str, str]] = {
    "benign:election_night": "London politics staff who never work nights run election night",
    "benign:breaking_surge": "an earthquake at 03:10 in Hong Kong: the whole newsroom spikes",
    "benign:legal_takedown": "a court order: the standards editor unpublishes and deletes 38",
    "benign:archive_migration": "a data journalist exports the whole archive to a new cluster",
    "benign:new_hire": "a reporter's first day: every tool new, some refused",
    "benign:wire_outage": "the agency feed is down 75 minutes, then its backlog is replayed",
    "benign:travelling": "a New York correspondent files from Tokyo, nine hours early",
    "benign:gdpr_purge": "the monthly erasure job deletes subscribers who asked to be forgotten",
}


def _label(name: str) -> str:
    return f"benign:{name}#0"


@dataclass(slots=True)
class Plan:
    """Who does what on the scored day (chosen before the ordinary traffic is made)."""

    cut: int
    election: list[Person] = field(default_factory=list)
    takedown: Person | None = None
    migrator: Person | None = None
    traveller: Person | None = None
    hire: Person | None = None
    purge: Person | None = None
    outage: tuple[int, int, str] = (0, 0, "")
    extra: list[Person] = field(default_factory=list)  # accounts seen only on the scored day


def _drop_day(p: Person, cut: int) -> None:
    p.shifts = [(s, e) for s, e in p.shifts if s < cut - 6 * HOUR_US]


def prepare(rng: random.Random, staff: Staff, cut: int) -> Plan:
    """Choose the people and change their scored-day shifts; marks come with :func:`play`."""
    plan = Plan(cut)
    london = [p for p in staff.people if p.bureau == "london"]
    politics = [p for p in london if p.desk == "politics" and p.role in ("reporter", "editor")]
    data = [p for p in london if p.role == "data"]
    rng.shuffle(politics)
    rng.shuffle(data)
    plan.election = [*politics[:3], data[0]]
    plan.migrator = data[1]
    plan.takedown = staff.by_role["standards"][0]
    ny = sorted(
        (p for p in staff.by_role["reporter"] if p.bureau == "new-york"), key=lambda p: p.name
    )
    plan.traveller = rng.choice(ny)
    for p in (*plan.election, plan.traveller):
        _drop_day(p, cut)  # the night (or the trip) replaces the day shift
    plan.traveller.shifts.append((cut + 2 * HOUR_US, cut + 10 * HOUR_US + 30 * MIN))  # 11-19:30 JST
    start = cut + 9 * HOUR_US + rng.randint(0, 20) * MIN
    plan.outage = (start, start + 75 * MIN, _label("wire_outage"))
    hire = Person(
        "new.starter",
        "reporter",
        "business",
        "london",
        Shift(9.0, 18.0),
        ("drafting-assistant", "research-agent"),
        "newsdesk-assistant",
        ((0, "3.5.0"),),
    )
    purge = Person(
        "svc-privacy",
        "service",
        "platform",
        "london",
        Shift(4.0, 5.0),
        ("erasure-job",),
        "python-mcp-sdk",
        ((0, "2.3.0"),),
    )
    plan.hire, plan.purge = hire, purge
    plan.extra = [hire, purge]
    return plan


def play(tape: Tape, plan: Plan, staff: Staff, roster: Roster) -> None:
    """Add every hard negative's calls (the wire outage is made by ``routines.services``)."""
    cut, rng = plan.cut, tape.rng
    _election(tape, plan, roster)
    _surge(tape, staff, roster, cut + 19 * HOUR_US + 10 * MIN)
    _takedown(tape, plan, roster)
    _migration(tape, plan)
    _hire(tape, plan)
    trav = plan.traveller
    assert trav is not None
    tape.marks[trav.name] = (cut, cut + 12 * HOUR_US, _label("travelling"))  # the Tokyo day
    for k, at in enumerate((140, 370)):  # two pieces filed from Tokyo
        story = Story(f"A-2026-TOKYO{k}", trav, cut + at * MIN, 900, False, True, False, False)
        run_story(tape, story, roster)
    for h in range(2, 10):
        tape.call(
            trav,
            cut + h * HOUR_US + rng.randint(0, 30) * MIN,
            "chat_read_channel",
            {"channel": f"#desk-{trav.desk}", "limit": 50},
        )
    _purge(tape, plan)


def _election(tape: Tape, plan: Plan, roster: Roster) -> None:
    rng, label = tape.rng, _label("election_night")
    lo, hi = plan.cut + 15 * MIN, plan.cut + 7 * HOUR_US + 30 * MIN
    blog = "A-2026-MIDTERMS-LIVE"
    for p in plan.election:
        tape.marks[p.name] = (lo, hi, label)
        t = lo + rng.randint(0, 20) * MIN
        tr = tape.trace()
        while t < hi:
            if p.role == "data":
                sql = (
                    "SELECT state, party, sum(votes) FROM election_results WHERE "  # noqa: S608
                    f"reported_at > now() - interval '{rng.choice((5, 10, 15))} minutes' "
                    "GROUP BY 1, 2"
                )
                t = tape.call(
                    p, t, "sql_run_query", {"sql": sql}, trace=tr, result=rng.randint(4_000, 40_000)
                )
            else:
                t = tape.call(
                    p,
                    t,
                    "cms_update_published",
                    {"article_id": blog, "body": text(rng.randint(600, 3_000))},
                    trace=tr,
                )
                if rng.random() < 0.4:
                    t = tape.call(
                        p,
                        t + 30 * SEC,
                        "wire_search",
                        {"query": "midterms called", "hours": 1},
                        trace=tr,
                    )
                if rng.random() < 0.3:
                    t = tape.call(p, t, "analytics_realtime", {"limit": 10}, trace=tr)
            t += rng.randint(4, 12) * MIN


def _surge(tape: Tape, staff: Staff, roster: Roster, t: int) -> None:
    label = _label("breaking_surge")
    asia = [
        p
        for p in staff.people
        if p.bureau in ("hong-kong", "sydney") and p.role in ("reporter", "editor")
    ]
    rng = tape.rng
    for p in asia:  # woken at three in the morning
        tape.marks[p.name] = (t, t + 3 * HOUR_US, label)
        tr = tape.trace()
        u = tape.call(
            p, t + rng.randint(8, 25) * MIN, "wire_get_item", {"item_id": "W00-QUAKE"}, trace=tr
        )
        u = tape.call(
            p,
            u,
            "cms_create_draft",
            {"desk": "world", "headline": text(70), "slug": f"quake-{p.name}"},
            trace=tr,
        )
        for _ in range(rng.randint(6, 14)):
            u += rng.randint(4, 12) * MIN
            u = tape.call(
                p,
                u,
                "cms_update_published",
                {"article_id": "A-2026-QUAKE", "body": text(rng.randint(800, 5_000))},
                trace=tr,
            )
    flash(tape, roster, t, label)
    ingest = staff.named("svc-wire-ingest")
    for k in range(160):  # flash mode: poll every 15 s; the agency throttles some
        limited = rng.random() < 0.2
        tape.call(
            ingest,
            t + k * 15 * SEC + 7 * SEC,
            "wire_poll",
            {"feed": "agency-flash", "cursor": k},
            label=label,
            outcome="error" if limited else "ok",
            error="rate_limited" if limited else None,
        )


def _takedown(tape: Tape, plan: Plan, roster: Roster) -> None:
    rng, label, p = tape.rng, _label("legal_takedown"), plan.takedown
    assert p is not None
    t = plan.cut + 11 * HOUR_US + rng.randint(0, 30) * MIN
    tr = tape.trace()
    t = tape.call(
        p,
        t,
        "legal_takedown_register",
        {"order": "HC-2026-004417", "articles": 38},
        trace=tr,
        label=label,
    )
    for k in range(38):
        art = {"article_id": f"A-20{rng.randint(14, 26)}-{rng.randint(1, 999_999):06d}"}
        t = tape.call(
            p, t + rng.randint(20, 90) * SEC, "cms_get_article", art, trace=tr, label=label
        )
        gone = k % 3 == 2  # the worst are deleted outright, the rest unpublished
        t = tape.call(
            p,
            t + rng.randint(10, 40) * SEC,
            "cms_delete_article" if gone else "cms_unpublish",
            {**art, "reason": "court order HC-2026-004417"},
            trace=tr,
            label=label,
        )
    got = roster.pick(rng, ("lawyer",), t)
    if got is not None:
        tape.call(
            got[0], got[1], "legal_get_review", {"review_id": "LR-HC4417"}, trace=tr, label=label
        )


def _migration(tape: Tape, plan: Plan) -> None:
    rng, label, p = tape.rng, _label("archive_migration"), plan.migrator
    assert p is not None
    t = plan.cut + 13 * HOUR_US + rng.randint(0, 30) * MIN
    tr = tape.trace()
    for year in range(1990, 2027):
        for half in ("H1", "H2"):
            t = tape.call(
                p,
                t,
                "archive_export",
                {"year": year, "part": half, "format": "jsonl"},
                trace=tr,
                label=label,
                ms=60_000,
                result=rng.randint(6_000_000, 24_000_000),
            )
            t += rng.randint(20, 90) * SEC
        if year % 10 == 0:
            t = tape.call(
                p,
                t,
                "sql_run_query",
                {"sql": f"SELECT count(*) FROM archive_import WHERE year = {year}"},  # noqa: S608
                trace=tr,
                label=label,
            )


def _hire(tape: Tape, plan: Plan) -> None:
    rng, label, p = tape.rng, _label("new_hire"), plan.hire
    assert p is not None
    t = plan.cut + 9 * HOUR_US + rng.randint(0, 30) * MIN
    steps: list[tuple[str, dict[str, object], str | None]] = [
        ("chat_read_channel", {"channel": "#welcome", "limit": 50}, None),
        ("chat_post_message", {"channel": "#desk-business", "text": "Hello all!"}, None),
        ("cms_search_articles", {"query": "house style", "limit": 10}, None),
        ("archive_search", {"query": "bond yields", "limit": 20}, None),
        ("wire_search", {"query": "bank of england", "hours": 24}, None),
        ("photo_search", {"query": "canary wharf", "licensed": True}, None),
        ("sql_list_tables", {"schema": "public"}, "forbidden"),
        ("subs_lookup_subscriber", {"email": "reader@example.org"}, "forbidden"),
        ("analytics_top_stories", {"hours": 24, "desk": "business"}, None),
        ("cms_create_draft", {"desk": "business", "headline": "First", "slug": "A-NEW-1"}, None),
    ]
    for tool, args, refused in steps:
        t = tape.call(
            p,
            t + rng.randint(2, 15) * MIN,
            tool,
            args,
            label=label,
            outcome="denied" if refused else "ok",
            error=refused,
        )
    for k in range(12):
        t = tape.call(
            p,
            t + rng.randint(3, 12) * MIN,
            "cms_update_draft",
            {"draft_id": "A-NEW-1", "body": text(400 * (k + 1))},
            label=label,
        )
    tape.call(
        p,
        t + 5 * MIN,
        "cms_publish",
        {"article_id": "A-NEW-1"},
        label=label,
        outcome="denied",
        error="forbidden",
    )
    tape.call(p, t + 8 * MIN, "cms_submit_for_edit", {"draft_id": "A-NEW-1"}, label=label)


def _purge(tape: Tape, plan: Plan) -> None:
    rng, label, p = tape.rng, _label("gdpr_purge"), plan.purge
    assert p is not None
    t = plan.cut + 4 * HOUR_US + rng.randint(0, 10) * MIN
    tr = tape.trace()
    for _ in range(rng.randint(220, 300)):
        sid = {"subscriber_id": f"S{rng.randint(1, 2_400_000):07d}"}
        gone = rng.random() < 0.03  # erased already (a second request)
        t = tape.call(
            p,
            t,
            "subs_lookup_subscriber",
            sid,
            trace=tr,
            label=label,
            outcome="error" if gone else "ok",
            error="not_found" if gone else None,
        )
        if not gone:
            t = tape.call(
                p,
                t + SEC,
                "subs_delete_subscriber",
                {**sid, "basis": "art17"},
                trace=tr,
                label=label,
            )
        t += rng.randint(1, 4) * SEC
