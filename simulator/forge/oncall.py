"""Pages and the release train.

Teams with an on-call duty rotate it weekly; a page (more on release days) at any hour goes to
that week's engineer, who runs the runbook from their desk assistant, at night too:
observability first, then cloud and sometimes the database, a restart or a scale-out (``cloud``
rate-limits now and then), an ack and a note in the channel; sometimes a follow-up issue, which
becomes a hotfix item in the responder's queue. ``sre`` follows the sun: whoever is at work
takes the page. Every Tuesday at 14:00 UTC the week's release manager tags and ships the
services merged into since the last release; the scored day's release is a hard negative
(``negatives``).
"""

from __future__ import annotations

from ._calls import Session
from ._state import DAY, HOUR, MIN, SEC, Item, World
from .bots import BOTS
from .catalog import SERVICES
from .org import TEAMS, Engineer

__all__ = ["on_call", "pages_on", "release_crew", "release_train", "runbook", "ship"]


def on_call(w: World, team: str, day: int) -> Engineer | None:
    """This week's on-call engineer of ``team`` (someone with a window this week)."""
    week = range(day - w.weekday(day), day - w.weekday(day) + 7)
    crew = sorted(
        (
            e
            for e in w.engineers
            if e.team_on(day).name == team
            and e.first_day == 0
            and any(w.window(e, d) for d in week)
        ),
        key=lambda e: e.name,
    )
    return crew[day // 7 % len(crew)] if crew else None


def runbook(w: World, s: Session, t: int, service: str, *, heavy: bool = False) -> int:
    """Investigate and mitigate a page on ``service``; returns when done."""
    rng, rec = w.rng, w.rec
    ctx = {
        "service": service,
        "env": "prod",
        "alert": w.next_id("alert"),
        "channel": f"#inc-{service}",
        "database": service.split("-")[0],
    }
    t = rec.call(t, s, "obs_get_alerts", ctx) + rng.randint(20, 90) * SEC
    for _ in range(rng.randint(2, 4)):
        t = rec.call(t, s, "obs_query_metrics", ctx) + rng.randint(15, 120) * SEC
    for _ in range(rng.randint(1, 3 if not heavy else 8)):
        size = rng.randint(300_000, 6_000_000) if heavy else None
        outcome = "error" if rng.random() < 0.1 else "ok"
        t = rec.call(
            t,
            s,
            "obs_query_logs",
            ctx,
            result=size,
            outcome=outcome,
            error="timeout" if outcome == "error" else None,
        )
        t += rng.randint(30, 180) * SEC
    t = rec.call(t, s, "cloud_describe_service", ctx) + rng.randint(20, 120) * SEC
    if rng.random() < 0.4:
        t = rec.call(t, s, "db_query", ctx | {"sql": "select * from pg_stat_activity"})
    if rng.random() < 0.5:
        tool = rng.choice(("cloud_restart_instance", "cloud_scale_service"))
        if rng.random() < 0.15:
            t = rec.call(t, s, tool, ctx, outcome="error", error="rate_limited") + MIN
        t = rec.call(t, s, tool, ctx) + rng.randint(2, 8) * MIN
        t = rec.call(t, s, "obs_query_metrics", ctx)
    t = rec.call(t + MIN, s, "obs_ack_alert", ctx)
    t = rec.call(t + MIN, s, "chat_post_message", ctx)
    return t


def _page(w: World, who: Engineer, t: int, service: str) -> None:
    """A page, its runbook, and sometimes a follow-up fix in the responder's queue (a hotfix:
    it may merge through the code freeze)."""
    w.rec.call(t, w.rec.session(BOTS["alerts"]), "chat_page_oncall", {"service": service})
    s = w.rec.session(who.desk)
    t = runbook(w, s, t + w.rng.randint(3, 12) * MIN, service)
    if w.rng.random() < 0.3:
        issue = w.next_id("INC")
        w.rec.call(t + 5 * MIN, s, "tracker_create_issue", {"project": "INC", "title": issue})
        branch = f"{who.name.split('.')[0]}/fix-{issue.lower()}"
        w.items.setdefault(who.name, []).append(Item(issue, service, branch, hotfix=True))


def pages_on(w: World, day: int) -> None:
    """The pages of ``day``: each on-call team's, and the follow-the-sun SRE's."""
    rng = w.rng
    rate = 1.0 if w.is_release(day) else 0.45
    for team in (t for t in TEAMS.values() if t.oncall):
        for _ in range(_poisson(w, rate)):
            t = w.start_us + day * DAY + rng.randint(0, DAY - 2 * HOUR)
            if (who := on_call(w, team.name, day)) is not None:
                _page(w, who, t, rng.choice(team.repos[:2]))
    for _ in range(_poisson(w, 1.8)):
        t = w.start_us + day * DAY + rng.randint(0, DAY - 2 * HOUR)
        sre = [
            e
            for e in w.engineers
            if e.team_on(day).name == "sre" and (win := w.window(e, day)) and win[0] <= t < win[1]
        ]
        if sre:
            _page(w, rng.choice(sre), t, rng.choice(SERVICES))


def _poisson(w: World, lam: float) -> int:
    n, p = 0, w.rng.random()
    while p > 2.718281828459045**-lam:
        n += 1
        p *= w.rng.random()
    return n


def ship(w: World, s: Session, t: int, repos: tuple[str, ...]) -> int:
    """Tag and ship ``repos`` as the release train does; returns when done."""
    rng, rec = w.rng, w.rec
    tag = f"v2026.{w.next_id('r')}"
    for repo in repos:
        ctx = {"repo": repo, "tag": tag, "service": repo, "env": "prod", "branch": "main"}
        t = rec.call(t, s, "git_create_tag", ctx) + rng.randint(10, 60) * SEC
        t = rec.call(t, s, "ci_trigger_pipeline", ctx | {"pipeline": "release"})
        w.ci(t, repo, "main", "release", fail=0.03)
        t = rec.call(t + rng.randint(1, 4) * MIN, s, "cloud_describe_service", ctx)
    t = rec.call(t, s, "docs_update_page", {"page": f"changelog/{tag}"})
    return rec.call(t, s, "chat_post_message", {"channel": "#release", "text": f"{tag} shipped"})


def release_crew(w: World, day: int) -> list[Engineer]:
    """Who can manage ``day``'s release: at work an hour either side of the 14:00 UTC cut."""
    cut = w.start_us + day * DAY + 14 * HOUR
    return sorted(
        (
            e
            for e in w.engineers
            if e.team_on(day).name in ("sre", "search", "payments", "security")
            and e.first_day == 0
            and (win := w.window(e, day))
            and win[0] <= cut - HOUR
            and cut + HOUR <= win[1]
        ),
        key=lambda e: e.name,
    )


def release_train(w: World) -> None:
    """Tuesday 14:00 UTC before the scored day: the week's release manager ships the services
    merged into since the last release."""
    last = w.start_us
    for day in range(w.scored):
        if not w.is_release(day) or not (crew := release_crew(w, day)):
            continue
        manager = crew[day // 7 % len(crew)]
        cut = w.start_us + day * DAY + 14 * HOUR
        merged = {repo for ts, repo in w.merges if last <= ts < cut}
        ship(w, w.rec.session(manager.desk), cut, tuple(r for r in SERVICES if r in merged))
        last = cut
