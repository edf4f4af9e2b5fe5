"""Each checklist item judged from the facts: what evidence the deployment holds, what is missing.

An item's status is ``held`` (evidence and nothing missing), ``partial`` (both) or ``missing``
(no evidence). A judge only states what the facts show, with the numbers; it never claims a
capability the store has no trace of (e.g. "alerts are sent" needs a configured sink, "logs are
intact" needs a verify run over them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

from .checklist import ITEMS, Item
from .facts import Facts

__all__ = ["JUDGES", "Evidence", "judge", "judge_all"]

Status = Literal["held", "partial", "missing"]


@dataclass(slots=True)
class Evidence:
    have: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if not self.have:
            return "missing"
        return "partial" if self.missing else "held"


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _n(facts: Facts, key: str) -> int:
    return int(facts.events.get(key) or 0)


def _alerts(facts: Facts, pred: Callable[[str, str, str], bool]) -> tuple[int, int]:
    """Alerts (and distinct detectors) whose (detector, severity, entity kind) match."""
    hits = {k: v for k, v in facts.alerts.items() if pred(*k)}
    return sum(n for n, _ in hits.values()), len({d for d, _, _ in hits})


def _no_events(facts: Facts, ev: Evidence) -> bool:
    if _n(facts, "events") == 0:
        ev.missing.append("no events stored yet")
        return True
    return False


def _detection(facts: Facts) -> Evidence:
    ev = Evidence()
    model, models = _alerts(facts, lambda d, s, k: d.startswith("model:"))
    rule, rules = _alerts(facts, lambda d, s, k: d.startswith("rule:"))
    if facts.detection_ran_us is not None:
        through = (
            f", scored through {_when(facts.detection_cursor_us)}"
            if facts.detection_cursor_us is not None
            else ""
        )
        ev.have.append(
            f"detectors last ran {_when(facts.detection_ran_us)} ({facts.detection_where}){through}"
        )
        ev.have.append(
            f"{model} alert(s) from {models} model detector(s), {rule} from {rules} rule(s)"
        )
    else:
        ev.missing.append(
            "no detector run recorded (no lease in the store, no detection state beside it)"
        )
    return ev


def _logging(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    n = _n(facts, "events")
    ev.have.append(
        f"{n} events from {_n(facts, 'sources')} source(s) in {_n(facts, 'streams')} stream(s),"
        f" {_when(_n(facts, 'first_ts'))} – {_when(_n(facts, 'last_ts'))}"
    )
    ok = n - _n(facts, "errors") - _n(facts, "denied")
    ev.have.append(
        f"outcomes: {ok} ok, {_n(facts, 'errors')} error, {_n(facts, 'denied')} denied;"
        f" {_pct(_n(facts, 'with_user'), n)} name their user ({_n(facts, 'users')} users),"
        f" {_n(facts, 'tools')} distinct tools"
    )
    return ev


def _alerting(facts: Facts) -> Evidence:
    ev = Evidence()
    total, detectors = _alerts(facts, lambda d, s, k: True)
    if total:
        by: dict[str, int] = {}
        for (_, sev, _), (n, _) in facts.alerts.items():
            by[sev] = by.get(sev, 0) + n
        newest = max(t for _, t in facts.alerts.values())
        parts = ", ".join(f"{by[s]} {s}" for s in ("critical", "high", "medium", "low") if s in by)
        ev.have.append(
            f"{total} alert(s) stored from {detectors} detector(s) ({parts}), newest"
            f" {_when(newest)}"
        )
    if facts.sinks:
        ev.have.append("alert sinks configured: " + ", ".join(facts.sinks))
    elif facts.sink_error:
        ev.missing.append(f"alert sink settings invalid: {facts.sink_error}")
    else:
        ev.missing.append(
            "no alert sink configured here (TOOLTRAIL_DETECT_SLACK_WEBHOOK_URL,"
            " TOOLTRAIL_DETECT_WEBHOOK_URL)"
        )
    return ev


def _central(facts: Facts) -> Evidence:
    ev = Evidence()
    if not _no_events(facts, ev):
        ev.have.append(
            f"one store holds the events of {_n(facts, 'sources')} source(s)"
            f" ({_n(facts, 'server_events')} server-side, {_n(facts, 'host_events')} host-side)"
        )
    return ev


def _integrity(facts: Facts) -> Evidence:
    ev = Evidence()
    report = facts.verify
    if report is None:
        ev.missing.append("no verify run (tooltrail verify)")
    else:
        breaks = len(report.findings)
        broken = len({f.stream_id for f in report.findings})
        unvouched = len(report.unvouched)
        signed = sum(s.signed_checkpoints for s in report.streams.values())
        line = (
            f"{len(report.streams)} stream(s) verified ({report.events} events), {breaks}"
            f" break(s), {signed} signed checkpoint(s) checked"
        )
        if unvouched:
            line += f", {unvouched} stream(s) unvouched (no trusted checkpoint covers their tail)"
        (ev.missing if breaks else ev.have).append(line)
        if breaks:
            first = report.findings[0]
            ev.missing.append(
                f"BROKEN: {breaks} break(s) in {broken} stream(s); first: {first.cls} at"
                f" {first.stream_id}#{first.seq} ({first.detail})"
            )
    if facts.digests and facts.last_digest_us is not None:
        hour = facts.last_digest_hour_us or 0
        ev.have.append(
            f"{facts.digests} signed hourly digest(s), the last signed digest covering events"
            f" through {_when(facts.last_digest_us)} (the hour of {_when(hour)})"
        )
    else:
        ev.missing.append("no signed digest yet (tooltrail digests run)")
    return ev


def _audit(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    n = _n(facts, "events")
    s, t = _n(facts, "with_session"), _n(facts, "with_trace")
    if s or t:
        ev.have.append(
            f"{_pct(s, n)} of events carry an MCP session id, {_pct(t, n)} a W3C trace id:"
            " `tooltrail investigate` and the Investigation dashboard drill down by them"
        )
    else:
        ev.missing.append("no event carries a session or trace id to drill down by")
    return ev


def _rate_limit(facts: Facts) -> Evidence:
    ev = Evidence()
    if facts.rate_limit is not None:
        rate, burst = facts.rate_limit
        ev.have.append(f"collector rate limit: {rate:g} events/s per source, burst {burst:g}")
    else:
        ev.missing.append("collector settings unreadable here")
    n, _ = _alerts(facts, lambda d, s, k: any(w in d for w in ("rate", "burst", "frequency")))
    ev.have.append(f"{n} alert(s) from rate and burst rules on tool calls")
    return ev


def _background(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    ev.have.append(f"{_n(facts, 'no_session')} event(s) recorded outside any MCP session")
    n, _ = _alerts(facts, lambda d, s, k: "session" in d or "night" in d or "hour" in d)
    ev.have.append(f"{n} alert(s) on long sessions or off-hours activity")
    return ev


def _redaction(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    counts = facts.events.get("redaction_counts") or {}
    redacted = _n(facts, "redacted")
    if redacted:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(dict(counts).items()))
        ev.have.append(
            f"{redacted} event(s) had values redacted before hashing ({kinds}); the chain covers"
            " exactly the redacted form"
        )
    else:
        ev.missing.append("no redaction recorded yet: nothing matched, or redaction is off")
    return ev


def _frequency(facts: Facts) -> Evidence:
    ev = _detection(facts)
    n, k = _alerts(
        facts, lambda d, s, kind: any(w in d for w in ("rate", "burst", "volume", "frequency"))
        or d.startswith("model:"),
    )  # fmt: skip
    if facts.detection_ran_us is not None:
        ev.have = [f"{n} frequency / volume alert(s) from {k} detector(s)", *ev.have[:1]]
    return ev


def _remote(facts: Facts) -> Evidence:
    ev = Evidence()
    if facts.checkpoints:
        ev.have.append(f"{facts.checkpoints} emitter-signed checkpoint(s) stored")
    else:
        ev.missing.append("no signed checkpoint stored")
    if facts.key_sources is not None:
        if facts.signer_sources:
            ev.have.append(
                f"{facts.signer_sources} source(s) have trusted signer keys registered outside"
                " the store (the collector's key file)"
            )
        else:
            ev.missing.append("no signer key registered with the collector")
    if facts.digest_files:
        ev.have.append(f"{facts.digest_files} signed digest file(s) kept outside the store")
    else:
        ev.missing.append(
            "no digest copies outside the store checked (--digests DIR; tooltrail digests export)"
        )
    return ev


def _permissions(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    ev.have.append(f"{_n(facts, 'denied')} denied call(s) recorded ({_n(facts, 'tools')} tools)")
    n, _ = _alerts(facts, lambda d, s, k: k in ("user_tool", "server_tool", "tool"))
    ev.have.append(f"{n} alert(s) against per-tool baselines")
    return ev


def _tool_behaviour(facts: Facts) -> Evidence:
    ev = Evidence()
    n, k = _alerts(facts, lambda d, s, kind: kind in ("user_tool", "server_tool", "tool"))
    if facts.detection_ran_us is None:
        ev.missing.append("no detector run recorded")
    else:
        ev.have.append(f"{n} alert(s) on tools leaving their baseline, from {k} detector(s)")
    return ev


def _errors(facts: Facts) -> Evidence:
    ev = Evidence()
    if not _no_events(facts, ev):
        ev.have.append(
            f"{_n(facts, 'errors')} error event(s), {_n(facts, 'with_error_type')} with an"
            " error.type; the contract has no error-message field"
        )
    return ev


def _minimization(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    n = _n(facts, "events")
    ev.have.append(
        f"arguments stored on {_n(facts, 'with_args')} of {n} event(s)"
        f" ({_pct(_n(facts, 'with_args'), n)}; capture is opt-in),"
        f" a keyed fingerprint on {_n(facts, 'with_fingerprint')}"
    )
    return ev


def _isolation(facts: Facts) -> Evidence:
    ev = Evidence()
    if facts.key_sources is not None:
        ev.have.append(
            f"{len(facts.key_sources)} source(s) with their own collector API keys, each"
            " scoped to its own streams"
        )
    else:
        ev.missing.append("no collector key file found (--collector-keys)")
    tenants = _n(facts, "tenants")
    if tenants:
        ev.have.append(f"{tenants} tenant(s) named on events")
    return ev


def _host_logging(facts: Facts) -> Evidence:
    ev = Evidence()
    host = _n(facts, "host_events")
    if host:
        ev.have.append(
            f"{host} host-side event(s) (the MCP client's view), {_n(facts, 'host_denied')}"
            " of them denied"
        )
    else:
        ev.missing.append("no host-side events (audit_client on the host's ClientSession)")
    return ev


def _denials(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    ev.have.append(
        f"{_n(facts, 'denied')} denied call(s) recorded (outcome=denied),"
        f" {_n(facts, 'host_denied')} host-side"
    )
    n, _ = _alerts(facts, lambda d, s, k: "denial" in d)
    ev.have.append(f"{n} denial-burst alert(s)")
    return ev


def _visualization(facts: Facts) -> Evidence:
    ev = Evidence()
    try:
        from tooltrail.dashboards import DASHBOARDS
    except ImportError:
        ev.missing.append("the dashboards extra is not installed (pip install 'tooltrail[all]')")
        return ev
    names = ", ".join(d.title for d in DASHBOARDS)
    ev.have.append(f"{len(DASHBOARDS)} Grafana dashboards as code over this store: {names}")
    ev.missing.append("whether a Grafana serves them is not visible from here (dashboards push)")
    return ev


def _malicious(facts: Facts) -> Evidence:
    ev = Evidence()
    if facts.call_findings is None:
        ev.missing.append(f"no reconciliation data ({facts.call_findings_note})")
        return ev
    found = ", ".join(f"{k} {v}" for k, v in facts.call_findings.items())
    ev.have.append(f"reconciliation and tool-drift findings: {found}")
    return ev


def _versions(facts: Facts) -> Evidence:
    ev = Evidence()
    if _no_events(facts, ev):
        return ev
    n = _n(facts, "events")
    ev.have.append(f"{_pct(_n(facts, 'with_version'), n)} of events name their source's version")
    hashed = _n(facts, "with_tools_hash")
    if hashed:
        ev.have.append(f"{_pct(hashed, n)} of events carry the server's tools/list hash")
    else:
        ev.missing.append("no event carries a tools/list hash")
    return ev


JUDGES: Final[dict[str, Callable[[Facts], Evidence]]] = {
    "detection": _detection,
    "logging": _logging,
    "alerting": _alerting,
    "central": _central,
    "integrity": _integrity,
    "audit": _audit,
    "rate_limit": _rate_limit,
    "background": _background,
    "redaction": _redaction,
    "frequency": _frequency,
    "remote": _remote,
    "permissions": _permissions,
    "tool_behaviour": _tool_behaviour,
    "errors": _errors,
    "minimization": _minimization,
    "isolation": _isolation,
    "host_logging": _host_logging,
    "denials": _denials,
    "visualization": _visualization,
    "malicious": _malicious,
    "versions": _versions,
}


def judge(item: Item, facts: Facts) -> Evidence:
    return JUDGES[item.key](facts)


def judge_all(facts: Facts) -> list[tuple[Item, Evidence]]:
    """Every checklist item with its evidence, in the checklist's order."""
    return [(item, judge(item, facts)) for item in ITEMS]
