"""`tooltrail events`: stored events filtered, under the contract's field names, as a table that
fits the terminal or as JSON lines that are the stored events exactly."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.conftest import build_chain
from tooltrail.cli import app
from tooltrail.pipeline.events import (
    COLUMN_FIELDS,
    EventFilter,
    print_events,
    select_events,
)
from tooltrail.pipeline.segments import DecodedSegment
from tooltrail.pipeline.store import Store, StoreConfig, open_store

pytestmark = pytest.mark.store

START = 1_764_000_000_000_000


@pytest.fixture
def filled(store: Store) -> list[dict[str, object]]:
    events = build_chain(30, start_ts=START)
    store.insert_segments([DecodedSegment(events[0]["stream_id"], "svc", events, [], [])])
    return events


def test_filters_pick_exactly_the_matching_events(
    store: Store, filled: list[dict[str, object]]
) -> None:
    def ids(where: EventFilter, limit: int = 100) -> list[object]:
        return [e["event_id"] for e in select_events(store, where, limit=limit)]

    def wanted(pred: object) -> list[object]:
        return [e["event_id"] for e in filled if pred(e)]  # type: ignore[operator]

    assert ids(EventFilter()) == wanted(lambda e: True)
    assert ids(EventFilter(user="u1")) == wanted(lambda e: e["actor"]["user"] == "u1")
    assert ids(EventFilter(tool="search", outcome="ok")) == wanted(
        lambda e: e["gen_ai.tool.name"] == "search" and e["outcome"] == "ok"
    )
    assert ids(EventFilter(since_us=START + 10_000, until_us=START + 20_000)) == wanted(
        lambda e: START + 10_000 <= e["ts"] < START + 20_000
    )
    assert ids(EventFilter(server="svc")) == wanted(lambda e: True)  # a server-side source
    assert ids(EventFilter(agent="claude-code")) == wanted(lambda e: True)  # no agent: client
    assert ids(EventFilter(source="other")) == []
    assert ids(EventFilter(), limit=5) == wanted(lambda e: True)[-5:]  # the newest, in order


def test_bad_filters_name_the_option() -> None:
    with pytest.raises(ValueError, match="--outcome must be one of ok, error, denied"):
        EventFilter(outcome="fine")
    with pytest.raises(ValueError, match="since_us must not be negative"):
        EventFilter(since_us=-1)


def test_json_lines_are_the_stored_events(store: Store, filled: list[dict[str, object]]) -> None:
    out = io.StringIO()
    print_events(Console(file=out), select_events(store, EventFilter()), as_json=True)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == filled


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_table_fits_the_terminal_and_names_contract_fields(
    store: Store, filled: list[dict[str, object]], width: int
) -> None:
    out = io.StringIO()
    print_events(Console(file=out, width=width), select_events(store, EventFilter()))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    header = lines[0].split()
    assert set(header) <= set(COLUMN_FIELDS.values())
    assert {"ts", "actor.user", "gen_ai.tool.name", "outcome"} <= set(header)
    assert len([ln for ln in lines[2:] if ln.strip()]) == len(filled)


def test_wider_terminals_show_more_columns(store: Store, filled: list[dict[str, object]]) -> None:
    events = select_events(store, EventFilter())

    def columns(width: int) -> int:
        out = io.StringIO()
        print_events(Console(file=out, width=width), events)
        return len(out.getvalue().splitlines()[0].split())

    assert columns(80) < columns(120) < columns(200)


def test_the_command_reads_the_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store(StoreConfig(path=str(path))) as store:
        store.migrate()
        events = build_chain(6, start_ts=START)
        store.insert_segments([DecodedSegment(events[0]["stream_id"], "svc", events, [], [])])
    runner = CliRunner()
    assert app is not None
    result = runner.invoke(app, ["events", "--store-path", str(path), "--user", "u2", "--json"])
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert got == [e for e in events if e["actor"]["user"] == "u2"]
    bad = runner.invoke(app, ["events", "--store-path", str(path), "--outcome", "nope"])
    assert bad.exit_code == 2
    assert "--outcome must be one of" in bad.output


def test_following_returns_only_events_stored_later(store: Store) -> None:
    events = build_chain(10, start_ts=START)
    stream = events[0]["stream_id"]
    store.insert_segments([DecodedSegment(stream, "svc", events[:6], [], [])])
    seen = select_events(store, EventFilter(), limit=100)
    last = max(e["_ingest_time"] for e in seen)
    assert select_events(store, EventFilter(), after_ingest=last) == []
    store.insert_segments([DecodedSegment(stream, "svc", events[6:], [], [])])
    new = select_events(store, EventFilter(), after_ingest=last)
    assert [e["event_id"] for e in new] == [e["event_id"] for e in events[6:]]
