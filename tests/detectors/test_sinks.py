"""Alert sinks and the dispatcher, against real local HTTP receivers (tests/detectors/_http.py)."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from rich.console import Console

from tooltrail.detectors.alert import Alert, EventRefs, FeatureEvidence, Severity
from tooltrail.detectors.errors import SinkError
from tooltrail.detectors.metrics import Metrics
from tooltrail.detectors.sinks import (
    AlertSink,
    BadSignature,
    ConsoleSink,
    Dispatcher,
    RetryableSinkError,
    SlackSink,
    WebhookSink,
    build_sinks,
    sign,
    verify_signature,
)
from tooltrail.detectors.sinks.base import is_retryable
from tooltrail.detectors.sinks.slack import render
from tooltrail.detectors.sinks.webhook import encode_body

from ._http import Receiver, Reply

SECRET = b"s3cret-for-tests"
START = 1_764_000_000_000_000  # 2025-11-24 16:00:00 UTC in µs
LINK = "https://grafana.example/d/tooltrail-user?var-user=u-17&from=1764000000000"


def make_alert(i: int = 0, *, severity: Severity = "high", link: str = LINK, **kw: object) -> Alert:
    fields: dict[str, object] = {
        "severity": severity,
        "detector": "rule:denial_burst",
        "entity_kind": "user",
        "entity": "u-17",
        "window_start": START,
        "window_end": START + 300_000_000,
        "score": 7.25,
        "reason": f"14 denied calls in 5 minutes; usually none (#{i})",
        "dedupe_key": f"rule:denial_burst|u-17|{i}",
        "features": (
            FeatureEvidence("denials", 14, 0, 2, "entity"),
            FeatureEvidence("distinct_tools", 9, 3, 5.5, "group"),
        ),
        "events": EventRefs(14, ("e-1", "e-2"), ("s-1", "s-2", "s-3", "s-4"), ("t-1",)),
        "link": link,
        **kw,
    }
    return Alert(**fields)  # type: ignore[arg-type]


def counter(metrics: Metrics, what: str, sink: str) -> float:
    value = metrics.registry.get_sample_value(f"tooltrail_alert_sink_{what}_total", {"sink": sink})
    return value or 0.0


def free_port_url() -> str:
    """A URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def sink_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tooltrail-sink-")]


# ---------------------------------------------------------------------------- Slack
def test_slack_posts_block_kit_with_fallback_features_and_button() -> None:
    alert = make_alert()
    with Receiver() as rx:
        SlackSink(rx.url + "/services/T0/B0/xyz").send(alert)
        assert rx.wait_for(1)
    got = rx.requests[0]
    assert got.path == "/services/T0/B0/xyz"
    assert got.headers["content-type"].startswith("application/json")
    body = got.json()
    assert body == render(alert)
    assert "HIGH" in body["text"]
    assert "u-17" in body["text"]
    assert "14 denied calls" in body["text"]
    types = [b["type"] for b in body["blocks"]]
    assert types == ["header", "section", "section", "section", "context", "actions"]
    header, reason, facts, features, context, actions = body["blocks"]
    assert header["text"]["text"] == "HIGH · rule:denial_burst · user u-17"
    assert reason["text"]["text"] == alert.reason
    fields = "\n".join(f["text"] for f in facts["fields"])
    assert "`u-17`" in fields
    assert "rule:denial_burst" in fields
    assert "7.25" in fields
    assert "2025-11-24 16:00:00 – 16:05:00 UTC" in fields
    assert datetime.fromtimestamp(START / 1e6, UTC).hour == 16  # the expectation itself
    text = features["text"]["text"]
    assert "denials: 14 (usual p50 0, p99 2; entity baseline)" in text
    assert "distinct_tools: 9 (usual p50 3, p99 5.5; group baseline)" in text
    ctx = " ".join(e["text"] for e in context["elements"])
    assert "14 events" in ctx
    assert "`s-1`" in ctx
    assert "+1" in ctx
    assert "`t-1`" in ctx
    assert alert.id in ctx
    (button,) = actions["elements"]
    assert button["text"]["text"] == "Investigate"
    assert button["url"] == alert.link


