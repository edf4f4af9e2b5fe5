"""Checks the blind-built generators' tests share: every call is what a real emitter records, and
a slice driven through the real emitter → collector → store path equals ``to_frame``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.simulator import SimCall, Simulation, drive, to_frame

__all__ = ["assert_recordable", "assert_stored_as_framed"]

_COLS = ["ts", "source_name", "method", "tool", "resource_uri", "user", "agent", "client",
         "outcome", "error_type", "args_bytes", "result_bytes", "args_fingerprint"]  # fmt: skip


def assert_recordable(
    calls: Iterable[SimCall], server_of: Callable[[str], str], uri_schemes: tuple[str, ...]
) -> None:
    """Outcomes, actors, sizes as an emitter records them; a resource only on resources/read."""
    for c in calls:
        assert c.outcome in ("ok", "error", "denied")
        assert (c.error_type is None) == (c.outcome == "ok")
        assert c.duration_us > 0
        assert c.result_bytes > 0
        assert all((c.user, c.agent, c.client, c.client_version, c.session_id))
        if c.method == "tools/call":
            assert c.tool
            assert c.resource_uri is None
            assert server_of(c.tool) == c.server
        elif c.method == "resources/read":
            assert c.tool is None
            assert c.resource_uri
            assert c.resource_uri.startswith(uri_schemes)


def assert_stored_as_framed(
    part: Simulation, tmp_path: Path, key: bytes, annotations: Mapping[str, Mapping[str, object]]
) -> None:
    """Drive ``part`` through a real collector and store; the rows equal :func:`to_frame`'s."""
    servers = sorted({c.server for c in part.calls})
    keys_file = tmp_path / "keys.json"
    with Stack(store_path=tmp_path / "store", keys_file=keys_file, port=0) as stack:
        keys = KeyStore(keys_file)
        drive(part, collector_url=stack.url, api_keys={s: keys.create(s)[1] for s in servers},
              spool_root=tmp_path / "spool", fingerprint_key=key, on_signer=keys.add_signer,
              annotations=annotations)  # fmt: skip
        hints = (
            "JSONExtractString(attrs, 'tooltrail.tool.hints') AS tool_hints, "
            "JSONExtractString(attrs, 'tooltrail.call.effect') AS call_effect"
        )
        stored = stack.store.query_df(
            f"SELECT {', '.join(_COLS)}, {hints} FROM {stack.store.database}.events "
            "ORDER BY ts, source_name, seq"
        )
    frame = to_frame(part, fingerprint_key=key, annotations=annotations)
    frame = frame.sort_values(["ts", "source_name"], kind="stable")
    want = [tuple(r) for r in frame[[*_COLS, "tool_hints", "call_effect"]].itertuples(index=False)]
    assert [tuple(r) for r in stored.itertuples(index=False)] == want
