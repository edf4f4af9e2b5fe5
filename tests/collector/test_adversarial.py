"""Attacks on ingest, against a running collector with a real store: no writer can make a genuine
event disappear or be replaced.

Each test runs a genuine emitter (the real ``Emitter``, HTTP, signed checkpoints) and an attacker
holding an API key who posts what it likes. After the attack the genuine emitter keeps writing,
and then: every event it recorded is stored exactly once (after a fork, on a successor stream
that names the old one), ``verify`` proves the store, the attacker's events sit in the quarantine
table, never among the events, and its findings are in ``integrity_findings`` (where the
detectors raise a critical alert). Every case runs on both paths: embedded (collector → chDB)
and Kafka (collector → Tansu → processor → chDB).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests._infra.fixtures import GROUP_ENV, tansu, topic_name  # noqa: F401
from tests._infra.tansu import Tansu
from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.contract import GENESIS_HASH, SPEC_VERSION, checkpoint_body, seal
from tooltrail.contract.streams import FORKED_AT, FORKED_FROM
from tooltrail.detectors.runner import Detection
from tooltrail.detectors.settings import DetectSettings
from tooltrail.emitter import Emitter
from tooltrail.pipeline.integrity import verify_store

pytestmark = pytest.mark.store

SOURCE = "fs.server"
_GENUINE = (
    "SELECT request_id, stream_id, seq FROM {db}.events FINAL"
    " WHERE startsWith(request_id, 'genuine-')"
)


def _event(
    stream: str, seq: int, prev: str, *, source: str = SOURCE, **extra: Any
) -> dict[str, Any]:
    """A sealed event as an attacker would forge it."""
    ev: dict[str, Any] = {
        "v": SPEC_VERSION,
        "event_id": f"0190c0de-0000-7000-8000-{seq % 2**48:012x}",
        "ts": 1_764_000_000_000_000 + seq,
        "source": {"kind": "server", "name": source},
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": "exfiltrate",
        "outcome": "ok",
        "duration_us": 1,
        "jsonrpc.request.id": "attacker",
        **extra,
    }
    seal(ev, stream, seq, prev)
    return ev


def _chain(stream: str, first: int, n: int, prev: str, **extra: Any) -> list[dict[str, Any]]:
    out = []
    for seq in range(first, first + n):
        out.append(_event(stream, seq, prev, **extra))
        prev = out[-1]["hash"]
    return out


def _wait(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@dataclass
class Rig:
    """A running stack, its key file, and the genuine emitter's bookkeeping."""

    stack: Stack
    keys: KeyStore
    tmp: Path
    kafka: bool
    recorded: list[str] = field(default_factory=list)  # request ids the genuine emitter wrote
    signers: list[bytes] = field(default_factory=list)
    token: str = ""
    ingest_findings: set[tuple[str, str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.token = self.keys.create(SOURCE)[1]

    @property
    def db(self) -> str:
        return str(self.stack.store.database)

    def emitter(self, spool: str = "spool") -> Emitter:
        em = Emitter(
            source_name=SOURCE,
            spool_dir=self.tmp / spool,
            collector_url=self.stack.url,
            api_key=self.token,
            flush_interval=0.02,
            checkpoint_every=4,
        )
        assert em.signer is not None
        if em.signer.public_key not in self.signers:
            self.keys.add_signer(SOURCE, em.signer.public_key_b64)
            self.signers.append(em.signer.public_key)
        return em

    def write(self, em: Emitter, n: int) -> None:
        for _ in range(n):
            rid = f"genuine-{len(self.recorded)}"
            with em.record("tools/call", tool="read_file", args={"rid": rid}, request_id=rid):
                pass
            self.recorded.append(rid)
        assert em.flush(30), em.stats()
        want = len(self.recorded)  # on the Kafka path, 202 means "in the topic": wait for the store
        _wait("the store", lambda: len(self.rows(_GENUINE)) >= want)

    def post(self, events: list[dict[str, Any]], token: str | None = None) -> httpx.Response:
        body = orjson.dumps({"v": 1, "events": events, "checkpoints": []})
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.post(f"{self.stack.url}/v1/events", content=body, headers=headers)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        df = self.stack.store.query_df(sql.format(db=self.db), params)
        return [tuple(r) for r in df.itertuples(index=False)]

    def quarantined(self, stream: str, at_least: int = 1) -> list[dict[str, Any]]:
        store = self.stack.store
        _wait("the quarantine", lambda: len(store.quarantined(stream_id=stream)) >= at_least)
        return list(store.quarantined(stream_id=stream))

    def findings(self, stream: str) -> set[tuple[str, int]]:
        sql = "SELECT class, seq FROM {db}.integrity_findings FINAL WHERE stream_id = {{s:String}}"
        return {(str(c), int(q)) for c, q in self.rows(sql, s=stream)}

    def assert_every_genuine_event_stored_and_verified(self) -> dict[str, list[int]]:
        """Each recorded event once, in the events table; verify clean. Returns the request
        ids' streams and seqs."""
        rows = self.rows(_GENUINE)
        assert sorted(r for r, _, _ in rows) == sorted(self.recorded)  # each exactly once
        report = verify_store(self.stack.store, public_keys=self.signers, record=False)
        # verify proves the stored chains: its only breaks are the attacks found at ingest
        # (they stay breaks: the quarantined events never reached the stream)
        own = [str(f) for f in report.findings if not f.detail.startswith("found at ingest")]
        assert own == []
        self.ingest_findings = {(f.stream_id, f.cls, f.seq) for f in report.findings}
        where: dict[str, list[int]] = {}
        for _, stream, seq in sorted(rows, key=lambda r: (r[1], r[2])):
            where.setdefault(str(stream), []).append(int(seq))
        return where


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
def rig(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Rig]:
    kafka = request.param == "kafka"
    bootstrap = None
    if kafka:
        broker: Tansu = request.getfixturevalue("tansu")
        names = request.getfixturevalue("topic_name")
        events = names("events")
        env = {
            "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_EVENTS": events,
            "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_HEADS": names("heads"),
            "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_INTEGRITY": names("integrity"),
            "TOOLTRAIL_PIPELINE_KAFKA_TOPIC_EVENTS": events,
            "TOOLTRAIL_PIPELINE_KAFKA_TOPIC_DEADLETTER": names("dead"),
            "TOOLTRAIL_PIPELINE_KAFKA_GROUP_ID": names("group"),
            **GROUP_ENV,
            "TOOLTRAIL_PIPELINE_BATCH_MAX_WAIT_S": "0.05",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bootstrap = broker.bootstrap
    keys_file = tmp_path / "keys.json"
    stack = Stack(
        store_path=tmp_path / "store", keys_file=keys_file, port=0, kafka_bootstrap=bootstrap
    )
    with stack:
        yield Rig(stack, KeyStore(keys_file), tmp_path, kafka)


# -- property 1: no writer can make another's events disappear ---------------------------------


def test_head_hijack_with_a_far_future_seq_is_quarantined(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 6)
    stream = em.stream_id
    far = _event(stream, 2**40, "ab" * 32)
    r = rig.post([far])  # the emitter's own key: the same source
    assert r.status_code == 409, r.text
    body = r.json()
    assert (body["quarantined"], body["action"], body["accepted"]) == (1, "new_stream", 0)
    assert body["head"]["seq"] == 5  # the head did not move (and its owner may see it)
    rig.write(em, 6)  # every later genuine event is accepted, none "duplicate"
    assert em.stats()["shipper"]["rejected_events"] == 0
    assert em.stream_id == stream
    where = rig.assert_every_genuine_event_stored_and_verified()
    assert where == {stream: list(range(12))}
    (evidence,) = rig.quarantined(stream)
    assert (evidence["kind"], evidence["seq"], evidence["item"]) == ("event", 2**40, far)
    assert ("deleted", 6) in rig.findings(stream)
    assert rig.rows("SELECT count() FROM {db}.events WHERE seq > 1000") == [(0,)]
    # the finding reaches the detectors' integrity rule: one critical alert naming the stream
    detection = Detection(rig.stack.store, DetectSettings(model_dir=rig.tmp / "models"))
    detection.cursor = time.time_ns() // 1000  # no window to score: only the findings
    alerts = [a for a in detection.advance(detection.cursor) if a.entity == stream]
    assert [(a.detector, a.severity) for a in alerts] == [("rule:integrity", "critical")]
    assert "deleted at seq 6" in alerts[0].reason
    em.close()


def test_a_valid_looking_continuation_by_a_key_holder_becomes_a_fork_and_nothing_is_lost(
    rig: Rig,
) -> None:
    em = rig.emitter()
    rig.write(em, 5)
    stream = em.stream_id
    probe = rig.post([_event(stream, 2**40, "ab" * 32)])  # learns the head (same source)
    head = probe.json()["head"]
    forged = _event(stream, head["seq"] + 1, head["hash"])
    assert rig.post([forged]).status_code == 202  # indistinguishable from the emitter, alone
    rig.write(em, 5)  # the genuine next batch claims the same seq: a fork
    successor = em.stream_id
    assert successor != stream
    stats = em.stats()["shipper"]
    assert (stats["new_streams"], stats["rejected_events"]) == (1, 0)
    where = rig.assert_every_genuine_event_stored_and_verified()
    assert where[stream] == list(range(5))
    assert where[successor] == list(range(5))
    first = rig.rows(
        "SELECT attrs FROM {db}.events FINAL WHERE stream_id = {{s:String}} AND seq = 0",
        s=successor,
    )
    attrs = orjson.loads(first[0][0])
    assert (attrs[FORKED_FROM], attrs[FORKED_AT]) == (stream, 5)
    evidence = rig.quarantined(stream, at_least=2)
    genuine = [q for q in evidence if q["kind"] == "event" and q["item"].get("jsonrpc.request.id")]
    assert {q["seq"] for q in genuine} >= {5}  # the genuine version of seq 5, kept beside
    assert ("forked", 5) in rig.findings(stream)
    em.close()


def test_a_key_of_a_prefix_source_cannot_write_the_stream(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 3)
    stream = em.stream_id
    _, prefix_key = rig.keys.create("fs")  # default streams "fs.*": not "fs.server.<id>"
    r = rig.post([_event(stream, 3, "ab" * 32, source="fs")], token=prefix_key)
    assert r.status_code == 403, r.text
    assert "may not write stream" in r.json()["message"]
    # even a key whose patterns do reach the stream: another source cannot extend it
    _, broad = rig.keys.create("fs", streams=["fs.*", "fs.server.*"])
    r = rig.post([_event(stream, 3, "ab" * 32, source="fs")], token=broad)
    assert r.status_code == 409, r.text
    assert r.json()["head"] is None  # the owner's head is not revealed to another source
    assert [f["class"] for f in r.json()["findings"]] == ["foreign_source"]
    rig.write(em, 3)
    assert rig.assert_every_genuine_event_stored_and_verified() == {stream: [0, 1, 2, 3, 4, 5]}
    (evidence,) = rig.quarantined(stream)
    assert (evidence["writer"], evidence["findings"]) == ("fs", ["foreign_source"])
    em.close()


# -- property 2: same position, different content is a fork ---------------------------------------


def test_a_fork_at_an_accepted_seq_is_quarantined_never_a_duplicate(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 6)
    stream = em.stream_id
    prev = rig.rows(
        "SELECT hash FROM {db}.events FINAL WHERE stream_id = {{s:String}} AND seq = 2", s=stream
    )[0][0]
    fork = _event(stream, 3, str(prev))  # seq 3 again, linked right, other content
    r = rig.post([fork])
    assert r.status_code == 409, r.text
    assert (r.json()["duplicates"], r.json()["quarantined"]) == (0, 1)
    assert r.json()["findings"][0]["class"] == "forked"
    rig.write(em, 4)
    where = rig.assert_every_genuine_event_stored_and_verified()
    assert where[stream] == list(range(10))
    (evidence,) = rig.quarantined(stream)
    assert (evidence["seq"], evidence["item"]["hash"]) == (3, fork["hash"])
    assert ("forked", 3) in rig.findings(stream)
    em.close()


def test_wrong_prev_hash_at_head_plus_one_is_quarantined(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 4)
    stream = em.stream_id
    r = rig.post([_event(stream, 4, "ab" * 32)])
    assert r.status_code == 409, r.text
    (finding,) = r.json()["findings"]
    assert (finding["class"], finding["seq"], finding["stream_id"]) == ("modified", 4, stream)
    assert finding["detail"].startswith("prev_hash is not the hash of seq 3")
    rig.write(em, 4)
    assert rig.assert_every_genuine_event_stored_and_verified()[stream] == list(range(8))
    assert [q["seq"] for q in rig.quarantined(stream)] == [4]
    em.close()


def test_a_replay_of_an_old_batch_with_new_content_is_quarantined(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 6)
    stream = em.stream_id
    replay = _chain(stream, 0, 4, GENESIS_HASH)  # re-chained from the genesis, other content
    r = rig.post(replay)
    assert r.status_code == 409, r.text
    body = r.json()
    assert (body["duplicates"], body["quarantined"], body["kept_through"]) == (0, 4, -1)
    assert body["findings"][0]["class"] == "forked"
    rig.write(em, 2)
    assert rig.assert_every_genuine_event_stored_and_verified()[stream] == list(range(8))
    assert [q["seq"] for q in rig.quarantined(stream, at_least=4)] == [0, 1, 2, 3]
    em.close()


def test_a_snapshot_restored_spool_continues_on_a_successor_stream(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 5)
    stream = em.stream_id
    em.close()
    snapshot = rig.tmp / "snapshot"
    shutil.copytree(rig.tmp / "spool", snapshot)  # the VM snapshot
    em = rig.emitter()
    rig.write(em, 5)  # accepted after the snapshot
    em.close()
    shutil.rmtree(rig.tmp / "spool")
    shutil.copytree(snapshot, rig.tmp / "spool")  # restored: the spool forgot seq 5..9
    em = rig.emitter()
    assert em.stream_id == stream
    rig.write(em, 5)  # seq 5.. again, with new content: a fork, told "new_stream"
    successor = em.stream_id
    assert successor != stream
    where = rig.assert_every_genuine_event_stored_and_verified()
    assert where[stream] == list(range(10))
    assert where[successor] == list(range(5))
    # the restored emitter's first batch (its versions of seq 5..), kept beside the stream
    forked = [q["seq"] for q in rig.quarantined(stream) if q["kind"] == "event"]
    assert forked == list(range(5, 5 + len(forked)))
    assert ("forked", 5) in rig.findings(stream)
    rig.write(em, 3)  # and the successor goes on
    assert rig.assert_every_genuine_event_stored_and_verified()[successor] == list(range(8))
    em.close()


# -- property 3: resent checkpoints are stored -------------------------------------------------


def test_resent_checkpoints_of_an_all_duplicate_batch_are_stored(rig: Rig) -> None:
    em = rig.emitter()
    rig.write(em, 4)
    stream = em.stream_id
    events = list(rig.stack.store.iter_events(stream_id=stream))
    assert em.signer is not None
    cp = em.signer.sign(checkpoint_body(stream, 3, events[3]["hash"], events[3]["ts"] + 1))
    body = orjson.dumps({"v": 1, "events": events, "checkpoints": [cp]})
    r = httpx.post(
        f"{rig.stack.url}/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {rig.token}"},
    )
    assert r.status_code == 202, r.text
    assert (r.json()["accepted"], r.json()["duplicates"]) == (0, 4)
    _wait("the checkpoint", lambda: cp in rig.stack.store.checkpoints(stream_id=stream))
    em.close()
