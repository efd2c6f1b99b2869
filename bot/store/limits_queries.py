"""Rate-limit windows in the store, so every replica counts the same questions.

rate_hits  one row per question counted: (key, at), at in seconds since the epoch
rate_keys  one row per key: the upsert takes its row lock on PostgreSQL, so two replicas
           counting the same person's questions at once take turns (SQLite has one writer)

A sliding window: a question is counted unless `limit` were counted in the last `window`
seconds; a refused one is not counted, so someone who keeps asking is let in again as soon as
their oldest question leaves the window.
"""

from __future__ import annotations

import time

from .db import Cursor
from .records_queries import Queries

# Forget the windows of people who stopped asking: a day is far longer than any window.
_IDLE_SECONDS = 24 * 3600


class LimitQueries(Queries):
    def rate_take(self, key: str, limit: int, window: float, now: float | None = None
                  ) -> float:
        """Count one question for `key` if it is within `limit` per `window` seconds: 0.0
        when counted, else the seconds until it would be."""
        at = time.time() if now is None else now

        def take(c: Cursor) -> float:
            c.execute("INSERT INTO rate_keys (key, seen_at) VALUES (?, ?) ON CONFLICT (key)"
                      " DO UPDATE SET seen_at = excluded.seen_at", (key, at))
            c.execute("DELETE FROM rate_hits WHERE key = ? AND at <= ?", (key, at - window))
            count, oldest = c.execute("SELECT COUNT(*), MIN(at) FROM rate_hits WHERE key = ?",
                                      (key,)).fetchone()
            if count >= limit:
                return max(0.001, window - (at - float(oldest)))
            c.execute("INSERT INTO rate_hits (key, at) VALUES (?, ?)", (key, at))
            return 0.0

        # Not fsynced: a hit lost to a power cut lets one question more through, nothing worse.
        return self._db.write(take, synced=False)

    def rate_prune(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - _IDLE_SECONDS

        def prune(c: Cursor) -> int:
            gone = c.execute("DELETE FROM rate_hits WHERE at < ?", (cutoff,)).rowcount
            return gone + c.execute("DELETE FROM rate_keys WHERE seen_at < ?",
                                    (cutoff,)).rowcount

        return self._db.write(prune, synced=False)
