"""The scored day's hard negatives: sanctioned work that looks like an attack, labelled.

Each is one labelled episode ``benign:<name>#0`` on the last day (its calls carry the label):

=====================  ========================================================================
nightly_batch          the monthly full backup: every table exported twice, 4x a usual night
release_spike          the major release: 20+ engineers merge before the cut, then the ship
new_hire               a new engineer's first day: every server listed, docs, repos, tools
oncall_night           a page at 03:00 local: observability, cloud and db runbook at night
role_change            a web/mobile engineer moved to the data team: db, cloud, new repos
repo_migration         a sanctioned migration: ~90 branch deletes and repo archives (MIG-)
incident_log_pull      an SRE pulling multi-MB logs at 03:00 local during an incident
secret_rotation        the security team rotating secrets across services (SEC- ticket)
monorepo_refactor      a coding agent touching every directory of the monorepo in an hour
flaky_ci_storm         CI retrying a flaky suite: mostly errors, huge test-filter arguments
=====================  ========================================================================

:func:`cast` picks the people before the scored day is walked (the role changer's ordinary day
is replaced); :func:`add_negatives` writes the episodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..model import UserProfile
from ._calls import Actor, Session
from ._state import DAY, HOUR, MIN, SEC, World
from .agent import coding_session, path_in
from .bots import BOTS, backup_run
from .catalog import DATABASES, SERVERS
from .oncall import on_call, release_crew, runbook, ship
from .org import MONOREPO_DIRS, TEAMS, Engineer
from .work import habit_calls, release_prep

__all__ = ["DESCRIPTIONS", "HARD_NEGATIVES", "Cast", "add_negatives", "cast"]

#: the hard negatives, as their bursts' ``scenario``
HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(
    f"benign:{n}"
    for n in (
        "nightly_batch",
        "release_spike",
        "new_hire",
        "oncall_night",
        "role_change",
        "repo_migration",
        "incident_log_pull",
        "secret_rotation",
        "monorepo_refactor",
        "flaky_ci_storm",
    )
)
NEW_HIRE: Final = "newhire.z"
#: one line per hard negative (the bursts' ``description``)
DESCRIPTIONS: Final = {
    "benign:nightly_batch": "the monthly full backup: every table exported twice at 01:30 UTC",
    "benign:release_spike": "major release: engineers merge before the 14:00 cut, then the ship",
    "benign:new_hire": "a new data engineer's first day: every server listed, docs, repos",
    "benign:oncall_night": "a page at 03:00 local: the on-call engineer runs the runbook",
    "benign:role_change": "an engineer moved to the data team: db, cloud and its repos",
    "benign:repo_migration": "sanctioned migration MIG-2211: branches deleted, repos archived",
    "benign:incident_log_pull": "an SRE exports multi-MB logs at 03:00 local in an incident",
    "benign:secret_rotation": "security rotates every service's secrets (SEC-904)",
    "benign:monorepo_refactor": "a coding agent renames a logger in every monorepo directory",
    "benign:flaky_ci_storm": "CI retries a flaky integration suite with huge test filters",
}


@dataclass(frozen=True)
class Cast:
    """Who plays which hard negative on the scored day."""

    oncall: Engineer
    mover: Engineer
    migrator: Engineer
    responder: Engineer
    rotator: Engineer
    refactorer: Engineer
    manager: Engineer


def _seasoned(w: World, e: Engineer) -> bool:
    return (
        e.first_day == 0
        and e.move is None
        and w.window(e, w.scored) is not None
        and sum(w.window(e, d) is not None for d in range(w.scored)) >= 5
    )


def _pick(w: World, pool: list[Engineer], taken: set[str], coder: bool = False) -> Engineer:
    """Someone of ``pool`` (else of the org) with history who works the scored day."""
    for group in (pool, w.engineers):
        seasoned = [
            e for e in group if e.name not in taken and _seasoned(w, e) and (e.coder or not coder)
        ]
        if seasoned:
            e = w.rng.choice(seasoned)
            taken.add(e.name)
            return e
    raise ValueError("users: too few engineers to cast every hard negative")


def cast(w: World) -> Cast:
    """Pick the hard negatives' people (deterministic from the world's random state)."""
    taken: set[str] = set()
    of = {t: [e for e in w.engineers if e.team == t] for t in TEAMS}
    team = w.rng.choice(["payments", "search", "identity", "platform"])
    oncall = on_call(w, team, w.scored) or _pick(w, of[team], taken)
    taken.add(oncall.name)
    managers = release_crew(w, w.scored)
    return Cast(
        oncall=oncall,
        mover=_pick(w, of["web"] + of["mobile"], taken),
        migrator=_pick(w, of["platform"], taken),
        responder=_pick(w, of["sre"], taken),
        rotator=_pick(w, of["security"], taken),
        refactorer=_pick(w, of["web"] + of["payments"], taken, coder=True),
        manager=_pick(w, managers, taken),
    )


def _night(w: World, e: Engineer, hour: float) -> int:
    """UTC µs of ``hour`` local on the scored day."""
    return w.start_us + w.scored * DAY + int(((hour - e.tz) % 24) * HOUR)


def _in_window(w: World, e: Engineer, lead: float) -> int:
    win = w.window(e, w.scored)
    assert win is not None
    return win[0] + int(lead * HOUR) + w.rng.randint(0, 20) * 60 * SEC


def _release(w: World, c: Cast, label: str) -> None:
    cut = w.start_us + w.scored * DAY + 14 * HOUR
    crew = []
    for e in w.engineers:
        win = w.window(e, w.scored)
        if win is not None and e is not c.mover and cut - 4 * HOUR < win[1] and win[0] < cut - HOUR:
            crew.append((e, win))
    for e, win in w.rng.sample(crew, k=min(len(crew), 24)):  # those with a change to ship
        lo = max(win[0], cut - 4 * HOUR)
        s = w.rec.session(e.desk, label)
        release_prep(
            w,
            e,
            s,
            lo + w.rng.randint(0, max(1, (cut - HOUR - lo) // MIN)) * MIN,
            e.team_on(w.scored),
        )
    repos = tuple(dict.fromkeys(r for t in TEAMS.values() for r in t.repos[:2]))
    ship(w, w.rec.session(c.manager.desk, label), cut, repos)


def _new_hire(w: World, label: str) -> UserProfile:
    rng, rec = w.rng, w.rec
    desk = rec.session(Actor(NEW_HIRE, "assistant", "claude-desktop", "1.3.9"), label)
    agent = rec.session(Actor(NEW_HIRE, "claude-code", "claude-code", "2.1.9"), label)
    team = TEAMS["data"]
    t = w.start_us + w.scored * DAY + int(4.5 * HOUR)  # 10:00 in +5.5
    for server in SERVERS:
        t = rec.list_tools(t, agent if server in ("fs", "shell", "git") else desk, server)
        t += rng.randint(5, 40) * SEC
    for server in ("docs", "tracker", "chat", "git", "db", "cloud", "observability", "ci"):
        t = habit_calls(w, desk, t + 10 * MIN, server, team.repos[0], team, rng.randint(3, 8))
    for repo in team.repos:
        t = rec.call(t + 15 * MIN, agent, "git_get_archive", {"repo": repo, "ref": "main"})
        t = coding_session(w, agent, t + 5 * MIN, repo, team, rng.randint(30, 60), fail=0.2)
    return UserProfile(
        NEW_HIRE,
        "analyst",
        5.5,
        9.5,
        18.0,
        ("assistant", "claude-code"),
        "claude-code",
        "2.1.9",
        w.scored,
    )


def _role_change(w: World, e: Engineer, label: str) -> None:
    team = TEAMS["data"]
    s = w.rec.session(e.hands(w.scored), label)
    t = _in_window(w, e, 0.5)
    for server in ("db", "cloud"):
        t = w.rec.list_tools(t, s, server) + w.rng.randint(20, 90) * SEC
    for server in ("db", "cloud", "db", "docs"):
        t = habit_calls(w, s, t + 20 * MIN, server, team.repos[0], team, w.rng.randint(5, 12))
    for repo in team.repos[:2]:
        t = coding_session(w, s, t + 30 * MIN, repo, team, w.rng.randint(40, 90), sub=False)


def _migration(w: World, e: Engineer, label: str) -> None:
    rng, rec = w.rng, w.rec
    s = rec.session(e.hands(w.scored), label)
    t = _in_window(w, e, 1.0)
    for k in range(6):
        repo = f"legacy-svc-{k}"
        ctx = {"repo": repo, "ref": "main"}
        t = rec.call(t, s, "git_list_branches", ctx) + rng.randint(5, 30) * SEC
        t = rec.call(t, s, "git_get_archive", ctx, result=rng.randint(5, 40) * 1_000_000)
        for b in range(15):
            args = {"repo": repo, "branch": f"release/{b}", "ticket": "MIG-2211"}
            t = rec.call(t + rng.randint(5, 25) * SEC, s, "git_delete_branch", args=args)
        args = {"repo": repo, "ticket": "MIG-2211"}
        t = rec.call(t, s, "git_archive_repository", args=args) + rng.randint(1, 4) * MIN
    rec.call(t, s, "chat_post_message", {"channel": "#platform", "text": "MIG-2211 done"})


def _secret_rotation(w: World, e: Engineer, label: str) -> None:
    rng, rec = w.rng, w.rec
    s = rec.session(e.desk, label)
    t = _in_window(w, e, 1.5)
    for svc in (
        "payments-api",
        "auth-svc",
        "search-svc",
        "billing-worker",
        "web-app",
        "indexer",
        "sso-gateway",
        "mobile-bff",
    ):
        for kind in ("db-password", "api-key", "signing-key", "webhook-secret"):
            args = {"path": f"prod/{svc}/{kind}", "ticket": "SEC-904"}
            t = rec.call(t, s, "secrets_rotate", args=args) + rng.randint(10, 40) * SEC
        ctx = {"service": svc, "env": "prod", "repo": svc, "database": svc.split("-")[0]}
        t = rec.call(t, s, "cloud_restart_instance", ctx) + rng.randint(1, 3) * MIN
        t = rec.call(t, s, "ci_trigger_pipeline", ctx | {"pipeline": "smoke"})
        if svc == "billing-worker":
            t = rec.call(t, s, "db_execute", ctx, outcome="denied", error="forbidden")
        t += rng.randint(2, 6) * MIN


def _refactor(w: World, e: Engineer, label: str) -> None:
    """Every directory: list, grep, then read and edit each hit; tests every ten directories."""
    rng, rec = w.rng, w.rec
    s = rec.session(e.hands(w.scored), label)
    t = _in_window(w, e, 1.0)
    for server in ("fs", "shell", "git"):
        t = rec.list_tools(t, s, server) + rng.randint(2, 10) * SEC
    for k, d in enumerate(MONOREPO_DIRS):
        root = f"/work/monorepo/{d}"
        t = rec.call(t, s, "fs_list_directory", {"path": root}) + rng.randint(1, 4) * SEC
        t = (
            rec.call(t, s, "fs_grep", {"path": root, "query": "getLogger"})
            + rng.randint(1, 4) * SEC
        )
        for _ in range(rng.randint(2, 4)):
            ctx = {"path": path_in(w, "monorepo", d), "old": "getLogger", "new": "get_logger"}
            t = rec.call(t, s, "fs_read_file", ctx) + rng.randint(1, 5) * SEC
            t = rec.call(t, s, "fs_edit_file", ctx) + rng.randint(2, 8) * SEC
        if k % 10 == 9:
            ctx = {"cwd": "/work/monorepo", "filter": d.split("/")[0]}
            t = rec.call(t, s, "shell_run_tests", ctx) + rng.randint(5, 20) * SEC
    ctx = {"repo": "monorepo", "branch": "refactor/rename-logger", "message": "rename logger"}
    t = rec.call(t, s, "git_commit", ctx) + rng.randint(5, 20) * SEC
    rec.call(t, s, "git_push", ctx)


def _ci_storm(w: World, label: str) -> None:
    rng, rec = w.rng, w.rec
    s = rec.session(BOTS["ci"], label)
    t = w.start_us + w.scored * DAY + 10 * HOUR
    tests = " ".join(f"tests/integration/test_checkout_{i}.py" for i in range(400))
    for _ in range(90):
        ctx = {
            "cwd": "/build/payments-api",
            "run_id": w.next_id("run"),
            "job": "integration",
            "filter": tests[: rng.randint(4_000, 16_000)],
        }
        ok = rng.random() < 0.3
        t = rec.call(
            t,
            s,
            "shell_run_tests",
            ctx,
            outcome="ok" if ok else "error",
            error=None if ok else "flaky_test",
        )
        t = (
            rec.call(t + rng.randint(5, 30) * SEC, s, "ci_retry_job", ctx)
            + rng.randint(5, 40) * SEC
        )


def add_negatives(w: World, c: Cast) -> list[UserProfile]:
    """Write every hard negative on the scored day; returns the new hire's profile."""
    lab = {n: f"{n}#0" for n in HARD_NEGATIVES}
    t0 = w.start_us + w.scored * DAY
    every = [(db, t) for db, tables in DATABASES.items() for t in tables]
    backup_run(w, t0 + int(1.5 * HOUR), every + every, lab["benign:nightly_batch"])
    _release(w, c, lab["benign:release_spike"])
    hire = _new_hire(w, lab["benign:new_hire"])
    s = w.rec.session(c.oncall.desk, lab["benign:oncall_night"])
    service = c.oncall.team_on(w.scored).repos[0]
    w.rec.call(
        _night(w, c.oncall, 3.0) - 5 * MIN,
        w.rec.session(BOTS["alerts"], s.label),
        "chat_page_oncall",
        {"service": service},
    )
    runbook(w, s, _night(w, c.oncall, 3.0), service)
    _role_change(w, c.mover, lab["benign:role_change"])
    _migration(w, c.migrator, lab["benign:repo_migration"])
    sre = Session(
        c.responder.desk, w.rec.session(c.responder.desk).id, lab["benign:incident_log_pull"]
    )
    t = _night(w, c.responder, 3.0)
    for _ in range(12):
        ctx = {"service": "payments-api", "window": "24h", "query": "level:error"}
        t = w.rec.call(t, sre, "obs_export_logs", ctx, result=w.rng.randint(2, 30) * 1_000_000)
        t += w.rng.randint(1, 6) * MIN
    runbook(w, sre, t, "payments-api", heavy=True)
    _secret_rotation(w, c.rotator, lab["benign:secret_rotation"])
    _refactor(w, c.refactorer, lab["benign:monorepo_refactor"])
    _ci_storm(w, lab["benign:flaky_ci_storm"])
    return [hire]
