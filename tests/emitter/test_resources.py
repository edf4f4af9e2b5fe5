"""Resources read off tool arguments: the documented rules, and the Fingerprint stage stores
only ``kind:fingerprint`` (never the raw value) when the event names no resource itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter.resources import RESOURCE_ATTR, resource_of
from tooltrail.emitter.stages import Fingerprint


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"path": "/srv/app/main.py"}, ("path", "/srv/app/main.py")),
        ({"file_path": "notes.md", "mode": "r"}, ("path", "notes.md")),
        ({"targetUrl": "https://example.test/a"}, ("uri", "https://example.test/a")),
        ({"url": "https://a.test", "path": "/x"}, ("uri", "https://a.test")),  # rule order
        ({"repo": "acme/api", "path": "src/a.py"}, ("path", "acme/api:src/a.py")),
        ({"bucket": "logs", "key": "2026/11/01.gz"}, ("object", "logs/2026/11/01.gz")),
        ({"table": "sales.orders", "limit": 10}, ("table", "sales.orders")),
        ({"repository": "acme/web", "state": "open"}, ("repo", "acme/web")),
        ({"channel": "#ops", "text": "hi"}, ("doc", "#ops")),
        ({"target": {"path": "/etc/hosts"}}, ("path", "/etc/hosts")),
        ({"q": "s3://bucket/key"}, ("uri", "s3://bucket/key")),
        ({"q": "read s3://bucket/key please"}, None),  # a URI inside prose is not a resource
        ({"sql": "SELECT 1", "n": 3}, None),
        ({"path": ""}, None),
        ({"path": "x" * 5000}, None),
        ("not a mapping", None),
    ],
)
def test_rules(args: Any, expected: tuple[str, str] | None) -> None:
    assert resource_of(args) == expected


def _stage(key: bytes, event: dict[str, Any]) -> dict[str, Any]:
    return Fingerprint(key)(dict(event))


def test_the_stage_stores_a_keyed_fingerprint_not_the_value() -> None:
    ev = {"mcp.method.name": "tools/call", "_args": {"path": "/home/ana/secret-plan.txt"}}
    out = _stage(b"k1", ev)
    kind, _, digest = out["attrs"][RESOURCE_ATTR].partition(":")
    assert kind == "path"
    assert len(digest) == 32
    assert int(digest, 16) >= 0
    assert "secret-plan" not in json.dumps(out)
    assert _stage(b"k1", ev)["attrs"] == out["attrs"]  # same key, same resource: same value
    assert _stage(b"k2", ev)["attrs"] != out["attrs"]  # another deployment cannot correlate
    other = {"mcp.method.name": "tools/call", "_args": {"path": "/home/ana/other.txt"}}
    assert _stage(b"k1", other)["attrs"] != out["attrs"]


def test_a_named_resource_or_no_key_derives_nothing() -> None:
    named = {"mcp.resource.uri": "file:///a", "_args": {"path": "/b"}}
    assert "attrs" not in _stage(b"k", named)
    assert "attrs" not in Fingerprint(None)({"_args": {"path": "/b"}})
    kept = _stage(b"k", {"attrs": {"client.address": "10.0.0.1"}, "_args": {"url": "https://x"}})
    assert kept["attrs"]["client.address"] == "10.0.0.1"
    assert kept["attrs"][RESOURCE_ATTR].startswith("uri:")


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=12,
    )
)
def test_odd_arguments_never_raise(args: Any) -> None:
    found = resource_of(args)
    assert found is None or (found[0] and found[1])
