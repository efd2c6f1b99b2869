"""Per-user rate limit: a sliding window of the last minute's questions, thread-safe.

Applied to questions (mentions, DMs, /owner), never to feedback buttons: a click costs nothing
and refusing it would lose the vote.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0

class RateLimiter:
    """At most `limit` allowed calls per key in any `window` seconds; limit 0 disables it."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.limit, self.window, self._clock, self.max_keys = limit, window, clock, max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def allow(self, key: str | None) -> bool:
        """Count one call for `key` and say whether it is within the limit.

        A refused call is not counted, so someone who keeps asking is let in again as soon as
        their oldest question leaves the window.
        """
        if not self.enabled:
            return True
        key = key or "-"
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget_idle(now)
                hits = self._hits[key] = deque()
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str | None) -> float:
        """Seconds until `key` may ask again (0 when it may now)."""
        if not self.enabled:
            return 0.0
        with self._lock:
            hits = self._hits.get(key or "-")
            if not hits or len(hits) < self.limit:
                return 0.0
            return max(0.0, self.window - (self._clock() - hits[0]))

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= self.window]:
            del self._hits[key]

