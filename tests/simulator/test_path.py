"""Through the real path: emitters → collector → embedded store, in event time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.detectors.features import STORED_SQL
from tooltrail.simulator import FRAME_COLUMNS, SimConfig, drive, simulate, to_frame
from tooltrail.simulator.cli import register

pytestmark = [pytest.mark.store, pytest.mark.slow]

KEY = b"path-test-key"
HOUR_US = 3_600_000_000


def test_drive_stores_exactly_the_frame_and_ticks_after_each_flush(tmp_path: Path) -> None:
    sim = simulate(SimConfig(users=4, days=1))
    servers = sorted({c.server for c in sim.calls})
    assert len(servers) == 7  # every server, so every emitter is exercised
    # two tools annotated as their servers' tools/list would: the hints ride in attrs
    tools = sorted({c.tool for c in sim.calls if c.method == "tools/call" and c.tool})
    annotations = {
        tools[0]: {"readOnlyHint": False, "destructiveHint": True},
        tools[1]: {"readOnlyHint": True},
    }
    keys_file = tmp_path / "keys.json"
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as stack:
        keys = KeyStore(keys_file)
        api_keys = {s: keys.create(s)[1] for s in servers}
        db = stack.store.database
        ticks: list[tuple[int, int]] = []

        def on_tick(boundary: int) -> None:
            stored = stack.store.command(f"SELECT count() FROM {db}.events WHERE ts < {boundary}")
            ticks.append((boundary, int(stored)))

        report = drive(
            sim,
            collector_url=stack.url,
            api_keys=api_keys,
            spool_root=tmp_path / "spool",
            fingerprint_key=KEY,
            on_signer=keys.add_signer,
            tick_us=HOUR_US,
            on_tick=on_tick,
            annotations=annotations,
        )
        columns = [c for c in FRAME_COLUMNS if c not in ("event_id", "label")]
        # a tool call's resource is what the emitter derived from its arguments (in attrs), as
        # are its hints and its statement's effect: read as the detectors read them
        derived = STORED_SQL
        select = ", ".join(f"{derived[c]} AS `{c}`" if c in derived else f"`{c}`" for c in columns)
        stored = stack.store.query_df(
            f"SELECT {select} FROM {db}.events ORDER BY ts, source_name, seq"
        )
        checkpoints = stack.store.query_df(f"SELECT source, alg FROM {db}.checkpoints")

    assert report.calls == len(sim.calls) == len(stored)
    assert sum(report.per_server.values()) == len(sim.calls)
    frame = to_frame(sim, fingerprint_key=KEY, annotations=annotations)
    frame = frame.sort_values(["ts", "source_name"], kind="stable")
    want = [tuple(r) for r in frame[columns].itertuples(index=False)]
    got = [tuple(r) for r in stored.itertuples(index=False)]
    assert got == want
    assert (frame["resource_key"] != "").any()
    hinted = dict(zip(frame["tool"], frame["tool_hints"], strict=True))
    assert hinted[tools[0]] == "destructive,openworld"
    assert hinted[tools[1]] == "readonly,openworld"
    tool_calls = frame["method"] == "tools/call"
    assert (frame.loc[tool_calls, "resource_uri"] == "").all()  # as a real server records

    boundaries = [b for b, _ in ticks]
    assert boundaries == sorted(set(boundaries))
    assert boundaries[-1] == sim.calls[-1].ts + 1
    assert all(b % HOUR_US == 0 for b in boundaries[:-1])
    assert len(ticks) >= 23
    for boundary, count in ticks:  # every event before the boundary was stored before the tick
        assert count == sum(c.ts < boundary for c in sim.calls), boundary
    assert set(checkpoints["source"]) == set(servers)
    assert set(checkpoints["alg"]) == {"ed25519"}
    assert all(keys.signers(s) for s in servers)


def test_simulate_command_sends_to_a_running_collector_and_writes_labels(tmp_path: Path) -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    keys_file, labels = tmp_path / "collector-keys.json", tmp_path / "labels.json"
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as stack:
        result = CliRunner().invoke(
            app,
            ["simulate", "--users", "2", "--days", "1", "--scenarios", "privilege_probing",
             "--new-users", "0", "--collector-url", stack.url, "--keys-file", str(keys_file),
             "--spool-dir", str(tmp_path / "spool"), "--labels", str(labels),
             "--tick-minutes", "360"],
            env={"COLUMNS": "200"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        stored = stack.store.command(f"SELECT count() FROM {stack.store.database}.events")
    doc = json.loads(labels.read_text(encoding="utf-8"))
    assert int(stored) == doc["calls"] > 0
    assert [i["id"] for i in doc["incidents"]] == ["privilege_probing#0"]
    assert "privilege_probing#0" in result.output
    sources = {k.source for k in KeyStore(keys_file).list_keys()}
    assert "admin-server" in sources
    assert all(KeyStore(keys_file).signers(s) for s in sources)


def test_simulate_command_refuses_an_unknown_scenario() -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["simulate", "--scenarios", "bulk_exfiltration,dns"])
    assert result.exit_code == 2
    assert "dns" in result.output
