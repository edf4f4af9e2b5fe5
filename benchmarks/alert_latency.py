"""Alert latency: the event of an attack → the alert received by a local webhook receiver.

    python benchmarks/alert_latency.py [--paths up,kafka] [--attacks 5] [--interval 12]

Each run starts ``tooltrail up``'s stack in this process (``Stack``: collector → chDB store →
detection; with ``kafka``: collector → Tansu → processor thread → store → detection) with a
``WebhookSink`` to a real local HTTP server, on a store holding two days of simulated history
and today's models fit on it beforehand (a fit at the daily grid point is not what is timed).
Real emitters (default shipper) record, in real time, a background user on a server of its own
every 0.5 s and, every ``--interval`` seconds, one attack on another server:

- **denial burst** of a new user: six denied calls 0.3 s apart → ``rule:denial_burst``, timed
  from the fifth denial (the event that crosses the threshold); that user's first call opens
  ``rule:new_client``, timed from that call;
- **rate burst** of a new user: 310 calls in ~3 s → ``rule:rate_limit``, from the 301st call;
- **volume anomaly** of a user of the history (each attack another one): 250 reads of distinct
  files, 20 MB each, over 50 s (in a thread of its own, so attacks overlap) → ``model:user``,
  timed from the attack's first call (a model needs a window to close: target ≤ window + 15 s).

Latency = the receiver's wall clock at arrival − the event's ``ts`` (the emitter's wall clock,
same machine). Every configuration runs for both modes, alternating: ``live`` (live rules, the
streams' watermark) and the same-run baseline ``lateness`` (``TOOLTRAIL_DETECT_LIVE=false``: the
old schedule, windows scored ``LATENESS_SECONDS`` after the newest event). Prints p50/p99 per
detector and the ratio; asserts nothing. Targets: p99 ≤ 15 s for rules, ≤ window + 15 s for
models.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' broker, HTTP receiver and store loader

from tests._infra.tansu import Tansu  # noqa: E402
from tests.detectors._events import insert_frame  # noqa: E402
from tests.detectors._http import Receiver  # noqa: E402
from tooltrail.cli.up import Stack  # noqa: E402
from tooltrail.collector.auth import KeyStore  # noqa: E402
from tooltrail.detectors.alert import Alert  # noqa: E402
from tooltrail.detectors.engine import Engine  # noqa: E402
from tooltrail.detectors.settings import DetectSettings  # noqa: E402
from tooltrail.detectors.sinks import WebhookSink  # noqa: E402
from tooltrail.detectors.source import StoreSource  # noqa: E402
from tooltrail.emitter import Actor, Emitter  # noqa: E402
from tooltrail.pipeline.store import StoreConfig, open_store  # noqa: E402
from tooltrail.simulator import SimConfig, simulate, to_frame  # noqa: E402

SECRET = b"alert-latency-benchmark-secret"
DETECTORS = ("rule:new_client", "rule:denial_burst", "rule:rate_limit", "model:user")
KAFKA_ENV = {  # the test settings for Tansu (it holds the first JoinGroup ~session/2)
    "TOOLTRAIL_PIPELINE_KAFKA_SESSION_TIMEOUT_MS": "6000",
    "TOOLTRAIL_PIPELINE_KAFKA_HEARTBEAT_INTERVAL_MS": "2000",
}


def _now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Run:
    """What one configuration measured: per detector, seconds from the event to arrival."""

    path: str
    mode: str
    latency: dict[str, list[float]] = field(default_factory=dict)
    missed: dict[str, int] = field(default_factory=dict)


@dataclass
class Attack:
    n: int
    marks: dict[str, tuple[str, int]] = field(default_factory=dict)  # detector -> (user, ts)
    volume: threading.Thread | None = None


def _history(store_path: Path, settings: DetectSettings) -> list[str]:
    """Two simulated days ending at today's 00:00 UTC, and today's models fit on them (saved
    in the model directory, where detection loads them). Returns the history's users, busiest
    first."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=2)
    frame = to_frame(simulate(SimConfig(seed=1, users=8, days=2, start=start, scenarios=())))
    with open_store(StoreConfig(path=str(store_path))) as store:
        store.migrate()
        insert_frame(store, frame)
        engine = Engine(StoreSource(store), settings, model_dir=settings.model_dir)
        engine.model_for(engine.fit_time(_now_us()))
    users = frame.loc[frame["user"].str.startswith("u-"), "user"].value_counts()
    return [str(u) for u in users.index]


