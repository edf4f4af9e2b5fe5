"""Who gets paged: one notification per alert group, again only on escalation; and the
benchmark's false pages count those notifications about no incident, decided the same way."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd  # type: ignore[import-untyped]

from tooltrail.detectors.alert import Alert, Severity
from tooltrail.detectors.evaluate import false_pages
from tooltrail.detectors.paging import GroupPager

MIN = 60_000_000


def _alert(
    n: int, group: str, severity: Severity, entity: str = "ann", kind: str = "user"
) -> Alert:
    return Alert(
        severity=severity,
        detector=f"rule:{n}",
        entity_kind=kind,
        entity=entity,
        window_start=n * MIN,
        window_end=(n + 1) * MIN,
        score=1.0,
        reason="",
        dedupe_key=f"{n}",
        group=group,
    )


def test_one_page_per_group_and_again_only_when_more_severe() -> None:
    pager = GroupPager()
    assert pager.pages(_alert(0, "g1", "medium"))
    assert not pager.pages(_alert(1, "g1", "medium"))  # the same incident, another level
    assert not pager.pages(_alert(2, "g1", "low"))
    assert pager.pages(_alert(3, "g1", "high"))  # an escalation is news
    assert not pager.pages(_alert(4, "g1", "medium"))
    assert pager.pages(_alert(5, "g2", "medium"))  # another actor or stretch of time
    ungrouped = _alert(6, "", "medium")
    assert pager.pages(ungrouped)  # an alert without a group is its own
    low_first = GroupPager()
    assert low_first.pages(_alert(0, "g3", "low"))  # stored, below the sinks' severity
    assert low_first.pages(_alert(1, "g3", "medium"))  # so the first page is still sent


@dataclass(frozen=True)
class _Incident:
    id: str
    scenario: str
    user: str
    start: int
    end: int


def test_false_pages_count_notifications_whose_group_holds_no_incident() -> None:
    events = pd.DataFrame(
        {
            "ts": [k * MIN + 1 for k in range(12)],
            "e_user": ["ann"] * 4 + ["bob"] * 4 + ["cy"] * 4,
            "e_user_tool": ["ann|x"] * 4 + ["bob|x"] * 4 + ["cy|x"] * 4,
            "label": [""] * 4 + ["", "", "bulk#0", "bulk#0"] + [""] * 4,
        }
    )
    alerts = [
        # ann: three levels notice one benign thing: one false page, then an escalation: two
        _alert(0, "ga", "medium"),
        _alert(0, "ga", "medium", "ann|x", "user_tool"),
        _alert(1, "ga", "medium"),
        _alert(2, "ga", "high"),
        # bob: a benign-looking first alert in the group of an attack: the page was right
        _alert(4, "gb", "medium", "bob"),
        _alert(6, "gb", "medium", "bob"),
        # cy: low only: nothing paged
        _alert(8, "gc", "low", "cy"),
    ]
    incidents = [_Incident("bulk#0", "bulk", "bob", 6 * MIN, 8 * MIN)]
    assert false_pages(alerts, events, incidents) == 2
    assert false_pages(alerts, events, incidents, min_severity="high") == 1
    assert false_pages(alerts, events, []) == 3  # without the incident, bob's one page is false
