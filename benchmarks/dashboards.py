"""Run time of every dashboard panel's query on a store (e.g. the demo's): chDB in-process and
through the read-only query endpoint (HTTP), with the variables at their defaults (All / empty)
and the time range over all stored events. Prints a Markdown table (median of 3 runs, ms).

    python benchmarks/dashboards.py .tooltrail/demo/store
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import clickhouse_connect

from tooltrail.dashboards import DASHBOARDS, expand
from tooltrail.dashboards.spec import ALL
from tooltrail.pipeline.store import StoreConfig, open_store
from tooltrail.pipeline.store.query_server import QueryServer

PASSWORD = "benchmark-password"  # noqa: S105 - a local endpoint for the run only


def _median_ms(client: object, sql: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.query(sql)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(path: Path) -> None:
    store = open_store(StoreConfig(path=str(path)))
    store.migrate()
    extent = "SELECT min(ts), max(ts), count() FROM tooltrail.events"
    lo, hi, count = store.query_rows(extent)[0]
    start = datetime.fromtimestamp(lo / 1e6, UTC)
    end = datetime.fromtimestamp(hi / 1e6, UTC) + timedelta(minutes=1)
    interval_ms = max(int((end - start).total_seconds() * 1000 / 1000), 1000)  # ~1000 points
    chdb = clickhouse_connect.get_client(interface="chdb", path=str(path), database="tooltrail")
    with QueryServer(path, password=PASSWORD, port=0) as server:
        http = clickhouse_connect.get_client(
            host="127.0.0.1", port=server.port, username="tooltrail", password=PASSWORD,
            database="tooltrail", compress=True, autogenerate_session_id=False,
        )  # fmt: skip
        print(f"store {path}: {count} events, {start:%Y-%m-%d %H:%M} – {end:%H:%M} UTC\n")
        print("| dashboard | panel | chDB (ms) | query endpoint (ms) |")
        print("|---|---|---:|---:|")
        for spec in DASHBOARDS:
            values = {
                v.name: ALL if v.type == "query" else (v.default if v.type == "textbox"
                                                       else v.default or v.source.split(",")[0])
                for v in spec.variables
            }  # fmt: skip
            for panel in spec.panels:
                sql = expand(panel.sql, start=start, end=end, interval_ms=interval_ms,
                             variables=values)  # fmt: skip
                direct = _median_ms(chdb, sql)
                served = _median_ms(http, sql)
                board = spec.title.split(" / ")[1]
                print(f"| {board} | {panel.title} | {direct:.1f} | {served:.1f} |")
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".tooltrail/demo/store"))
