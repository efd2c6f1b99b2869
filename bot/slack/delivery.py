"""Getting a reply to Slack without a worker ever sleeping on it.

Each Web API call (chat.postMessage, chat.postEphemeral, views.publish) or response_url post is
tried once, at once. A 429, a 5xx or a dropped connection parks it in bot/slack/schedule.py:
its (method, channel) lane waits the Retry-After Slack asked for (a 5xx: a short backoff) and
the worker goes on with other questions; the reply is sent when due, and later replies to that
lane follow it in order. The WebClient and WebhookClient used here retry nothing themselves.
A reply that still fails is logged at ERROR (ids, no text) and kept with its question and the
request in the store's failed_replies table: `owner-bot failed list` shows it and
`owner-bot failed retry` sends it again. A retry after a 5xx may post twice, if Slack had in
fact posted it: Slack has no idempotency key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from ..store import Store
from .schedule import DELIVERED, MAX_RETRIES, Outcome, Scheduler, Send

logger = logging.getLogger(__name__)

__all__ = ["MAX_RETRIES", "About", "Delivery", "retry_handlers"]


def retry_handlers(max_retries: int = MAX_RETRIES) -> list[RetryHandler]:
    """For `owner-bot failed retry` only (a command may sleep): 429 waits Retry-After; 500/503
    and connection errors back off exponentially."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries),
    ]


@dataclass(frozen=True)
class About:
    """What a reply answers: logged and stored if it cannot be delivered."""

    question: str
    surface: str
    user: str | None = None
    channel: str | None = None
    ref: str | None = None
    thread_ts: str | None = None
    event_id: str | None = None


def _describe(exc: BaseException) -> str:
    """A short, secret-free reason: the HTTP status and Slack's error code, or the error type."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        return f"HTTP {exc.response.status_code} {code or ''}".strip()
    return exc.__class__.__name__


def _retry_after(headers: Any) -> float:
    """Slack's Retry-After in seconds (1 when missing or unreadable)."""
    value = None
    if headers:
        value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def http_outcome(status: int, headers: Any, error: str) -> Outcome:
    """429: retry after Retry-After; 5xx: retry after a backoff; anything else: failed."""
    if status == 429:
        return Outcome(retryable=True, retry_after=_retry_after(headers), error=error)
    return Outcome(retryable=status >= 500, error=error)


def api_call(call: Callable[..., Any], request: dict[str, Any] | None) -> Outcome:
    """One try of a WebClient method."""
    try:
        call(**(request or {}))
        return DELIVERED
    except SlackApiError as exc:
        response = exc.response
        status = response.status_code if response is not None else 0
        return http_outcome(status, response.headers if response is not None else None,
                            _describe(exc))
    except (URLError, OSError) as exc:  # a dropped connection, a timeout: try again later
        return Outcome(retryable=True, error=exc.__class__.__name__)


def webhook_post(webhook: WebhookClient, payload: dict[str, Any]) -> Outcome:
    """One try of a response_url post."""
    try:
        response = webhook.send_dict(payload)
    except (URLError, OSError) as exc:
        return Outcome(retryable=True, error=exc.__class__.__name__)
    if response.status_code == 200:
        return DELIVERED
    return http_outcome(response.status_code, response.headers, f"HTTP {response.status_code}")


class Delivery:
    def __init__(self, store: Store | None = None,
                 max_retries: int = MAX_RETRIES, timeout: int = 30,
                 scheduler: Scheduler | None = None):
        self.store = store
        self.timeout = timeout
        self.scheduler = scheduler or Scheduler(max_retries)

    def failed(self, about: About, target: str, error: str,
               request: dict[str, Any] | None = None) -> None:
        # Ids only: the question itself goes to the store, never to a log line.
        logger.error(
            "could not deliver the reply (%s, %s) after retries: %s; question ref %s from %s "
            "in %s", about.surface, target, error, about.ref or "-", about.user or "-",
            about.channel or "-",
        )
        if self.store is not None:
            try:
                # The request itself too, so `owner-bot failed retry` can send it again.
                self.store.record_failed_reply(
                    about.question, target, error, ref=about.ref, surface=about.surface,
                    user=about.user, channel=about.channel, thread_ts=about.thread_ts,
                    event_id=about.event_id,
                    request=json.dumps(request, ensure_ascii=False) if request else None,
                )
            except Exception:
                logger.exception("could not record the failed reply (ref %s)", about.ref or "-")

    def send(self, about: About, target: str, call: Callable[..., Any],
             request: dict[str, Any] | None = None) -> bool:
        """Run `call(**request)` (a WebClient method) now, or later if Slack turns it away for
        now (see schedule.py); once retries run out it is logged and stored with the request.
        False only when it failed for good at once. `target` names the method, e.g.
        "chat.postMessage"."""
        return self.scheduler.submit(Send(
            (target, about.channel or ""), lambda: api_call(call, request),
            lambda why: self.failed(about, target, why, request)))

    def _webhook_send(self, response_url: str, about: About, payload: dict[str, Any],
                      then: Send | None = None) -> Send:
        webhook = WebhookClient(response_url, timeout=self.timeout)  # no sleeping retries
        request = {"response_url": response_url, **payload}
        return Send(("response_url", about.channel or response_url),
                    lambda: webhook_post(webhook, payload),
                    lambda why: self.failed(about, "response_url", why, request), then)

    def respond(self, response_url: str | None, about: About,
                then: dict[str, Any] | None = None, **payload: Any) -> bool:
        """POST `payload` to a response_url, now or when Slack lets it (as `send`); `then`, a
        second payload posted there once the first is delivered. False when it failed at once."""
        if not response_url:
            self.failed(about, "response_url", "no response_url in the request")
            return False
        follow = self._webhook_send(response_url, about, then) if then else None
        return self.scheduler.submit(self._webhook_send(response_url, about, payload, follow))
