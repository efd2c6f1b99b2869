"""The inbox in SQLite: acked requests until they are answered (a mixin of SqliteStore).

inbox  one row per request: queued -> claimed (by a worker, until lease_until) -> done.
       `key` is unique, so a redelivered event is recognised after a restart too.

Every method is one short transaction. A claim is one UPDATE ... RETURNING of the oldest row that
is queued or whose lease ran out, so two processes on one file never take the same row (a
PostgreSQL backend does the same with FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .records import Admission, InboxItem

INBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done')),
    worker TEXT,
    lease_until REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS inbox_by_state ON inbox (state, id);
CREATE INDEX IF NOT EXISTS inbox_done_at ON inbox (done_at) WHERE state = 'done';
"""

_OPEN = "state IN ('queued', 'claimed')"


class SqliteInbox:
    _lock: threading.Lock
    _conn: sqlite3.Connection

    @contextmanager
    def _not_synced(self) -> Iterator[None]:
        """One transaction without an fsync of its own (the next synced commit carries it).

        For claims and done marks: each fsync costs ~3 ms here, and four per request capped
        the bot near 80 requests/s. In WAL mode such a commit survives a killed process; only
        an OS crash or power loss can lose it, and then the request is served again (a claim
        lost) or, rarely, posted twice (a done mark lost). The ack's own write stays synced.
        Call with the lock held.
        """
        self._conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with self._conn:
                yield
        finally:
            self._conn.execute("PRAGMA synchronous=FULL")

    def inbox_add(self, key: str, kind: str, payload: str, *, limit: int) -> Admission:
        with self._lock, self._conn:
            if self._conn.execute("SELECT 1 FROM inbox WHERE key = ?", (key,)).fetchone():
                return "duplicate"
            waiting = self._conn.execute(f"SELECT COUNT(*) FROM inbox WHERE {_OPEN}").fetchone()
            if waiting[0] >= limit:
                return "full"
            self._conn.execute(
                "INSERT INTO inbox (key, kind, payload, received_at) VALUES (?, ?, ?, ?)",
                (key, kind, payload, time.time()),
            )
            return "added"

    def inbox_claim(self, worker: str, lease_seconds: float) -> InboxItem | None:
        now = time.time()
        with self._lock, self._not_synced():
            row = self._conn.execute(
                "UPDATE inbox SET state = 'claimed', worker = ?, lease_until = ?,"
                " attempts = attempts + 1 WHERE id = (SELECT id FROM inbox WHERE"
                f" {_OPEN} AND (state = 'queued' OR lease_until < ?) ORDER BY id LIMIT 1)"
                " RETURNING id, key, kind, payload, received_at, attempts",
                (worker, now + lease_seconds, now),
            ).fetchone()
        return InboxItem(*row) if row else None

    def inbox_done(self, item_id: int) -> None:
        # The payload (the user's text) goes: the key alone is enough to stop a redelivery.
        with self._lock, self._not_synced():
            self._conn.execute(
                "UPDATE inbox SET state = 'done', done_at = ?, payload = '', lease_until = NULL"
                " WHERE id = ?", (time.time(), item_id),
            )

    def inbox_extend(self, item_id: int, lease_until: float) -> None:
        with self._lock, self._not_synced():
            self._conn.execute(
                "UPDATE inbox SET lease_until = MAX(lease_until, ?) WHERE id = ?"
                " AND state = 'claimed'", (lease_until, item_id),
            )

    def inbox_backlog(self) -> int:
        with self._lock:
            return int(self._conn.execute(
                f"SELECT COUNT(*) FROM inbox WHERE {_OPEN}").fetchone()[0])

    def inbox_prune(self, keep_seconds: float) -> int:
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "DELETE FROM inbox WHERE state = 'done' AND done_at < ?",
                (time.time() - keep_seconds,),
            )
            return cursor.rowcount

    def writable(self) -> bool:
        try:
            with self._lock:
                # Takes the write lock and lets it go: fails when the file is read-only, the
                # disk is gone or another writer has held it past busy_timeout.
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute("ROLLBACK")
            return True
        except sqlite3.Error:
            return False
