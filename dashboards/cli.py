"""``tooltrail dashboards build|push``: the dashboards' JSON for provisioning, or into a Grafana.

``build`` writes ``<uid>.json`` for each dashboard into the folder Grafana's provisioning loads
(``dashboards/provisioning/dashboards/json``, mounted by docker-compose.yml). ``push`` creates
or updates the ClickHouse datasource, the ``tooltrail`` folder and the dashboards by uid
(idempotent). The datasource points at ``--clickhouse-url``, or by default at the query
endpoint a running ``tooltrail up`` advertises for ``--store-path``. Exit 2 with one line when
Grafana refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tooltrail._console import fail

__all__ = ["DEFAULT_OUT", "dashboards_app", "register"]

DEFAULT_OUT = Path("dashboards/provisioning/dashboards/json")

dashboards_app = typer.Typer(
    name="dashboards",
    help="Grafana dashboards (Overview, Investigation, Integrity, Detectors): build, push.",
    no_args_is_help=True,
)


@dashboards_app.command("build")
def build_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the JSON (provisioning loads it).")
    ] = DEFAULT_OUT,
) -> None:
    """Write every dashboard's JSON model (``<uid>.json``)."""
    from . import build_all
    from .push import write

    for path in write(build_all(), out):
        typer.echo(f"wrote {path}")


@dashboards_app.command("push")
def push_command(
    grafana_url: Annotated[
        str,
        typer.Option(envvar="TOOLTRAIL_GRAFANA_URL", help="Grafana, e.g. http://localhost:3000"),
    ],
    token: Annotated[
        str,
        typer.Option(envvar="TOOLTRAIL_GRAFANA_TOKEN", help="A service account token (Editor)."),
    ],
    clickhouse_url: Annotated[
        str | None,
        typer.Option(help="Where Grafana reaches the store (default: the running up's endpoint)."),
    ] = None,
    clickhouse_user: Annotated[str, typer.Option(help="Its user.")] = "tooltrail",
    clickhouse_password: Annotated[
        str | None, typer.Option(envvar="TOOLTRAIL_QUERY_PASSWORD", help="Its password.")
    ] = None,
    database: Annotated[str, typer.Option(help="The store's database.")] = "tooltrail",
    store_path: Annotated[
        Path, typer.Option(envvar="TOOLTRAIL_STORE_PATH", help="The store `up` serves.")
    ] = Path(".tooltrail/store"),
    datasource: Annotated[bool, typer.Option(help="Also create or update the datasource.")] = True,
) -> None:
    """Create or update the datasource, folder and dashboards in Grafana (by uid)."""
    from tooltrail.pipeline.store import find_endpoint

    from . import build_all
    from .push import PushFailed, datasource_model, push

    model = None
    if datasource:
        endpoint = find_endpoint(store_path)
        url = clickhouse_url or (endpoint.url if endpoint else "http://localhost:8123")
        password = clickhouse_password or (endpoint.password if endpoint else None)
        if password is None:
            raise fail(
                "no --clickhouse-password (TOOLTRAIL_QUERY_PASSWORD) and no running "
                f"`tooltrail up` serving {store_path}"
            )
        model = datasource_model(url, clickhouse_user, password, database)
    try:
        done = push(grafana_url, token, build_all(), model)
    except PushFailed as exc:
        raise fail(str(exc)) from exc
    for item in done:
        typer.echo(f"{item.action} {item.kind} {item.uid}")
    base = grafana_url.rstrip("/")
    typer.echo(f"open {base}/d/tooltrail-overview")


def register(app: typer.Typer) -> None:
    app.add_typer(dashboards_app)