def _settings(root: Path, live: bool) -> DetectSettings:
    return DetectSettings(
        live=live,
        learning_days=0,  # the attackers are new users: judge them from their first call
        baseline_days=2,
        notify_per_group=False,  # every alert to the webhook, not one per actor
        min_severity="low",
        model_dir=root / "models",
    )


class _Recorder:
    """Records what a real emitter records, at the wall clock, and the ts of chosen calls."""

    def __init__(self, em: Emitter) -> None:
        self.em = em

    def call(self, user: str, *, tool: str = "read", size: int = 200, **kw: Any) -> int:
        actor = Actor(user=user, client=f"client-{user}", agent=f"agent-{user}")
        ts = _now_us()
        uri = kw.get("resource_uri")
        with self.em.record("tools/call", tool=tool, actor=actor, resource_uri=uri) as call:
            call.set_result_bytes(size)
            if kw.get("denied"):
                call.deny("forbidden")
        return ts


def _volume(rec: _Recorder, user: str, att: Attack, stop: threading.Event) -> None:
    for i in range(250):
        ts = rec.call(user, tool="read_file", size=20 * 2**20, resource_uri=f"file:///x/{i}.csv")
        if i == 0:
            att.marks["model:user"] = (user, ts)
        if stop.wait(0.2):
            return


def _attack(rec: _Recorder, n: int, victim: str, stop: threading.Event) -> Attack:
    """One attack; the volume anomaly goes on in a thread (``Attack.volume``)."""
    att = Attack(n)
    att.volume = threading.Thread(target=_volume, args=(rec, victim, att, stop), daemon=True)
    att.volume.start()
    dn, rl = f"dn{n}", f"rl{n}"
    att.marks["rule:new_client"] = (dn, rec.call(dn, tool="grant"))
    for i in range(6):
        time.sleep(0.3)
        ts = rec.call(dn, tool="grant", denied=True)
        if i == 4:
            att.marks["rule:denial_burst"] = (dn, ts)
    for i in range(310):
        ts = rec.call(rl, tool="search")
        if i == 300:
            att.marks["rule:rate_limit"] = (rl, ts)
        time.sleep(0.01)
    return att


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_once(path: str, live: bool, args: argparse.Namespace, broker: Tansu | None) -> Run:
    mode = "live" if live else "lateness"
    run = Run(path, mode)
    with tempfile.TemporaryDirectory(prefix="tt-alert-latency-") as tmp, Receiver() as rx:
        root = Path(tmp)
        settings = _settings(root, live)
        victims = _history(root / "store", settings)
        sink = WebhookSink(rx.url + "/alerts", SECRET)
        # the live cursor starts now: the history is the models' baseline, not scored again
        step = settings.step_us
        (root / "models" / "cursor.json").write_text(f'{{"cursor": {_now_us() // step * step}}}')
        offset = time.time() - time.monotonic()  # the receiver stamps arrivals monotonic
        stack = Stack(
            store_path=root / "store",
            keys_file=root / "keys.json",
            port=0,
            kafka_bootstrap=broker.bootstrap if broker is not None else None,
            detect=True,
            detect_settings=settings,
            alert_sinks=[sink],
        )
        with _env(KAFKA_ENV if broker is not None else {}), stack:
            keys = KeyStore(stack.keys_file)
            emitters = {}
            for server in ("svc-background", "svc-attacked"):
                emitters[server] = em = Emitter(
                    source_name=server,
                    spool_dir=root / "spool" / server,
                    collector_url=stack.url,
                    api_key=keys.create(server)[1],
                )
                if em.signer is not None:
                    keys.add_signer(server, em.signer.public_key_b64)
            stop = threading.Event()
            bg = _Recorder(emitters["svc-background"])

            def background() -> None:
                while not stop.wait(0.5):
                    bg.call("bg-user", tool="read")

            thread = threading.Thread(target=background, daemon=True)
            thread.start()
            rec = _Recorder(emitters["svc-attacked"])
            attacks = []
            try:
                for _ in range(6):  # warm every path up (not counted)
                    rec.call("warm-user", tool="read")
                    time.sleep(0.5)
                for n in range(1, args.attacks + 1):
                    started = time.monotonic()
                    attacks.append(_attack(rec, n, victims[n % len(victims)], stop))
                    time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
                for att in attacks:
                    if att.volume is not None:
                        att.volume.join()
                wait = settings.window_seconds + settings.lateness_seconds + 90
                _wait(rx, attacks, deadline=time.monotonic() + wait)
            finally:
                stop.set()
                thread.join(5)
                for em in emitters.values():
                    em.close()
        arrived = _arrivals(rx, offset)
    for att in attacks:
        for detector, (user, ts) in att.marks.items():
            at = arrived.get((detector, user))
            if at is None:
                run.missed[detector] = run.missed.get(detector, 0) + 1
            else:
                run.latency.setdefault(detector, []).append(at - ts / 1e6)
    return run


