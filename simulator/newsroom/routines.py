"""What happens in the newsroom besides stories: the wires, the desks' triage, reader care, the
paywall, the library, social, standards, the batch jobs and the news itself.

The wires are the clock of the place: agency items arrive all day and night (a Poisson process
whose rate follows the hours when Europe and the Americas are awake), the ingestor polls every
two minutes and files what the desks subscribe to, and the editors on shift read what came in.
Now and then something breaks (a flash item): whoever is on shift drops everything for an hour.
Reader-care tickets arrive while the phone lines are open. Batch jobs run at fixed times.
"""

from __future__ import annotations

import bisect
import math
import random
from datetime import UTC, datetime
from typing import Final

from .org import HOUR_US, Person, Staff, offset_hours
from .roster import Roster
from .stories import MIN, Story, data_session
from .tape import Tape, text

__all__ = ["WireItem", "desk_work", "flash", "services", "story_plan", "wire_items"]

SEC: Final = 1_000_000
WireItem = tuple[int, str, str]  # (arrival µs, item id, desk)
_WIRE_DESKS: Final = ("world", "politics", "business", "sport", "culture", "science")


def wire_items(rng: random.Random, start: int, end: int) -> list[WireItem]:
    """Agency items as they arrive: ~16 an hour at night (UTC), ~50 in the European afternoon."""
    out: list[WireItem] = []
    t, n = start, 0
    while True:
        h = (t % (24 * HOUR_US)) / HOUR_US
        rate = 16 + 34 * math.exp(-(((h - 13.5) / 5.0) ** 2))  # per hour
        t += int(rng.expovariate(rate) * HOUR_US)
        if t >= end:
            return out
        n += 1
        out.append((t, f"W{rng.randint(10, 99)}-{n:06d}", rng.choice(_WIRE_DESKS)))


def services(
    tape: Tape,
    staff: Staff,
    items: list[WireItem],
    start: int,
    days: int,
    outage: tuple[int, int, str] | None = None,
) -> None:
    """The service accounts' schedules over the whole period. During ``outage`` (from, to,
    label) the agency feed is down: polls fail, and the first poll after it replays the backlog
    in pages (those calls carry the label)."""
    rng = tape.rng
    ingest = staff.named("svc-wire-ingest")
    k, step = 0, 2 * 60 * SEC
    down_from, down_to, down_label = outage or (-1, -1, "")
    for t in range(start + rng.randint(0, 119) * SEC, start + days * 24 * HOUR_US, step):
        tr = tape.trace()
        if down_from <= t < down_to:
            for retry in range(4):  # the ingestor retries every 30 s
                tape.call(
                    ingest,
                    t + retry * 30 * SEC,
                    "wire_poll",
                    {"feed": "agency-all", "cursor": k},
                    trace=tr,
                    label=down_label,
                    outcome="error",
                    error="upstream_unavailable",
                )
            continue
        new: list[WireItem] = []
        while k < len(items) and items[k][0] <= t:
            new.append(items[k])
            k += 1
        label = down_label if down_to <= t < down_to + step else ""  # the backlog replay
        u = t
        for page in range(0, max(1, len(new)), 100):
            got = new[page : page + 100]
            u = tape.call(
                ingest,
                u,
                "wire_poll",
                {"feed": "agency-all", "cursor": k, "page_size": 100},
                trace=tr,
                result=380 + 1_700 * len(got),
                label=label,
            )
        for _, item, desk in new:
            if desk not in ("sport", "culture") or rng.random() < 0.3:
                dup = bool(label) and rng.random() < 0.05  # filed twice by the agency's replay
                u = tape.call(
                    ingest,
                    u + 200_000,
                    "wire_ingest_item",
                    {"item_id": item, "desk": desk},
                    trace=tr,
                    label=label,
                    outcome="error" if dup else "ok",
                    error="conflict" if dup else None,
                )
    for d in range(days):
        midnight = start + d * 24 * HOUR_US
        off = offset_hours("london", midnight + 12 * HOUR_US)
        _newsletter(tape, staff.named("svc-newsletter"), midnight + int((5.5 - off) * HOUR_US))
        _billing(
            tape, staff.named("svc-billing"), midnight + 2 * HOUR_US + rng.randint(0, 90) * SEC
        )
        site = staff.named("svc-sitemap")
        for h in range(24):
            tape.call(
                site,
                midnight + h * HOUR_US + 5 * MIN + rng.randint(0, 30) * SEC,
                "cms_search_articles",
                {"updated_since_minutes": 60, "limit": 500},
            )
        tape.call(
            site,
            midnight + 3 * HOUR_US + rng.randint(0, 120) * SEC,
            "archive_reindex",
            {"index": "articles", "mode": "incremental"},
        )
        metrics = staff.named("svc-social-metrics")
        for half in range(48):
            tape.call(
                metrics,
                midnight + half * 30 * MIN + rng.randint(0, 20) * SEC,
                "social_get_metrics",
                {"window": "30m", "networks": "all"},
            )


