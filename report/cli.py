"""``tooltrail report --checklist``: the security checklist, item by item, with this
deployment's evidence (Markdown, or ``--html``).

It verifies the stored log (recording nothing; the trusted signers are the collector key file's,
as ``tooltrail verify`` trusts them), reads the store's counts, the detectors' last run (their
lease, or the state ``tooltrail up`` keeps in ``models/`` beside the store), the alert sinks
``TOOLTRAIL_DETECT_*`` configures and the collector's keys. Exit 0; 1 when the log has an
integrity break (the report names it); 2 with one line for a bad option or an unreachable store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tooltrail import __version__
from tooltrail._console import fail
from tooltrail.pipeline.errors import PipelineError
from tooltrail.pipeline.store import StoreConfig
from tooltrail.pipeline.store.options import ClickHouseUrl, Database, StorePath, open_store_option

from .build import build_report

__all__ = ["register", "report_command"]

_DEFAULT_STORE = Path(StoreConfig.path)


def report_command(
    checklist: Annotated[
        bool, typer.Option("--checklist", help="The MCP security checklist evidence report.")
    ] = False,
    as_html: Annotated[bool, typer.Option("--html", help="HTML instead of Markdown.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it here (default: stdout).")
    ] = None,
    collector_keys: Annotated[
        Path | None,
        typer.Option(
            "--collector-keys", help="The collector's key file (default: its settings' file)."
        ),
    ] = None,
    models_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where `tooltrail up` keeps the detection state (default: beside the "
            "store, models/)."
        ),
    ] = None,
    digests: Annotated[
        Path | None, typer.Option("--digests", help="Digest files kept outside the store.")
    ] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """What evidence this deployment holds for each MCP security checklist item."""
    if not checklist:
        raise typer.BadParameter("say which report: --checklist", param_hint="--checklist")
    where = clickhouse_url or str(store_path)
    with open_store_option(store_path, clickhouse_url, database) as store:
        try:
            text, broken = build_report(
                store,
                html=as_html,
                where=where,
                keys_file=collector_keys,
                models_dir=models_dir or store_path.parent / "models",
                digests_dir=digests,
                version=__version__,
            )
        except (PipelineError, ValueError) as exc:  # ValueError: an unreadable key file
            raise fail(str(exc)) from exc
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"report written to {output}", err=True)
    if broken:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
