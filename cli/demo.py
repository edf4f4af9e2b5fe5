"""``tooltrail demo``: the embedded all-in-one catching attacks in simulated MCP traffic.

1. Starts ``tooltrail up``'s stack in this process: collector → chDB store, with detection
   running continuously on new windows (no servers to install).
2. Simulates ``--users`` users, their agents and seven MCP servers over ``--days`` days (the last
   day with one incident of every attack scenario, besides benign bursts such as a nightly batch
   job) and sends every call through the real emitter → collector path, in event time.
3. Alerts fire as detection scores the windows: printed here, and POSTed, signed, to a local
   webhook receiver that checks each signature.
4. Ends with the score against the simulator's labels, a verify report of the stored log, and a
   tamper drill: a denial rewritten as ``ok`` in the store is named by ``verify`` and raised as a
   critical alert.
5. Keeps the store (``.tooltrail/demo`` unless ``--workdir``; a previous demo's is replaced)
   and prints the commands to explore it: ``tooltrail events``, ``tooltrail investigate`` on
   each attack's first alert, ``alerts list``, ``verify``. With ``--serve`` it stays up with the
   read-only query endpoint (ClickHouse HTTP) so those commands and a local Grafana can read it.

The detectors run with a compact configuration so that a few simulated days are enough history
(1 learning day, a baseline of the days before); ``tooltrail up`` uses the production defaults.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import typer

from tooltrail._console import fail

__all__ = ["demo"]

_SECRET = os.urandom(32)  # the demo's webhook signing secret (a fresh one per run)
_WORKDIR = Path(".tooltrail/demo")


def _wait_for_detection(stack: Any, until: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cursor = stack.detection.cursor
        if cursor is not None and cursor >= until:
            return True
        time.sleep(0.2)
    return False


def demo(
    users: int = typer.Option(8, min=2, help="Ordinary simulated users."),
    days: int = typer.Option(4, min=2, help="Simulated days; attacks on the last one."),
    seed: int = typer.Option(7, help="The simulation follows from the seed."),
    workdir: Path = typer.Option(
        _WORKDIR, help="Where the store, spools and models go (kept; a previous demo's replaced)."
    ),
    serve: bool = typer.Option(
        False, "--serve", help="Stay up afterwards with the query endpoint (Ctrl-C stops)."
    ),
    query_port: int = typer.Option(8123, help="The query endpoint's port with --serve."),
    query_password: str | None = typer.Option(
        None, envvar="TOOLTRAIL_QUERY_PASSWORD", help="Its password (default: a random one)."
    ),
) -> None:
    """Simulate MCP traffic with attacks through the embedded all-in-one; alerts fire; verify."""
    from rich import get_console

    from tooltrail.collector.auth import KeyStore
    from tooltrail.detectors.settings import DetectSettings
    from tooltrail.detectors.sinks.console import ConsoleSink
    from tooltrail.detectors.sinks.webhook import WebhookSink
    from tooltrail.pipeline.integrity import verify_store
    from tooltrail.simulator import SimConfig, drive, simulate

    from ._receiver import WebhookReceiver
    from .up import Stack

    console = get_console()
    root = _fresh(workdir)
    sim = simulate(SimConfig(seed=seed, users=users, days=days))
    tick_us = 3600 * 1_000_000
    settings = DetectSettings(
        learning_days=1,
        baseline_days=days - 1,
        lateness_seconds=tick_us / 1e6,  # the simulator hands over an hour of event time at once
        # a replay runs event time ~1000x faster than the clock, so the live schedule (rules on
        # the window being filled, a watermark from the streams' wall-clock progress) has
        # nothing to gain and would judge streams idle by the wall clock: windows close by
        # event time and lateness, as in a backfill
        live=False,
        poll_seconds=0.2,
        model_dir=root / "models",
        min_severity="medium",
    )

    def received(alert: dict[str, Any], ok: bool) -> None:
        console.print(
            f"  [dim]↳ webhook {receiver.url} got alert {alert['id']} "
            f"({alert['severity']}), signature {'verified' if ok else 'REJECTED'}[/]"
        )

    receiver = WebhookReceiver(_SECRET, received)
    sinks = [ConsoleSink(console), WebhookSink(receiver.url, _SECRET)]
    keys_file = root / "collector-keys.json"
    with (
        receiver,
        Stack(
            store_path=root / "store",
            keys_file=keys_file,
            port=0,
            detect=True,
            detect_settings=settings,
            alert_sinks=sinks,
            query_port=query_port if serve else None,
            query_password=query_password,
        ) as stack,
    ):
        stack.detection.idle_seconds = 1.0
        keys = KeyStore(keys_file)
        servers = sorted({c.server for c in sim.calls})
        api_keys = {server: keys.create(server)[1] for server in servers}
        trusted: list[bytes] = []

        def trust(server: str, public_key_b64: str) -> None:
            keys.add_signer(server, public_key_b64)
            trusted.append(base64.b64decode(public_key_b64))

        console.print(
            f"[bold]tooltrail demo[/]: collector {stack.url}/v1/events → embedded store "
            f"{root / 'store'}; {users} users + service accounts, {len(servers)} MCP servers, "
            f"{days} simulated days, {len(sim.calls)} calls, {len(sim.incidents)} attacks "
            "on the last day"
        )
        report = drive(
            sim,
            collector_url=stack.url,
            api_keys=api_keys,
            spool_root=root / "spool",
            on_signer=trust,
            tick_us=tick_us,
            progress=True,
        )
        console.print(
            f"sent {report.calls} calls in {report.wall_seconds:.1f}s "
            f"({report.events_per_second:.0f} events/s through emitter → collector → store)"
        )
        last = sim.calls[-1].ts + settings.window_us
        if not _wait_for_detection(stack, last - last % settings.step_us, 300):
            console.print("[red]detection did not catch up within 5 minutes[/]")
            raise typer.Exit(2)
        stack.detection.dispatcher.flush(30)
        alerts = stack.detection.alerts.list(limit=10_000)
        _score(console, sim, alerts, settings.step_us)
        console.print(
            f"{len(alerts)} alerts stored in {len({a.group for a in alerts})} groups; "
            f"{len(receiver.received)} notifications sent (one per group of related alerts, "
            "again when it grew more severe)"
        )

        store = stack.store
        checked = verify_store(store, public_keys=trusted)
        signed = sum(s.signed_checkpoints for s in checked.streams.values())
        events = sum(s.events for s in checked.streams.values())
        state = "[green]intact[/]" if checked.ok else f"[red]BROKEN: {checked.findings}[/]"
        console.print(
            f"verify: {events} events in {len(checked.streams)} streams, {signed} signed "
            f"checkpoints, every stream proven through its last seq: {state}"
        )
        if not checked.ok:
            raise typer.Exit(1)
        store.command(  # an intruder with database access hides a denial
            f"ALTER TABLE {store.database}.events UPDATE outcome = 'ok', error_type = '' "
            "WHERE outcome = 'denied' SETTINGS mutations_sync = 2"
        )
        drill = verify_store(store, public_keys=trusted)  # records its findings
        first = drill.findings[0] if drill.findings else None
        console.print(f"tamper drill (denials rewritten as ok in the store): [bold]{first}[/]")
        if first is None:
            raise typer.Exit(1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            a.detector == "rule:integrity" for a in stack.detection.alerts.list(limit=10_000)
        ):
            time.sleep(0.2)
        stack.detection.dispatcher.flush(30)
        console.print(
            f"local webhook receiver: {len(receiver.received)} signed alerts accepted, "
            f"{receiver.rejected} rejected"
        )
        _explore(console, sim, stack.detection.alerts.list(limit=10_000), root / "store")
        if serve:
            _serve(console, stack)


def _fresh(workdir: Path) -> Path:
    """The demo's folder, emptied of a previous demo (never of anything else)."""
    marker = workdir / ".tooltrail-demo"
    if workdir.exists() and any(workdir.iterdir()):
        if not marker.exists():
            raise fail(f"{workdir} exists and is not a demo's folder: give --workdir")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by tooltrail demo; the next demo replaces this folder\n")
    return workdir


