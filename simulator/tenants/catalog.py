"""The platform's own MCP servers and tools, as their ``tools/list`` gives them.

Ten servers of one SaaS product (CRM, help desk, billing, analytics, files, search, mail, events,
admin, knowledge base), 90 tools. Each server annotates the way its team chose: ``full`` (every
MCP hint stated), ``readonly`` (``readOnlyHint`` only), ``writes`` (``readOnlyHint: false`` on
writes, no ``destructiveHint``) or ``none`` (no annotations at all: its tools are absent from
:data:`ANNOTATIONS`). Tool names are unique across servers (:func:`server_of`). A tool's
``kind`` (get, list, search, write, delete, export, send, admin) drives arguments and result
sizes; it is the platform's documentation, not something an emitter records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ANNOTATIONS",
    "DEPRECATED",
    "SERVERS",
    "TOOLS",
    "URI_SCHEMES",
    "Tool",
    "server_of",
    "tools_of",
]


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool: its server, what it does (``kind``) and the object its arguments name."""

    name: str
    server: str
    kind: str  # get | list | search | write | delete | export | send | admin
    obj: str  # the object type: contact, ticket, invoice, file ...


# server -> (annotation style, object, [(tool, kind), ...])
_SPEC: Final[dict[str, tuple[str, str, list[tuple[str, str]]]]] = {
    "crm": ("full", "contact", [
        ("contacts_list", "list"), ("contacts_get", "get"), ("contacts_create", "write"),
        ("contacts_update", "write"), ("contacts_delete", "delete"), ("contacts_merge", "write"),
        ("accounts_list", "list"), ("accounts_get", "get"), ("accounts_update", "write"),
        ("deals_list", "list"), ("deals_get", "get"), ("deals_update", "write"),
        ("deals_delete", "delete"), ("notes_add", "write"), ("contacts_search_v1", "search"),
    ]),
    "helpdesk": ("readonly", "ticket", [
        ("tickets_list", "list"), ("tickets_get", "get"), ("tickets_create", "write"),
        ("tickets_update", "write"), ("tickets_comment", "write"), ("tickets_close", "write"),
        ("tickets_delete", "delete"), ("macros_list", "list"), ("sla_report", "export"),
        ("tickets_assign", "write"),
    ]),
    "billing": ("full", "invoice", [
        ("invoices_list", "list"), ("invoices_get", "get"), ("invoices_create", "write"),
        ("invoices_void", "delete"), ("invoices_export", "export"), ("subscriptions_list", "list"),
        ("subscriptions_get", "get"), ("subscriptions_update", "write"),
        ("subscriptions_cancel", "delete"), ("payments_list", "list"), ("refunds_create", "write"),
        ("usage_report", "export"),
    ]),
    "insights": ("none", "dataset", [
        ("events_query", "search"), ("reports_run", "export"), ("reports_list", "list"),
        ("dashboards_get", "get"), ("metrics_timeseries", "search"), ("segments_list", "list"),
        ("segments_export", "export"), ("query_sql", "search"),
    ]),
    "files": ("writes", "file", [
        ("files_list", "list"), ("files_get", "get"), ("files_put", "write"),
        ("files_delete", "delete"), ("files_share", "write"), ("folders_list", "list"),
        ("files_move", "write"),
    ]),
    "search": ("full", "record", [
        ("search_records", "search"), ("search_kb", "search"), ("index_status", "get"),
        ("reindex_tenant", "admin"), ("suggest", "search"),
    ]),
    "mailer": ("writes", "message", [
        ("messages_send", "send"), ("messages_list", "list"), ("messages_get", "get"),
        ("templates_list", "list"), ("templates_render", "get"), ("campaigns_list", "list"),
        ("campaigns_send", "send"), ("suppression_add", "write"), ("bounces_list", "list"),
    ]),
    "events": ("none", "webhook", [
        ("webhooks_list", "list"), ("webhooks_create", "write"), ("webhooks_delete", "delete"),
        ("events_list", "list"), ("events_replay", "admin"), ("deliveries_list", "list"),
    ]),
    "admin": ("full", "user", [
        ("users_list", "list"), ("users_get", "get"), ("users_invite", "admin"),
        ("users_deactivate", "delete"), ("roles_list", "list"), ("api_keys_list", "list"),
        ("api_keys_create", "admin"), ("api_keys_revoke", "delete"),
        ("audit_log_export", "export"), ("tenant_settings_get", "get"),
        ("tenant_settings_update", "admin"), ("data_export_request", "export"),
        ("gdpr_erase_subject", "delete"),
    ]),
    "kb": ("none", "article", [
        ("articles_list", "list"), ("articles_get", "get"), ("articles_update", "write"),
        ("articles_publish", "write"), ("articles_delete", "delete"),
    ]),
}  # fmt: skip

#: the platform's servers, in a fixed order
SERVERS: Final[tuple[str, ...]] = tuple(_SPEC)
#: every tool by name
TOOLS: Final[dict[str, Tool]] = {
    name: Tool(name, server, kind, obj)
    for server, (_style, obj, tools) in _SPEC.items()
    for name, kind in tools
}
#: deprecated tool -> its replacement (clients migrate off over the weeks)
DEPRECATED: Final[dict[str, str]] = {"contacts_search_v1": "search_records"}
#: the URI schemes of ``resources/read`` (files and knowledge-base articles)
URI_SCHEMES: Final = ("blob://", "kb://")


def _annotation(style: str, kind: str) -> dict[str, bool] | None:
    readonly = kind in ("get", "list", "search")
    if style == "none":
        return None
    if style == "readonly":
        return {"readOnlyHint": readonly}
    if style == "writes":
        return {"readOnlyHint": True} if readonly else {"readOnlyHint": False}
    return {
        "readOnlyHint": readonly,
        "destructiveHint": kind == "delete",
        "idempotentHint": kind in ("get", "list", "search", "delete"),
        "openWorldHint": kind == "send",
    }


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for name, tool in TOOLS.items():
        ann = _annotation(_SPEC[tool.server][0], tool.kind)
        if ann is not None:
            out[name] = ann
    return out


#: tool → its MCP annotations as its server's ``tools/list`` gives them (absent: none given)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()


def server_of(tool: str) -> str:
    """The server that exposes ``tool`` (KeyError for a tool the platform does not have)."""
    return TOOLS[tool].server


def tools_of(server: str, *kinds: str) -> list[str]:
    """The tools of ``server`` (of these ``kinds`` when given), in catalog order."""
    return [t.name for t in TOOLS.values() if t.server == server and (not kinds or t.kind in kinds)]
