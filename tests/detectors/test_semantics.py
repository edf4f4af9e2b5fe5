"""Tool semantics: the server's annotations (recorded by the emitter) first, names otherwise,
settings over both; and the store hands the recorded hints to the features."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.detectors._events import insert_frame
from tests.detectors.test_features import HOUR, T, event, frame
from tooltrail.detectors.features import ActorProfile, build_features
from tooltrail.detectors.semantics import ToolSemantics, words
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import StoreSource
from tooltrail.emitter.mcpwire import tool_hints
from tooltrail.pipeline.store import Store


@pytest.mark.parametrize(
    ("tool", "destructive", "exporting"),
    [
        ("delete_object", True, False),
        ("deleteObject", True, False),
        ("drop-partition", True, False),
        ("fs.rm", True, False),
        ("export_table", False, True),
        ("sendMail", False, True),
        ("read_file", False, False),
        ("model_selector", False, False),  # "del" / "select" inside a word are not words
        ("undeleted_items", False, False),
        ("list_deleted_files", False, False),  # a name that starts as a read reads
        ("get_export_status", False, False),
        ("searchSentMail", False, False),
    ],
)
def test_names_decide_by_whole_words(tool: str, destructive: bool, exporting: bool) -> None:
    sem = ToolSemantics()
    assert sem.is_destructive(tool) is destructive
    assert sem.is_exporting(tool) is exporting


def test_words_split_every_naming_style() -> None:
    assert words("getHTTPLogs_v2.list-all") == ("get", "httplogs", "v2", "list", "all")


def test_recorded_annotations_beat_names_and_settings_beat_both() -> None:
    sem = ToolSemantics()
    assert sem.judge("tidy_up", "destructive,openworld") == (True, False)
    assert sem.judge("delete_cache", "readonly") == (False, False)  # the server says read-only
    assert sem.judge("export_report", "readonly,openworld") == (False, False)
    assert sem.judge("export_report", "openworld") == (False, True)
    s = DetectSettings(destructive_tools="tidy_up,reset", readonly_tools="delete_cache")
    over = ToolSemantics.of(s.destructive_tools, s.exporting_tools, s.readonly_tools)
    assert over.judge("reset") == (True, False)
    assert over.judge("delete_cache", "destructive") == (False, False)
    tools = pd.Series(["tidy_up", "delete_cache", "read"])
    hints = pd.Series(["", "destructive", "destructive"])
    d, e = sem.flags(tools, hints)
    assert d.tolist() == [0, 1, 1]
    assert e.tolist() == [0, 0, 0]


def test_a_tool_destructive_only_by_the_spec_default_is_judged_by_its_name() -> None:
    # a GitHub-style server states readOnlyHint false and nothing more: the spec's default
    # makes every write destructive, which the emitter records as such
    hints = tool_hints(
        [
            {"name": "merge_pull_request", "annotations": {"readOnlyHint": False}},
            {"name": "delete_file", "annotations": {"readOnlyHint": False}},
            {"name": "tidy_up", "annotations": {"destructiveHint": True}},
            {"name": "get_file", "annotations": {"readOnlyHint": True}},
        ]
    )
    assert hints["merge_pull_request"] == "destructive,destructive_by_default,openworld"
    assert hints["tidy_up"] == "destructive,openworld"  # stated: no default applied
    sem = ToolSemantics()
    assert sem.judge("merge_pull_request", hints["merge_pull_request"]) == (False, False)
    assert sem.judge("delete_file", hints["delete_file"]) == (True, False)
    assert sem.judge("tidy_up", hints["tidy_up"]) == (True, False)
    over = ToolSemantics.of(["merge_pull_request"], [], [])  # a setting still decides
    assert over.judge("merge_pull_request", hints["merge_pull_request"]) == (True, False)


def _user_minute(source: StoreSource, got: pd.DataFrame) -> pd.DataFrame:
    """The user-level windows of the minute after ``T``, features read through ``source``."""
    return build_features(
        got,
        source.history,
        ActorProfile(),
        since=T,
        until=T + 60_000_000,
        window_us=60_000_000,
        step_us=10_000_000,
        levels=("user",),
    )["user"]


@pytest.mark.store
def test_the_store_hands_recorded_hints_to_the_features(store: Store) -> None:
    """A tool whose name says nothing, annotated destructive by its server: the emitter's
    ``attrs["tooltrail.tool.hints"]`` reaches the ``destructive`` feature through the store."""
    rows = [event(T + k * 1_000_000, tool="tidy") for k in range(5)]
    events = frame(*rows)
    hinted = json.dumps({"tooltrail.tool.hints": "destructive,idempotent,openworld"})
    stored = events.assign(attrs=[hinted] * 3 + [""] * 2)
    insert_frame(store, stored)
    source = StoreSource(store)
    got = source.events(T, T + HOUR)
    assert got["tool_hints"].tolist() == ["destructive,idempotent,openworld"] * 3 + [""] * 2
    feats = _user_minute(source, got)
    assert feats["destructive"].max() == 3


def test_what_a_statement_did_beats_annotations_but_never_hides_a_named_delete() -> None:
    sem = ToolSemantics.of(destructive=["purge_tool"], exporting=[], readonly=["execute_sql"])
    assert sem.judge("execute_sql", "", "destructive") == (True, False)  # a DROP ran
    assert sem.judge("execute_sql", "readonly", "destructive") == (True, False)
    assert sem.judge("execute_sql", "", "read") == (False, False)  # a SELECT ran
    # annotated "may destroy" (a statement tool's annotations can say no more): a SELECT did not
    assert sem.judge("run_sql", "destructive", "read") == (False, False)
    assert sem.judge("run_sql", "destructive", "write") == (False, False)
    # a tool that destroys by its name or by the setting, given a query to pick what it
    # deletes, still destroys
    assert sem.judge("delete_rows", "", "read") == (True, False)
    assert sem.judge("delete_rows", "destructive", "read") == (True, False)
    assert sem.judge("purge_tool", "", "write") == (True, False)
    assert sem.judge("delete_rows", "", "nan") == (True, False)  # no verdict: the name
    assert sem.judge("run_sql", "destructive", "") == (True, False)  # no statement: the hints


@pytest.mark.store
def test_the_store_hands_a_statements_effect_to_the_features(store: Store) -> None:
    """One ``execute_sql`` tool, whose name and annotations say nothing: the emitter's
    ``attrs["tooltrail.call.effect"]`` of each call reaches the ``destructive`` feature."""
    effects = ["destructive"] * 4 + ["read"] * 3 + [""]
    rows = [event(T + k * 1_000_000, tool="execute_sql") for k in range(len(effects))]
    attrs = [json.dumps({"tooltrail.call.effect": e}) if e else "" for e in effects]
    insert_frame(store, frame(*rows).assign(attrs=attrs))
    source = StoreSource(store)
    got = source.events(T, T + HOUR)
    assert got["call_effect"].tolist() == effects
    feats = _user_minute(source, got)
    assert feats["destructive"].max() == 4
