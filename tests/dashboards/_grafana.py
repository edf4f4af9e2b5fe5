"""A local HTTP server that follows Grafana's documented HTTP API for what ``dashboards push``
uses — datasources (``/api/datasources``, ``/api/datasources/uid/:uid``), folders
(``/api/folders``, ``/api/folders/:uid``) and dashboards (``/api/dashboards/db``,
``/api/dashboards/uid/:uid``) — with Bearer-token auth, 404 for unknown uids, 409 for a
datasource or folder created twice, 412 for a dashboard saved over without ``overwrite``, and
versions that count saves. No Grafana server can be installed here; this is the stand-in."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeGrafana"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        g = self.server.grafana
        g.requests.append((method, self.path))
        if self.headers.get("Authorization") != f"Bearer {g.token}":
            self._reply(401, {"message": "invalid API key"})
            return
        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size) or b"null")
        with g.lock:
            status, reply = g.handle(method, self.path.split("?")[0], body)
        self._reply(status, reply)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    grafana: FakeGrafana


class FakeGrafana:
    def __init__(self, token: str) -> None:
        self.token = token
        self.datasources: dict[str, dict[str, Any]] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.dashboards: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._ids = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.grafana = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGrafana:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _id(self) -> int:
        self._ids += 1
        return self._ids

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if m := re.fullmatch(r"/api/datasources/uid/([\w-]+)", path):
            ds = self.datasources.get(m[1])
            if ds is None:
                return 404, {"message": "Data source not found"}
            if method == "GET":
                return 200, ds
            ds.update({**body, "id": ds["id"], "version": ds["version"] + 1})
            return 200, {"datasource": ds, "id": ds["id"], "message": "Datasource updated"}
        if path == "/api/datasources" and method == "POST":
            if body.get("uid") in self.datasources or any(
                d["name"] == body.get("name") for d in self.datasources.values()
            ):
                return 409, {"message": "data source with the same name already exists"}
            ds = {**body, "id": self._id(), "version": 1}
            self.datasources[body["uid"]] = ds
            return 200, {"datasource": ds, "id": ds["id"], "message": "Datasource added"}
        if m := re.fullmatch(r"/api/folders/([\w-]+)", path):
            folder = self.folders.get(m[1])
            if folder is None:
                return 404, {"message": "folder not found"}
            if method == "PUT":
                folder.update(title=body.get("title", folder["title"]),
                              version=folder["version"] + 1)  # fmt: skip
            return 200, folder
        if path == "/api/folders" and method == "POST":
            if body.get("uid") in self.folders:
                return 409, {"message": "a folder with the same uid already exists"}
            folder = {"uid": body["uid"], "title": body["title"], "id": self._id(), "version": 1}
            self.folders[body["uid"]] = folder
            return 200, folder
        if m := re.fullmatch(r"/api/dashboards/uid/([\w-]+)", path):
            saved = self.dashboards.get(m[1])
            if saved is None:
                return 404, {"message": "Dashboard not found"}
            return 200, saved
        if path == "/api/dashboards/db" and method == "POST":
            model = body["dashboard"]
            uid = model["uid"]
            if body.get("folderUid") and body["folderUid"] not in self.folders:
                return 400, {"message": "folder not found"}
            old = self.dashboards.get(uid)
            if old is not None and not body.get("overwrite"):
                return 412, {"status": "name-exists", "message": "A dashboard with the same uid"}
            version = old["dashboard"]["version"] + 1 if old else 1
            ident = old["dashboard"]["id"] if old else self._id()
            saved = {"dashboard": {**model, "id": ident, "version": version},
                     "meta": {"folderUid": body.get("folderUid", "")}}  # fmt: skip
            self.dashboards[uid] = saved
            return 200, {"id": ident, "uid": uid, "status": "success", "version": version}
        return 404, {"message": "Not found"}
