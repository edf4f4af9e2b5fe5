"""A store filled by the simulator (events, alerts, findings, checkpoints, heads, digests), once
per module, and the same store served by the read-only query endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.detectors._events import insert_frame
from tooltrail.detectors.alert import Alert, EventRefs, FeatureEvidence
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.pipeline.store.callfindings import CALL_FINDING_COLUMNS
from tooltrail.pipeline.store.quarantine import QUARANTINE_COLUMNS, quarantine_rows
from tooltrail.pipeline.store.query_server import QueryServer
from tooltrail.pipeline.store.schema import CHECKPOINT_COLUMNS, HEAD_COLUMNS
from tooltrail.simulator import SimConfig, Simulation, simulate, to_frame

PASSWORD = "dashboards-test-pw"


@dataclass
class Filled:
    store: Store
    sim: Simulation
    alert: Alert
    victim: str
    endpoint: QueryServer


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    path = Path(tmp_path_factory.mktemp("dash")) / "store"
    sim = simulate(SimConfig(seed=3, users=3, days=2, scenarios=("bulk_exfiltration",)))
    frame = to_frame(sim)
    store = open_store(StoreConfig(path=str(path)))
    try:
        store.migrate()
        insert_frame(store, frame)
        incident = sim.incidents[0]
        alert = Alert(
            severity="high",
            detector="rule:bulk_read",
            entity_kind="user",
            entity=incident.user,
            window_start=incident.start,
            window_end=incident.end,
            score=9.5,
            reason=f"{incident.user} read far more than usual",
            dedupe_key=f"rule:bulk_read|user|{incident.user}",
            features=(
                FeatureEvidence("bytes_out", 9e6, 1e4, 5e4),
                FeatureEvidence("calls", 400, 20, 60, "group"),
            ),
            events=EventRefs(3, ("e1", "e2", "e3")),
            actor=incident.user,
        )
        alerts = AlertStore(store)
        assert alerts.offer(alert) is not None
        alerts.false_positive(alerts.offer(_other(alert)).id, note="batch job")  # type: ignore[union-attr]
        alerts.announce(  # the change calendar: one alert of svc-migrate kept from paging
            ["svc-migrate"], incident.start - 3_600_000_000, incident.end, "CHG-42 migration",
            by="alice", created_us=incident.start - 3_600_000_000,
        )  # fmt: skip
        other = _other(alert)
        assert alerts.offer(replace(other, entity="svc-migrate", dedupe_key="m|svc-migrate", id=""))
        streams = sorted(
            {f"{k}-{n}" for k, n in zip(frame["source_kind"], frame["source_name"], strict=True)}
        )
        store.insert_rows(
            "chain_heads", [(s, 10, "h", s.split("-", 1)[1]) for s in streams], HEAD_COLUMNS
        )
        store.insert_rows(
            "checkpoints",
            [(streams[0], 5, "h", 1, sim.calls[0].ts, "ed25519", "k1", "sig", "x")],
            CHECKPOINT_COLUMNS,
        )
        store.record_findings(
            [{"stream_id": streams[0], "seq": 7, "class": "modified", "detail": "hash differs"}]
        )
        store.insert_rows(
            "call_findings",
            [
                ("args_differ", "high", incident.start, "h1|s1", "tools/call", "read_file",
                 "agent-host", "fs-server", "agent", "sess-1", "ab" * 16, "h1", "s1", "", "",
                 "tools/call read_file reached server fs-server with other arguments"),
            ],
            CALL_FINDING_COLUMNS,
        )  # fmt: skip
        bad = {"seq": 99, "hash": "h99", "event_id": "q-1", "note": "a fork"}
        rows = quarantine_rows(streams[0], "intruder", [bad], [], [{"class": "fork"}])
        store.insert_rows("quarantine", rows, QUARANTINE_COLUMNS)
        store.command(  # a few events flagged at ingest
            f"ALTER TABLE {store.database}.events UPDATE integrity = 'fork' WHERE seq < 3"
            " SETTINGS mutations_sync = 2"
        )
        with QueryServer(path, password=PASSWORD, port=0, database=store.database) as endpoint:
            yield Filled(store, sim, alert, incident.user, endpoint)
    finally:
        store.close()


def _other(alert: Alert) -> Alert:
    return Alert(
        severity="medium",
        detector="model:user",
        entity_kind="user",
        entity="svc-batch",
        window_start=alert.window_start - 3_600_000_000,
        window_end=alert.window_start - 3_000_000_000,
        score=4.0,
        reason="unusual volume",
        dedupe_key="model:user|user|svc-batch",
    )