def _newsletter(tape: Tape, p: Person, t: int) -> None:
    tr = tape.trace()
    t = tape.call(p, t, "analytics_top_stories", {"hours": 24, "limit": 20}, trace=tr)
    for desk in ("politics", "world", "business"):
        t = tape.call(p, t, "cms_search_articles", {"desk": desk, "published_hours": 24}, trace=tr)
    for _ in range(12):
        art = f"A-2026-{tape.rng.randint(1, 999_999):06d}"
        t = tape.call(p, t, "cms_get_article", {"article_id": art}, trace=tr)


def _billing(tape: Tape, p: Person, t: int) -> None:
    rng, tr = tape.rng, tape.trace()
    day = datetime.fromtimestamp(t / 1e6, UTC).date().isoformat()
    for page in range(rng.randint(30, 50)):
        t = tape.call(
            p,
            t,
            "subs_search_subscribers",
            {"renews_on": day, "page": page, "page_size": 200},
            trace=tr,
            result=rng.randint(40_000, 70_000),
        )
    for _ in range(rng.randint(40, 90)):
        declined = rng.random() < 0.07
        t = tape.call(
            p,
            t + rng.randint(1, 4) * SEC,
            "subs_update_subscription",
            {"subscriber_id": f"S{rng.randint(1, 2_400_000):07d}", "action": "renew"},
            trace=tr,
            outcome="error" if declined else "ok",
            error="card_declined" if declined else None,
        )


def story_plan(
    rng: random.Random, staff: Staff, items: list[WireItem], first: int = 0
) -> list[Story]:
    """The stories of every reporter's and stringer's shifts: from the diary, or a wire item."""
    out: list[Story] = []
    n = first
    times = [i[0] for i in items]
    for p in staff.by_role.get("reporter", []) + staff.by_role.get("stringer", []):
        for s, e in p.shifts:
            count = rng.choices((0, 1, 2, 3), (0.12, 0.5, 0.3, 0.08))[0]
            for _ in range(count if p.role == "reporter" else min(count, 1)):
                n += 1
                t = s + int(rng.uniform(0.05, 0.55) * (e - s))
                k = bisect.bisect_left(times, t)
                item = items[k - rng.randint(1, 30)][1] if k > 30 and rng.random() < 0.35 else ""
                out.append(
                    Story(
                        id=f"A-2026-{n:06d}",
                        reporter=p,
                        start=t,
                        words=rng.choice((350, 500, 700, 900, 1200, 1800)),
                        sensitive=rng.random() < 0.15,
                        art=rng.random() < 0.55,
                        data=p.desk in ("politics", "business") and rng.random() < 0.15,
                        developing=rng.random() < 0.25,
                        wire_item=item,
                    )
                )
    return out


def _hours(p: Person) -> list[tuple[int, int]]:
    return [(s, e) for s, e in p.shifts]


def desk_work(tape: Tape, staff: Staff, roster: Roster, items: list[WireItem]) -> None:
    """The hourly work of each desk role during its shifts (everything that is not a story)."""
    rng = tape.rng
    ids = [i[1] for i in items]
    times = [i[0] for i in items]
    for p in staff.people:
        if p.role == "service":
            continue
        for s, e in _hours(p):
            for h in range(s, e, HOUR_US):
                t = h + rng.randint(0, 20) * MIN
                if rng.random() < 0.5:
                    t = tape.call(
                        p, t, "chat_read_channel", {"channel": f"#desk-{p.desk}", "limit": 50}
                    )
                if p.role in ("editor", "night-editor"):
                    k = bisect.bisect_left(times, t)
                    tr = tape.trace()
                    t = tape.call(p, t, "cms_list_queue", {"desk": p.desk}, trace=tr)
                    fresh = k - bisect.bisect_left(times, t - HOUR_US)  # the last hour's items
                    for _ in range(sum(rng.random() < 0.12 for _ in range(fresh))):
                        item = ids[max(0, k - rng.randint(1, max(1, fresh)))]
                        t = tape.call(
                            p,
                            t + rng.randint(20, 200) * SEC,
                            "wire_get_item",
                            {"item_id": item},
                            trace=tr,
                        )
                    if rng.random() < 0.5:
                        tape.call(p, t, "wire_search", {"query": "URGENT", "hours": 2}, trace=tr)
                elif p.role == "audience":
                    _tickets(tape, p, t, h + HOUR_US)
                elif p.role == "librarian":
                    _library(tape, p, t)
                elif p.role == "social":
                    t = tape.call(p, t, "social_list_scheduled", {"hours": 6})
                    tape.call(p, t + 5 * MIN, "analytics_realtime", {"limit": 25})
                elif p.role == "standards" and rng.random() < 0.7:
                    tape.call(
                        p,
                        t,
                        "cms_search_articles",
                        {"query": "correction request", "status": "published"},
                    )
                elif p.role == "paywall":
                    tape.call(
                        p,
                        t,
                        "subs_paywall_rule_get",
                        {"rule": rng.choice(("metered", "registration", "premium"))},
                    )
                elif p.role == "data" and rng.random() < 0.25:
                    data_session(tape, p, t)
                elif p.role == "reporter" and rng.random() < 0.15:
                    tape.call(p, t, "analytics_top_stories", {"hours": 6, "desk": p.desk})
            if p.role == "paywall":
                _paywall_day(tape, p, s)


