"""How ``tooltrail verify`` shows a report (a table or JSON) and which exit code it gives."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

import typer
from rich.console import Console
from rich.table import Table

from tooltrail._console import EXIT_USAGE as _EXIT_USAGE

if TYPE_CHECKING:
    from .verify import StoreVerifyReport

__all__ = [
    "EXIT_BROKEN",
    "EXIT_OK",
    "EXIT_UNVOUCHED",
    "EXIT_USAGE",
    "exit_code",
    "print_report",
]

EXIT_OK: Final = 0
EXIT_BROKEN: Final = 1
EXIT_USAGE: Final = _EXIT_USAGE  # the same in every command (tooltrail._console.fail)
EXIT_UNVOUCHED: Final = 3


def print_report(console: Console, report: StoreVerifyReport, *, as_json: bool) -> None:
    if as_json:
        _print_json(report)
    else:
        _print_table(console, report)


def exit_code(report: StoreVerifyReport) -> int:
    """``verify``'s exit code for a report: 1 a break, 3 unvouched, else 0."""
    if report.findings:
        return EXIT_BROKEN
    return EXIT_UNVOUCHED if report.unvouched else EXIT_OK


def _print_json(report: StoreVerifyReport) -> None:
    doc = {
        "ok": report.ok,
        "vouched": report.vouched,
        "exit_code": exit_code(report),
        "events": report.events,
        "digests_checked": report.digests_checked,
        "findings": [
            {
                "stream_id": f.stream_id,
                "seq": f.seq,
                "class": f.cls,
                "detail": f.detail,
                "event_id": f.event_id,
            }
            for f in report.findings
        ],
        "unvouched": report.unvouched,
        "streams": {
            s.stream_id: {
                "events": s.events,
                "first_seq": s.first_seq,
                "last_seq": s.last_seq,
                "verified_through": s.verified_through,
                "digested_through": report.digested_through.get(s.stream_id),
                "unvouched": s.unvouched,
            }
            for s in report.streams.values()
        },
    }
    typer.echo(json.dumps(doc, indent=2))


def _print_table(console: Console, report: StoreVerifyReport) -> None:
    if report.findings:
        table = Table(title=f"{len(report.findings)} integrity break(s)", title_style="bold red")
        for name in ("stream", "seq", "class", "detail"):
            table.add_column(name, overflow="fold")
        for f in report.findings:
            table.add_row(f.stream_id, str(f.seq), f"[red]{f.cls}[/red]", f.detail)
        console.print(table)
    broken: dict[str, int] = {}
    for f in report.findings:
        broken[f.stream_id] = broken.get(f.stream_id, 0) + 1
    summary = Table(title="streams")
    for name in ("stream", "events", "seq", "verified through", "digested through", "status"):
        summary.add_column(name, overflow="fold")
    for s in report.streams.values():
        span = f"{s.first_seq}..{s.last_seq}" if s.first_seq is not None else "-"
        dig = report.digested_through.get(s.stream_id)
        if s.stream_id in broken:
            status = f"[red]{broken[s.stream_id]} break(s)[/red]"
        else:
            status = "[yellow]unvouched[/yellow]" if s.unvouched else "ok"
        summary.add_row(
            s.stream_id,
            str(s.events),
            span,
            "-" if s.verified_through is None else str(s.verified_through),
            "-" if dig is None else str(dig),
            status,
        )
    console.print(summary)
    n, streams = report.events, len(report.streams)
    unvouched = report.unvouched
    for stream_id, why in unvouched.items():
        console.print(f"[yellow]unvouched[/] {stream_id}: {why}")
    if report.findings:
        console.print(
            f"[bold red]BROKEN[/]: {len(report.findings)} break(s) in {len(broken)} stream(s)"
        )
    elif unvouched:
        console.print(
            f"[bold yellow]UNVOUCHED[/]: {n} events in {streams} stream(s) intact, but"
            f" {len(unvouched)} stream(s) not covered by a trusted checkpoint"
        )
    else:
        console.print(
            f"[bold green]OK[/]: {n} events in {streams} stream(s) verified"
            f", {report.digests_checked} digest(s) checked"
        )