def test_slack_omits_the_button_without_a_link_and_escapes_event_text() -> None:
    alert = make_alert(link="", entity="<!channel> & <https://evil|click>", features=())
    with Receiver() as rx:
        SlackSink(rx.url).send(alert)
        assert rx.wait_for(1)
    body = rx.requests[0].json()
    types = [b["type"] for b in body["blocks"]]
    assert types == ["header", "section", "section", "context"]  # no features, no actions
    raw = rx.requests[0].body.decode()
    assert "<!channel>" not in json.loads(raw)["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" in body["text"]
    mrkdwn = [f["text"] for f in body["blocks"][2]["fields"]]
    assert not any("<!channel>" in t for t in mrkdwn)


def test_slack_classifies_answers_for_the_dispatcher() -> None:
    script = [(429, {"Retry-After": "7"}), Reply(503, body=b"busy"), Reply(400, body=b"bad")]
    with Receiver(script) as rx:
        sink = SlackSink(rx.url, timeout=5)
        with pytest.raises(RetryableSinkError) as rate:
            sink.send(make_alert())
        assert rate.value.retry_after == 7.0
        assert "429" in str(rate.value)
        with pytest.raises(RetryableSinkError, match="503: busy"):
            sink.send(make_alert())
        with pytest.raises(SinkError, match="400: bad") as final:
            sink.send(make_alert())
        assert not is_retryable(final.value)
        sink.send(make_alert())  # then 200
        assert len(rx.requests) == 4
    with pytest.raises(RetryableSinkError, match="no answer"):
        SlackSink(free_port_url(), timeout=5).send(make_alert())


def test_slack_url_is_validated_and_kept_out_of_repr() -> None:
    with pytest.raises(ValueError, match="webhook_url"):
        SlackSink("hooks.slack.com/services/x")
    assert "T0SECRET" not in repr(SlackSink("https://hooks.slack.com/services/T0SECRET"))


# ---------------------------------------------------------------------------- webhook
def test_webhook_posts_signed_json_that_verifies() -> None:
    alert = make_alert()
    with Receiver() as rx:
        WebhookSink(rx.url + "/alerts", SECRET).send(alert)
        assert rx.wait_for(1)
    got = rx.requests[0]
    assert got.method == "POST"
    assert got.path == "/alerts"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-tooltrail-alert-id"] == alert.id
    doc = got.json()
    assert doc == {"type": "tooltrail.alert", "version": 1, "alert": alert.to_dict()}
    assert Alert.from_dict(doc["alert"]) == alert
    assert got.body == json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    assert got.body == encode_body(alert)
    ts, sig = got.headers["x-tooltrail-timestamp"], got.headers["x-tooltrail-signature"]
    assert sig == sign(SECRET, ts, got.body)
    assert sig.startswith("v1=")
    verify_signature(SECRET, timestamp=ts, body=got.body, signature=sig)


NOW = 1_764_000_000.0
BODY = b'{"alert":{},"type":"tooltrail.alert","version":1}'
GOOD = sign(SECRET, "1764000000", BODY)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature", "rule", "words"),
    [
        (SECRET, "1764000000", BODY + b" ", GOOD, "mismatch", "no signature matches"),
        (b"another-secret", "1764000000", BODY, GOOD, "mismatch", "no signature matches"),
        (
            SECRET,
            "1763999600",
            BODY,
            sign(SECRET, "1763999600", BODY),
            "replay_window",
            "400 s old",
        ),
        (SECRET, "1764000400", BODY, sign(SECRET, "1764000400", BODY), "replay_window", "ahead"),
        (SECRET, "1764000000", BODY, "v1=abc", "malformed_header", "64 hex digits"),
        (SECRET, "1764000000", BODY, "sha256=" + GOOD[3:], "malformed_header", "no v1="),
        (SECRET, "17640OOOOO", BODY, GOOD, "malformed_header", "not unix seconds"),
        (SECRET, None, BODY, GOOD, "missing_header", "X-Tooltrail-Timestamp"),
        (SECRET, "1764000000", BODY, "", "missing_header", "X-Tooltrail-Signature"),
    ],
    ids=[
        "tampered",
        "wrong-secret",
        "too-old",
        "future",
        "short",
        "scheme",
        "ts",
        "no-ts",
        "no-sig",
    ],
)
def test_verify_signature_rejects_naming_the_rule(
    secret: bytes, timestamp: str | None, body: bytes, signature: str, rule: str, words: str
) -> None:
    with pytest.raises(BadSignature) as exc:
        verify_signature(secret, timestamp=timestamp, body=body, signature=signature, now=NOW)
    assert exc.value.rule == rule
    assert rule in str(exc.value)
    assert words in str(exc.value)


