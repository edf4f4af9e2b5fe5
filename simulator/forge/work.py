"""Engineers advancing the work graph: each block of a workday moves one item one stage.

An item (an issue) goes triage → code → pr → ci → review → merge → close; its MCP calls are the
side effects: the desk assistant reads the tracker and docs, the coding agent runs sessions, a
push asks CI for a run, an opened pull request waits for a teammate's review, a merge asks for a
deploy (denied on the code-freeze day unless a hotfix; sometimes a merge conflict). Around items:
reviews of teammates' pull requests, habits on the team's servers, morning and evening desk
reads, release-day merges, the hackathon (servers one does not normally use), onboarding, and
now and then an evening or weekend block.
"""

from __future__ import annotations

from typing import Final

from ._calls import Session, text
from ._state import DAY, HOUR, MIN, SEC, Item, World
from .agent import coding_session
from .catalog import DATABASES, SERVERS
from .org import Engineer, Team

__all__ = ["HABIT", "extra_block", "habit_calls", "release_prep", "seed_backlog", "workday"]

#: the read-side tools (and resources) a person uses on a server of habit
HABIT: Final[dict[str, tuple[str, ...]]] = {
    "db": ("db_list_tables", "db_describe_table", "db_query", "db_query"),
    "observability": ("obs_query_metrics", "obs_query_logs", "obs_get_alerts", "@dashboard"),
    "cloud": ("cloud_describe_service", "cloud_list_services", "cloud_get_object"),
    "secrets": ("secrets_list", "secrets_read"),
    "ci": ("ci_list_runs", "ci_get_run", "ci_get_logs"),
    "git": ("git_log", "git_get_file", "git_search_code", "@repo"),
    "fs": ("fs_read_file", "fs_list_directory"),
    "tracker": ("tracker_search_issues", "tracker_get_issue"),
    "docs": ("docs_search", "docs_get_page", "@docs"),
    "chat": ("chat_read_channel", "chat_search"),
    "shell": ("shell_exec",),
}
_TEAM_DB: Final = {
    "payments": "payments",
    "identity": "identity",
    "search": "search",
    "mobile": "mobile",
    "web": "billing",
}
_DESK: Final = (
    ("tracker_list_sprint", 3),
    ("tracker_get_issue", 4),
    ("chat_read_channel", 5),
    ("chat_post_message", 3),
    ("docs_search", 2),
    ("docs_get_page", 2),
    ("@docs", 2),
)


def _ctx(repo: str, team: Team, item: Item | None = None) -> dict[str, object]:
    ctx: dict[str, object] = {
        "repo": repo,
        "project": team.name.upper(),
        "channel": f"#team-{team.name}",
        "service": repo,
        "database": _TEAM_DB.get(team.name, "analytics"),
    }
    if item is not None:
        ctx |= {"issue": item.issue, "branch": item.branch, "pr": item.pr or "pr-0"}
    return ctx


def _one(w: World, s: Session, t: int, tool: str, ctx: dict[str, object]) -> int:
    """One call of ``tool`` (``@docs``/``@dashboard``/``@repo``: a resource read)."""
    rng, rec = w.rng, w.rec
    if tool == "@docs":
        return rec.read(t, s, "docs", f"docs://eng/{ctx['project']}/page-{rng.randint(1, 60)}")
    if tool == "@dashboard":
        return rec.read(t, s, "observability", f"dashboard://{ctx['service']}/overview")
    if tool == "@repo":
        return rec.read(t, s, "git", f"repo://{ctx['repo']}/README.md")
    if tool in ("db_query", "db_describe_table"):
        table = rng.choice(DATABASES[str(ctx["database"])])
        sql = f"select * from {table} where {text(rng, 24)} limit 50"  # noqa: S608 (simulated text)
        ctx = ctx | {"table": table, "sql": sql}
    return rec.call(t, s, tool, ctx)


def _desk(w: World, s: Session, t: int, team: Team, repo: str, k: int) -> int:
    tools = w.rng.choices([x for x, _ in _DESK], weights=[y for _, y in _DESK], k=k)
    for tool in tools:
        t = _one(w, s, t, tool, _ctx(repo, team)) + w.rng.randint(20, 600) * SEC
    return t


def habit_calls(w: World, s: Session, t: int, server: str, repo: str, team: Team, k: int) -> int:
    """``k`` read calls on ``server`` as this person usually makes them."""
    for _ in range(k):
        t = _one(w, s, t, w.rng.choice(HABIT[server]), _ctx(repo, team))
        t += int(w.rng.lognormvariate(0, 0.9) * 20 * SEC)
    return t


