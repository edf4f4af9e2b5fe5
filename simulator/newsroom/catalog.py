"""The newsroom's MCP servers, their tools and what each server declares about them.

Eleven servers, as a news organisation would run them: the CMS, the wire desk, the archive, the
photo library (DAM), the subscriber/paywall system, legal review, social scheduling, the data
desk's SQL warehouse, the newsroom chat, audience analytics and interview transcription. Each
tool has a typical latency and result size (medians of a log-normal; the sizes are what the
tool returns as compact JSON). Annotations are declared as the servers' owners would: the CMS,
archive, photo, subscriber, chat and transcription servers give all four hints; the wire, social
and analytics servers (GitHub-style) give ``readOnlyHint`` alone; the legal tool and the data
desk's SQL server were written in-house and declare none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["ANNOTATIONS", "SERVERS", "TOOLS", "URI_SCHEMES", "Tool", "server_of"]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: its server, median latency (ms) and median result size (bytes)."""

    server: str
    ms: float
    result: int


def _t(server: str, ms: float, result: int) -> Tool:
    return Tool(server, ms, result)


TOOLS: Final[dict[str, Tool]] = {
    # the CMS: stories from draft to published page
    "cms_search_articles": _t("newsroom-cms", 180, 6_500),
    "cms_get_article": _t("newsroom-cms", 60, 14_000),
    "cms_list_queue": _t("newsroom-cms", 90, 3_200),
    "cms_create_draft": _t("newsroom-cms", 140, 600),
    "cms_update_draft": _t("newsroom-cms", 110, 400),
    "cms_submit_for_edit": _t("newsroom-cms", 90, 300),
    "cms_add_edit_note": _t("newsroom-cms", 70, 250),
    "cms_publish": _t("newsroom-cms", 900, 700),
    "cms_update_published": _t("newsroom-cms", 700, 650),
    "cms_append_correction": _t("newsroom-cms", 500, 500),
    "cms_unpublish": _t("newsroom-cms", 600, 300),
    "cms_delete_draft": _t("newsroom-cms", 120, 150),
    "cms_delete_article": _t("newsroom-cms", 300, 150),
    # the wire desk: agency feeds
    "wire_poll": _t("wire-desk", 350, 900),
    "wire_search": _t("wire-desk", 220, 5_000),
    "wire_get_item": _t("wire-desk", 80, 4_200),
    "wire_ingest_item": _t("wire-desk", 160, 300),
    # the archive: every story since 1990
    "archive_search": _t("archive", 450, 7_000),
    "archive_get_article": _t("archive", 120, 11_000),
    "archive_export": _t("archive", 9_000, 2_500_000),
    "archive_reindex": _t("archive", 4_000, 400),
    # the photo library
    "photo_search": _t("photo-dam", 260, 4_800),
    "photo_get_asset": _t("photo-dam", 90, 1_900),
    "photo_upload": _t("photo-dam", 2_600, 500),
    "photo_caption": _t("photo-dam", 80, 300),
    "photo_crop": _t("photo-dam", 700, 400),
    "photo_license_check": _t("photo-dam", 300, 600),
    "photo_delete_asset": _t("photo-dam", 150, 150),
    # subscribers and the paywall
    "subs_lookup_subscriber": _t("subscribers", 110, 1_600),
    "subs_search_subscribers": _t("subscribers", 400, 9_000),
    "subs_get_entitlements": _t("subscribers", 70, 700),
    "subs_update_subscription": _t("subscribers", 260, 500),
    "subs_refund": _t("subscribers", 800, 400),
    "subs_export_segment": _t("subscribers", 12_000, 3_000_000),
    "subs_delete_subscriber": _t("subscribers", 350, 200),
    "subs_paywall_rule_get": _t("subscribers", 60, 1_200),
    "subs_paywall_rule_set": _t("subscribers", 200, 300),
    # legal review (in-house, no annotations)
    "legal_open_review": _t("legal-review", 150, 400),
    "legal_get_review": _t("legal-review", 80, 2_600),
    "legal_add_comment": _t("legal-review", 70, 250),
    "legal_clear": _t("legal-review", 90, 250),
    "legal_flag": _t("legal-review", 90, 300),
    "legal_takedown_register": _t("legal-review", 200, 350),
    # social scheduling
    "social_schedule_post": _t("social-scheduler", 300, 450),
    "social_list_scheduled": _t("social-scheduler", 120, 3_000),
    "social_cancel_post": _t("social-scheduler", 150, 200),
    "social_get_metrics": _t("social-scheduler", 500, 2_200),
    # the data desk's warehouse (in-house, no annotations)
    "sql_list_tables": _t("data-desk", 120, 2_400),
    "sql_describe_table": _t("data-desk", 90, 1_800),
    "sql_run_query": _t("data-desk", 1_800, 12_000),
    "sql_export_csv": _t("data-desk", 6_000, 600_000),
    # newsroom chat
    "chat_post_message": _t("newsroom-chat", 120, 300),
    "chat_read_channel": _t("newsroom-chat", 150, 6_000),
    "chat_search": _t("newsroom-chat", 300, 4_000),
    # audience analytics
    "analytics_story_traffic": _t("audience", 600, 2_800),
    "analytics_top_stories": _t("audience", 900, 5_200),
    "analytics_realtime": _t("audience", 250, 3_600),
    # interview transcription (a hosted model: open world)
    "transcribe_audio": _t("transcribe", 45_000, 28_000),
    "transcribe_get": _t("transcribe", 100, 27_000),
}

