"""``tooltrail collector`` (serve with uvicorn) and ``tooltrail keys ...`` (API keys, signers).

``app`` is a Typer app with ``serve`` and the ``keys`` group; ``register(root)`` mounts them into
the ``tooltrail`` command as ``tooltrail collector`` and ``tooltrail keys``. Only ``serve``
imports FastAPI, uvicorn and kafka-python.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tooltrail._console import fail as _fail
from tooltrail._gc import settle as settle_gc

from .auth import KeyStore, KeyStoreError
from .settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["app", "app_from_env", "build_app", "keys_app", "register"]

log = logging.getLogger(__name__)

app = typer.Typer(
    name="collector",
    help="The tooltrail collector: serve it, manage its API keys.",
    no_args_is_help=True,
    add_completion=False,
)
keys_app = typer.Typer(
    name="keys",
    help="API keys of emitters (only hashes are stored) and their checkpoint signers.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")

_ENV = "TOOLTRAIL_COLLECTOR_"
KeysFile = Annotated[
    Path,
    typer.Option(
        "--keys-file", envvar=f"{_ENV}KEYS_FILE", help="The key file the collector reads."
    ),
]
_DEFAULT_KEYS_FILE: Path = Settings.model_fields["keys_file"].default


# -- serve ----------------------------------------------------------------------------------------


def build_app(settings: Settings, *, startup_timeout: float = 30.0) -> FastAPI:
    """Wire the configured sink, head store and key file into the app.

    Creates the Kafka topics (configured partitions) first; waits up to ``startup_timeout``
    seconds for the broker.
    """
    from tooltrail.broker import BrokerUnavailable

    from .app import create_app
    from .heads import HeadStore, MemoryHeadStore
    from .heads_kafka import KafkaHeadStore
    from .sinks.base import MemorySink, Sink

    if "store" in (settings.sink, settings.heads):
        raise ValueError("sink/heads 'store' is the embedded store of `tooltrail up` only")
    keys = KeyStore(settings.keys_file)
    if not settings.keys_file.exists():
        log.warning("key file %s does not exist: every request gets 401", settings.keys_file)
    deadline = time.monotonic() + startup_timeout
    while True:
        sink: Sink | None = None
        try:
            heads: HeadStore
            if settings.sink == "kafka" or settings.heads == "kafka":
                from tooltrail.broker import ensure_topics

                from .sinks.kafka import KafkaSink

                options = settings.kafka_options()
                ensure_topics(options)
            if settings.sink == "kafka" and settings.kafka_client == "confluent":
                from .sinks.confluent import ConfluentSink

                sink = ConfluentSink(options, retry_after=settings.retry_after_seconds)
            elif settings.sink == "kafka":
                sink = KafkaSink(options, retry_after=settings.retry_after_seconds)
            else:
                log.warning("memory sink: events are NOT stored anywhere (development only)")
                sink = MemorySink()
            if settings.heads == "kafka":
                heads = KafkaHeadStore(options)
            else:
                log.warning("memory heads: lost on restart, not shared by replicas")
                heads = MemoryHeadStore()
            break
        except BrokerUnavailable as exc:
            if sink is not None:
                sink.close()
            if time.monotonic() >= deadline:
                raise
            log.warning("waiting for Kafka: %s", exc)
            time.sleep(1.0)
    app = create_app(settings, sink, heads, keys, close_on_shutdown=True)
    settle_gc()  # a server from here on: its start-up heap is never garbage
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory (one per worker process): the settings come from the environment."""
    return build_app(Settings())


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn worker processes.")] = None,
    keys_file: Annotated[
        Path | None, typer.Option("--keys-file", help="The key file (hashes only).")
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the collector with uvicorn. Every option also reads TOOLTRAIL_COLLECTOR_*."""
    import uvicorn
    from pydantic import ValidationError

    overrides: dict[str, Any] = {
        k: v
        for k, v in {"host": host, "port": port, "workers": workers, "keys_file": keys_file}.items()
        if v is not None
    }
    for name, value in overrides.items():  # worker processes read the environment
        os.environ[f"{_ENV}{name.upper()}"] = str(value)
    try:
        settings = Settings()
    except ValidationError as exc:
        raise _fail(f"invalid settings:\n{exc}") from exc
    logging.getLogger().setLevel(settings.log_level.upper())
    if settings.log_level != "debug":  # kafka-python narrates every connection at INFO
        logging.getLogger("kafka").setLevel(logging.WARNING)
    log.info(
        "collector on http://%s:%d (sink %s, heads %s, keys %s)",
        settings.host,
        settings.port,
        settings.sink,
        settings.heads,
        settings.keys_file,
    )
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": access_log,
        "proxy_headers": False,
    }
    if settings.workers > 1:
        uvicorn.run(
            "tooltrail.collector.cli:app_from_env",
            factory=True,
            workers=settings.workers,
            **common,
        )
        return
    from tooltrail.broker import BrokerUnavailable

    try:
        fastapi_app = build_app(settings)
    except BrokerUnavailable as exc:
        raise _fail(f"Kafka unreachable at {settings.kafka_bootstrap_servers}: {exc}") from exc
    uvicorn.run(fastapi_app, **common)


# -- keys -----------------------------------------------------------------------------------------


@keys_app.command("create")
def keys_create(
    source: Annotated[str, typer.Option("--source", "-s", help="The source name it writes.")],
    stream: Annotated[
        list[str] | None,
        typer.Option(
            "--stream",
            help="Allowed stream-id pattern (* and ? never match a dot); default <source>.*",
        ),
    ] = None,
    expires_in_days: Annotated[
        float | None, typer.Option("--expires-in-days", help="Expire after N days.")
    ] = None,
    label: Annotated[str, typer.Option(help="A note shown by 'keys list'.")] = "",
    keys_file: KeysFile = _DEFAULT_KEYS_FILE,
) -> None:
    """Create a key. The plaintext key is printed once, on stdout; only its hash is kept."""
    expires = time.time() + expires_in_days * 86400 if expires_in_days is not None else None
    try:
        key, plaintext = KeyStore(keys_file).create(
            source, streams=stream or (), expires=expires, label=label
        )
    except KeyStoreError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"created key {key.key_id} for source {key.source!r} (streams {', '.join(key.streams)}"
        f"{', expires ' + key.expires if key.expires else ''}); it is shown only now:",
        err=True,
    )
    typer.echo(plaintext)


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    keys_file: KeysFile = _DEFAULT_KEYS_FILE,
) -> None:
    """List keys (never secrets) and the signers trusted per source."""
    try:
        store = KeyStore(keys_file)
    except KeyStoreError as exc:
        raise _fail(str(exc)) from exc
    rows: list[dict[str, Any]] = [
        {
            "key_id": k.key_id,
            "source": k.source,
            "streams": list(k.streams),
            "status": store.status(k),
            "created": k.created,
            "expires": k.expires,
            "label": k.label,
        }
        for k in store.list_keys()
    ]
    signers = {s: store.signers(s) for s in store.sources()}
    if as_json:
        typer.echo(json.dumps({"keys": rows, "signers": signers}, indent=2))
        return
    from rich.console import Console

    from tooltrail._console import Column, fitted_table

    columns = [
        Column("key id", keep=None, whole=True),  # what revoke takes
        Column("source", keep=None),
        Column("status", keep=None),
        Column("created (UTC)", keep=40),
        Column("expires", keep=30),
        Column("streams", keep=20),
        Column("label", keep=10, flex=True),
    ]
    table_rows = [
        [
            r["key_id"],
            r["source"],
            r["status"],
            _day_minute(r["created"]),
            _day_minute(r["expires"]) if r["expires"] else "-",
            " ".join(r["streams"]),
            r["label"],
        ]
        for r in rows
    ]
    console = Console()
    console.print(fitted_table(columns, table_rows, console=console))
    from tooltrail.contract import key_id_of

    for source, pubs in signers.items():
        if not pubs:
            console.print(
                f"signers of {source}: none (tooltrail keys add-signer --source {source} ...)"
            )
        for pub in pubs:  # the key id is what checkpoints, 409s and findings name
            console.print(f"signer of {source}: {key_id_of(base64.b64decode(pub))} ({pub})")


def _day_minute(iso: str) -> str:
    """``2026-12-06T02:14:12.123456+00:00`` as ``2026-12-06 02:14`` (whole, never cut)."""
    return iso.replace("T", " ")[:16]


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (the part after 'tt_').")],
    keys_file: KeysFile = _DEFAULT_KEYS_FILE,
) -> None:
    """Revoke a key; a running collector refuses it (401) from its next request on."""
    try:
        key = KeyStore(keys_file).revoke(key_id)
    except KeyStoreError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"revoked key {key.key_id} of source {key.source!r} at {key.revoked_at}")


@keys_app.command("add-signer")
def keys_add_signer(
    source: Annotated[str, typer.Option("--source", "-s", help="The source it signs for.")],
    public_key: Annotated[
        str | None, typer.Argument(help="Raw Ed25519 public key, base64.")
    ] = None,
    signing_key: Annotated[
        Path | None,
        typer.Option(
            "--from-signing-key",
            help="Derive the public key from an emitter's signing.key (it is not stored).",
        ),
    ] = None,
    keys_file: KeysFile = _DEFAULT_KEYS_FILE,
) -> None:
    """Trust an emitter's Ed25519 public key for the checkpoints of a source."""
    if (public_key is None) == (signing_key is None):
        raise _fail("give either PUBLIC_KEY or --from-signing-key")
    if signing_key is not None:
        from tooltrail.contract import ContractError, Signer

        if not signing_key.is_file():
            raise _fail(
                f"no signing key at {signing_key}: the emitter creates signing.key in its "
                "spool_dir on its first run and logs the public key with the exact "
                "add-signer command; give that key, or --from-signing-key <spool_dir>/signing.key"
            )
        try:
            public_key = Signer.load_or_create(signing_key).public_key_b64
        except (OSError, ContractError, ValueError) as exc:
            raise _fail(f"cannot read {signing_key}: {exc}") from exc
    assert public_key is not None
    try:
        key_id = KeyStore(keys_file).add_signer(source, public_key)
    except KeyStoreError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"trusting signer {key_id} ({public_key}) for source {source!r}")


