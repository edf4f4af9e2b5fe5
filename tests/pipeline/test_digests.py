"""Hourly digests on the real chDB store: what is digested, when, and that it is replay-safe."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer import Typer
from typer.testing import CliRunner

from tooltrail.collector.auth import KeyStore
from tooltrail.contract import (
    GENESIS_DIGEST_HASH,
    GENESIS_HASH,
    SPEC_VERSION,
    Signer,
    checkpoint_body,
    digest_hash,
    load_public_keys,
    merkle_root_hex,
    seal,
    verify_checkpoint,
)
from tooltrail.pipeline.integrity import (
    HOUR_US,
    Digester,
    digest_path,
    export_digests,
    load_digests,
    read_digests,
    verify_store,
)
from tooltrail.pipeline.integrity.cli import register
from tooltrail.pipeline.segments import DecodedSegment
from tooltrail.pipeline.store import Store
from tooltrail.pipeline.store.options import parse_since

pytestmark = pytest.mark.store

EMITTER = Signer(bytes(range(32)))
PIPELINE = Signer(bytes(range(100, 132)))
T0 = 1_764_000_000_000_000 - 1_764_000_000_000_000 % HOUR_US  # an hour start
STEP = 10 * 60_000_000  # ten minutes: six events an hour


def make_chain(
    stream_id: str, n: int, *, step: int = STEP, ts: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """``n`` sealed events, ``step`` µs apart from T0 (or at the given times)."""
    events: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(n):
        ev: dict[str, Any] = {
            "v": SPEC_VERSION,
            "event_id": f"{stream_id}-{seq:06d}",
            "ts": ts[seq] if ts is not None else T0 + seq * step,
            "source": {"kind": "server", "name": "svc", "hostname": "h1"},
            "actor": {"user": f"u{seq % 3}"},
            "mcp.method.name": "tools/call",
            "gen_ai.tool.name": ["read_file", "search", "write_file"][seq % 3],
            "outcome": "ok" if seq % 7 else "error",
            "duration_us": 100 + seq,
        }
        seal(ev, stream_id, seq, prev)
        prev = ev["hash"]
        events.append(ev)
    return events


def signed(events: list[dict[str, Any]], every: int = 10) -> list[dict[str, Any]]:
    """Emitter checkpoints every ``every`` events and at the head."""
    heads = [e for e in events if e["seq"] % every == every - 1 or e is events[-1]]
    return [
        EMITTER.sign(checkpoint_body(e["stream_id"], e["seq"], e["hash"], e["ts"])) for e in heads
    ]


def put(store: Store, *chains: list[dict[str, Any]], checkpoints: bool = True) -> None:
    store.insert_segments(
        [
            DecodedSegment(c[0]["stream_id"], "svc", c, signed(c) if checkpoints else [], [])
            for c in chains
        ]
    )


def test_closed_hours_are_digested_once_chained_and_signed(store: Store) -> None:
    events = make_chain("svc.aaaaaaaaaaaaaaaa", 20)  # hours: 0..5, 6..11, 12..17, 18..19 (open)
    put(store, events)
    made = Digester(store, PIPELINE).run_once()
    assert [(d["first_seq"], d["last_seq"], d["count"]) for d in made] == [
        (0, 5, 6),
        (6, 11, 6),
        (12, 17, 6),
    ]
    assert [d["hour"] for d in made] == [T0, T0 + HOUR_US, T0 + 2 * HOUR_US]
    keys = load_public_keys([PIPELINE.public_key])
    link = GENESIS_DIGEST_HASH
    for d in made:
        verify_checkpoint(d, keys)
        assert d["prev_digest_hash"] == link
        assert d["merkle_root"] == merkle_root_hex(
            e["hash"] for e in events[d["first_seq"] : d["last_seq"] + 1]
        )
        assert d["ts"] == events[d["last_seq"]]["ts"]
        link = digest_hash(d)
    assert read_digests(store) == made
    assert Digester(store, PIPELINE).run_once() == []  # nothing newly closed

    more = make_chain("svc.aaaaaaaaaaaaaaaa", 26)[20:]  # seq 24 opens hour 4: hour 3 closes
    put(store, more)
    (next_digest,) = Digester(store, PIPELINE).run_once()
    assert (next_digest["first_seq"], next_digest["last_seq"]) == (18, 23)
    assert next_digest["prev_digest_hash"] == link


def test_the_same_events_give_byte_identical_digests_however_they_arrive(store: Store) -> None:
    events = make_chain("svc.bbbbbbbbbbbbbbbb", 40)
    for cut in (7, 13, 26, 40):  # batches arrive and the digester runs in between
        put(store, events[:cut])
        Digester(store, PIPELINE).run_once()
    incremental = read_digests(store)
    store.command(f"TRUNCATE TABLE {store.database}.digests")
    assert Digester(store, PIPELINE).run_once() == incremental  # replayed from scratch
    assert len(incremental) == 6


def test_a_late_event_stays_in_the_hour_of_the_event_before_it(store: Store) -> None:
    # seq 3 started (ts) before seq 2, across the hour line: the runs stay contiguous
    ts = [T0, T0 + 50 * 60_000_000, T0 + HOUR_US + 60_000_000, T0 + 59 * 60_000_000]
    ts += [T0 + HOUR_US + k * 60_000_000 for k in range(2, 4)] + [T0 + 2 * HOUR_US]
    put(store, make_chain("svc.cccccccccccccccc", 7, ts=ts))
    made = Digester(store, PIPELINE).run_once()
    assert [(d["hour"], d["first_seq"], d["last_seq"]) for d in made] == [
        (T0, 0, 1),
        (T0 + HOUR_US, 2, 5),
    ]
    keys = {"public_keys": [EMITTER.public_key], "digest_public_keys": [PIPELINE.public_key]}
    assert verify_store(store, store_digests=True, **keys).ok


def test_digests_stop_at_a_gap(store: Store) -> None:
    events = make_chain("svc.dddddddddddddddd", 30)
    put(store, events[:14])
    db = store.database
    store.command(f"ALTER TABLE {db}.events DELETE WHERE seq = 9 SETTINGS mutations_sync = 2")
    put(store, events[14:])
    made = Digester(store, PIPELINE).run_once()
    assert [(d["first_seq"], d["last_seq"]) for d in made] == [(0, 5)]


def test_export_writes_one_file_per_stream_hour_and_never_overwrites(
    store: Store, tmp_path: Path
) -> None:
    put(store, make_chain("svc.eeeeeeeeeeeeeeee", 14), make_chain("svc.ffffffffffffffff", 8))
    made = Digester(store, PIPELINE).run_once()
    out = tmp_path / "digests"
    first = export_digests(store, out)
    assert sorted(p.relative_to(out).as_posix() for p in first.written) == [
        "svc.eeeeeeeeeeeeeeee/2025-11-24T16.json",
        "svc.eeeeeeeeeeeeeeee/2025-11-24T17.json",
        "svc.ffffffffffffffff/2025-11-24T16.json",
    ]
    assert sorted(load_digests(out), key=lambda d: (d["stream_id"], d["hour"])) == made
    again = export_digests(store, out)
    assert (again.written, again.unchanged, again.conflicts) == ([], 3, [])

    victim = digest_path(out, made[0])
    victim.write_text(json.dumps({**made[0], "count": 5}))
    third = export_digests(store, out)
    assert third.conflicts == [victim]
    assert json.loads(victim.read_text())["count"] == 5

    (out / "svc.eeeeeeeeeeeeeeee" / "junk.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"junk\.json"):
        load_digests(out)
    errors: list[tuple[Path, str]] = []
    assert len(load_digests(out, errors=errors)) == 3
    assert errors[0][0].name == "junk.json"


def test_verify_with_since_reads_a_window_and_keeps_late_events(store: Store) -> None:
    ts = [T0 + k * STEP for k in range(30)]
    ts[13], ts[12] = ts[12], ts[13]  # seq 13 started before seq 12
    events = make_chain("svc.0000000000000001", 30, ts=ts)
    put(store, events)
    Digester(store, PIPELINE).run_once()
    since = ts[12]  # seq 12 is in the window, seq 13 (earlier ts) is a late event of it
    keys = {"public_keys": [EMITTER.public_key], "digest_public_keys": [PIPELINE.public_key]}
    report = verify_store(store, since_us=since, store_digests=True, **keys)
    assert report.ok, report.findings
    summary = report.streams["svc.0000000000000001"]
    assert (summary.first_seq, summary.last_seq, summary.events) == (12, 29, 18)
    assert report.digests_checked == 2  # seq 12..17 and 18..23; 24..29 is the open hour


def test_checking_digests_needs_the_pipeline_key(store: Store) -> None:
    with pytest.raises(ValueError, match="digest_public_keys"):
        verify_store(store, store_digests=True)


def test_parse_since() -> None:
    assert parse_since("24h", now=100_000.0) == (100_000 - 86_400) * 1_000_000
    assert parse_since("2025-11-24T16:00Z") == T0
    assert parse_since("2025-11-24T16:00") == T0


def test_cli_runs_exports_and_verifies(store: Store, tmp_path: Path) -> None:
    put(store, make_chain("svc.0000000000000002", 20))
    app = Typer()
    register(app)
    runner = CliRunner()
    where = ["--store-path", store.config.path]
    key = tmp_path / "digest.key"
    out = tmp_path / "kept"
    res = runner.invoke(app, ["digests", "run", "--signing-key", str(key), *where])
    assert res.exit_code == 0, res.output
    assert "3 new digest(s)" in res.output
    res = runner.invoke(app, ["digests", "export", str(out), *where])
    assert res.exit_code == 0
    assert "3 digest file(s) written" in res.output
    pub = Signer.load_or_create(key).public_key_b64
    args = ["verify", "--digests", str(out), "--digest-key", pub, *where]
    res = runner.invoke(app, [*args, "--keys", EMITTER.public_key_b64])
    assert res.exit_code == 0, res.output
    # a known digest key checks the store's own digests too (3 files + 3 in the store)
    assert "OK: 20 events in 1 stream(s) verified, 6 digest(s) checked" in res.output
    res = runner.invoke(app, [*args, "--keys", EMITTER.public_key_b64, "--no-store-digests"])
    assert "3 digest(s) checked" in res.output
    key_file = tmp_path / "emitters.txt"
    key_file.write_text(f"# trusted emitters\n{EMITTER.public_key_b64}\n")
    res = runner.invoke(app, [*args, "--keys", str(key_file), "--store-digests"])
    assert res.exit_code == 0, res.output
    assert "6 digest(s) checked" in res.output
    collector = KeyStore(tmp_path / "collector-keys.json")
    collector.add_signer("svc", EMITTER.public_key_b64)
    res = runner.invoke(app, [*args, "--collector-keys", str(collector.path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--keys", "bm90IGEga2V5"])
    assert res.exit_code == 2
    assert "32-byte" in res.output

    db = store.database
    store.command(
        f"ALTER TABLE {db}.events UPDATE outcome = 'ok' WHERE seq = 7 SETTINGS mutations_sync = 2"
    )
    res = runner.invoke(app, [*args, "--json", "--keys", EMITTER.public_key_b64])
    assert res.exit_code == 1
    doc = json.loads(res.output)
    assert [(f["stream_id"], f["seq"], f["class"]) for f in doc["findings"]] == [
        ("svc.0000000000000002", 7, "modified")
    ]
    res = runner.invoke(app, ["verify", "--digests", str(out), *where])
    assert res.exit_code == 2
    assert "--digest-key" in res.output


def test_digests_and_verify_over_http(http_store: Store, tmp_path: Path) -> None:
    store = http_store
    put(store, make_chain("svc.0000000000000003", 20))
    put(store, make_chain("svc.0000000000000004", 20), checkpoints=False)
    assert len(Digester(store, PIPELINE).run_once()) == 6
    export_digests(store, tmp_path)
    keys = {"public_keys": [EMITTER.public_key], "digest_public_keys": [PIPELINE.public_key]}
    assert verify_store(store, digests_dir=tmp_path, store_digests=True, **keys).ok
    db = store.database
    store.command(
        f"ALTER TABLE {db}.events DELETE WHERE stream_id = 'svc.0000000000000004' AND seq >= 15"
        " SETTINGS mutations_sync = 2"
    )
    store.command(
        f"INSERT INTO {db}.events SELECT * REPLACE ('svc.0000000000000004' AS stream_id)"
        f" FROM (SELECT * FROM {db}.events WHERE stream_id = 'svc.0000000000000003' AND seq = 3)"
    )
    report = verify_store(store, digests_dir=tmp_path, **keys)
    assert {(f.cls, f.stream_id, f.seq) for f in report.findings} == {
        ("replayed", "svc.0000000000000004", 3),
        ("truncated", "svc.0000000000000004", 15),
    }


def test_cli_verify_by_default_trusts_what_up_keeps_beside_its_store(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tooltrail verify` as the README writes it (no key options) uses the collector's signers
    and the digest key that `tooltrail up` keeps in .tooltrail/, says so, and checks digests."""
    put(store, make_chain("svc.0000000000000002", 20))
    monkeypatch.chdir(tmp_path)
    KeyStore(Path(".tooltrail/collector-keys.json")).add_signer("svc", EMITTER.public_key_b64)
    app = Typer()
    register(app)
    runner = CliRunner(env={"COLUMNS": "200"})
    where = ["--store-path", store.config.path]
    res = runner.invoke(app, ["digests", "run", "--signing-key", ".tooltrail/digest.key", *where])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["verify", *where])
    assert res.exit_code == 0, res.output
    assert "trusting the signers registered in .tooltrail/collector-keys.json" in res.output
    assert "trusting the digest key in .tooltrail/digest.key" in res.output
    assert "3 digest(s) checked" in res.output