def _tickets(tape: Tape, p: Person, t: int, end: int) -> None:
    rng = tape.rng
    while t < end:
        tr = tape.trace()
        key = (
            {"subscriber_id": f"S{rng.randint(1, 2_400_000):07d}"}
            if rng.random() < 0.7
            else {"email": f"reader{rng.randint(1, 999_999)}@example.org"}
        )
        miss = rng.random() < 0.06
        u = tape.call(
            p,
            t,
            "subs_lookup_subscriber",
            key,
            trace=tr,
            outcome="error" if miss else "ok",
            error="not_found" if miss else None,
        )
        if not miss:
            sid = {"subscriber_id": f"S{rng.randint(1, 2_400_000):07d}"}
            u = tape.call(p, u + rng.randint(20, 120) * SEC, "subs_get_entitlements", sid, trace=tr)
            if rng.random() < 0.25:
                u = tape.call(
                    p,
                    u + rng.randint(1, 5) * MIN,
                    "subs_update_subscription",
                    {
                        **sid,
                        "action": rng.choice(
                            ("pause", "downgrade", "reactivate", "change_address")
                        ),
                    },
                    trace=tr,
                )
            if rng.random() < 0.05:
                over = rng.random() < 0.2  # above the agent's refund limit
                tape.call(
                    p,
                    u + 2 * MIN,
                    "subs_refund",
                    {**sid, "amount_gbp": rng.randint(5, 120)},
                    trace=tr,
                    outcome="denied" if over else "ok",
                    error="refund_limit" if over else None,
                )
        t += int(rng.expovariate(5.0) * HOUR_US)


def _library(tape: Tape, p: Person, t: int) -> None:
    rng = tape.rng
    for _ in range(rng.randint(1, 5)):
        tr = tape.trace()
        t = tape.call(
            p,
            t,
            "archive_search",
            {"query": text(rng.randint(20, 60)), "since": f"{rng.randint(1990, 2020)}-01-01"},
            trace=tr,
        )
        for _ in range(rng.randint(1, 3)):
            miss = rng.random() < 0.04
            t = tape.call(
                p,
                t + rng.randint(30, 240) * SEC,
                "archive_get_article",
                {"article_id": f"ARC-{rng.randint(1, 4_000_000):07d}"},
                trace=tr,
                outcome="error" if miss else "ok",
                error="not_found" if miss else None,
            )
        t += rng.randint(2, 10) * MIN


def _paywall_day(tape: Tape, p: Person, s: int) -> None:
    rng = tape.rng
    weekday = datetime.fromtimestamp(s / 1e6, UTC).weekday()
    t = s + rng.randint(30, 120) * MIN
    t = tape.call(p, t, "analytics_top_stories", {"hours": 24, "limit": 50})
    if weekday == 0:  # Monday's retention report
        tape.call(
            p,
            t + 10 * MIN,
            "subs_export_segment",
            {"segment": "lapsed-30d", "fields": "id,plan,country"},
            result=rng.randint(2_000_000, 4_000_000),
        )
    if weekday == 1:
        tape.call(
            p,
            t + 3 * HOUR_US,
            "subs_paywall_rule_set",
            {"rule": "metered", "free_articles": rng.choice((3, 4, 5))},
        )


def flash(tape: Tape, roster: Roster, t: int, label: str = "", people: int = 99) -> int:
    """Something breaks at ``t``: whoever is on shift (editors, reporters, social, pictures)
    drops everything for about an hour. Returns the number of people who joined."""
    rng = tape.rng
    item = f"W00-FLASH{t % 1_000_000:06d}"
    here = roster.at(("editor", "night-editor", "reporter", "social", "photo-editor"), t)
    rng.shuffle(here)
    tr = tape.trace()
    for p, _ in here[:people]:
        u = t + rng.randint(1, 8) * MIN
        u = tape.call(p, u, "wire_get_item", {"item_id": item}, trace=tr, label=label)
        if p.role in ("editor", "night-editor", "reporter"):
            u = tape.call(
                p,
                u,
                "cms_create_draft",
                {"desk": "world", "headline": text(70), "slug": item},
                trace=tr,
                label=label,
            )
            for _ in range(rng.randint(3, 9)):
                u += rng.randint(3, 12) * MIN
                u = tape.call(
                    p,
                    u,
                    "cms_update_published",
                    {"article_id": item, "body": text(rng.randint(800, 4000))},
                    trace=tr,
                    label=label,
                )
        elif p.role == "social":
            for _ in range(rng.randint(2, 6)):
                u = tape.call(
                    p,
                    u + rng.randint(2, 9) * MIN,
                    "social_schedule_post",
                    {"article_id": item, "network": "x"},
                    trace=tr,
                    label=label,
                )
        else:
            u = tape.call(
                p, u, "photo_search", {"query": "breaking", "hours": 1}, trace=tr, label=label
            )
        tape.call(
            p,
            u + rng.randint(1, 10) * MIN,
            "analytics_realtime",
            {"limit": 10},
            trace=tr,
            label=label,
        )
    return len(here[:people])
