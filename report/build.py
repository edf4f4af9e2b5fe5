"""One call from a store to the finished report: verify, gather the facts, judge, render."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from .evidence import judge_all
from .facts import Facts, gather
from .render import html_report, markdown

if TYPE_CHECKING:
    from tooltrail.pipeline.integrity import StoreVerifyReport
    from tooltrail.pipeline.store import Store

__all__ = ["build_report", "checklist_facts", "verify_for_report"]

_DEFAULT_KEYS = Path(".tooltrail/collector-keys.json")


def verify_for_report(store: Store, keys_file: Path | None) -> StoreVerifyReport:
    """Verify the whole stored log, recording nothing; the collector key file's signers are the
    trusted emitter keys (as ``tooltrail verify`` trusts them)."""
    from tooltrail.pipeline.integrity import verify_store
    from tooltrail.pipeline.integrity.cli import collector_signers

    keys_file = keys_file or (_DEFAULT_KEYS if _DEFAULT_KEYS.is_file() else None)
    return verify_store(store, source_keys=collector_signers(keys_file), record=False)


def checklist_facts(
    store: Store,
    *,
    keys_file: Path | None = None,
    models_dir: Path | None = None,
    digests_dir: Path | None = None,
) -> Facts:
    """Verify the log, then gather every fact the checklist evidence needs."""
    report = verify_for_report(store, keys_file)
    return gather(
        store,
        verify_report=report,
        keys_file=keys_file,
        models_dir=models_dir,
        digests_dir=digests_dir,
    )


def build_report(
    store: Store,
    *,
    html: bool = False,
    where: str = "",
    keys_file: Path | None = None,
    models_dir: Path | None = None,
    digests_dir: Path | None = None,
    version: str = "",
) -> tuple[str, bool]:
    """The report's text and whether the log has an integrity break."""
    facts = checklist_facts(
        store, keys_file=keys_file, models_dir=models_dir, digests_dir=digests_dir
    )
    judged = judge_all(facts)
    title = "tooltrail: MCP security checklist evidence"
    made = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(facts.now_us / 1e6))
    subtitle = (
        f"Made {made} by tooltrail {version} over the store {where} (database {store.database});"
        " checklist: SlowMist MCP Security Checklist v0.23, the items tooltrail serves."
    )
    render = html_report if html else markdown
    broken = bool(facts.verify is not None and facts.verify.findings)
    return render(judged, title=title, subtitle=subtitle), broken
