"""``tooltrail verify`` and ``tooltrail digests run|export``.

``register(root)`` mounts them into the ``tooltrail`` command. ``verify`` prints every break
(stream, seq, class, detail) and a per-stream summary. Its exit code:

=== =====================================================================================
0   intact and vouched: no break, every stream's events covered by a trusted checkpoint
    (or too young to need one yet)
1   a break: any finding, including the ones stored at ingest
2   usage or environment error (bad option, no store, unreadable key)
3   intact but unvouched: a stream has events older than ``--checkpoint-interval`` plus
    ``--grace`` that no trusted emitter checkpoint covers, or no checkpoint at all
    (``--json`` names each such stream and why)
=== =====================================================================================

The store is chDB under ``--store-path`` or a ClickHouse server at ``--clickhouse-url``
(``TOOLTRAIL_STORE_*``: the options every read command shares, ``pipeline/store/options.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from tooltrail._console import fail as _fail
from tooltrail.contract import (
    DEFAULT_CHECKPOINT_INTERVAL_US,
    DEFAULT_GRACE_US,
    ContractError,
    Signer,
    load_public_keys,
)

from ..errors import PipelineError
from ..store import StoreConfig
from ..store._endpoint import served_config
from ..store.options import ClickHouseUrl, Database, StorePath, open_store_option, parse_since
from ._report import EXIT_BROKEN, EXIT_OK, EXIT_UNVOUCHED, EXIT_USAGE, exit_code, print_report

if TYPE_CHECKING:
    from .digests import ExportResult

__all__ = [
    "EXIT_BROKEN",
    "EXIT_OK",
    "EXIT_UNVOUCHED",
    "EXIT_USAGE",
    "collector_signers",
    "digests_app",
    "open_store_option",
    "parse_since",
    "read_keys",
    "register",
    "verify_command",
]

_ENV = "TOOLTRAIL_"
_PROGRESS_MIN = 20_000  # events: below this, no progress bar

digests_app = typer.Typer(
    name="digests",
    help="Hourly signed Merkle digests of the stored streams: sign them, keep them as files.",
    no_args_is_help=True,
)

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
_DEFAULT_COLLECTOR_KEYS = Path(".tooltrail/collector-keys.json")  # where `tooltrail up` keeps it


def collector_signers(path: Path | None) -> Callable[[str], list[str]] | None:
    """The trusted signer keys per source in the collector's key file ``path`` (None: no
    file given). An unreadable key file raises ValueError naming it."""
    if path is None:
        return None
    from tooltrail.collector.auth import KeyStore, KeyStoreError

    try:
        return KeyStore(path).signers
    except KeyStoreError as exc:
        raise ValueError(str(exc)) from exc


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
        bool | None,
        typer.Option(
            "--store-digests/--no-store-digests",
            help="Check the store's own digests (default: when a digest key is known).",
        ),
    ] = None,
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
    checkpoint_interval: Annotated[
        float,
        typer.Option(
            "--checkpoint-interval",
            min=0,
            help="Seconds between the emitters' checkpoints (their checkpoint_interval).",
        ),
    ] = DEFAULT_CHECKPOINT_INTERVAL_US / 1e6,
    grace: Annotated[
        float,
        typer.Option(
            "--grace",
            min=0,
            help="Seconds a checkpoint may arrive late; older uncovered events are unvouched.",
        ),
    ] = DEFAULT_GRACE_US / 1e6,
    store_path: StorePath = _DEFAULT_STORE,
    clickhouse_url: ClickHouseUrl = None,
    database: Database = StoreConfig.database,
) -> None:
    """Verify the stored log: hashes, chains, checkpoints, digests.

    Exit 0 intact and vouched, 1 on any break, 2 on a usage error, 3 intact but unvouched
    (events older than the checkpoint interval plus the grace that no trusted checkpoint
    covers)."""
    from .verify import count_events, verify_store

    since_us = parse_since(since) if since else None
    emitter_keys = read_keys(keys or [], "--keys")
    pipeline_keys = read_keys(digest_key or [], "--digest-key")
    notes: list[str] = []
    # the thorough default on one machine: what `tooltrail up` keeps beside its store
    if not keys and collector_keys is None and _DEFAULT_COLLECTOR_KEYS.is_file():
        collector_keys = _DEFAULT_COLLECTOR_KEYS
        notes.append(f"trusting the signers registered in {collector_keys}")
    if not digest_key and signing_key is None and _DEFAULT_KEY.is_file():
        signing_key = _DEFAULT_KEY
        notes.append(f"trusting the digest key in {signing_key}")
    if signing_key is not None and signing_key.is_file():
        pipeline_keys.append(Signer.load_or_create(signing_key).public_key_b64)
    if store_digests is None:
        store_digests = bool(pipeline_keys)
    try:
        source_keys = collector_signers(collector_keys)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if (digests is not None or store_digests) and not pipeline_keys:
        raise _fail("checking digests needs --digest-key (or --signing-key)")
    if digests is not None and not digests.is_dir():
        raise _fail(f"no digest directory {digests}")
    console = Console(soft_wrap=True)
    if not as_json:
        for note in notes:
            console.print(f"[dim]{note} (give --keys / --digest-key to choose)[/]")
    store = open_store_option(store_path, clickhouse_url, database)
    if record and clickhouse_url is None and served_config(store_path) is not None:
        record = False  # the running `up` serves its store read-only: report, do not record
        typer.echo(
            "findings are reported, not recorded: the store is read-only while up runs", err=True
        )
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
                    checkpoint_interval_us=int(checkpoint_interval * 1e6),
                    grace_us=int(grace * 1e6),
                )
            except PipelineError as exc:
                raise _fail(str(exc)) from exc
    print_report(console, report, as_json=as_json)
    code = exit_code(report)
    if code != EXIT_OK:
        raise typer.Exit(code)


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
    heartbeat: Annotated[
        Path | None,
        typer.Option(help="Touch this file after every successful run (a service healthcheck)."),
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
                if heartbeat is not None:
                    heartbeat.touch()
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
