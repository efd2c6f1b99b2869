"""Per-user rate limit: a sliding window of the last minute's questions, counted in the store.

In the store (bot/store/limits_queries.py), so that replicas on one database count the same
questions: someone who asks replica A and then replica B is limited once, not twice. Applied to
questions (mentions, DMs, /owner), never to feedback buttons: a click costs nothing and refusing
it would lose the vote.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..store import SqliteStore, Store, StoreError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most `limit` questions per key in any `window` seconds; limit 0 disables it.

    Without a store (a test, one process alone) the windows live in a private in-memory
    SQLite database: the same queries, nothing shared.
    """

    def __init__(self, limit: int, store: Store | None = None, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.time):
        self.limit, self.window, self._clock = limit, window, clock
        self.store: Store | None = store
        if limit > 0 and store is None:
            self.store = SqliteStore(":memory:")

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def check(self, key: str | None) -> float:
        """Count one question for `key` if it is within the limit: 0.0 when counted, else the
        seconds until it would be. A refused question is not counted."""
        if not self.enabled or self.store is None:
            return 0.0
        try:
            return self.store.rate_take(key or "-", self.limit, self.window, self._clock())
        except StoreError as exc:
            # The database is away: a question let through beats one refused for our fault.
            logger.warning("rate limit not checked: %s", exc)
            return 0.0
