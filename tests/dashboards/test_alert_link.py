"""An alert's "Investigate" link, built by the engine with the default settings, lands on the
Investigation dashboard: its uid, variables that exist there, and a time range around the
window (test_panels checks that those values select the entity's events)."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd  # type: ignore[import-untyped]
import pytest

from tooltrail.dashboards import INVESTIGATION, build_all
from tooltrail.dashboards.investigation import ENTITY_KINDS
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.pipeline.store.schema import EVENT_COLUMNS

START = 1_793_577_600_000_000


@pytest.mark.parametrize(
    ("kind", "entity"), [("user", "u-07"), ("user_tool", "u-07|read_file"), ("stream", "fs.1a")]
)
def test_the_default_link_names_the_investigation_dashboard_and_its_variables(
    kind: str, entity: str
) -> None:
    empty = pd.DataFrame({name: pd.Series(dtype=object) for name, _ in EVENT_COLUMNS})
    engine = Engine(FrameSource(empty), DetectSettings())
    link = engine.link(kind, entity, START, START + 60_000_000, "abc123")
    url = urlsplit(link)
    model = build_all()[INVESTIGATION.uid]
    assert url.path.rstrip("/").split("/")[-1] == model["uid"] == "tooltrail-investigate"
    query = parse_qs(url.query)
    variables = {v["name"] for v in model["templating"]["list"]}
    named = {k.removeprefix("var-") for k in query if k.startswith("var-")}
    assert named <= variables
    assert {"entity_kind", "entity", "alert"} <= named
    assert query["var-entity_kind"] == [kind]
    assert kind in ENTITY_KINDS
    assert unquote(query["var-entity"][0]) == entity
    assert query["var-alert"] == ["abc123"]
    assert int(query["from"][0]) < START // 1000 < START // 1000 + 60_000 < int(query["to"][0])
