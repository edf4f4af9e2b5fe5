"""Who may write: each refused key gets its status, and the stream is left untouched."""

from __future__ import annotations

import time

import pytest

from tooltrail.collector.auth import KeyStore

from ..conftest import build_chain
from .conftest import STREAM, Collector, MakeCollector


def assert_untouched(c: Collector) -> None:
    assert c.sink.delivered == []
    assert c.heads.get(STREAM) is None


def test_a_valid_key_writes_its_own_stream(collector: Collector) -> None:
    r = collector.post(build_chain(3))
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 3
    assert collector.heads.get(STREAM) is not None


def test_missing_key_is_401_with_a_bearer_challenge(collector: Collector) -> None:
    r = collector.post(build_chain(3), token="")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert "missing Authorization" in r.json()["message"]
    assert_untouched(collector)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Basic dXNlcjpwYXNz", "Bearer"),
        ("Bearer ", "Bearer"),
        ("Bearer not-a-key", "malformed API key"),
    ],
)
def test_malformed_authorization_is_401(collector: Collector, header: str, message: str) -> None:
    r = collector.post(build_chain(3), headers={"Authorization": header})
    assert r.status_code == 401
    assert message in r.json()["message"]
    assert_untouched(collector)


def test_wrong_secret_is_401(collector: Collector) -> None:
    key_id = collector.token.split("_")[1]
    wrong = f"tt_{key_id}_{'A' * 43}"
    r = collector.post(build_chain(3), token=wrong)
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized", "message": "unknown API key"}
    assert_untouched(collector)


def test_unknown_key_id_is_401(collector: Collector) -> None:
    r = collector.post(build_chain(3), token=f"tt_000000000000_{'A' * 43}")
    assert r.status_code == 401
    assert_untouched(collector)


def test_revoked_key_is_401_on_the_running_collector(collector: Collector, keys: KeyStore) -> None:
    # another process (the CLI) revokes: the running collector notices the file changed
    KeyStore(keys.path).revoke(collector.token.split("_")[1])
    r = collector.post(build_chain(3))
    assert r.status_code == 401
    assert "revoked" in r.json()["message"]
    assert_untouched(collector)


def test_expired_key_is_401(collector: Collector, keys: KeyStore) -> None:
    _, token = keys.create("svc", expires=time.time() + 0.05)
    time.sleep(0.1)
    r = collector.post(build_chain(3), token=token)
    assert r.status_code == 401
    assert "expired" in r.json()["message"]
    assert_untouched(collector)


def test_key_of_another_source_is_403(collector: Collector, keys: KeyStore) -> None:
    _, other = keys.create("billing")  # may write billing.*, not svc's stream
    r = collector.post(build_chain(3), token=other)
    assert r.status_code == 403
    message = r.json()["message"]
    assert "source" in message
    assert "'billing'" in message
    assert "'svc'" in message
    assert_untouched(collector)


def test_key_limited_to_other_streams_is_403(collector: Collector, keys: KeyStore) -> None:
    _, narrow = keys.create("svc", streams=["svc.only-this-one"])
    r = collector.post(build_chain(3), token=narrow)
    assert r.status_code == 403
    assert STREAM in r.json()["message"]
    assert_untouched(collector)


def test_an_event_claiming_another_source_is_403(collector: Collector) -> None:
    events = build_chain(3)
    events[1]["source"] = {"kind": "server", "name": "billing"}
    r = collector.post(events)
    assert r.status_code == 403
    assert r.json()["message"].startswith("event[1].source.name")
    assert_untouched(collector)


def test_two_active_keys_rotate_without_downtime(make_collector: MakeCollector) -> None:
    c = make_collector()
    old = c.token
    _, new = c.keys.create("svc")
    events = build_chain(6)
    assert c.post(events[:3], token=old).status_code == 202
    assert c.post(events[3:], token=new).status_code == 202
    KeyStore(c.keys.path).revoke(old.split("_")[1])
    assert c.post(events[3:], token=old).status_code == 401
    r = c.post(events[3:], token=new)  # a resend with the new key: still idempotent
    assert (r.status_code, r.json()["duplicates"]) == (202, 3)