def test_verify_signature_accepts_any_of_several_keys_during_rotation() -> None:
    old, new = b"old-key", b"new-key"
    header = f"{sign(old, '1764000000', BODY)}, {sign(new, '1764000000', BODY)}"
    for key in (old, new):
        verify_signature(key, timestamp="1764000000", body=BODY, signature=header, now=NOW)
    with pytest.raises(BadSignature, match="mismatch"):
        verify_signature(b"third", timestamp="1764000000", body=BODY, signature=header, now=NOW)
    # inside the window on the edge, outside one second later
    verify_signature(new, timestamp="1764000000", body=BODY, signature=header, now=NOW + 300)
    with pytest.raises(BadSignature, match="replay_window"):
        verify_signature(new, timestamp="1764000000", body=BODY, signature=header, now=NOW + 301)


def test_webhook_refuses_an_empty_secret_and_a_bad_url() -> None:
    with pytest.raises(ValueError, match="webhook_secret"):
        WebhookSink("http://127.0.0.1:9/hook", b"")
    with pytest.raises(ValueError, match="webhook_secret"):
        sign(b"", "1", b"x")
    with pytest.raises(ValueError, match="webhook_url"):
        WebhookSink("ftp://example/hook", SECRET)


def test_webhook_refuses_an_alert_with_nan_without_posting() -> None:
    with Receiver() as rx:
        sink = WebhookSink(rx.url, SECRET)
        with pytest.raises(SinkError, match="cannot be encoded") as exc:
            sink.send(make_alert(score=float("nan")))
        assert not is_retryable(exc.value)
        assert rx.requests == []


def test_webhook_does_not_follow_redirects() -> None:
    with Receiver([(307, {"Location": "/elsewhere"})]) as rx:
        with pytest.raises(SinkError, match="307") as exc:
            WebhookSink(rx.url, SECRET).send(make_alert())
        assert not is_retryable(exc.value)
        assert [r.path for r in rx.requests] == ["/"]


# ---------------------------------------------------------------------------- dispatcher
SinkFactory = Callable[[str], AlertSink]
FACTORIES: dict[str, SinkFactory] = {
    "slack": lambda url: SlackSink(url, timeout=5),
    "webhook": lambda url: WebhookSink(url, SECRET, timeout=5),
}


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_retries_until_delivered(kind: str) -> None:
    metrics = Metrics()
    with Receiver([500, 500, 200]) as rx:
        sink = FACTORIES[kind](rx.url)
        with Dispatcher([sink], metrics=metrics, backoff=0.01, backoff_max=0.05) as d:
            d.submit(make_alert())
            assert d.flush(10)
        assert len(rx.requests) == 3
        assert len({r.body for r in rx.requests}) == 1  # the same alert each time
    assert counter(metrics, "sent", kind) == 1
    assert counter(metrics, "retries", kind) == 2
    assert counter(metrics, "failures", kind) == 0


def test_retry_after_is_honoured() -> None:
    metrics = Metrics()
    with Receiver([(429, {"Retry-After": "1"}), 200]) as rx:
        sink = WebhookSink(rx.url, SECRET)
        with Dispatcher([sink], metrics=metrics, backoff=0.01, backoff_max=0.02) as d:
            d.submit(make_alert())
            assert d.flush(10)
    first, second = rx.requests
    assert second.at - first.at >= 0.9  # waited for Retry-After, not the 0.02 s backoff
    assert counter(metrics, "retries", "webhook") == 1
    assert counter(metrics, "sent", "webhook") == 1


