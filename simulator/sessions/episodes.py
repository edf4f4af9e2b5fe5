"""Scheduled jobs, night pages and the last day's labelled look-alikes.

Ordinary (every day, unlabelled): ``svc-etl`` loads the lake every night at 01:30 UTC (reads,
queries, inserts, deletes of expired partitions); ``svc-ci``'s review bot answers every pull
request a person opens or pushes to; ``svc-probe`` checks the cluster every five minutes;
``svc-triage`` sweeps the support queue every quarter hour on weekdays; ``svc-report`` builds
the finance sheet on Mondays; ``svc-backup`` copies buckets on Sundays; the platform team's
weekly on-call rotation answers a page on about one night in four.

Hard negatives (the last day; labelled ``benign:<name>#k``, one episode per person):

``nightly_batch``       the last night's ETL run, the month's last: it also compacts the
                        month's partitions (about twice the deletes and writes)
``release_spike``       the company launches an internal knowledge-base server (``kb``) at
                        13:00 UTC; about three in four people try it within the hour they are
                        next at work, then use it now and then
``new_user``            a backend engineer on their first day (onboarding: docs, then the
                        repository), and a data analyst on their third
``oncall_night``        the on-call engineer handles a page at about 03:00 their time (alerts,
                        logs, a rollout restart, a pod deleted, an incident opened)
``role_change``         a backend engineer moves to the platform team and starts on its work
                        and its servers (Kubernetes, Grafana, Vault …) that day
``back_from_vacation``  someone back after eleven days away: a morning of catching up (Slack
                        channels, pull requests, Jira) then ordinary work
``quarter_end``         the quarter's last day: finance closes the books (large queries and
                        sheet reads, exports, working late)
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Final

from ..model import DAY_US, UserProfile
from ._args import Context
from .agent import Actor, run_task
from .generate import DayPlan, H, S, World
from .org import hire

__all__ = ["prepare", "run", "service_profiles"]

_SERVICES: Final = {
    # user: (agent, client, version, servers, project team)
    "svc-etl": ("airflow-etl", "mcp-python-sdk", "1.16.0", ("s3", "bigquery", "postgres"), "data"),
    "svc-ci": ("pr-review-bot", "github-actions-mcp", "0.3.1", ("github",), "backend"),
    "svc-probe": ("synthetic-probe", "mcp-go", "0.41.1", ("kubernetes", "grafana"), "platform"),
    "svc-triage": (
        "zendesk-triage",
        "mcp-typescript-sdk",
        "1.20.0",
        ("zendesk", "slack"),
        "support",
    ),
    "svc-report": (
        "finance-weekly",
        "mcp-python-sdk",
        "1.16.0",
        ("bigquery", "google-sheets", "slack"),
        "finance",
    ),
    "svc-backup": ("s3-backup", "mcp-python-sdk", "1.16.0", ("s3",), "platform"),
}
_ETL: Final = (
    "s3:list_objects{3,6} get_object{12,30} execute-query{6,12} execute_sql{8,18} "
    "delete_object{6,14} put_object{3,8}"
)
_ETL_MONTH_END: Final = _ETL + " s3:list_objects{4,8} delete_object{15,30} put_object{10,20}"
_REVIEW_BOT: Final = (
    "get_pull_request get_pull_request_files get_file_contents{2,8} add_issue_comment?"
)
_PAGE: Final = (
    "list_alert_rules get_current_oncall_users? query_prometheus{2,5} query_loki_logs{1,4} "
    "kubectl_get{1,3} kubectl_describe{0,2} kubectl_logs{1,3} kubectl_rollout? kubectl_delete? "
    "create_incident? add_activity_to_incident{0,2} slack_post_message?"
)
_ONBOARD: Final = (
    "confluence_search{2,5} confluence_get_page{3,8} jira_search? slack_list_channels "
    "slack_get_channel_history{1,3}",
    "list_directory directory_tree read_text_file{4,10} search_files{1,3} git_log git_status",
    "start_process read_process_output{1,3} read_text_file{1,3}",
)
_CATCH_UP: Final = (
    "slack_list_channels? [slack_get_channel_history slack_get_thread_replies{0,2}]{6,14} "
    "list_notifications{0,2} list_pull_requests{0,2} jira_search{1,3} jira_get_issue{0,4}"
)
_CLOSE: Final = (
    "execute-query{3,8} get_sheet_data{2,5} get_object{1,4} batch_update_cells{1,3} "
    "update_cells{0,4} slack_post_message?"
)


def _service(user: str) -> Actor:
    agent, client, version, servers, _ = _SERVICES[user]
    return Actor(
        user,
        agent,
        client,
        version,
        frozenset(servers),
        think=0.3,
        cli=True,
        traces=True,
        approvals=False,
    )


def service_profiles() -> list[UserProfile]:
    return [
        UserProfile(user, "service", 0.0, 0.0, 24.0, (spec[0],), spec[1], spec[2])
        for user, spec in _SERVICES.items()
    ]


def _works(w: World, name: str, d: int) -> bool:
    p = next(p for p in w.people if p.name == name)
    return d not in p.off and w.date(d).weekday() in p.workdays and d >= p.first_day


def prepare(w: World) -> None:
    """Set up the last day's people-driven look-alikes (before anyone's days are laid out)."""
    rng = random.Random(f"{w.cfg.seed}:episodes")
    last, out = w.last, w.out
    for team, name, first, region in (
        ("backend", "leila.m", last, "berlin"),
        ("data", "noah.k", last - 2, "new-york"),
    ):
        p = hire(w.cfg.seed, name, team, region, w.cfg.start.date(), w.cfg.days)
        p.first_day = first
        w.people.append(p)
        label = out.episode("benign:new_user", w.actor(p, last), f"{name} joins {team}")
        w.plans[(name, last)] = DayPlan(label, first=list(_ONBOARD) if first == last else [])
    # people whose working day lies inside the last UTC day, so their episode is seen whole
    full = [
        p
        for p in w.people
        if p.hours > 7 and p.first_day == 0 and 0 <= p.start - p.tz < p.start + p.hours - p.tz < 23
    ]
    mover = rng.choice([p for p in full if p.team == "backend"])
    mover.extra_team, mover.extra_from = "platform", last
    away = rng.choice([p for p in full if p.team in ("frontend", "data") and p is not mover])
    away.off = set(range(2, last))
    for p in (mover, away):
        p.off.discard(last)
        p.workdays = p.workdays | {w.date(last).weekday()}
    w.plans[(mover.name, last)] = DayPlan(
        out.episode("benign:role_change", w.actor(mover, last), f"{mover.name}: backend → platform")
    )
    w.plans[(away.name, last)] = DayPlan(
        out.episode("benign:back_from_vacation", w.actor(away, last), f"{away.name} is back"),
        first=[_CATCH_UP],
    )
    for p in w.people:
        if p.team == "finance":
            p.off.discard(last)
            p.workdays = p.workdays | {w.date(last).weekday()}
            label = out.episode("benign:quarter_end", w.actor(p, last), f"{p.name} closes Q3")
            extra = [_CLOSE] * rng.randint(3, 5)
            w.plans[(p.name, last)] = DayPlan(label, extra=extra, longer=3.0, size_scale=6.0)
    announce = w.cut + 13 * H
    for p in w.people:
        if rng.random() < 0.75:
            label = out.episode("benign:release_spike", w.actor(p, last), f"{p.name} tries kb")
            w.adopt[p.name] = (announce + int(rng.uniform(0, 90) * 60 * S), label)


def run(w: World) -> None:
    """Record the scheduled jobs, the CI bot and the night pages."""
    cfg, out = w.cfg, w.out
    rng = random.Random(f"{cfg.seed}:jobs")
    day0 = w.midnight(0.0, 0)
    for d in range(cfg.days):
        midnight = day0 + d * DAY_US
        weekday = w.date(d).weekday()
        etl = _service("svc-etl")
        if d == w.last:
            label = out.episode("benign:nightly_batch", etl, "the month's last ETL run")
            template = _ETL_MONTH_END
        else:
            label, template = "", _ETL
        t = midnight + int(1.5 * H) + int(rng.uniform(-10, 10) * 60 * S)
        _job(w, etl, template, t, d, "data", rng, label)
        if weekday == 6:
            _job(
                w,
                _service("svc-backup"),
                "list_buckets s3:list_objects{5,10} put_object{30,60}",
                midnight + 2 * H,
                d,
                "platform",
                rng,
            )
        if weekday == 0:
            _job(
                w,
                _service("svc-report"),
                "execute-query{6,12} batch_update_cells{1,3} slack_post_message",
                midnight + 6 * H,
                d,
                "finance",
                rng,
            )
        probe = _service("svc-probe")
        for k in range(288):
            _job(
                w, probe, "kubectl_get query_prometheus", midnight + k * 300 * S, d, "platform", rng
            )
        if weekday < 5:
            triage = _service("svc-triage")
            for k in range(40):
                t = midnight + 12 * H + k * 900 * S + rng.randrange(60) * S
                _job(
                    w, triage, "search_tickets get_ticket{0,3} update_ticket?", t, d, "support", rng
                )
    _ci(w, rng)
    _pages(w, rng)


def _job(
    w: World,
    actor: Actor,
    template: str,
    t: int,
    d: int,
    team: str,
    rng: random.Random,
    label: str = "",
) -> int:
    ctx = Context(actor.user, w.projects[team], random.Random(rng.getrandbits(64)))
    return run_task(w.out, actor, template, t, ctx, session_key=f"{d}:{t}", label=label)


def _ci(w: World, rng: random.Random) -> None:
    bot = _service("svc-ci")
    by_repo = {p.repo: team for team, p in w.projects.items()}
    opened = [
        c
        for c in w.out.calls
        if c.tool in ("create_pull_request", "push_files") and c.outcome == "ok"
    ]
    for c in opened:
        team = by_repo.get(str(c.args.get("repo", "")), "backend")
        t = c.ts + int(rng.uniform(60, 240) * S)
        day = int((t - w.midnight(0.0, 0)) // DAY_US)
        _job(w, bot, _REVIEW_BOT, t, day, team, rng)


def _pages(w: World, rng: random.Random) -> None:
    """The weekly rotation's night pages; the last night's is labelled."""
    rota = sorted(
        (p for p in w.people if p.team == "platform" and p.first_day == 0), key=lambda p: p.name
    )
    nights = [(d, rota[(d // 7) % len(rota)], "") for d in range(-1, w.last) if rng.random() < 0.25]
    p = rota[(w.last // 7) % len(rota)]
    scored = w.last if p.tz <= 3 else w.last + 1  # the local night whose 03:00 is on the last day
    nights.append((scored, p, "benign:oncall_night"))
    for d, p, scenario in nights:
        actor = w.actor(p, d)
        actor = replace(actor, servers=actor.servers | {"kubernetes", "grafana"})
        t = w.midnight(p.tz, d) + int(rng.uniform(1.0, 4.5) * H)
        label = ""
        if scenario:
            t = w.midnight(p.tz, d) + int(rng.uniform(2.5, 3.5) * H)
            label = w.out.episode(scenario, actor, f"{p.name} answers a page")
        ctx = Context(p.name, w.projects["platform"], random.Random(rng.getrandbits(64)))
        run_task(w.out, actor, _PAGE, t, ctx, session_key=f"page:{d}", label=label)
