"""Reconciliation: the host-side and server-side events of one MCP call, joined and compared.

A call audited on both sides leaves two events: the host's (``audit_client``) and the server's
(``audit_server``, or ``tooltrail wrap``). They are joined by the key the detectors already use
to count such a call once (:data:`~tooltrail.detectors.features.MIRROR_KEY`: trace, method,
tool, resource), the trace replaced by ``jsonrpc.request.id`` + ``mcp.session.id`` when an
event has no trace id but both of those; events sharing a key pair up in time order. A host-side
event with neither join key is never judged; a server-side one can have no twin (an audited host
always sends its trace: a ``traceparent``, or ``io.tooltrail/trace`` without OpenTelemetry), so
it is judged as one-sided. What a join can show (:func:`reconcile`):

=======================  ========  ============================================================
kind                     severity  when
=======================  ========  ============================================================
``args_differ``          high      both sides fingerprinted the arguments, differently
``result_size_differs``  medium    both ``ok``, result sizes apart by more than the tolerance
``host_only``            medium    the host's event has no server twin, and the host is paired
                                   with a server that serves this method and tool
``server_only``          medium    the server's event has no host twin, and the server is paired
                                   with a host through the client the event names
=======================  ========  ============================================================

**Pairs** keep a host-only deployment quiet: a (host source, server source, client) *pair* is
known once one call of theirs joined, and a one-sided event is judged only against pairs known
no later than its own time plus the grace period (so a replay judges it as live did).

**Grace**: a call is judged only when events up to its time plus the grace have arrived (the
caller passes a range that ends that far behind its watermark), and the twin is looked for up
to ``skew`` either side of the judged range (clock skew between the two hosts, call duration).

**Result sizes**: the host measures the result as the SDK parsed and dumped it again, the
server hook as it dumped it, a relay (``tooltrail wrap``) the whole response on the wire, whose
JSON-RPC envelope is taken off here (``docs/event-contract.md``); small differences remain
(number forms, an id's quotes), so only a difference above both ``min_bytes`` and ``share`` of
the larger size is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]

from .features import MIRROR_KEY

__all__ = [
    "CALL_METHODS",
    "Finding",
    "PairKey",
    "Pairs",
    "SizeTolerance",
    "join_keys",
    "reconcile",
]

CALL_METHODS: Final = ("tools/call", "resources/read", "prompts/get")
"""The methods both sides record per call (``tools/list`` events describe a server, not a call)."""

PairKey = tuple[str, str, str]
"""(host source name, server source name, client name)."""


@dataclass(frozen=True, slots=True)
class SizeTolerance:
    min_bytes: int = 32
    share: float = 0.05

    def differs(self, a: int, b: int) -> bool:
        return abs(a - b) > max(self.min_bytes, self.share * max(a, b))


@dataclass
class Pairs:
    """What joined before: when each pair first matched, and what each server served."""

    first: dict[PairKey, int]
    served: set[tuple[str, str, str]]  # (server source, method, tool)

    def servers_for(self, host: str, method: str, tool: str, by: int) -> list[str]:
        """Servers paired with ``host`` by event time ``by`` that serve ``method``/``tool``."""
        return sorted(
            {
                s
                for (h, s, _c), t in self.first.items()
                if h == host and t <= by and (s, method, tool) in self.served
            }
        )

    def hosts_for(self, server: str, client: str, by: int) -> list[str]:
        """Hosts paired with ``server`` through ``client`` by event time ``by``."""
        return sorted(
            {h for (h, s, c), t in self.first.items() if s == server and c == client and t <= by}
        )


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    severity: str
    ts: int
    method: str
    tool: str
    host: str
    server: str
    client: str
    session_id: str
    trace_id: str
    host_event_id: str
    server_event_id: str
    detail: str

    @property
    def key(self) -> str:
        return f"{self.host_event_id}|{self.server_event_id}"


def join_keys(events: pd.DataFrame) -> pd.Series:
    """Each event's join key ("" when it has none): :data:`MIRROR_KEY`, the trace replaced by
    ``r:<session>:<request id>`` when the event has no trace id but both of those."""
    trace = events["trace_id"].astype(str)
    session, request = events["session_id"].astype(str), events["request_id"].astype(str)
    fallback = ("r:" + session + "\x1f" + request).where((session != "") & (request != ""), "")
    head = ("t:" + trace).where(trace != "", fallback)
    key = head
    for col in MIRROR_KEY[1:]:
        key = key + "\x1f" + events[col].astype(str)
    return key.where(head != "", "")


def _sided(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    side = events.loc[events["source_kind"] == kind]
    if kind == "host":
        side = side.loc[side["jk"] != ""]
    else:  # a server event without a join key can have no twin: unmatched, so judged
        side = side.assign(jk=side["jk"].where(side["jk"] != "", "u:" + side["event_id"]))
    side = side.sort_values(["ts", "event_id"], kind="stable")
    return side.assign(nth=side.groupby("jk").cumcount())


def reconcile(
    events: pd.DataFrame,
    pairs: Pairs,
    since: int,
    until: int,
    *,
    grace_us: int,
    tolerance: SizeTolerance | None = None,
) -> list[Finding]:
    """Findings for the calls whose (host-side, else server-side) time is in ``[since, until)``.

    ``events``: both sides' call events from ``since - skew`` to ``until + skew`` (columns
    ``event_id ts source_kind source_name client method tool resource_uri trace_id session_id
    request_id args_fingerprint result_bytes outcome``, optionally ``relay``; ``result_bytes``
    -1 when absent)."""
    if events.empty:
        return []
    tol = tolerance or SizeTolerance()
    ev = events.assign(jk=join_keys(events), result_bytes=_result_sizes(events))
    cols = ["jk", "nth", *ev.columns.drop("jk")]
    host, server = _sided(ev, "host")[cols], _sided(ev, "server")[cols]
    joined = host.merge(server, on=["jk", "nth"], how="outer", suffixes=("_h", "_s"))
    anchor = joined["ts_h"].fillna(joined["ts_s"]).astype("int64")
    joined = joined.loc[(anchor >= since) & (anchor < until) & _suspect(joined, pairs, tol)]
    out: list[Finding] = []
    for row in joined.to_dict("records"):
        found = _judge(row, pairs, grace_us, tol)
        if found is not None:
            out.append(found)
    out.sort(key=lambda f: (f.ts, f.kind, f.key))
    return out


def _result_sizes(events: pd.DataFrame) -> pd.Series:
    """``result_bytes`` as the SDK hooks measure it (the result's compact JSON): a relay's
    (``attrs["tooltrail.relay"]``) counts the whole response, so its JSON-RPC envelope
    (``{"jsonrpc":"2.0","id":<id>,"result":`` … ``}``: 33 bytes and the id) comes off."""
    sizes = events["result_bytes"].astype("int64")
    if "relay" not in events.columns:
        return sizes
    relayed = (events["relay"].astype(str) != "") & (sizes >= 0)
    envelope = 33 + events["request_id"].astype(str).str.len()
    return sizes.where(~relayed, (sizes - envelope).clip(lower=0))


def _suspect(joined: pd.DataFrame, pairs: Pairs, tol: SizeTolerance) -> pd.Series:
    """Rows worth judging one by one (a superset of the findings): one-sided rows of a paired
    source, two-sided rows whose fingerprints or result sizes differ."""
    has_h, has_s = joined["event_id_h"].notna(), joined["event_id_s"].notna()
    hosts = {h for h, _s, _c in pairs.first}
    servers = {(s, c) for _h, s, c in pairs.first}
    host_only = has_h & ~has_s & joined["source_name_h"].isin(hosts)
    server_key = list(zip(joined["source_name_s"], joined["client_s"], strict=True))
    server_only = has_s & ~has_h & pd.Series([k in servers for k in server_key], joined.index)
    fp_h, fp_s = joined["args_fingerprint_h"].fillna(""), joined["args_fingerprint_s"].fillna("")
    size_h, size_s = joined["result_bytes_h"].fillna(-1), joined["result_bytes_s"].fillna(-1)
    gap = (size_h - size_s).abs() > tol.min_bytes
    both = has_h & has_s & (((fp_h != fp_s) & (fp_h != "") & (fp_s != "")) | gap)
    return host_only | server_only | both


def _text(row: Mapping[str, Any], col: str) -> str:
    value = row.get(col)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _judge(
    row: Mapping[str, Any], pairs: Pairs, grace_us: int, tol: SizeTolerance
) -> Finding | None:
    h_id, s_id = _text(row, "event_id_h"), _text(row, "event_id_s")
    side = "_h" if h_id else "_s"
    ts = int(row["ts" + side])
    method, tool = _text(row, "method" + side), _text(row, "tool" + side)
    what = tool or _text(row, "resource_uri" + side) or method
    host, server = _text(row, "source_name_h"), _text(row, "source_name_s")
    client = _text(row, "client_s") or _text(row, "client_h")

    def finding(kind: str, severity: str, detail: str, host: str, server: str) -> Finding:
        return Finding(
            kind, severity, ts, method, tool, host, server, client,
            _text(row, "session_id" + side), _text(row, "trace_id" + side), h_id, s_id, detail,
        )  # fmt: skip

    if h_id and not s_id:
        servers = pairs.servers_for(host, method, tool, ts + grace_us)
        if not servers:
            return None
        return finding(
            "host_only",
            "medium",
            f"host {host} sent {method} {what} but server {servers[0]}, audited and joined with "
            "this host before, never recorded it: dropped, or answered by something else?",
            host,
            servers[0],
        )
    if s_id and not h_id:
        hosts = pairs.hosts_for(server, client, ts + grace_us)
        if not hosts:
            return None
        return finding(
            "server_only",
            "medium",
            f"server {server} served {method} {what} for client {client or '?'} that no audited "
            f"host sent (host {hosts[0]} is joined with it): a call injected on the way?",
            hosts[0],
            server,
        )
    fp_h, fp_s = _text(row, "args_fingerprint_h"), _text(row, "args_fingerprint_s")
    if fp_h and fp_s and fp_h != fp_s:
        return finding(
            "args_differ",
            "high",
            f"{method} {what} reached server {server} with arguments other than those host "
            f"{host} sent (fingerprints {fp_h[:12]} and {fp_s[:12]}): altered on the way",
            host,
            server,
        )
    size_h, size_s = int(row.get("result_bytes_h", -1)), int(row.get("result_bytes_s", -1))
    both_ok = _text(row, "outcome_h") == _text(row, "outcome_s") == "ok"
    if both_ok and size_h >= 0 and size_s >= 0 and tol.differs(size_h, size_s):
        return finding(
            "result_size_differs",
            "medium",
            f"{method} {what}: server {server} returned {size_s} bytes, host {host} received "
            f"{size_h}: the result was altered on the way?",
            host,
            server,
        )
    return None
