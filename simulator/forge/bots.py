"""Service identities (``svc-*``): CI runners, dependency and review bots, nightly jobs, pollers.

- ``svc-ci`` runs every pipeline the work graph asked for: fetch the source, read the registry
  token, build, test (flaky and real failures), upload, report; deploy pipelines also deploy
  to staging and production (``cloud`` rate-limits now and then: retried);
- ``svc-deps-bot`` opens dependency-update pull requests on weekday mornings;
- ``svc-review-bot`` comments on every pull request within minutes;
- ``svc-backup`` snapshots the databases and exports tables to a bucket every night;
- ``svc-janitor`` deletes stale merged branches every night (destructive, on schedule);
- ``svc-poller`` and ``svc-status`` poll observability and cloud every few minutes.

The scored day's backup is a hard negative (``negatives``), so :func:`nightly` skips it.
"""

from __future__ import annotations

from typing import Final

from ._calls import Actor
from ._state import DAY, HOUR, MIN, SEC, CiRun, World
from .catalog import DATABASES, SERVICES
from .org import TEAMS

__all__ = ["BOTS", "backup_run", "ci_runs", "nightly", "pollers", "reviews_and_deps"]

BOTS: Final = {
    "ci": Actor("svc-ci", "ci-runner", "forge-runner", "3.4.1"),
    "deps": Actor("svc-deps-bot", "renovate", "renovate", "41.2.0"),
    "review": Actor("svc-review-bot", "review-bot", "forge-review", "2.0.3"),
    "backup": Actor("svc-backup", "backup-job", "forge-cron", "1.0.0"),
    "janitor": Actor("svc-janitor", "janitor", "forge-cron", "1.0.0"),
    "poller": Actor("svc-poller", "poller", "prom-bridge", "0.9.2"),
    "status": Actor("svc-status", "statuspage", "statuspage-sync", "5.1.0"),
    "alerts": Actor("svc-alertmanager", "alertmanager", "alertmanager", "0.28.1"),
}
_ALL_REPOS: Final = tuple(dict.fromkeys(r for t in TEAMS.values() for r in t.repos))


def _run(w: World, run: CiRun) -> None:
    rng, rec = w.rng, w.rec
    s = rec.session(BOTS["ci"])
    ctx = {
        "repo": run.repo,
        "branch": run.branch,
        "run_id": run.run_id,
        "ref": run.branch,
        "sha": f"{rng.getrandbits(40):010x}",
        "cwd": f"/build/{run.repo}",
        "path": f"ci/{run.repo}/registry-token",
        "pipeline": run.pipeline,
    }
    t = run.ts + rng.randint(10, 120) * SEC
    t = rec.call(t, s, "ci_report_status", ctx | {"state": "pending"})
    t = rec.call(t, s, "git_get_archive", ctx, result=rng.randint(200_000, 3_000_000))
    t = rec.call(t, s, "secrets_read", ctx)
    t = rec.call(t, s, "shell_exec", ctx | {"command": "make build"})
    if run.ok:
        t = rec.call(t, s, "shell_run_tests", ctx | {"filter": "all"})
        t = rec.call(t, s, "ci_upload_artifact", ctx)
    else:
        t = rec.call(
            t,
            s,
            "shell_run_tests",
            ctx | {"filter": "all"},
            outcome="error",
            error="flaky_test" if run.flaky else "test_failed",
        )
    if run.ok and run.pipeline in ("deploy", "release"):
        for env in ("staging", "prod"):
            dctx = ctx | {"env": env, "service": run.repo, "version": ctx["sha"]}
            if rng.random() < 0.04:
                t = rec.call(t, s, "cloud_deploy", dctx, outcome="error", error="rate_limited")
                t += rng.randint(20, 90) * SEC
            t = rec.call(t, s, "cloud_deploy", dctx) + rng.randint(1, 6) * MIN
            t = rec.call(t, s, "obs_query_metrics", dctx | {"query": "error_rate"})
    rec.call(t, s, "ci_report_status", ctx | {"state": "success" if run.ok else "failure"})


def ci_runs(w: World) -> None:
    """Every pipeline run asked for (before the end of the simulated time)."""
    for run in w.ci_runs:
        if run.ts < w.end_us - HOUR:
            _run(w, run)


