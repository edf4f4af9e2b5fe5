"""Alert sinks: Slack, signed webhooks, the console; a dispatcher that retries and isolates them.

``SlackSink`` (slack-sdk) and ``ConsoleSink`` (rich) load their library on first use, so
importing this package for the webhook or the dispatcher pulls in neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import AlertSink, RetryableSinkError
from .dispatch import Dispatcher
from .webhook import BadSignature, WebhookSink, sign, verify_signature

if TYPE_CHECKING:
    from .console import ConsoleSink
    from .slack import SlackSink

__all__ = [
    "AlertSink",
    "BadSignature",
    "ConsoleSink",
    "Dispatcher",
    "RetryableSinkError",
    "SlackSink",
    "WebhookSink",
    "build_sinks",
    "sign",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    if name == "SlackSink":
        from .slack import SlackSink

        return SlackSink
    if name == "ConsoleSink":
        from .console import ConsoleSink

        return ConsoleSink
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_sinks(
    *,
    slack_webhook_url: str | None,
    webhook_url: str | None,
    webhook_secret: bytes | None,
    console: bool,
) -> list[AlertSink]:
    """The sinks the settings ask for, in the order Slack, webhook, console (empty = none).

    A ``webhook_url`` without a ``webhook_secret`` is refused (ValueError naming the setting):
    unsigned alerts could be forged by anyone who can reach the receiver.
    """
    sinks: list[AlertSink] = []
    if slack_webhook_url:
        from .slack import SlackSink

        sinks.append(SlackSink(slack_webhook_url))
    if webhook_url:
        if not webhook_secret:
            raise ValueError("webhook_secret is required when webhook_url is set")
        sinks.append(WebhookSink(webhook_url, webhook_secret))
    if console:
        from .console import ConsoleSink

        sinks.append(ConsoleSink())
    return sinks
