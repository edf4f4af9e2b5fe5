"""The checklist report as Markdown or as a self-contained HTML page (no script, no remote asset).

Both show the same thing: when and over which store it was made, a summary (items with evidence
held, partial, missing), then each item in the checklist's order with its priority, what
tooltrail provides for it, the evidence held and what is missing. Every value from the store is
escaped (Markdown: ``|``, ``*``, ``_``, backticks, ``<``; HTML: ``html.escape``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Final

from .checklist import PRIORITIES, Item
from .evidence import Evidence

__all__ = ["html_report", "markdown"]

_MARK: Final = {"held": "✅ held", "partial": "🟡 partial", "missing": "❌ missing"}
_MD_SPECIAL = re.compile(r"([\\|*_<>\[\]])")

Judged = Sequence[tuple[Item, Evidence]]


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _counts(judged: Judged) -> dict[str, int]:
    counts = {"held": 0, "partial": 0, "missing": 0}
    for _, ev in judged:
        counts[ev.status] += 1
    return counts


def markdown(judged: Judged, *, title: str, subtitle: str) -> str:
    """The report as Markdown."""
    c = _counts(judged)
    out = [
        f"# {_md(title)}",
        "",
        _md(subtitle),
        "",
        f"**{c['held']}** item(s) with evidence held, **{c['partial']}** partial,"
        f" **{c['missing']}** missing, of {len(judged)}.",
        "",
        "| item | prio | status |",
        "|---|---|---|",
    ]
    out += [f"| {_md(i.name)} | {i.prio} | {_MARK[ev.status]} |" for i, ev in judged]
    for item, ev in judged:
        out += [
            "",
            f"## {_md(item.name)} — {_MARK[ev.status]}",
            "",
            f"*{_md(item.section)} · {item.prio} ({PRIORITIES[item.prio]})"
            f" · tooltrail provides: {_md(item.provides)}*",
            "",
        ]
        out += [f"- evidence: {_md(line)}" for line in ev.have]
        out += [f"- **missing**: {_md(line)}" for line in ev.missing]
    return "\n".join(out) + "\n"


_CSS: Final = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    ".held{color:#176117}.partial{color:#8a6100}.missing{color:#b00020}"
    "li.missing{font-weight:bold}.meta{color:#555;font-style:italic}"
)


def html_report(judged: Judged, *, title: str, subtitle: str) -> str:
    """The report as one HTML page."""
    e = html.escape
    c = _counts(judged)
    rows = "".join(
        f'<tr><td><a href="#i{n}">{e(i.name)}</a></td><td>{i.prio}</td>'
        f'<td class="{ev.status}">{_MARK[ev.status]}</td></tr>'
        for n, (i, ev) in enumerate(judged)
    )
    items = []
    for n, (item, ev) in enumerate(judged):
        lines = "".join(f"<li>{e(x)}</li>" for x in ev.have)
        lines += "".join(f'<li class="missing">missing: {e(x)}</li>' for x in ev.missing)
        items.append(
            f'<section id="i{n}"><h2>{e(item.name)} — <span class="{ev.status}">'
            f"{_MARK[ev.status]}</span></h2>"
            f'<p class="meta">{e(item.section)} · {item.prio} ({PRIORITIES[item.prio]}) ·'
            f" tooltrail provides: {e(item.provides)}</p><ul>{lines}</ul></section>"
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1><p>{e(subtitle)}</p>"
        f"<p><b>{c['held']}</b> item(s) with evidence held, <b>{c['partial']}</b> partial,"
        f" <b>{c['missing']}</b> missing, of {len(judged)}.</p>"
        f"<table><tr><th>item</th><th>prio</th><th>status</th></tr>{rows}</table>"
        + "".join(items)
        + "</body></html>\n"
    )