def release_prep(w: World, e: Engineer, s: Session, t: int, team: Team) -> int:
    """Getting one's change into the release train: check CI, merge, tell the channel."""
    repo = w.rng.choice(team.repos)
    ctx = _ctx(repo, team) | {"pr": w.next_id("pr")}
    for tool in ("ci_list_runs", "git_get_pull_request", "git_merge_pull_request"):
        t = w.rec.call(t, s, tool, ctx) + w.rng.randint(30, 300) * SEC
    w.merges.append((t, repo))
    return w.rec.call(t, s, "chat_post_message", ctx | {"channel": "#release"})


def _new_item(w: World, e: Engineer, team: Team) -> Item:
    repo = w.rng.choice(team.repos)
    issue = w.next_id(team.name[:3].upper())
    return Item(
        issue,
        repo,
        f"{e.name.split('.')[0]}/{issue.lower()}",
        code_blocks=w.rng.randint(1, 3),
        hotfix=w.rng.random() < 0.1,
    )


def seed_backlog(w: World) -> None:
    """Work in progress when the simulation starts: one or two items at some stage each."""
    for e in w.engineers:
        items = w.items.setdefault(e.name, [])
        for _ in range(w.rng.randint(1, 2) if e.first_day == 0 else 0):
            item = _new_item(w, e, e.team_on(0))
            item.stage = w.rng.choice(("triage", "code", "pr", "ci", "review", "merge", "close"))
            if item.stage in ("review", "merge"):
                item.pr, item.reviewed_at = w.next_id("pr"), w.start_us
            items.append(item)


def _agent_n(w: World) -> int:
    return max(30, min(400, int(w.rng.lognormvariate(0, 0.7) * 60)))


def _review(w: World, e: Engineer, s: Session, t: int, team: Team) -> int:
    item = w.reviews[e.name].pop(0)[2]
    ctx = _ctx(item.repo, team, item)
    for tool in ("git_get_pull_request", "git_diff"):
        t = w.rec.call(t, s, tool, ctx) + w.rng.randint(30, 400) * SEC
    for _ in range(w.rng.randint(0, 4)):
        t = w.rec.call(t, s, "git_add_review_comment", ctx) + w.rng.randint(20, 200) * SEC
    item.reviewed_at = t
    return t


def _advance(w: World, e: Engineer, item: Item, t: int, team: Team, day: int) -> int:
    rng, rec = w.rng, w.rec
    desk = rec.session(e.desk)
    hands = rec.session(e.hands(day))
    ctx = _ctx(item.repo, team, item)
    if item.stage == "triage":
        for tool in ("tracker_get_issue", "docs_search", "tracker_update_issue"):
            t = _one(w, desk, t, tool, ctx) + rng.randint(30, 300) * SEC
        t = rec.call(t, hands, "git_create_branch", ctx)
        item.stage = "code"
    elif item.stage == "code":
        if e.coder:
            t = coding_session(w, hands, t, item.repo, team, _agent_n(w), branch=item.branch)
        else:
            t = habit_calls(w, desk, t, "git", item.repo, team, rng.randint(2, 5))
        item.code_blocks -= 1
        if item.code_blocks <= 0:
            item.stage = "pr"
    elif item.stage == "pr":
        t = rec.call(t, hands, "git_push", ctx)
        if not item.pr:
            item.pr = w.next_id("pr")
            t = rec.call(t, hands, "git_create_pull_request", ctx | {"pr": item.pr})
            w.prs.append((t, item.repo, item.pr))
            mates = [
                m
                for m in w.engineers
                if m is not e
                and m.team_on(day) is team
                and any(w.window(m, d) for d in (day, day + 1))
            ]
            if mates:
                w.reviews.setdefault(rng.choice(mates).name, []).append((t, e.name, item))
            else:
                item.reviewed_at = t + HOUR
        item.ci_ok = w.ci(t + rng.randint(20, 90) * SEC, item.repo, item.branch, "build").ok
        item.stage = "ci"
    elif item.stage == "ci":
        t = rec.call(t, hands, "ci_get_run", ctx)
        if item.ci_ok:
            item.stage = "review"
        else:
            t = rec.call(t + rng.randint(10, 60) * SEC, hands, "ci_get_logs", ctx)
            if rng.random() < 0.5:
                t = rec.call(t, hands, "ci_retry_job", ctx)
                item.ci_ok = w.ci(t, item.repo, item.branch, "build", fail=0.05).ok
            else:
                item.stage, item.code_blocks = "code", 1
    elif item.stage == "review":
        if item.reviewed_at and item.reviewed_at <= t:
            t = rec.call(t, hands, "git_get_pull_request", ctx)
            if e.coder and rng.random() < 0.35:
                t = coding_session(
                    w,
                    hands,
                    t,
                    item.repo,
                    team,
                    rng.randint(30, 60),
                    fail=0.15,
                    branch=item.branch,
                    sub=False,
                )
                t = rec.call(t, hands, "git_push", ctx)
                w.ci(t, item.repo, item.branch, "build", fail=0.0)
            item.stage = "merge"
        else:
            t = _desk(w, desk, t, team, item.repo, rng.randint(1, 3))
    elif item.stage == "merge":
        if w.is_freeze(day) and not item.hotfix:
            t = rec.call(
                t, hands, "git_merge_pull_request", ctx, outcome="denied", error="branch_protected"
            )
            return rec.call(t + MIN, desk, "chat_read_channel", ctx | {"channel": "#release"})
        if rng.random() < 0.08:
            t = rec.call(
                t, hands, "git_merge_pull_request", ctx, outcome="error", error="merge_conflict"
            )
            t = rec.call(t + MIN, hands, "git_log", ctx)
            if e.coder:
                t = coding_session(
                    w, hands, t, item.repo, team, 30, fail=0.0, branch=item.branch, sub=False
                )
            t = rec.call(t, hands, "git_push", ctx) + 10 * MIN
        t = rec.call(t, hands, "git_merge_pull_request", ctx)
        w.merges.append((t, item.repo))
        w.ci(t + 30 * SEC, item.repo, "main", "deploy", fail=0.05)
        item.stage = "close"
    else:
        t = rec.call(t, desk, "tracker_close_issue", ctx)
        t = rec.call(t + rng.randint(5, 60) * SEC, desk, "chat_post_message", ctx)
        if "observability" in e.servers_on(day):
            t = habit_calls(w, hands, t + 20 * MIN, "observability", item.repo, team, 2)
        w.items[e.name].remove(item)
    return t