def _arrivals(rx: Receiver, offset: float) -> dict[tuple[str, str], float]:
    """First arrival (wall clock, s) per (detector, user) of user-level alerts."""
    out: dict[tuple[str, str], float] = {}
    for request in list(rx.requests):
        alert = Alert.from_dict(request.json()["alert"])
        if alert.entity_kind == "user":
            out.setdefault((alert.detector, alert.entity), request.at + offset)
    return out


def _wait(rx: Receiver, attacks: list[Attack], *, deadline: float) -> None:
    want = {(d, u) for a in attacks for d, (u, _) in a.marks.items()}
    while time.monotonic() < deadline:
        if want <= set(_arrivals(rx, 0.0)):
            return
        time.sleep(0.5)


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(runs: list[Run], window: int) -> None:
    print()
    print(
        f"{'path':<6} {'detector':<18} {'mode':<9} {'n':>3} {'miss':>4} {'p50 s':>7} "
        f"{'p99 s':>7} {'target':>7}  p99 vs lateness"
    )
    for path in dict.fromkeys(r.path for r in runs):
        for detector in DETECTORS:
            target = window + 15 if detector.startswith("model:") else 15
            base = [
                x
                for r in runs
                if (r.path, r.mode) == (path, "lateness")
                for x in r.latency.get(detector, [])
            ]
            for mode in ("lateness", "live"):
                mine = [r for r in runs if (r.path, r.mode) == (path, mode)]
                values = [x for r in mine for x in r.latency.get(detector, [])]
                missed = sum(r.missed.get(detector, 0) for r in mine)
                if not values:
                    print(f"{path:<6} {detector:<18} {mode:<9} {0:>3} {missed:>4}  (no alert)")
                    continue
                p50, p99 = _pct(values, 50), _pct(values, 99)
                ratio = f"{p99 / _pct(base, 99):.2f}x" if base and mode == "live" else ""
                print(
                    f"{path:<6} {detector:<18} {mode:<9} {len(values):>3} {missed:>4} "
                    f"{p50:>7.1f} {p99:>7.1f} {target:>7}  {ratio}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", default="up,kafka", help="up, kafka or both (comma-separated)")
    parser.add_argument("--attacks", type=int, default=5, help="attacks per run (≤ 7)")
    parser.add_argument("--interval", type=float, default=12.0, help="seconds between attacks")
    parser.add_argument("--rounds", type=int, default=1, help="alternations of the two modes")
    parser.add_argument("--modes", default="lateness,live", help="lateness (baseline), live")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    runs: list[Run] = []
    for _ in range(args.rounds):
        for path in args.paths.split(","):
            for mode in args.modes.split(","):
                began = time.monotonic()
                with contextlib.ExitStack() as stack:  # a fresh broker per run
                    broker = stack.enter_context(Tansu("memory")) if path == "kafka" else None
                    run = run_once(path, mode == "live", args, broker)
                runs.append(run)
                got = {k: len(v) for k, v in run.latency.items()}
                print(f"{path} {mode}: {time.monotonic() - began:.0f} s, alerts {got}", flush=True)
    report(runs, DetectSettings().window_seconds)


if __name__ == "__main__":
    main()
