"""Writes the contract's test vectors. Run once when the spec changes: ``python -m tests.vectors.generate``.

The files are the spec's examples for implementers in other languages; ``tests/contract/
test_vectors.py`` holds this implementation to them (it never regenerates them). ``chain.json``
and ``tamper.json`` are of the current ``SPEC_VERSION`` (2); ``chain_v1.json`` is the version 1
vector as it was written, frozen (not regenerated): events stored as version 1 must verify for
ever.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from tooltrail.contract import (
    GENESIS_HASH,
    SPEC_VERSION,
    Signer,
    canonical_bytes,
    canonicalize,
    checkpoint_body,
    compute_hash,
    seal,
    verify,
)

HERE = Path(__file__).parent
SEED = bytes(range(32))  # test key: never use outside vectors
HMAC_KEY = b"tooltrail test vector key"

JCS_INPUTS = {
    "rfc8785-3.2.2": '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    "rfc8785-3.2.3-sorting": '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    "nested-arrays-and-escapes": '{"b": [1, 2.5, -0.0, 1e21, 1e-7, 123456789012], "a": {"z": "tab\\tquote\\"", "y": "\\u2028 \\u007f \\u00e9"}}',
    "integers-beyond-2^53": "[9007199254740993, -18446744073709551616]",
}


def stream() -> list[dict[str, Any]]:
    base = {
        "v": SPEC_VERSION,
        "source": {"kind": "server", "name": "fs-server", "version": "1.4.2", "hostname": "web-1"},
        "mcp.protocol.version": "2025-11-25",
        "tooltrail.transport": "streamable-http",
        "network.transport": "tcp",
        "network.protocol.name": "http",
        "server.address": "fs-server.tools.internal",
        "server.port": 8443,
    }
    drafts: list[dict[str, Any]] = [
        {
            "event_id": "019abcde-f012-7345-8678-9abcdef01234",
            "ts": 1764150000000000,
            "mcp.method.name": "tools/call",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "read_file",
            "tooltrail.tools.hash": "3b5d5c3712955042212316173ccf37be800d3fa8b3ec8c4c9d0b4bbd1e4ba39e",
            "outcome": "ok",
            "duration_us": 1532,
            "args_bytes": 27,
            "result_bytes": 20480,
            "actor": {"user": "u-17", "client": "cursor", "client_version": "2.1.0"},
            "mcp.session.id": "9f1c2a7e",
            "jsonrpc.request.id": "7",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "span_id": "00f067aa0ba902b7",
        },
        {
            "event_id": "019abcde-f013-7345-8678-9abcdef01235",
            "ts": 1764150000250000,
            "mcp.method.name": "resources/read",
            "mcp.resource.uri": "postgres://app:[REDACTED:url_password]@db/prod",
            "outcome": "denied",
            "error.type": "forbidden",
            "duration_us": 88,
            "redactions": {"url_password": 1},
            "actor": {"user": "u-17", "client": "cursor"},
        },
        {
            "event_id": "019abcde-f014-7345-8678-9abcdef01236",
            "ts": 1764150001000000,
            "mcp.method.name": "tools/call",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "search",
            "outcome": "error",
            "error.type": "TimeoutError",
            "duration_us": 30000125,
            "args_bytes": 58,
            "args": {
                "query": "quarterly report ü",
                "limit": 10,
                "threshold": 0.75,
                "token": "[REDACTED:secret_key]",
            },
            "redactions": {"secret_key": 1},
        },
    ]
    events = []
    prev = GENESIS_HASH
    for seq, d in enumerate(drafts):
        ev = {**base, **d}
        seal(ev, "fs-server.5d41402abc4b2a76", seq, prev)
        prev = ev["hash"]
        events.append(ev)
    return events


def main() -> None:
    jcs = [
        {"name": k, "input": v, "canonical": canonicalize(json.loads(v)).decode("utf-8")}
        for k, v in JCS_INPUTS.items()
    ]
    (HERE / "jcs.json").write_text(json.dumps(jcs, indent=2, ensure_ascii=False) + "\n")

    signer = Signer(SEED)
    events = stream()
    head = events[-1]
    cp = signer.sign(
        checkpoint_body(head["stream_id"], head["seq"], head["hash"], 1764150002000000)
    )
    args = {"path": "/srv/reports/q3.csv", "limit": 100}
    chain = {
        "genesis_prev_hash": GENESIS_HASH,
        "signing_seed_b64": base64.b64encode(SEED).decode(),
        "public_key_b64": signer.public_key_b64,
        "key_id": signer.key_id,
        "events": events,
        "canonical": [canonical_bytes(e).decode("utf-8") for e in events],
        "checkpoint": cp,
        "checkpoint_canonical": canonicalize({k: v for k, v in cp.items() if k != "sig"}).decode(),
        "fingerprint": {
            "key_utf8": HMAC_KEY.decode(),
            "args": args,
            "canonical": canonicalize(args).decode(),
            "hmac_sha256": hmac.new(HMAC_KEY, canonicalize(args), hashlib.sha256).hexdigest(),
        },
    }
    (HERE / "chain.json").write_text(json.dumps(chain, indent=2, ensure_ascii=False) + "\n")

    cases = []

    def case(name: str, evs: list[dict[str, Any]]) -> None:
        report = verify(evs, [cp], [signer.public_key], raise_on_break=False)
        f = report.findings[0]
        cases.append(
            {
                "name": name,
                "events": evs,
                "checkpoints": [cp],
                "expect": {"class": f.cls, "seq": f.seq},
            }
        )

    e = copy.deepcopy(events)
    e[1]["outcome"] = "ok"
    case("modified-content", e)
    e = copy.deepcopy(events)
    e[0]["duration_us"] = 1
    e[0]["hash"] = compute_hash(e[0])
    case("modified-and-rehashed", e)
    case("deleted-middle", [events[0], events[2]])
    case("truncated-tail", events[:2])
    case("reordered", [events[1], events[0], events[2]])
    forged = copy.deepcopy(events[1])
    forged["outcome"] = "ok"
    forged["hash"] = compute_hash(forged)
    case("inserted", [events[0], forged, events[1], events[2]])
    case("replayed", [events[0], events[1], events[1], events[2]])
    (HERE / "tamper.json").write_text(json.dumps(cases, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