def reviews_and_deps(w: World) -> None:
    """Dependency updates on weekday mornings, then the review bot on every pull request."""
    rng, rec = w.rng, w.rec
    for day in range(w.days):
        if w.weekday(day) >= 5:
            continue
        s = rec.session(BOTS["deps"])
        t = w.start_us + day * DAY + 6 * HOUR + rng.randint(0, 600) * SEC
        for repo in rng.sample(_ALL_REPOS, k=rng.randint(3, 8)):
            ctx = {
                "repo": repo,
                "path": "package-lock.json",
                "branch": f"deps/{repo}-{day}",
                "title": "chore(deps): update dependencies",
                "pr": w.next_id("pr"),
            }
            for tool in ("git_get_file", "git_create_branch", "git_commit"):
                t = rec.call(t, s, tool, ctx) + rng.randint(1, 8) * SEC
            t = rec.call(t, s, "git_create_pull_request", ctx)
            w.prs.append((t, repo, str(ctx["pr"])))
            w.ci(t + 30 * SEC, repo, str(ctx["branch"]), "build", fail=0.1)
    for ts, repo, pr in sorted(w.prs):
        s = rec.session(BOTS["review"])
        t = ts + rng.randint(40, 240) * SEC
        ctx = {"repo": repo, "pr": pr, "base": "main", "head": pr}
        for tool in ("git_get_pull_request", "git_diff"):
            t = rec.call(t, s, tool, ctx) + rng.randint(2, 20) * SEC
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            t = rec.call(t, s, "git_add_review_comment", ctx) + rng.randint(2, 10) * SEC


def backup_run(w: World, t: int, tables: list[tuple[str, str]], label: str = "") -> int:
    """Snapshot each database of ``tables``, export each table, put each export in the bucket."""
    rng, rec = w.rng, w.rec
    s = rec.session(BOTS["backup"], label)
    for db in dict.fromkeys(db for db, _ in tables):
        t = rec.call(t, s, "db_create_snapshot", {"database": db}) + rng.randint(5, 30) * SEC
    for db, table in tables:
        size = int(rng.lognormvariate(0, 0.8) * 4_000_000)
        t = rec.call(t, s, "db_export_table", {"database": db, "table": table}, result=size)
        key = f"backups/{db}/{table}.parquet"
        t = rec.call(t, s, "cloud_put_object", {"bucket": "forge-backups", "key": key})
    return t


def nightly(w: World) -> None:
    """The nightly backup (not on the scored day) and the stale-branch janitor."""
    rng, rec = w.rng, w.rec
    every = [(db, t) for db, tables in DATABASES.items() for t in tables]
    for day in range(w.days):
        t0 = w.start_us + day * DAY
        if day != w.scored:
            part = [every[i] for i in range(day % 2, len(every), 2)]
            backup_run(w, t0 + int(1.5 * HOUR) + rng.randint(0, 300) * SEC, part)
        s = rec.session(BOTS["janitor"])
        t = t0 + 4 * HOUR + rng.randint(0, 120) * SEC
        repos = rng.sample(_ALL_REPOS, k=10)
        for repo in repos:
            t = rec.call(t, s, "git_list_branches", {"repo": repo}) + rng.randint(1, 5) * SEC
        for _ in range(rng.randint(2, 12)):
            branch = f"{rng.choice(('feat', 'fix', 'deps'))}/stale-{rng.randint(100, 999)}"
            ctx = {"repo": rng.choice(repos), "branch": branch}
            t = rec.call(t, s, "git_delete_branch", ctx) + rng.randint(1, 4) * SEC


def pollers(w: World) -> None:
    """Alerts every 5 minutes, metrics every 10, the service list every 30."""
    rng, rec = w.rng, w.rec
    poll, status = rec.session(BOTS["poller"]), rec.session(BOTS["status"])
    t = w.start_us
    services = SERVICES[:5]
    while t < w.end_us - 5 * MIN:
        slot = (t - w.start_us) // (5 * MIN)
        rec.call(t + rng.randint(0, 3) * SEC, poll, "obs_get_alerts", {"service": "*"})
        if slot % 2 == 0:
            svc = services[slot // 2 % len(services)]
            ctx = {"service": svc, "query": "availability", "window": "15m"}
            rec.call(t + rng.randint(5, 20) * SEC, status, "obs_query_metrics", ctx)
        if slot % 6 == 0:
            rec.call(t + rng.randint(20, 40) * SEC, status, "cloud_list_services", {"env": "prod"})
        t += 5 * MIN
