"""Attacks that take data: bulk and slow-and-low exfiltration, resource enumeration."""

from __future__ import annotations

import math
import random
from typing import Any, Final

from ._calls import Episode, S, Victim, Who, hex_id, place, select, work_hours
from .model import SimCall, SimConfig
from .world import TABLES, WORDS

__all__ = ["bulk_exfiltration", "resource_enumeration", "slow_low_exfiltration"]

_DEPTS: Final = ("customers", "hr", "legal", "contracts", "pricing", "roadmap")
_FINANCE: Final = ("ledger", "payroll", "invoices", "vendors", "budgets", "bank_accounts")
_GUESS_DIRS: Final = (
    "/home",
    "/srv",
    "/opt",
    "/var/www",
    "/mnt/shared",
    "/backup",
    "/var/lib",
    "/data",
    "/root",
    "/var/backups",
)
_GUESS_NAMES: Final = (
    "config.yml",
    "backup.sql",
    "dump.sql",
    "db.sqlite3",
    "settings.py",
    "users.csv",
    "passwords.txt",
    "secrets.json",
    "keys",
    "private",
    "admin",
    "old",
    "export",
    "www",
    "deploy.sh",
    "credentials.json",
    "wallet.dat",
    "notes.txt",
    "prod.yaml",
    "vault",
)


def _times(rng: random.Random, start: int, span_s: float, n: int) -> list[int]:
    return sorted(start + int(rng.uniform(0, span_s) * S) for _ in range(n))


def log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def bulk_exfiltration(
    cfg: SimConfig, rng: random.Random, v: Victim, iid: str
) -> tuple[Episode, list[SimCall]]:
    """The usual agent reads 150-300 distinct files/tables in 2-3 min, 200 KB-2 MB each."""
    ep = Episode.of(
        iid,
        Who.of(v.user),
        "the user's usual agent reads hundreds of files and tables in 2-3 minutes",
    )
    n, span = rng.randint(150, 300), rng.uniform(120, 170)
    start = place(cfg, rng, v.user, work_hours(v.user), int(span * S))
    targets: dict[str, tuple[str, dict[str, Any]]] = {}
    while len(targets) < n:
        if rng.random() < 0.7:
            name = f"{rng.choice(WORDS)}-{rng.randrange(10_000):04d}"
            path = f"/mnt/shared/{rng.choice(_DEPTS)}/{name}.{rng.choice(('csv', 'pdf', 'xlsx'))}"
            targets[f"file://{path}"] = ("read_file", {"path": path})
        else:
            part = f"{rng.choice(('2023', '2024', '2025', 'archive', 'full'))}_{rng.randrange(99)}"
            uri = f"{rng.choice(TABLES)}_{part}"
            table = uri.removeprefix("db://").replace("/", ".")
            targets[uri] = ("export_table", {"table": table, "format": "csv"})
    session = hex_id(rng)
    calls = [
        ep.call(
            rng,
            session,
            ts=t,
            tool=tool,
            args=args,
            uri=uri,
            outcome="ok",
            size=log_uniform(rng, 200_000, 2_000_000),
        )
        for t, (uri, (tool, args)) in zip(_times(rng, start, span, n), targets.items(), strict=True)
    ]
    return ep, calls


def slow_low_exfiltration(
    cfg: SimConfig, rng: random.Random, v: Victim, iid: str
) -> tuple[Episode, list[SimCall]]:
    """~3 h from the user's evening, one call every 45-90 s, one session, on finance data."""
    ep = Episode.of(
        iid,
        Who.of(v.user),
        "one call every 45-90 s for ~3 h from the evening, on finance data never touched before",
    )
    dur = rng.uniform(2.75, 3.25) * 3600
    t = place(cfg, rng, v.user, (19.0, 21.0), int(dur * S))
    end, session, calls = t + int(dur * S), hex_id(rng), []
    while t < end:
        table = rng.choice(_FINANCE)
        if rng.random() < 0.5:
            month = f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}"
            query = select("*", f"finance.{table}", f" WHERE month = '{month}'")
            tool, args, uri = "run_query", {"query": query}, f"db://finance/{table}"
        else:
            name = f"{rng.choice(WORDS)}-{rng.randrange(1000):03d}.xlsx"
            path = f"/finance/{table}/{rng.randint(2019, 2026)}/{name}"
            tool, args, uri = "read_file", {"path": path}, f"file://{path}"
        calls.append(
            ep.call(
                rng,
                session,
                ts=t,
                tool=tool,
                args=args,
                uri=uri,
                outcome="ok",
                size=rng.randint(30_000, 80_000),
            )
        )
        t += int(rng.uniform(45, 90) * S)
    return ep, calls


def resource_enumeration(
    cfg: SimConfig, rng: random.Random, v: Victim, iid: str
) -> tuple[Episode, list[SimCall]]:
    """1-2 min of list_directory/read_file over 300-500 guessed paths, ~30 % not found."""
    ep = Episode.of(
        iid,
        Who.of(v.user),
        "1-2 minutes of listing and reading hundreds of guessed paths, many of them missing",
    )
    dirs = (f"/home/{v.user.name}", f"/home/{v.user.name}/{v.ws.project}", *_GUESS_DIRS)
    n, span = rng.randint(300, 500), rng.uniform(60, 115)
    start = place(cfg, rng, v.user, work_hours(v.user), int(span * S))
    paths: set[str] = set()
    while len(paths) < n:
        p = f"{rng.choice(dirs)}/{rng.choice(_GUESS_NAMES)}"
        paths.add(p if rng.random() < 0.3 else f"{p}.{rng.randrange(1, 60)}")
    order = sorted(paths)
    rng.shuffle(order)
    session, calls = hex_id(rng), []
    for t, path in zip(_times(rng, start, span, n), order, strict=True):
        tool = "list_directory" if rng.random() < 0.4 else "read_file"
        missing = rng.random() < 0.3
        calls.append(
            ep.call(
                rng,
                session,
                ts=t,
                tool=tool,
                args={"path": path},
                uri=f"file://{path}",
                outcome="error" if missing else "ok",
                error_type="FileNotFoundError" if missing else None,
                size=rng.randint(80, 3_000),
            )
        )
    return ep, calls
