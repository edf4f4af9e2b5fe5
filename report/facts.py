"""What this deployment holds right now, read once: the store's counts, a verify run, the
detectors' last run, the configured alert sinks, the collector's keys and limits.

Every number comes from a query or a check made at report time (nothing cached, nothing
assumed); a part that cannot be read (no keys file, no detection state, a table an older store
lacks) is left empty and the evidence says it is missing. Store errors other than a missing
optional table propagate as ``StoreUnavailable``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tooltrail.pipeline.errors import StoreUnavailable

if TYPE_CHECKING:
    from tooltrail.pipeline.integrity import StoreVerifyReport
    from tooltrail.pipeline.store import Store

__all__ = ["Facts", "gather"]

log = logging.getLogger(__name__)

_EVENTS = (
    "count() AS events, uniqExact(source_name) AS sources, uniqExact(stream_id) AS streams,"
    " countIf(source_kind = 'server') AS server_events, countIf(source_kind = 'host') AS"
    " host_events, min(ts) AS first_ts, max(ts) AS last_ts, countIf(user != '') AS with_user,"
    " uniqExact(user) - (countIf(user = '') > 0) AS users, countIf(session_id != '') AS"
    " with_session, countIf(trace_id != '') AS with_trace, countIf(outcome = 'error') AS"
    " errors, countIf(outcome = 'denied') AS denied, countIf(source_kind = 'host' AND"
    " outcome = 'denied') AS host_denied, countIf(error_type != '') AS with_error_type,"
    " countIf(args != '') AS with_args, countIf(args_fingerprint != '') AS with_fingerprint,"
    " countIf(has_redactions AND length(redactions) > 0) AS redacted, sumMap(redactions) AS"
    " redaction_counts, uniqExact(tool) - (countIf(tool = '') > 0) AS tools,"
    " countIf(tools_hash != '') AS with_tools_hash, countIf(source_version != '') AS"
    " with_version, uniqExact(tenant) - (countIf(tenant = '') > 0) AS tenants,"
    " countIf(session_id = '') AS no_session"
)


@dataclass(slots=True)
class Facts:
    """The raw material of the evidence (see ``evidence``)."""

    now_us: int
    events: dict[str, Any] = field(default_factory=dict)
    #: (detector, severity, entity_kind) → (alerts, newest created µs)
    alerts: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)
    verify: StoreVerifyReport | None = None
    checkpoints: int = 0
    digests: int = 0
    last_digest_us: int | None = None  # the newest event time a signed digest covers
    last_digest_hour_us: int | None = None  # the hour it covers
    digest_files: int | None = None  # copies outside the store (--digests), None: not given
    #: detection: when it last ran (µs, wall clock) and through which event time it scored
    detection_ran_us: int | None = None
    detection_cursor_us: int | None = None
    detection_where: str = ""
    sinks: list[str] = field(default_factory=list)
    sink_error: str = ""
    key_sources: list[str] | None = None  # sources with collector keys; None: no key file
    signer_sources: int = 0
    rate_limit: tuple[float, float] | None = None  # events/s and burst per source
    #: reconciliation and drift findings by kind; None: no such data in this deployment
    call_findings: dict[str, int] | None = None
    call_findings_note: str = ""


def _one(store: Store, sql: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    rows = store.query_dicts(sql, params)
    return rows[0] if rows else {}


def gather(
    store: Store,
    *,
    verify_report: StoreVerifyReport | None = None,
    keys_file: Path | None = None,
    models_dir: Path | None = None,
    digests_dir: Path | None = None,
    now_us: int | None = None,
) -> Facts:
    """Read everything the evidence needs from ``store`` and the files beside it."""
    db = store.database
    facts = Facts(now_us=now_us if now_us is not None else time.time_ns() // 1000)
    facts.events = _one(store, f"SELECT {_EVENTS} FROM {db}.events FINAL")  # noqa: S608
    for detector, severity, kind, n, newest in store.query_rows(
        "SELECT detector, severity, entity_kind, count(),"  # noqa: S608
        f" max(toUnixTimestamp64Micro(created)) FROM {db}.alerts FINAL"
        " GROUP BY detector, severity, entity_kind"
    ):
        facts.alerts[(str(detector), str(severity), str(kind))] = (int(n), int(newest))
    facts.verify = verify_report
    facts.checkpoints = int(
        _one(store, f"SELECT count() AS n FROM {db}.checkpoints FINAL").get("n", 0)  # noqa: S608
    )
    dig = _one(
        store,
        "SELECT count() AS n, max(ts) AS signed, max(toUnixTimestamp(hour)) AS hour"  # noqa: S608
        f" FROM {db}.digests FINAL",
    )
    facts.digests = int(dig.get("n", 0))
    if facts.digests:
        facts.last_digest_us = int(dig["signed"])
        facts.last_digest_hour_us = int(dig["hour"]) * 1_000_000
    if digests_dir is not None:
        facts.digest_files = (
            sum(1 for _ in digests_dir.rglob("*.json")) if digests_dir.is_dir() else 0
        )
    _detection(store, facts, models_dir)
    _sinks(facts)
    _collector(facts, keys_file)
    _call_findings(store, facts)
    return facts


def _detection(store: Store, facts: Facts, models_dir: Path | None) -> None:
    """The detectors' last run: the lease of a `detectors run` service, or the cursor file
    `tooltrail up` keeps beside its store (its models folder)."""
    lease = _one(
        store,
        "SELECT max(toUnixTimestamp64Micro(written)) AS ran,"  # noqa: S608
        " argMax(cursor, written) AS cursor, argMax(holder, written) AS holder"
        f" FROM {store.database}.leases",
    )
    if lease.get("ran"):
        facts.detection_ran_us = int(lease["ran"])
        if int(lease.get("cursor") or -1) >= 0:
            facts.detection_cursor_us = int(lease["cursor"])
        facts.detection_where = f"lease held by {lease['holder']}"
    state = models_dir / "cursor.json" if models_dir is not None else None
    if state is not None and state.is_file():
        try:
            cursor = int(json.loads(state.read_text())["cursor"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring detection state %s: %s", state, exc)
            return
        ran = int(state.stat().st_mtime * 1_000_000)
        if facts.detection_ran_us is None or ran > facts.detection_ran_us:
            facts.detection_ran_us, facts.detection_cursor_us = ran, cursor
            facts.detection_where = f"state file {state}"


def _sinks(facts: Facts) -> None:
    """The alert sinks ``TOOLTRAIL_DETECT_*`` configures in this environment."""
    from pydantic import ValidationError

    from tooltrail.detectors.settings import DetectSettings

    try:
        settings = DetectSettings()
    except ValidationError as exc:
        facts.sink_error = str(exc).splitlines()[0]
        return
    if settings.slack_webhook_url is not None:
        facts.sinks.append("Slack")
    if settings.webhook_url:
        facts.sinks.append(f"signed webhook {settings.webhook_url}")


def _collector(facts: Facts, keys_file: Path | None) -> None:
    from pydantic import ValidationError

    from tooltrail.collector.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        log.warning("collector settings unreadable: %s", exc)
    else:
        facts.rate_limit = (settings.rate_events_per_second, settings.rate_burst_events)
        keys_file = keys_file or settings.keys_file
    if keys_file is None or not keys_file.is_file():
        return
    from tooltrail.collector.auth import KeyStore, KeyStoreError

    try:
        keys = KeyStore(keys_file)
        facts.key_sources = sorted(keys.sources())
        facts.signer_sources = sum(1 for s in facts.key_sources if keys.signers(s))
    except KeyStoreError as exc:
        log.warning("collector keys unreadable: %s", exc)


def _call_findings(store: Store, facts: Facts) -> None:
    """Reconciliation and drift findings, where this build stores them (the detectors'
    ``call_findings``). The seam: without that module, there is no such data."""
    try:
        from tooltrail.pipeline.store import callfindings  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        facts.call_findings_note = "this build has no reconciliation or drift detectors"
        return
    kinds = [*callfindings.RECONCILE_KINDS, *callfindings.DRIFT_KINDS]
    try:
        rows = callfindings.call_findings(store, 0, 2**63, kinds=kinds)
    except StoreUnavailable as exc:
        facts.call_findings_note = f"call findings unreadable: {exc}"
        return
    counts = dict.fromkeys(kinds, 0)
    for row in rows:
        counts[str(row["kind"])] = counts.get(str(row["kind"]), 0) + 1
    facts.call_findings = counts
