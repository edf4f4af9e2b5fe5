"""One active detectors instance per store, on a real chDB store.

The lease protocol (``tooltrail.detectors.lease``) with a controlled clock: a second instance
stands by while the first renews, takes over when it falls silent past the ttl or releases;
two bids for one term elect the same single winner from both sides. Then two real
``DetectorService`` loops on one store: one scores, the other stands by, and when the first
stops the second continues from its cursor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from tests.detectors._events import insert_frame
from tooltrail.detectors.lease import StoreLease
from tooltrail.detectors.service import DetectorService
from tooltrail.detectors.settings import DetectSettings
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.simulator import SimConfig, simulate, to_frame

pytestmark = [pytest.mark.store]

TTL = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lease(store: Store, clock: Clock) -> Callable[..., StoreLease]:
    def make(holder: str, sleep: Callable[[float], None] = lambda _: None) -> StoreLease:
        return StoreLease(
            store, holder=holder, ttl_seconds=TTL, settle_seconds=1.0, clock=clock, sleep=sleep
        )

    return make


def test_one_holder_the_other_stands_by_until_the_lease_expires(
    lease: Callable[..., StoreLease], clock: Clock
) -> None:
    a, b = lease("a"), lease("b")
    assert a.hold(cursor=100)
    assert not b.hold()
    clock.now += TTL / 2  # a renews (past a third of the ttl: a real write)
    assert a.hold(cursor=200)
    clock.now += TTL * 0.9  # within the renewed lease: b still waits
    assert not b.hold()
    clock.now += TTL  # a fell silent: b takes the next term, a learns it lost
    assert b.hold()
    assert not a.hold()
    state = b.current()
    assert state is not None
    assert (state.term, state.holder) == (2, "b")
    assert b.handed_cursor() == 200  # where a had got to


def test_a_released_lease_is_taken_at_once(lease: Callable[..., StoreLease]) -> None:
    a, b = lease("a"), lease("b")
    assert a.hold(cursor=7)
    assert not b.hold()
    a.release(cursor=9)
    assert b.hold()
    assert b.handed_cursor() == 9


@pytest.mark.parametrize(("first", "second"), [("a", "b"), ("z", "b")])
def test_two_bids_for_one_term_elect_one_winner_seen_by_both(
    lease: Callable[..., StoreLease], clock: Clock, first: str, second: str
) -> None:
    other = lease(second)

    def rival_bids_during_settle(_: float) -> None:
        # the rival read the same free state before our bid landed and bids for the same term
        other._write(1, int((clock.now + TTL) * 1e6), None)

    mine = lease(first, sleep=rival_bids_during_settle)
    won = mine.hold()
    state = other.current()
    assert state is not None
    rival_won = state.term == 1 and state.holder == second
    assert won != rival_won  # exactly one of the two believes it leads
    assert won == (first < second)
    assert not (other.hold() and won)


def test_settle_must_be_shorter_than_the_ttl(store: Store) -> None:
    with pytest.raises(ValueError, match="settle_seconds"):
        StoreLease(store, ttl_seconds=1, settle_seconds=1)


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.slow
def test_two_services_one_scores_the_standby_takes_over_from_its_cursor(
    store: Store, tmp_path_factory: pytest.TempPathFactory
) -> None:
    insert_frame(store, to_frame(simulate(SimConfig(seed=3, users=3, days=2))))
    root = tmp_path_factory.mktemp("lease-models")
    settings = DetectSettings(learning_days=1, baseline_days=0.5, poll_seconds=0.05, model_dir=root)

    def service(holder: str) -> DetectorService:
        lease = StoreLease(store, holder=holder, ttl_seconds=5.0, settle_seconds=0.1)
        return DetectorService(store, settings, lease, idle_seconds=0.2)

    first, second = service("a"), service("b")
    stop_first, stop_second = threading.Event(), threading.Event()
    t1 = threading.Thread(target=first.run, args=(stop_first,), daemon=True)
    t1.start()
    _wait(lambda: first.active and first.detection.cursor is not None, "first never scored")
    t2 = threading.Thread(target=second.run, args=(stop_second,), daemon=True)
    t2.start()
    _wait(lambda: first.detection.candidate_count > 0, "first raised no candidate")
    assert not second.active
    assert second.detection.cursor is None  # it never scored while the first held the lease
    assert second.takeovers == 0

    stop_first.set()
    t1.join(30)
    handed = first.detection.cursor
    assert handed is not None
    _wait(lambda: second.active, "the standby never took over")
    assert second.takeovers == 1
    assert second.detection.cursor is not None
    assert second.detection.cursor >= handed  # continued where the first stopped
    stop_second.set()
    t2.join(30)
    assert not t2.is_alive()


@pytest.mark.slow
def test_the_command_runs_as_a_service_and_stops_cleanly_on_sigterm(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("detectors-cmd")
    with open_store(StoreConfig(path=str(root / "store"))) as made:
        made.migrate()
    env = {**os.environ, "TOOLTRAIL_DETECT_MODEL_DIR": str(root / "models")}
    command = [sys.executable, "-c", "from tooltrail.cli import main; main()", "detectors", "run"]
    proc = subprocess.Popen(
        [*command, "--store-path", str(root / "store"), "--holder", "solo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "tooltrail detectors: solo watching" in first, first
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert "solo stopped" in out
