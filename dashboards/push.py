"""Create or update the datasource, folder and dashboards in a Grafana, by uid (idempotent).

Through ``grafana-client`` and Grafana's HTTP API: the datasource by uid
(``GET /api/datasources/uid/:uid`` → ``PUT`` it, or ``POST /api/datasources``), the folder by
uid (``GET /api/folders/:uid`` → ``PUT``, or ``POST /api/folders``), each dashboard with
``POST /api/dashboards/db`` and ``overwrite: true`` (Grafana keys it by uid). Pushing twice
updates; nothing is duplicated. A Grafana error stops the push with :class:`PushFailed` naming
the object and Grafana's message; what was pushed before it stays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from .query import DATASOURCE_TYPE, DATASOURCE_UID

__all__ = ["FOLDER_UID", "PushFailed", "Pushed", "datasource_model", "push", "write"]

FOLDER_UID: Final = "tooltrail"


class PushFailed(Exception):
    """Grafana refused or could not be reached; ``what`` names the object."""

    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what


@dataclass(frozen=True)
class Pushed:
    kind: str  # datasource | folder | dashboard
    uid: str
    action: str  # created | updated


def datasource_model(url: str, user: str, password: str, database: str) -> dict[str, Any]:
    """The ClickHouse datasource (the plugin's ``CHConfig``) pointing at ``url``."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    return {
        "uid": DATASOURCE_UID,
        "name": "tooltrail",
        "type": DATASOURCE_TYPE,
        "access": "proxy",
        "jsonData": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (8443 if secure else 8123),
            "protocol": "http",
            "secure": secure,
            "username": user,
            "defaultDatabase": database,
        },
        "secureJsonData": {"password": password},
    }


def write(models: Mapping[str, Mapping[str, Any]], directory: Path) -> list[Path]:
    """Write each dashboard as ``<uid>.json`` (what provisioning loads); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for uid, model in models.items():
        path = directory / f"{uid}.json"
        path.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
        out.append(path)
    return out


def push(
    grafana_url: str,
    token: str | tuple[str, str],
    models: Mapping[str, Mapping[str, Any]],
    datasource: Mapping[str, Any] | None,
    *,
    folder_title: str = "tooltrail",
    timeout: float = 30.0,
) -> list[Pushed]:
    """Create or update ``datasource`` (None: leave it), the folder and every dashboard."""
    from grafana_client.api import GrafanaApi
    from grafana_client.client import GrafanaClientError, GrafanaException

    api = GrafanaApi.from_url(grafana_url, credential=token, timeout=timeout)
    done: list[Pushed] = []

    def exists(what: str, call: Any) -> bool:
        try:
            call()
        except GrafanaClientError as exc:
            if exc.status_code == 404:
                return False
            raise PushFailed(what, exc.message) from exc
        except (GrafanaException, OSError) as exc:
            raise PushFailed(what, str(exc)) from exc
        return True

    def run(what: str, call: Any) -> Any:
        try:
            return call()
        except GrafanaException as exc:
            raise PushFailed(what, exc.message) from exc
        except OSError as exc:
            raise PushFailed(what, str(exc)) from exc

    if datasource is not None:
        what = f"datasource {DATASOURCE_UID}"
        if exists(what, lambda: api.datasource.get_datasource_by_uid(DATASOURCE_UID)):
            run(what, lambda: api.datasource.update_datasource_by_uid(DATASOURCE_UID, datasource))
            done.append(Pushed("datasource", DATASOURCE_UID, "updated"))
        else:
            run(what, lambda: api.datasource.create_datasource(dict(datasource)))
            done.append(Pushed("datasource", DATASOURCE_UID, "created"))
    what = f"folder {FOLDER_UID}"
    if exists(what, lambda: api.folder.get_folder(FOLDER_UID)):
        run(what, lambda: api.folder.update_folder(FOLDER_UID, title=folder_title, overwrite=True))
        done.append(Pushed("folder", FOLDER_UID, "updated"))
    else:
        run(what, lambda: api.folder.create_folder(folder_title, uid=FOLDER_UID))
        done.append(Pushed("folder", FOLDER_UID, "created"))
    for uid, model in models.items():
        what = f"dashboard {uid}"
        existed = exists(what, lambda uid=uid: api.dashboard.get_dashboard(uid))
        body = {
            "dashboard": {**model, "id": None},
            "folderUid": FOLDER_UID,
            "overwrite": True,
            "message": "tooltrail dashboards push",
        }
        run(what, lambda body=body: api.dashboard.update_dashboard(body))
        done.append(Pushed("dashboard", uid, "updated" if existed else "created"))
    return done
