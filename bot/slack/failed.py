"""Replies that could not be delivered, sent again later (`owner-bot failed retry`).

Delivery keeps each failed reply with the request that failed (method, channel, thread, text,
blocks; or the response_url and its payload). Sending it again is the same call; a response_url
takes replies for 30 minutes only, so a late retry of one stays failed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from ..store import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryReport:
    delivered: int
    failed: int
    not_retryable: int  # kept by an older version, without the request


def _resend(target: str, request: dict[str, Any], client: WebClient) -> bool:
    try:
        if target == "response_url":
            url = request.pop("response_url")
            return WebhookClient(url, timeout=30).send_dict(request).status_code == 200
        if target == "chat.postEphemeral":
            client.chat_postEphemeral(**request)
        else:
            client.chat_postMessage(**request)
        return True
    except (SlackApiError, URLError, OSError, KeyError) as exc:
        logger.warning("failed reply to %s could not be sent again: %s", target,
                       exc.__class__.__name__)
        return False


def retry_failed(store: Store, client: WebClient) -> RetryReport:
    """Send every not-yet-delivered failed reply again, oldest first; mark the ones that went."""
    delivered = failed = not_retryable = 0
    for row in store.failed_replies(pending_only=True):
        if not row.get("request"):
            not_retryable += 1
            continue
        if _resend(str(row["target"]), json.loads(str(row["request"])), client):
            store.failed_reply_delivered(int(str(row["id"])))
            delivered += 1
        else:
            failed += 1
    return RetryReport(delivered, failed, not_retryable)
