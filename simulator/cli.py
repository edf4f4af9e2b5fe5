"""``tooltrail simulate``: labelled MCP traffic through a running collector (``tooltrail up``).

Creates one API key per simulated server in the collector's key file and trusts each emitter's
signing key there; the running collector re-reads the key file when it changes, so no restart
is needed. Writes the labels JSON and prints a summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tooltrail._console import fail

from .model import ATTACK_SCENARIOS

__all__ = ["parse_scenarios", "register", "simulate_command"]


def parse_scenarios(text: str) -> tuple[str, ...]:
    """``all``, ``none`` (or empty), or a comma list of names from ``ATTACK_SCENARIOS``."""
    text = text.strip()
    if text == "all":
        return ATTACK_SCENARIOS
    if text in ("", "none"):
        return ()
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in names if s not in ATTACK_SCENARIOS]
    if unknown:
        raise typer.BadParameter(
            f"unknown scenario(s) {', '.join(unknown)}; choose from all, none, "
            + ", ".join(ATTACK_SCENARIOS),
            param_hint="--scenarios",
        )
    return names


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1e6, UTC).strftime("%a %Y-%m-%d %H:%M:%S")


def _collector_answers(url: str) -> None:
    """One line and exit 2 when nothing answers at ``url`` (before minutes of simulating)."""
    import urllib.error
    import urllib.request

    health = url.rstrip("/") + "/healthz"
    try:
        with urllib.request.urlopen(health, timeout=5):  # noqa: S310 - the user's collector URL
            return
    except urllib.error.HTTPError:
        return  # something answers: the sends will say more
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise fail(
            f"no collector answers at {url} ({reason}): start one with `tooltrail up` "
            "(or pass --collector-url)"
        ) from None


def simulate_command(
    users: Annotated[int, typer.Option(min=1, help="Ordinary users.")] = 20,
    days: Annotated[int, typer.Option(min=1, help="Simulated days (from a Monday).")] = 8,
    seed: Annotated[int, typer.Option(help="Everything follows from the seed.")] = 7,
    attack_days: Annotated[int, typer.Option(min=1, help="Attacks only in the last N days.")] = 1,
    scenarios: Annotated[str, typer.Option(help="Attacks: 'all', 'none' or a comma list.")] = "all",
    incidents: Annotated[int, typer.Option(min=0, help="Incidents per scenario.")] = 1,
    new_users: Annotated[int, typer.Option(min=0, help="Users who start on the last day.")] = 1,
    collector_url: Annotated[str, typer.Option(help="The collector.")] = "http://127.0.0.1:8080",
    keys_file: Annotated[
        Path,
        typer.Option(
            envvar="TOOLTRAIL_COLLECTOR_KEYS_FILE",
            help="The collector's key file (keys are added to it).",
        ),
    ] = Path(".tooltrail/collector-keys.json"),
    spool_dir: Annotated[Path, typer.Option(help="Emitter spools, one per server.")] = Path(
        ".tooltrail/sim-spool"
    ),
    labels: Annotated[Path, typer.Option(help="Where to write the labels JSON.")] = Path(
        "sim-labels.json"
    ),
    tick_minutes: Annotated[
        float, typer.Option(min=0.1, help="Flush every N minutes of event time.")
    ] = 10.0,
    fingerprint_key: Annotated[
        str, typer.Option(help="Argument fingerprint key of the simulated deployment.")
    ] = "tooltrail-simulator",
) -> None:
    """Simulate users, agents and attacks and send them through the collector (event time)."""
    from rich.console import Console

    from tooltrail._console import Column, fail, fitted_table
    from tooltrail.collector.auth import KeyStore, KeyStoreError

    from .driver import drive
    from .errors import SimulatorError
    from .generate import simulate
    from .model import SimConfig

    console = Console()
    try:
        config = SimConfig(
            seed=seed,
            users=users,
            days=days,
            attack_days=attack_days,
            scenarios=parse_scenarios(scenarios),
            incidents_per_scenario=incidents,
            new_users=new_users,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _collector_answers(collector_url)
    sim = simulate(config)
    console.print(f"simulated {len(sim.calls)} calls over {days} day(s) for {users} users")
    try:
        keys = KeyStore(keys_file)

        def trust(server: str, public_key_b64: str) -> None:
            keys.add_signer(server, public_key_b64)

        servers = sorted({c.server for c in sim.calls})
        api_keys = {s: keys.create(s, label="tooltrail simulate")[1] for s in servers}
        report = drive(
            sim,
            collector_url=collector_url,
            api_keys=api_keys,
            spool_root=spool_dir,
            fingerprint_key=fingerprint_key.encode("utf-8"),
            on_signer=trust,
            tick_us=int(tick_minutes * 60_000_000),
            progress=True,
        )
    except (SimulatorError, KeyStoreError) as exc:
        raise fail(str(exc)) from exc
    sim.write_labels(labels)
    columns = [
        Column("incident", keep=None, whole=True),  # the scenario's name, never cut
        Column("user", keep=80),
        Column("start (UTC)", keep=70),
        Column("end", keep=40),
        Column("calls", keep=60, justify="right"),
        Column("agent / client", keep=30, flex=True),
    ]
    rows = [
        [i.id, i.user, _when(i.start), _when(i.end)[-8:], str(i.calls), f"{i.agent} / {i.client}"]
        for i in sim.incidents
    ]
    title = f"{len(sim.incidents)} labelled incidents"
    console.print(fitted_table(columns, rows, title=title, console=console))
    per_server = ", ".join(f"{s} {n}" for s, n in report.per_server.items())
    console.print(
        f"sent {report.calls} events ({per_server}) in {report.wall_seconds:.1f} s "
        f"({report.events_per_second:.0f} events/s); "
        f"{len(sim.benign_bursts)} benign bursts; labels in {labels}"
    )


def register(app: typer.Typer) -> None:
    """Add ``tooltrail simulate`` to the root app."""
    app.command("simulate")(simulate_command)