SERVERS: Final[tuple[str, ...]] = tuple(sorted({t.server for t in TOOLS.values()}))

#: resources/read schemes, each served by one server
URI_SCHEMES: Final[tuple[str, ...]] = ("cms://", "wire://", "archive://", "dam://", "style://")
SCHEME_SERVER: Final[dict[str, str]] = {
    "cms://": "newsroom-cms",
    "style://": "newsroom-cms",
    "wire://": "wire-desk",
    "archive://": "archive",
    "dam://": "photo-dam",
}


def _full(read: bool, destructive: bool, idempotent: bool, world: bool) -> dict[str, bool]:
    return {
        "readOnlyHint": read,
        "destructiveHint": destructive,
        "idempotentHint": idempotent,
        "openWorldHint": world,
    }


_READ = _full(True, False, True, False)
_WRITE = _full(False, False, False, False)
_SAME = _full(False, False, True, False)  # a write that can be repeated safely
_GONE = _full(False, True, True, False)  # a delete
_ONLY_READ: dict[str, bool] = {"readOnlyHint": True}
_ONLY_WRITE: dict[str, bool] = {"readOnlyHint": False}

_DECLARED: Final[dict[str, dict[str, bool]]] = {
    "cms_search_articles": _READ,
    "cms_get_article": _READ,
    "cms_list_queue": _READ,
    "cms_create_draft": _WRITE,
    "cms_update_draft": _SAME,
    "cms_submit_for_edit": _SAME,
    "cms_add_edit_note": _WRITE,
    "cms_publish": _full(False, False, True, True),  # goes out to the public site
    "cms_update_published": _full(False, True, False, True),  # overwrites the live page
    "cms_append_correction": _full(False, False, False, True),
    "cms_unpublish": _full(False, True, True, True),
    "cms_delete_draft": _GONE,
    "cms_delete_article": _GONE,
    "wire_poll": _ONLY_READ,
    "wire_search": _ONLY_READ,
    "wire_get_item": _ONLY_READ,
    "wire_ingest_item": _ONLY_WRITE,
    "archive_search": _READ,
    "archive_get_article": _READ,
    "archive_export": _READ,
    "archive_reindex": _SAME,
    "photo_search": _READ,
    "photo_get_asset": _READ,
    "photo_upload": _WRITE,
    "photo_caption": _SAME,
    "photo_crop": _WRITE,
    "photo_license_check": _full(True, False, True, True),
    "photo_delete_asset": _GONE,
    "subs_lookup_subscriber": _READ,
    "subs_search_subscribers": _READ,
    "subs_get_entitlements": _READ,
    "subs_update_subscription": _WRITE,
    "subs_refund": _full(False, False, False, True),  # the payment provider
    "subs_export_segment": _READ,
    "subs_delete_subscriber": _GONE,
    "subs_paywall_rule_get": _READ,
    "subs_paywall_rule_set": _full(False, True, True, False),
    "social_schedule_post": _ONLY_WRITE,
    "social_list_scheduled": _ONLY_READ,
    "social_cancel_post": _ONLY_WRITE,
    "social_get_metrics": _ONLY_READ,
    "chat_post_message": _WRITE,
    "chat_read_channel": _READ,
    "chat_search": _READ,
    "analytics_story_traffic": _ONLY_READ,
    "analytics_top_stories": _ONLY_READ,
    "analytics_realtime": _ONLY_READ,
    "transcribe_audio": _full(False, False, False, True),
    "transcribe_get": _full(True, False, True, True),
}

#: tool → the MCP annotations its server gives in ``tools/list`` (legal and SQL tools: none)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = {t: dict(a) for t, a in _DECLARED.items()}


def server_of(tool: str) -> str:
    """The server that offers ``tool`` (``KeyError`` for a tool the newsroom does not run)."""
    return TOOLS[tool].server
