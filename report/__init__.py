"""tooltrail.report: what evidence this deployment holds, item by item of the security checklist.

- ``checklist.ITEMS``: the SlowMist MCP Security Checklist items tooltrail serves (data).
- ``facts.gather(store, ...)``: the store's counts, a verify run, the detectors' last run, the
  alert sinks and collector keys configured; ``evidence.judge_all(facts)``: per item, the
  evidence held and what is missing; ``render``: Markdown or HTML.
- ``build.build_report(store)`` does it all; ``cli.register(app)`` adds ``tooltrail report``.

Sits above the dashboards and the export (it names the dashboards) and below the CLI.
"""

from __future__ import annotations

from .build import build_report, checklist_facts, verify_for_report
from .checklist import ITEMS, PRIORITIES, Item
from .evidence import JUDGES, Evidence, judge_all
from .facts import Facts, gather
from .render import html_report, markdown

__all__ = [
    "ITEMS",
    "JUDGES",
    "PRIORITIES",
    "Evidence",
    "Facts",
    "Item",
    "build_report",
    "checklist_facts",
    "gather",
    "html_report",
    "judge_all",
    "markdown",
    "verify_for_report",
]
