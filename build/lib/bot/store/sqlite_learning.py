"""The SQLite store's suggestions and learned examples.

A suggestion is a question someone says belongs to an entry (the asker's "pick the right area",
or an admin's direct teaching). Approved, it is a learned example: the index serves it.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

from .records import Suggestion

LEARNING_SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    entry TEXT NOT NULL,
    user TEXT,
    corrects_ref TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
"""

_COLUMNS = ("id, question, entry, user, corrects_ref, status, created_at, decided_by,"
            " decided_at")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LearningQueries:
    _conn: sqlite3.Connection
    _lock: threading.Lock

    def add_suggestion(self, question: str, entry: str, *, user: str | None = None,
                       corrects_ref: str | None = None, approved_by: str | None = None) -> int:
        """Store a suggestion (approved at once when an admin teaches it); its id."""
        status = "approved" if approved_by else "pending"
        now = _now()
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "INSERT INTO suggestions (question, entry, user, corrects_ref, status,"
                " created_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question, entry, user, corrects_ref, status, now, approved_by,
                 now if approved_by else None))
            return int(cursor.lastrowid or 0)

    def suggestions(self, status: str | None = None) -> list[Suggestion]:
        where, args = (" WHERE status = ?", (status,)) if status else ("", ())
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM suggestions{where} ORDER BY id",
                                      args).fetchall()
        return [Suggestion(*row) for row in rows]

    def decide_suggestion(self, suggestion_id: int, status: str, by: str | None,
                          entry: str | None = None) -> Suggestion | None:
        """Approve or reject (optionally moving it to another entry); None if no such id."""
        if status not in ("approved", "rejected"):
            raise ValueError(f"status must be approved or rejected, got {status!r}")
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ?,"
                " entry = COALESCE(?, entry) WHERE id = ?",
                (status, by, _now(), entry, suggestion_id))
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM suggestions WHERE id = ?",
                                     (suggestion_id,)).fetchone()
        return Suggestion(*row) if row else None

    def learned_state(self) -> tuple[int, str]:
        """(approved count, last decision time): cheap to poll for a change."""
        with self._lock:
            count, last = self._conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(decided_at), '') FROM suggestions"
                " WHERE status = 'approved'").fetchone()
        return int(count), str(last)
