"""``tooltrail verify`` and ``tooltrail digests run|export``.

``register(root)`` mounts them into the ``tooltrail`` command. ``verify`` prints every break
(stream, seq, class, detail) and a per-stream summary, and exits 1 when anything is broken.
The store is chDB under ``--store-path`` or a ClickHouse server at ``--clickhouse-url``.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tooltrail.contract import ContractError, Signer, load_public_keys

from ..errors import PipelineError
from ..store import Store, StoreConfig, open_store

if TYPE_CHECKING:
    from .digests import ExportResult
    from .verify import StoreVerifyReport

__all__ = [
    "digests_app",
    "open_store_option",
    "parse_since",
    "read_keys",
    "register",
    "verify_command",
]

_ENV = "TOOLTRAIL_"
_PROGRESS_MIN = 20_000  # events: below this, no progress bar
_RELATIVE = re.compile(r"(\d+)\s*([smhdw])\Z")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

digests_app = typer.Typer(
    name="digests",
    help="Hourly signed Merkle digests of the stored streams: sign them, keep them as files.",
    no_args_is_help=True,
)

StorePath = Annotated[
    Path,
    typer.Option("--store-path", envvar=f"{_ENV}STORE_PATH", help="The chDB store directory."),
]
ClickHouseUrl = Annotated[
    str | None,
    typer.Option(
        "--clickhouse-url",
        envvar=f"{_ENV}CLICKHOUSE_URL",
        help="A ClickHouse server (http(s)://host:8123) instead of the chDB store. "
        f"User and password from {_ENV}CLICKHOUSE_USER / {_ENV}CLICKHOUSE_PASSWORD.",
    ),
]
Database = Annotated[
    str, typer.Option("--database", envvar=f"{_ENV}STORE_DATABASE", help="The store's database.")
]
SigningKey = Annotated[
    Path,
    typer.Option(
        "--signing-key",
        envvar=f"{_ENV}DIGEST_KEY",
        help="The pipeline's Ed25519 key file that signs digests (created if absent).",
    ),
]
_DEFAULT_STORE = Path(StoreConfig.path)
_DEFAULT_KEY = Path(".tooltrail/digest.key")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def open_store_option(store_path: Path, url: str | None, database: str) -> Store:
    """The store the ``--store-path`` / ``--clickhouse-url`` / ``--database`` options name
    (shared by every command that reads the store: verify, digests, detect, alerts)."""
    if url:
        config = StoreConfig(
            backend="http",
            url=url,
            username=os.environ.get(f"{_ENV}CLICKHOUSE_USER", "default"),
            password=os.environ.get(f"{_ENV}CLICKHOUSE_PASSWORD", ""),
            database=database,
        )
    else:
        if not store_path.is_dir():
            raise _fail(f"no store at {store_path} (--store-path)")
        config = StoreConfig(path=str(store_path), database=database)
    try:
        store = open_store(config)
        store.migrate()
    except (PipelineError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    return store


def parse_since(text: str, *, now: float | None = None) -> int:
    """µs since the epoch from an ISO time (UTC unless it says otherwise) or ``24h``, ``7d``…"""
    m = _RELATIVE.match(text.strip())
    if m is not None:
        now_s = time.time() if now is None else now
        return int((now_s - int(m.group(1)) * _UNIT_S[m.group(2)]) * 1_000_000)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(
            "must be an ISO time (2026-01-31T10:00Z) or relative (30m, 24h, 7d)"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1_000_000)


def read_keys(values: list[str], option: str) -> list[str]:
    """Public keys (base64) from values that are keys or files (one per line, or JSON)."""
    keys: list[str] = []
    for value in values:
        path = Path(value)
        if not path.is_file():
            keys.append(value.strip())
            continue
        text = path.read_text(encoding="utf-8")
        try:
            doc: Any = json.loads(text)
        except ValueError:
            keys.extend(x.strip() for x in text.splitlines() if x.strip() and x[:1] != "#")
            continue
        if isinstance(doc, dict) and isinstance(doc.get("signers"), dict):  # collector key file
            doc = [k for ks in doc["signers"].values() for k in ks]
        keys.extend(str(k) for k in (doc.values() if isinstance(doc, dict) else doc))
    try:
        load_public_keys(keys)
    except ContractError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc
    return keys


def verify_command(
    source: Annotated[str | None, typer.Option(help="Only the streams of this source.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only events from this time: ISO, or relative (24h).")
    ] = None,
    digests: Annotated[
        Path | None, typer.Option("--digests", help="Digest files kept outside the store.")
    ] = None,
    store_digests: Annotated[
        bool, typer.Option("--store-digests", help="Also check the store's own digests.")
    ] = False,
    keys: Annotated[
        list[str] | None,
        typer.Option("--keys", help="Trusted emitter public key (base64) or a file of them."),
    ] = None,
    collector_keys: Annotated[
        Path | None,
        typer.Option("--collector-keys", help="The collector's key file: its trusted signers."),
    ] = None,
    digest_key: Annotated[
        list[str] | None,
        typer.Option("--digest-key", help="The pipeline's digest public key, or a file."),
    ] = None,
    signing_key: Annotated[
        Path | None,
        typer.Option("--signing-key", help="Trust the digest key in this key file (if present)."),
    ] = None,
    record: Annotated[
        bool, typer.Option(help="Write the findings to the store's integrity_findings.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Verify the stored log: hashes, chains, checkpoints, digests. Exit 1 on any break."""
    from .verify import count_events, verify_store

    since_us = parse_since(since) if since else None
    emitter_keys = read_keys(keys or [], "--keys")
    pipeline_keys = read_keys(digest_key or [], "--digest-key")
    if signing_key is not None and signing_key.is_file():
        pipeline_keys.append(Signer.load_or_create(signing_key).public_key_b64)
    source_keys = None
    if collector_keys is not None:
        from tooltrail.collector.auth import KeyStore, KeyStoreError

        try:
            source_keys = KeyStore(collector_keys).signers
        except KeyStoreError as exc:
            raise _fail(str(exc)) from exc
    if (digests is not None or store_digests) and not pipeline_keys:
        raise _fail("checking digests needs --digest-key (or --signing-key)")
    if digests is not None and not digests.is_dir():
        raise _fail(f"no digest directory {digests}")
    console = Console(soft_wrap=True)
    store = open_store_option(store_path, clickhouse_url, database)
    with store:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        total = count_events(store, source=source, since_us=since_us)
        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=total < _PROGRESS_MIN or as_json,
            transient=True,
        )
        task = bar.add_task("verifying", total=total)
        with bar:
            try:
                report = verify_store(
                    store,
                    source=source,
                    since_us=since_us,
                    public_keys=emitter_keys,
                    source_keys=source_keys,
                    digests_dir=digests,
                    store_digests=store_digests,
                    digest_public_keys=pipeline_keys,
                    record=record,
                    progress=lambda stream, n: bar.update(task, advance=n, description=stream),
                )
            except PipelineError as exc:
                raise _fail(str(exc)) from exc
    if as_json:
        _print_json(report)
    else:
        _print_report(console, report)
    if report.findings:
        raise typer.Exit(1)


