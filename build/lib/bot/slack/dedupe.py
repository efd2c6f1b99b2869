"""Answer each Slack event once, however many times it is delivered.

Slack redelivers an event when the ack was slow or failed (HTTP: X-Slack-Retry-Num; Socket Mode:
the envelope's retry_attempt). Every delivery of one event carries the same event_id, so the
event_id is the key. A retry whose event_id was never seen (the first delivery never reached
this process) is still answered: skipping it on the header alone would lose that question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

logger = logging.getLogger(__name__)

# Slack retries three times over about five minutes; keep ids well past that.
DEFAULT_TTL_SECONDS = 30 * 60
DEFAULT_MAX_IDS = 50_000


class SeenEvents:
    """A bounded TTL set: `first_time(key)` is True once per key within the TTL."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, max_size: int = DEFAULT_MAX_IDS,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl, self.max_size, self._clock = ttl, max_size, clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest_key, seen_at = next(iter(self._seen.items()))
                if now - seen_at < self.ttl and len(self._seen) < self.max_size:
                    break
                del self._seen[oldest_key]
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def __len__(self) -> int:
        return len(self._seen)


def retry_number(request: Any) -> str | None:
    """The delivery attempt Slack reports, from the HTTP header or the Socket Mode envelope."""
    headers = getattr(request, "headers", {}) or {}
    values = headers.get("x-slack-retry-num") or []
    return values[0] if values else None


def dedupe_middleware(seen: SeenEvents) -> Callable[..., Any]:
    """Bolt middleware: a repeated event is acked (200) and goes no further."""

    def dedupe_events(body: dict[str, Any], request: Any, next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not seen.first_time(str(event_id)):
            logger.info("repeated delivery of event %s (retry %s): already handled",
                        event_id, retry_number(request) or "-")
            return BoltResponse(status=200, body="")
        return next()

    return dedupe_events