def test_a_final_error_is_not_retried() -> None:
    metrics = Metrics()
    with Receiver([400]) as rx:
        with Dispatcher([WebhookSink(rx.url, SECRET)], metrics=metrics, backoff=0.01) as d:
            d.submit(make_alert())
            assert d.flush(10)
        assert len(rx.requests) == 1
    assert counter(metrics, "failures", "webhook") == 1
    assert counter(metrics, "retries", "webhook") == 0
    assert counter(metrics, "sent", "webhook") == 0


def test_gives_up_after_its_retries() -> None:
    metrics = Metrics()
    with Receiver(default=503) as rx:
        sink = WebhookSink(rx.url, SECRET)
        with Dispatcher([sink], metrics=metrics, retries=2, backoff=0.01) as d:
            d.submit(make_alert())
            assert d.flush(10)
        assert len(rx.requests) == 3
    assert counter(metrics, "failures", "webhook") == 1
    assert counter(metrics, "retries", "webhook") == 2
    assert counter(metrics, "sent", "webhook") == 0


def test_a_hanging_sink_delays_neither_the_caller_nor_the_healthy_sink() -> None:
    metrics = Metrics()
    n = 20
    with Receiver(default=500, hold=True) as dead, Receiver() as healthy:
        sinks = [
            WebhookSink(dead.url, SECRET, timeout=30, name="dead"),
            WebhookSink(healthy.url, SECRET, name="healthy"),
        ]
        d = Dispatcher(sinks, metrics=metrics, retries=1, backoff=0.01, backoff_max=0.02)
        for i in range(n):
            d.submit(make_alert(i))  # returns although "dead" has not answered anything
        assert healthy.wait_for(n, timeout=10)
        assert d.flush(0.05) is False  # "dead" is still busy
        assert len(dead.requests) == 1  # the first send to "dead" still hangs
        assert counter(metrics, "sent", "healthy") == n
        assert counter(metrics, "failures", "dead") == 0
        dead.release()  # now it answers 500: one retry each, then give up
        d.close(timeout=10)
    ids = [r.headers["x-tooltrail-alert-id"] for r in healthy.requests]
    assert ids == [make_alert(i).id for i in range(n)]  # in order, none lost
    assert counter(metrics, "failures", "dead") == n
    assert counter(metrics, "failures", "healthy") == 0
    assert counter(metrics, "sent", "dead") == 0


def test_an_unreachable_sink_fails_alone_and_close_accounts_for_every_alert() -> None:
    metrics = Metrics()
    n = 10
    with Receiver() as healthy:
        sinks = [
            WebhookSink(free_port_url(), SECRET, name="down"),
            SlackSink(healthy.url, name="slack"),
        ]
        d = Dispatcher(sinks, metrics=metrics, retries=3, backoff=0.5, backoff_max=2)
        for i in range(n):
            d.submit(make_alert(i))
        assert healthy.wait_for(n, timeout=10)
        # the first alert to "down" needs >= 0.25 + 0.5 + 1 s of backoff before it fails
        assert counter(metrics, "failures", "down") == 0
        d.close(timeout=0.1)
    assert counter(metrics, "sent", "slack") == n
    assert counter(metrics, "failures", "down") == n  # 1 interrupted + 9 still queued
    assert counter(metrics, "sent", "down") == 0
    assert sink_threads() == []


def test_close_interrupts_a_backoff_wait() -> None:
    metrics = Metrics()
    with Receiver(default=500) as rx:
        d = Dispatcher([WebhookSink(rx.url, SECRET)], metrics=metrics, backoff=60, backoff_max=60)
        d.submit(make_alert())
        assert rx.wait_for(1)
        d.close(timeout=0.1)  # the worker is in a >= 30 s backoff wait
        assert sink_threads() == []  # it woke up and stopped
        assert len(rx.requests) == 1
    assert counter(metrics, "failures", "webhook") == 1
    assert counter(metrics, "retries", "webhook") == 0
    d.close()  # idempotent
    d.submit(make_alert(1))  # ignored after close, no exception
    assert len(rx.requests) == 1