def _explore(console: Any, sim: Any, alerts: list[Any], store: Path) -> None:
    """The commands that show the stored demo: each attack's first alert, investigated."""
    opt = f"--store-path {store}"
    say = functools.partial(console.print, soft_wrap=True)  # commands are never wrapped
    say(f"\n[bold]the demo's store is kept[/] in {store}; explore it:")
    say(f"  tooltrail alerts list {opt}")
    for inc in sim.incidents:
        hits = sorted(
            (a for a in alerts if a.actor == inc.user and a.window_start <= inc.end
             and a.last_window_end >= inc.start),
            key=lambda a: a.window_start,
        )  # fmt: skip
        if hits:
            say(f"  tooltrail investigate {hits[0].id} {opt}   # {inc.scenario}")
    victim = sim.incidents[0].user if sim.incidents else ""
    say(f"  tooltrail events {opt} --user {victim} --outcome error")
    say(f"  tooltrail verify {opt}")
    say(f"  tooltrail export --format ecs --output siem.jsonl --alerts {opt}   # to a SIEM")
    say(
        f"  tooltrail report --checklist {opt}   # the security checklist: evidence, what's missing"
    )
    say("  tooltrail demo --serve   # stays up: the same, and Grafana, while it runs")


def _serve(console: Any, stack: Any) -> None:
    """Stay up with the query endpoint until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from tooltrail.pipeline.store import endpoint_file

    server = stack.query_server
    if server is None:
        console.print("[red]the query endpoint could not start (see the log above)[/]")
        raise typer.Exit(1)
    for line in (
        f"\n[bold]serving[/] the demo's store read-only at {server.url} (ClickHouse HTTP)",
        f"  user {server.user}, password {server.password} (also in "
        f"{endpoint_file(stack.store_path)})",
        "  the commands above read through it now; Grafana: tooltrail dashboards push "
        "--grafana-url URL --token TOKEN",
        "Ctrl-C stops.",
    ):
        console.print(line, soft_wrap=True)
    sys.stdout.flush()  # a pipe buffers: whoever waits for this line gets it now
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    while stack.alive and not stopping.wait(0.5):
        pass


def _score(console: Any, sim: Any, alerts: list[Any], step_us: int) -> None:
    """The alerts against the simulator's labels: which attacks were caught, false alerts."""
    from rich.table import Table

    from tooltrail.detectors.evaluate import evaluate, labelled_events
    from tooltrail.detectors.source import FrameSource
    from tooltrail.simulator import to_frame

    frame = to_frame(sim)
    events = labelled_events(FrameSource(frame), frame)
    result = evaluate(alerts, events, sim.incidents, benign_windows=1, step_us=step_us)
    table = Table(title="attacks in the simulated traffic")
    for col in ("scenario", "victim", "caught", "first alert after", "alerts"):
        table.add_column(col)
    for inc in sim.incidents:
        s = result.scenarios[inc.scenario]
        caught = inc.id not in result.missed
        delay = f"{s.delays[0] * step_us / 1e6:.0f} s" if caught and s.delays else "-"
        table.add_row(
            inc.scenario,
            inc.user,
            "[green]yes[/]" if caught else "[red]no[/]",
            delay,
            str(s.true_alerts),
        )
    console.print(table)
    console.print(
        f"{result.alerts} alerts of severity ≥ medium; {result.false_alerts} on benign traffic "
        f"(benign bursts: nightly batch job, CI bot, weekly report, a new user)"
    )
