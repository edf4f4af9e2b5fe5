"""Alerts to a Slack channel through an incoming webhook (``slack_sdk.webhook.WebhookClient``).

The message is Block Kit with a plain ``text`` fallback (notifications, screen readers)::

    header   HIGH · rule:denial_burst · user u-17
    section  the reason
    section  fields: entity, detector, window (UTC), score, count
    section  driving features vs the usual values     (only when the alert has features)
    context  event count, a few session and trace ids, the alert id
    actions  "Investigate" button to alert.link       (only when there is a link)

Everything that comes from events (entity, reason, ids) is escaped for Slack mrkdwn, so a tool
name cannot mention ``@channel`` or forge a link. The webhook URL is a secret: it is never put
in an error message, a log line or ``repr``. The SDK's own retries are off; the dispatcher
retries (429 with Retry-After, 408, 5xx and connection errors are retryable, other 4xx not).
"""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Mapping
from typing import Any, cast

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.errors import SinkError
from tooltrail.emitter.transport import parse_retry_after

from ._format import feature_line, number, title, window
from .base import RetryableSinkError, http_error

__all__ = ["SlackSink", "render"]

_HEADER_MAX = 150  # Slack's limit for a header's plain_text
_TEXT_MAX = 3000  # a section's text
_FIELD_MAX = 2000  # one section field
_URL_MAX = 3000  # a button's url
_FEATURES_SHOWN = 6
_IDS_SHOWN = 3


def _esc(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str, limit: int = _TEXT_MAX) -> dict[str, str]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def _ids(label: str, ids: tuple[str, ...]) -> str:
    shown = ", ".join(f"`{_esc(i)}`" for i in ids[:_IDS_SHOWN])
    more = f" +{len(ids) - _IDS_SHOWN}" if len(ids) > _IDS_SHOWN else ""
    return f"{label}: {shown}{more}"


def render(alert: Alert) -> dict[str, Any]:
    """The webhook body for ``alert``: ``{"text": fallback, "blocks": [...]}``.

    Guarantees: the first block is a header, the blocks stay within Slack's size limits, the
    actions block exists exactly when ``alert.link`` is a usable URL, and ``text`` alone
    says severity, entity and reason.
    """
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(title(alert), _HEADER_MAX), "emoji": True},
        },
        {"type": "section", "text": _mrkdwn(_esc(alert.reason) or "_no reason given_")},
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*Entity*\n{_esc(alert.entity_kind)} `{_esc(alert.entity)}`", _FIELD_MAX),
                _mrkdwn(f"*Detector*\n{_esc(alert.detector)}", _FIELD_MAX),
                _mrkdwn(f"*Window*\n{window(alert.window_start, alert.window_end)}", _FIELD_MAX),
                _mrkdwn(f"*Score*\n{number(alert.score)}", _FIELD_MAX),
                _mrkdwn(f"*Count*\n{alert.count}", _FIELD_MAX),
            ],
        },
    ]
    if alert.features:
        lines = [f"• {_esc(feature_line(f))}" for f in alert.features[:_FEATURES_SHOWN]]
        if len(alert.features) > _FEATURES_SHOWN:
            lines.append(f"• … {len(alert.features) - _FEATURES_SHOWN} more")
        blocks.append(
            {"type": "section", "text": _mrkdwn("*Driving features*\n" + "\n".join(lines))}
        )
    ev = alert.events
    context = [f"{ev.count} event{'s' if ev.count != 1 else ''}"]
    if ev.session_ids:
        context.append(_ids("sessions", ev.session_ids))
    if ev.trace_ids:
        context.append(_ids("traces", ev.trace_ids))
    context.append(f"alert `{_esc(alert.id)}`")
    blocks.append({"type": "context", "elements": [_mrkdwn(c) for c in context]})
    if alert.link and len(alert.link) <= _URL_MAX:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Investigate"},
            "url": alert.link,
            "action_id": "tooltrail_investigate",
        }
        blocks.append({"type": "actions", "elements": [button]})
    fallback = f"[{alert.severity.upper()}] {_esc(alert.entity_kind)} {_esc(alert.entity)}: "
    fallback += _esc(alert.reason)
    return {"text": _cut(fallback, _TEXT_MAX), "blocks": blocks}


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


class SlackSink:
    """Posts each alert to one Slack incoming webhook. Safe to share between threads."""

    def __init__(self, webhook_url: str, *, timeout: float = 10, name: str = "slack") -> None:
        parts = urllib.parse.urlsplit(webhook_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("slack webhook_url must be an http(s) URL")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.name = name
        # retry_handlers=[]: the dispatcher retries. urlopen takes float seconds even though the
        # SDK annotates ``timeout`` as int.
        self._client = WebhookClient(webhook_url, timeout=cast(int, timeout), retry_handlers=[])

    def __repr__(self) -> str:
        return f"SlackSink(name={self.name!r})"

    def send(self, alert: Alert) -> None:
        """Post ``alert``; return on a 2xx, raise :class:`SinkError` otherwise."""
        try:
            resp = self._client.send_dict(render(alert))
        except (OSError, http.client.HTTPException) as exc:  # URLError and timeouts are OSError
            raise RetryableSinkError(self.name, f"no answer: {type(exc).__name__}: {exc}") from exc
        except SlackRequestError as exc:
            raise SinkError(self.name, str(exc)) from exc
        if 200 <= resp.status_code < 300:
            return
        retry_after = parse_retry_after(_header(resp.headers, "Retry-After"))
        raise http_error(self.name, resp.status_code, str(resp.body)[:200], retry_after)