def test_min_severity_filters() -> None:
    with Receiver() as rx, Dispatcher([WebhookSink(rx.url, SECRET)], min_severity="high") as d:
        for i, sev in enumerate(("low", "medium", "high", "critical", "medium")):
            d.submit(make_alert(i, severity=sev))  # type: ignore[arg-type]
        assert d.flush(10)
    assert [r.json()["alert"]["severity"] for r in rx.requests] == ["high", "critical"]
    with pytest.raises(ValueError, match="min_severity"):
        Dispatcher([], min_severity="urgent")  # type: ignore[arg-type]


def test_full_queue_drops_the_oldest_and_counts() -> None:
    metrics = Metrics()
    with Receiver(hold=True) as rx:
        d = Dispatcher([WebhookSink(rx.url, SECRET)], metrics=metrics, queue_size=2)
        d.submit(make_alert(0))
        assert rx.wait_for(1)  # alert 0 is in flight, held by the receiver
        for i in range(1, 5):
            d.submit(make_alert(i))  # queue [1, 2] → [2, 3] → [3, 4]
        assert counter(metrics, "dropped", "webhook") == 2
        assert d.flush(0.05) is False  # held: not drained
        rx.release()
        assert d.flush(10)
        d.close()
    ids = [r.headers["x-tooltrail-alert-id"] for r in rx.requests]
    assert ids == [make_alert(i).id for i in (0, 3, 4)]
    assert counter(metrics, "sent", "webhook") == 3


class _Broken:
    """A sink with a bug (raises something that is not a SinkError) on alerts with odd ids."""

    name = "broken"

    def __init__(self) -> None:
        self.delivered: list[str] = []

    def send(self, alert: Alert) -> None:
        if alert.dedupe_key.endswith(("1", "3")):
            raise RuntimeError("bug in a sink")
        self.delivered.append(alert.dedupe_key)


def test_a_buggy_sink_is_not_retried_and_its_worker_survives() -> None:
    metrics = Metrics()
    broken = _Broken()
    assert isinstance(broken, AlertSink)
    with Dispatcher([broken], metrics=metrics, backoff=0.01) as d:
        for i in range(5):
            d.submit(make_alert(i))
        d.submit(make_alert(9, severity="bogus"))  # type: ignore[arg-type]  # logged, not raised
        assert d.flush(10)
    assert broken.delivered == [make_alert(i).dedupe_key for i in (0, 2, 4)]
    assert counter(metrics, "failures", "broken") == 2
    assert counter(metrics, "retries", "broken") == 0


def test_dispatcher_refuses_duplicate_sink_names() -> None:
    with pytest.raises(ValueError, match="unique"):
        Dispatcher([WebhookSink("http://127.0.0.1:9/", SECRET)] * 2)


# ---------------------------------------------------------------------------- console, build
def test_console_prints_a_readable_panel_without_interpreting_markup() -> None:
    out = io.StringIO()
    sink = ConsoleSink(Console(file=out, width=120, color_system=None))
    sink.send(make_alert(reason="[bold]14[/bold] denied calls"))
    text = out.getvalue()
    assert "HIGH · rule:denial_burst · user u-17" in text
    assert "[bold]14[/bold] denied calls" in text
    assert "denials: 14 (usual p50 0, p99 2; entity baseline)" in text
    assert LINK in text


def test_console_on_a_closed_stream_fails_finally() -> None:
    out = io.StringIO()
    sink = ConsoleSink(Console(file=out))
    out.close()
    with pytest.raises(SinkError) as exc:
        sink.send(make_alert())
    assert not is_retryable(exc.value)


def test_build_sinks() -> None:
    with pytest.raises(ValueError, match="webhook_secret"):
        build_sinks(
            slack_webhook_url=None, webhook_url="http://x/hook", webhook_secret=None, console=False
        )
    assert (
        build_sinks(slack_webhook_url=None, webhook_url=None, webhook_secret=None, console=False)
        == []
    )
    sinks = build_sinks(
        slack_webhook_url="https://hooks.slack.com/services/T/B/X",
        webhook_url="https://alerts.example/hook",
        webhook_secret=SECRET,
        console=True,
    )
    assert [s.name for s in sinks] == ["slack", "webhook", "console"]
    assert all(isinstance(s, AlertSink) for s in sinks)