# -- topics ---------------------------------------------------------------------------------------


def create_topics(
    extra: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Another topic to create (e.g. the pipeline's dead letters)."),
    ] = None,
    startup_timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker.")] = 60.0,
) -> None:
    """Create the Kafka topics (events, integrity, heads; TOOLTRAIL_COLLECTOR_KAFKA_*) and exit.
    Idempotent: a one-shot init step before the collectors and the pipeline start."""
    from tooltrail.broker import BrokerUnavailable, ensure_topics

    settings = Settings()
    options = settings.kafka_options()
    names = [options.events_topic, options.integrity_topic, options.heads_topic, *(extra or ())]
    deadline = time.monotonic() + startup_timeout
    while True:
        try:
            ensure_topics(options, names)
            break
        except BrokerUnavailable as exc:
            if time.monotonic() >= deadline:
                raise _fail(
                    f"Kafka unreachable at {settings.kafka_bootstrap_servers}: {exc}"
                ) from exc
            time.sleep(1.0)
    typer.echo(f"topics ready: {', '.join(dict.fromkeys(names))}")


def register(root: typer.Typer) -> None:
    """Mount into ``tooltrail``: ``tooltrail collector`` serves, ``tooltrail keys`` manages,
    ``tooltrail topics`` creates the Kafka topics."""
    root.command("collector", help="Serve the collector (uvicorn).")(serve)
    root.command("topics")(create_topics)
    root.add_typer(keys_app, name="keys")


if __name__ == "__main__":  # pragma: no cover
    app()
