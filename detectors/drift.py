"""Tool-description drift: each ``tools/list`` event compared with the observer's previous one.

An emitter records a server's tool list when it first sees it and whenever it changes
(``tooltrail.emitter.toollist``: per tool a hash of name, description and input schema, the
description's fingerprint, and the instruction markers its description trips). The *observer*
is the recording source (a host's ``audit_client``, a server's own hook, ``wrap``) together
with the server's ``serverInfo`` name; each listing is judged against that observer's previous
listing (:func:`judge_listing`):

==================  ========  ====================================================================
kind                severity  when
==================  ========  ====================================================================
``tool_injection``  critical  a tool new or changed in this listing whose description trips an
                              instruction marker (``<IMPORTANT>`` tags, "ignore previous …",
                              "do not tell the user", "before using this tool, read ~/.ssh …",
                              hidden Unicode: ``docs/event-contract.md``, "Tool lists")
``tool_changed``    high      a tool whose hash changed while the server version stayed the same
==================  ========  ====================================================================

A version change with clean descriptions is an upgrade, not a finding; a tool that is unchanged
since the previous listing is never judged again (a poisoned tool is reported once per observer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tooltrail.emitter.toollist import SERVER_NAME_ATTR, SERVER_VERSION_ATTR, TOOLS_ATTR

__all__ = ["DriftFinding", "Listing", "judge_listing", "listing_of"]


@dataclass(frozen=True, slots=True)
class Listing:
    """One ``tools/list`` event, read from its columns."""

    event_id: str
    ts: int
    observer: str  # the recording source's name
    server_name: str
    server_version: str
    tools: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class DriftFinding:
    kind: str
    severity: str
    listing: Listing
    tool: str
    detail: str

    @property
    def key(self) -> str:
        return f"{self.listing.event_id}|{self.tool}"


def listing_of(event_id: str, ts: int, observer: str, attrs: str) -> Listing | None:
    """A listing from an event's stored ``attrs`` JSON; None when it carries no tool digests."""
    try:
        parsed = json.loads(attrs) if attrs else {}
    except ValueError:
        return None
    tools = parsed.get(TOOLS_ATTR) if isinstance(parsed, dict) else None
    if not isinstance(tools, dict):
        return None
    clean = {
        str(name): {k: str(v) for k, v in d.items()}
        for name, d in tools.items()
        if isinstance(d, dict) and isinstance(d.get("hash"), str)
    }
    return Listing(
        event_id,
        ts,
        observer,
        str(parsed.get(SERVER_NAME_ATTR) or ""),
        str(parsed.get(SERVER_VERSION_ATTR) or ""),
        clean,
    )


def judge_listing(listing: Listing, previous: Listing | None) -> list[DriftFinding]:
    """The drift findings of ``listing`` against the same observer's ``previous`` one."""
    out: list[DriftFinding] = []
    server = listing.server_name or listing.observer
    version = listing.server_version or "?"
    for tool, digest in sorted(listing.tools.items()):
        before = previous.tools.get(tool) if previous is not None else None
        if before is not None and before.get("hash") == digest.get("hash"):
            continue
        what = _what_changed(before, digest)
        if markers := digest.get("markers"):
            out.append(
                DriftFinding(
                    "tool_injection",
                    "critical",
                    listing,
                    tool,
                    f"tool {tool} of server {server} {version} ({what}, seen by "
                    f"{listing.observer}) has a description with instructions aimed at the "
                    f"model ({markers}): tool poisoning?",
                )
            )
        elif (
            before is not None
            and previous is not None
            and previous.server_version == (listing.server_version)
        ):
            out.append(
                DriftFinding(
                    "tool_changed",
                    "high",
                    listing,
                    tool,
                    f"tool {tool} of server {server} {version} changed its {what} without "
                    f"a version change (seen by {listing.observer})",
                )
            )
    return out


def _what_changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    if before is None:
        return "new tool"
    if before.get("description") != after.get("description"):
        return "description"
    return "input schema"
