"""Every read command works while `tooltrail up` holds the chDB store: they read through its
read-only query endpoint (and say so), while up ingests traffic; plain curl and
clickhouse-connect read it too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import clickhouse_connect
import pytest

from tests._infra.up import TOOLTRAIL, running_up
from tooltrail.collector.auth import KeyStore
from tooltrail.pipeline.store import find_endpoint
from tooltrail.simulator import SimConfig, drive, simulate

pytestmark = [pytest.mark.store, pytest.mark.slow]

HOUR = 3600 * 1_000_000


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%dT%H:%MZ")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOOLTRAIL, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
        env={**os.environ, "COLUMNS": "100"},
    )  # fmt: skip


def test_read_commands_go_through_up_while_it_ingests(tmp_path: Path) -> None:
    with running_up(tmp_path, "--query-port", "0") as (up, port):
        assert up.stdout is not None
        line = up.stdout.readline()
        assert line.startswith("query endpoint (read-only ClickHouse HTTP) http://127.0.0.1:"), line
        endpoint = find_endpoint(tmp_path / ".tooltrail" / "store")
        assert endpoint is not None
        assert endpoint.pid == up.pid

        sim = simulate(SimConfig(seed=11, users=2, days=1, scenarios=("privilege_probing",)))
        keys = KeyStore(tmp_path / ".tooltrail" / "collector-keys.json")
        api_keys = {s: keys.create(s)[1] for s in sorted({c.server for c in sim.calls})}
        sent = threading.Thread(
            target=drive,
            args=(sim,),
            kwargs={"collector_url": f"http://127.0.0.1:{port}", "api_keys": api_keys,
                    "spool_root": tmp_path / "spool", "on_signer": keys.add_signer,
                    "tick_us": HOUR},
        )  # fmt: skip
        sent.start()
        try:
            # while up ingests: curl and clickhouse-connect read through the endpoint
            curl = shutil.which("curl")
            assert curl is not None
            out = subprocess.run(
                [curl, "-s", "-u", f"tooltrail:{endpoint.password}",
                 f"{endpoint.url}/?query=SELECT+count()+>=+0+FROM+events"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            assert out.stdout == "1\n"
            client = clickhouse_connect.get_client(
                host="127.0.0.1", port=int(endpoint.url.rsplit(":", 1)[1]),
                username=endpoint.user, password=endpoint.password, database=endpoint.database,
            )  # fmt: skip
            assert client.query("SELECT count() FROM events").result_rows[0][0] >= 0
            during = _run(["events", "--limit", "5"], tmp_path)
            assert during.returncode == 0, during.stderr
            assert "reading via http://127.0.0.1:" in during.stderr
        finally:
            sent.join(300)
        assert not sent.is_alive()

        events = _run(["events", "--json", "--limit", "100000"], tmp_path)
        assert events.returncode == 0, events.stderr
        assert len(events.stdout.splitlines()) == len(sim.calls)
        assert json.loads(events.stdout.splitlines()[0])["v"] in (1, 2)
        for args in (
            ["alerts", "list"],
            ["verify"],  # reports, does not record (a write) while up runs
            ["detect", "--since", _iso(sim.calls[-1].ts - 2 * HOUR)],  # a short replay
            ["digests", "export", str(tmp_path / "digests")],
            ["events", "--user", sim.calls[0].user, "--limit", "3"],
        ):
            result = _run(args, tmp_path)
            assert result.returncode in (0, 3), (args, result.stdout, result.stderr)  # 3: unvouched
            assert "reading via http://127.0.0.1:" in result.stderr, args
            assert "Cannot lock" not in result.stdout + result.stderr
        assert up.poll() is None  # up kept running throughout
    # with up stopped, the commands open the store directly again
    assert find_endpoint(tmp_path / ".tooltrail" / "store") is None
    after = _run(["events", "--limit", "1"], tmp_path)
    assert after.returncode == 0, after.stderr
    assert "reading via" not in after.stderr