def _explore(w: World, e: Engineer, t: int, day: int, team: Team) -> int:
    """The hackathon (and a new joiner's first days): servers one does not normally use."""
    s = w.rec.session(e.hands(day))
    usual = {"fs", "shell", "git", "tracker", "docs", "chat", *e.servers_on(day)}
    new = [x for x in SERVERS if x not in usual] or list(SERVERS)
    for server in w.rng.sample(new, k=min(len(new), w.rng.randint(1, 2))):
        t = w.rec.list_tools(t, s, server) + w.rng.randint(10, 90) * SEC
        t = habit_calls(w, s, t, server, team.repos[0], team, w.rng.randint(4, 12))
    return t


def workday(w: World, e: Engineer, day: int, lo: int, hi: int) -> None:
    """One workday of ``e`` between ``lo`` and ``hi`` (UTC µs)."""
    rng = w.rng
    team = e.team_on(day)
    t = lo + rng.randint(-30, 30) * MIN
    desk = w.rec.session(e.desk)
    t = _desk(w, desk, t, team, team.repos[0], rng.randint(2, 6))
    since = day - e.first_day
    if (w.is_hackathon(day) and rng.random() < 0.6) or (e.first_day and since < 2):
        t = _explore(w, e, t, day, team)
    if w.is_release(day) and rng.random() < 0.35:
        cut = w.start_us + day * DAY + 14 * HOUR
        if lo <= cut - 2 * HOUR <= hi:
            release_prep(w, e, desk, cut - rng.randint(30, 120) * MIN, team)
    items = w.items.setdefault(e.name, [])
    for _ in range(rng.randint(2, 4)):
        if t >= hi:
            break
        if w.reviews.get(e.name) and w.reviews[e.name][0][0] <= t:
            t = _review(w, e, w.rec.session(e.hands(day)), t, team) + 10 * MIN
        open_ = sorted(
            (i for i in items if i.stage != "review" or i.reviewed_at), key=lambda i: not i.hotfix
        )  # incident follow-ups first
        if not open_ and len(items) < 3:
            items.append(_new_item(w, e, team))
            open_ = items[-1:]
        if open_:
            t = _advance(w, e, open_[0], t, team, day)
        if rng.random() < 0.35 and (servers := e.servers_on(day)):
            s = w.rec.session(e.hands(day))
            t = habit_calls(w, s, t, rng.choice(servers), team.repos[0], team, rng.randint(2, 6))
        t += rng.randint(20, 90) * MIN
    _desk(w, desk, min(t, hi), team, team.repos[0], rng.randint(1, 3))
    if rng.random() < 0.06:  # back online after dinner
        extra_block(w, e, day, lo - int(e.start_h * HOUR) + rng.randint(20 * 60, 23 * 60) * MIN)


def extra_block(w: World, e: Engineer, day: int, t: int) -> None:
    """An unscheduled block at ``t`` (an evening, a weekend): one item moves, or a quick look."""
    team = e.team_on(day)
    items = [i for i in w.items.get(e.name, []) if i.stage in ("code", "ci", "merge")]
    if items and w.rng.random() < 0.7:
        _advance(w, e, items[0], t, team, day)
    else:
        habit_calls(w, w.rec.session(e.desk), t, "chat", team.repos[0], team, w.rng.randint(2, 5))
