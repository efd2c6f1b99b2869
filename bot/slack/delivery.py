"""Getting a reply to Slack: retried on rate limits and server errors, never silently lost.

Web API calls (chat.postMessage, chat.postEphemeral) go through the app's WebClient, which
retries 429 (after Retry-After), 500/503 and dropped connections. Replies on a response_url go
through a WebhookClient with the same retries (Bolt's own `respond` has none for 429 and 5xx).
A reply that still fails is logged at ERROR (ids, no text) and kept with its question in the
store's failed_replies table, so an admin can see who asked what and answer by hand.
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

logger = logging.getLogger(__name__)

MAX_RETRIES = 2  # three attempts in all


def retry_handlers(max_retries: int = MAX_RETRIES) -> list[RetryHandler]:
    """429 waits Retry-After; 500/503 and connection errors back off exponentially."""
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


class Delivery:
    def __init__(self, store: Store | None = None,
                 max_retries: int = MAX_RETRIES, timeout: int = 30):
        self.store = store
        self.max_retries = max_retries
        self.timeout = timeout

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
        """Run `call(**request)` (a WebClient method, which retries by itself); False, logged
        and stored with the request, if it still failed. `target` names the method for the
        log, e.g. "chat.postMessage"."""
        try:
            call(**(request or {}))
            return True
        except (SlackApiError, URLError, OSError) as exc:
            self.failed(about, target, _describe(exc), request)
            return False

    def respond(self, response_url: str | None, about: About, **payload: Any) -> bool:
        """POST to a response_url with retries; False (logged) if it failed."""
        if not response_url:
            self.failed(about, "response_url", "no response_url in the request")
            return False
        webhook = WebhookClient(response_url, timeout=self.timeout,
                                retry_handlers=retry_handlers(self.max_retries))
        request = {"response_url": response_url, **payload}
        try:
            response = webhook.send_dict(payload)
        except (URLError, OSError) as exc:
            self.failed(about, "response_url", exc.__class__.__name__, request)
            return False
        if response.status_code != 200:
            self.failed(about, "response_url", f"HTTP {response.status_code}", request)
            return False
        return True
