"""Every panel's SQL, with Grafana's variables and the ClickHouse plugin's macros expanded as they
are, runs against a store filled by the simulator and returns the columns and types its panel
expects — through clickhouse-connect on chDB and through the query endpoint over HTTP. So do the
variables' and annotations' queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import clickhouse_connect
import pytest

from tooltrail.dashboards import DASHBOARDS, expand
from tooltrail.dashboards.spec import ALL, DashboardSpec, PanelSpec

from .conftest import PASSWORD, Filled

pytestmark = pytest.mark.store

PANELS = [(d, p) for d in DASHBOARDS for p in d.panels]


def _kind(type_name: str) -> str:
    name = re.sub(r"^(Nullable|LowCardinality)\((.*)\)$", r"\2", type_name)
    name = re.sub(r"^(Nullable|LowCardinality)\((.*)\)$", r"\2", name)
    if name.startswith("DateTime"):
        return "time"
    if re.match(r"(U?Int|Float|Decimal)", name):
        return "number"
    if name.startswith(("String", "FixedString", "Enum")):
        return "string"
    return name


def _variables(spec: DashboardSpec, filled: Filled, *, narrow: bool) -> dict[str, str]:
    """Values for every variable: the defaults (All / empty), or one narrowed to the attack."""
    values: dict[str, str] = {}
    for v in spec.variables:
        values[v.name] = ALL if v.type == "query" else v.default or v.source.split(",")[0]
        if v.type == "textbox":
            values[v.name] = v.default
    if narrow:
        picks = {
            "user": filled.victim,
            "entity_kind": "user",
            "entity": filled.victim,
            "alert": filled.alert.id,
        }
        values.update({k: v for k, v in picks.items() if k in values})
    return values


def _window(filled: Filled) -> tuple[datetime, datetime]:
    start = datetime.fromtimestamp(filled.sim.calls[0].ts / 1e6, UTC)
    end = datetime.fromtimestamp(filled.sim.calls[-1].ts / 1e6, UTC) + timedelta(minutes=1)
    return start, end


def _clients(filled: Filled) -> dict[str, Any]:
    return {
        "chdb": clickhouse_connect.get_client(
            interface="chdb", path=filled.store.config.path, database=filled.store.database
        ),
        "endpoint": clickhouse_connect.get_client(
            host="127.0.0.1",
            port=filled.endpoint.port,
            username="tooltrail",
            password=PASSWORD,
            database=filled.store.database,
            compress=True,
            autogenerate_session_id=False,
        ),
    }


def _run(client: Any, sql: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    result = client.query(sql)
    rows = [tuple(r) for r in result.result_rows]
    if not result.column_names:  # chDB sends no header block for an empty result: ask
        described = client.query(f"DESCRIBE ({sql})").result_rows
        return [r[0] for r in described], [_kind(r[1]) for r in described], rows
    kinds = [_kind(t.name) for t in result.column_types]
    return list(result.column_names), kinds, rows


@pytest.mark.parametrize("path", ["chdb", "endpoint"])
@pytest.mark.parametrize("narrow", [False, True], ids=["all", "narrowed"])
@pytest.mark.parametrize(("spec", "panel"), PANELS, ids=[f"{d.uid}:{p.title}" for d, p in PANELS])
def test_every_panel_returns_the_columns_it_expects(
    filled: Filled, spec: DashboardSpec, panel: PanelSpec, narrow: bool, path: str
) -> None:
    start, end = _window(filled)
    sql = expand(
        panel.sql,
        start=start,
        end=end,
        interval_ms=300_000,
        variables=_variables(spec, filled, narrow=narrow),
    )
    assert "$" not in sql.replace("$$", "")  # every variable and macro expanded
    names, kinds, rows = _run(_clients(filled)[path], sql)
    assert list(zip(names, kinds, strict=True)) == list(panel.columns), sql
    if panel.viz == "stat":
        assert len(rows) == 1


def test_the_panels_see_the_attack(filled: Filled) -> None:
    """Values, not only shapes: the narrowed Investigation shows the victim's events and alert."""
    start, end = _window(filled)
    client = _clients(filled)["endpoint"]
    inv = next(d for d in DASHBOARDS if d.uid == "tooltrail-investigate")
    values = _variables(inv, filled, narrow=True)
    panels = {p.title: p for p in inv.panels}

    def rows(title: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        sql = expand(panels[title].sql, start=start, end=end, variables=values)
        names, _, got = _run(client, sql)
        return names, got

    names, timeline = rows("Timeline: every event")
    user = names.index("actor.user")
    victim_calls = [c for c in filled.sim.calls if c.user == filled.victim]
    assert len(timeline) == len(victim_calls)
    assert {r[user] for r in timeline} == {filled.victim}
    names, alerts = rows("Alerts involved")
    assert [r[names.index("id")] for r in alerts] == [filled.alert.id]
    names, why = rows("Why: the features that drove the alerts")
    assert sorted(r[names.index("feature")] for r in why) == ["bytes_out", "calls"]
    names, found = rows("Reconciliation and tool drift")  # the victim: not a party of it
    assert found == []
    values.update(entity_kind="source_pair", entity="agent-host|fs-server", alert="")
    names, found = rows("Reconciliation and tool drift")
    assert [(r[names.index("kind")], r[names.index("host_event_id")]) for r in found] == [
        ("args_differ", "h1")
    ]
    overview = next(d for d in DASHBOARDS if d.uid == "tooltrail-overview")
    calls = next(p for p in overview.panels if p.title == "Calls")
    sql = expand(
        calls.sql, start=start, end=end, variables=_variables(overview, filled, narrow=False)
    )
    assert _run(client, sql)[2][0][0] == len(filled.sim.calls)


def test_the_change_calendar_panel_counts_what_it_kept_from_paging(filled: Filled) -> None:
    start, end = _window(filled)
    detectors = next(d for d in DASHBOARDS if d.uid == "tooltrail-detectors")
    panel = next(p for p in detectors.panels if p.title.startswith("Announced activity"))
    values = _variables(detectors, filled, narrow=False)
    sql = expand(panel.sql, start=start, end=end, variables=values)
    names, _, got = _run(_clients(filled)["endpoint"], sql)
    (row,) = [dict(zip(names, r, strict=True)) for r in got]
    assert (row["actors"], row["by"], row["status"], row["demoted"]) == (
        "svc-migrate", "alice", "active", 1
    )  # fmt: skip
    assert row["reason"] == "CHG-42 migration"


@pytest.mark.parametrize("path", ["chdb", "endpoint"])
def test_variable_and_annotation_queries_run(filled: Filled, path: str) -> None:
    start, end = _window(filled)
    client = _clients(filled)[path]
    for spec in DASHBOARDS:
        values = _variables(spec, filled, narrow=True)
        for v in spec.variables:
            if v.type == "query":
                _, kinds, got = _run(client, expand(v.source, start=start, end=end))
                assert kinds == ["string"]
                assert got, v.name
        for name, sql in spec.annotations:
            names, _, got = _run(client, expand(sql, start=start, end=end, variables=values))
            assert names[:4] == ["time", "timeEnd", "text", "tags"], name
            assert got, name


def test_expand_follows_the_plugin() -> None:
    start = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    end = datetime(2026, 11, 2, 11, 0, 0, 500_000, tzinfo=UTC)
    sql = expand(
        "SELECT $__timeInterval(time), $__interval_s, ${u:sqlstring}, $k FROM t "
        "WHERE $__timeFilter(time) AND x >= $__fromTime_ms AND d = $__toTime",
        start=start,
        end=end,
        interval_ms=30_000,
        variables={"u": "o'hara", "k": "raw"},
    )
    lo, hi = int(start.timestamp()), int(end.timestamp())
    assert sql == (
        "SELECT toStartOfInterval(toDateTime(time), INTERVAL 30 second), 30, 'o''hara', raw "
        f"FROM t WHERE time >= toDateTime({lo}) AND time <= toDateTime({hi}) AND "
        f"x >= fromUnixTimestamp64Milli({int(start.timestamp() * 1000)}) AND d = toDateTime({hi})"
    )
    with pytest.raises(ValueError, match=r"variable \$nope has no value"):
        expand("SELECT $nope", start=start, end=end)
    with pytest.raises(ValueError, match="unknown macro"):
        expand("SELECT $__bogus(x)", start=start, end=end)
    with pytest.raises(ValueError, match="expected 1 argument"):
        expand("SELECT $__timeFilter(a, b)", start=start, end=end)
