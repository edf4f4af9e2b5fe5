"""Service accounts: cron schedules with jitter, and a data pipeline that grows.

``svc-metrics`` polls Datadog every 15 minutes; ``svc-ci`` follows merge requests every 20
minutes on weekdays; ``svc-backup`` copies tables to S3 at 01:30 UTC; ``svc-etl`` runs the
nightly batch at 02:00 UTC (its last night is the labelled hard negative
``benign:nightly_batch``); ``svc-pipeline`` moves data hourly, its volume growing ~8% a day;
``svc-reporter`` writes the Monday report at 08:00 Berlin. Each schedule fires with jitter and
sometimes skips; each run is one session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ..model import SimCall
from ._calls import CallMaker, Seat
from .catalog import server_of
from .org import DAY_US, HOUR_US

__all__ = ["SERVICE_ACCOUNTS", "service_calls"]

_MIN: Final = 60_000_000
SERVICE_ACCOUNTS: Final = (
    "svc-metrics",
    "svc-ci",
    "svc-backup",
    "svc-etl",
    "svc-pipeline",
    "svc-reporter",
)


def _seat(name: str) -> Seat:
    return Seat(name, "cron", "tides-scheduler", "3.1.0")


def _run(
    mk: CallMaker, t0: int, seat: Seat, tools: list[str], gap_s: float, label: str = ""
) -> list[SimCall]:
    session, out, t = mk.hex(), [], t0
    for server in dict.fromkeys(server_of(n) for n in tools):
        out.append(mk.control(t, seat, session, server, "initialize", label))
    for name in tools:
        t += int(mk.rng.expovariate(1.0 / gap_s) * 1e6) + 200_000
        out.append(mk.call(t, seat, session, name, label=label))
    return out


def nightly_batch(mk: CallMaker, day_us: int, scale: float, label: str = "") -> list[SimCall]:
    """One nightly ETL run starting near 02:00 UTC of the day at ``day_us``."""
    rng = mk.rng
    t0 = day_us + 2 * HOUR_US + int(rng.gauss(0, 4) * _MIN)
    tables = int(rng.uniform(25, 35) * scale)
    tools = ["list_tables"]
    for _ in range(tables):
        tools += ["describe_table", "query", "mysql_query", "s3_put_object"]
    return _run(mk, t0, _seat("svc-etl"), tools, 4.0, label)


def service_calls(mk: CallMaker, start_us: int, days: int) -> Iterator[SimCall]:
    """Every scheduled run over ``days`` (the ETL's last night is left to the negatives)."""
    rng = mk.rng
    for d in range(days):
        day_us = start_us + d * DAY_US
        weekday = (start_us // DAY_US + d + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        for q in range(96):
            if rng.random() < 0.97:
                t = day_us + q * 15 * _MIN + int(rng.uniform(0, 40) * 1e6)
                yield from _run(mk, t, _seat("svc-metrics"), ["get_monitors", "query_metrics"], 2)
        if weekday < 5:
            for k in range(7 * 3, 26 * 3):
                if rng.random() < 0.8:
                    t = day_us + k * 20 * _MIN + int(rng.uniform(0, 120) * 1e6)
                    tools = ["list_pipelines", "get_merge_request"]
                    if rng.random() < 0.3:
                        tools += ["add_issue_comment"]
                    yield from _run(mk, t, _seat("svc-ci"), tools, 3)
        t = day_us + 90 * _MIN + int(rng.gauss(0, 3) * _MIN)
        tools = ["list_tables"] + ["query", "s3_put_object"] * rng.randrange(8, 12)
        yield from _run(mk, t, _seat("svc-backup"), tools, 6)
        if d < days - 1:
            yield from nightly_batch(mk, day_us, 1.0)
        growth = 1.0 + 0.08 * d
        for h in range(24):
            t = day_us + h * HOUR_US + int(rng.uniform(5, 9) * _MIN)
            n = max(1, round(rng.gauss(6 * growth, 1.5)))
            yield from _run(mk, t, _seat("svc-pipeline"), ["s3_get_object", "query"] * n, 1.5)
        if weekday == 0:
            t = day_us + 7 * HOUR_US + int(rng.uniform(0, 5) * _MIN)
            tools = ["gdrive_read_file", "query", "notion_update_page", "slack_post_message"]
            yield from _run(mk, t, _seat("svc-reporter"), tools, 20)