def _print_json(report: StoreVerifyReport) -> None:
    doc = {
        "ok": report.ok,
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
        "streams": {
            s.stream_id: {
                "events": s.events,
                "first_seq": s.first_seq,
                "last_seq": s.last_seq,
                "verified_through": s.verified_through,
                "digested_through": report.digested_through.get(s.stream_id),
            }
            for s in report.streams.values()
        },
    }
    typer.echo(json.dumps(doc, indent=2))


def _print_report(console: Console, report: StoreVerifyReport) -> None:
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
        status = f"[red]{broken[s.stream_id]} break(s)[/red]" if s.stream_id in broken else "ok"
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
    if report.findings:
        console.print(
            f"[bold red]BROKEN[/]: {len(report.findings)} break(s) in {len(broken)} stream(s)"
        )
    else:
        console.print(
            f"[bold green]OK[/]: {n} events in {streams} stream(s) verified"
            f", {report.digests_checked} digest(s) checked"
        )


@digests_app.command("run")
def digests_run(
    signing_key: SigningKey = _DEFAULT_KEY,
    export: Annotated[
        Path | None, typer.Option("--export", help="Then write every digest to this directory.")
    ] = None,
    every: Annotated[
        float | None,
        typer.Option(
            help="Keep running: a digest run every this many seconds until SIGTERM (a service)."
        ),
    ] = None,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Sign and store the digests of every closed, undigested stream-hour."""
    import signal
    import threading

    from .digests import Digester, export_digests

    signer = Signer.load_or_create(signing_key)
    typer.echo(f"public key (trust it in verify --digest-key): {signer.public_key_b64}")
    stop = threading.Event()
    if every is not None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    with open_store_option(store_path, clickhouse_url, database) as store:
        while True:
            try:
                made = Digester(store, signer).run_once()
                result = export_digests(store, export) if export is not None else None
            except PipelineError as exc:
                if every is None:
                    raise _fail(str(exc)) from exc
                typer.echo(f"digest run failed (retrying in {every:g}s): {exc}", err=True)
            else:
                typer.echo(f"{len(made)} new digest(s), signed by key {signer.key_id}")
                if result is not None:
                    _echo_export(result, export)
            if every is None or stop.wait(every):
                break


@digests_app.command("export")
def digests_export(
    directory: Annotated[Path, typer.Argument(help="Where to write the digest files.")],
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Write every stored digest as <stream_id>/<YYYY-MM-DDTHH>.json (never overwriting)."""
    from .digests import export_digests

    with open_store_option(store_path, clickhouse_url, database) as store:
        try:
            result = export_digests(store, directory)
        except PipelineError as exc:
            raise _fail(str(exc)) from exc
    _echo_export(result, directory)


def _echo_export(result: ExportResult, directory: Path | None) -> None:
    typer.echo(
        f"{len(result.written)} digest file(s) written to {directory}, {result.unchanged} kept"
    )
    for path in result.conflicts:
        typer.echo(f"conflict: {path} holds another digest than the store (kept)", err=True)
    if result.conflicts:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Mount ``verify`` and ``digests`` into the ``tooltrail`` command."""
    app.command("verify")(verify_command)
    app.add_typer(digests_app, name="digests")
