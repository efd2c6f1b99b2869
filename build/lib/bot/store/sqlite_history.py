"""The SQLite store's reading of what people asked, and its forgetting of it.

Kept apart from sqlite.py's writes on the request path: these run from the CLI (`owner-bot
report`, `owner-bot forget`) and the daily retention purge.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from .records import Asked

# Tables holding people's questions or votes, and the column naming the person.
_PERSONAL = (("answers", "user"), ("declined", "user"), ("failed_replies", "user"),
             ("votes", "user"))


class HistoryQueries:
    _conn: sqlite3.Connection
    _lock: threading.Lock

    def asked(self, days: int | None = None) -> list[Asked]:
        """Every question answered or declined in the last `days` days (all when None),
        oldest first, with the 👍/👎 counts of its answer."""
        since = _cutoff(days) if days is not None else ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT a.ref, a.question, a.lang, a.decision, a.entry, a.team, a.surface,"
                " a.user, a.created_at,"
                " COALESCE(SUM(v.vote = 1), 0), COALESCE(SUM(v.vote = -1), 0)"
                " FROM answers a LEFT JOIN votes v ON v.ref = a.ref WHERE a.created_at >= ?"
                " GROUP BY a.ref"
                " UNION ALL SELECT ref, question, lang, 'decline', closest_entry, closest_team,"
                " surface, user, created_at, 0, 0 FROM declined WHERE created_at >= ?"
                " ORDER BY 9", (since, since),
            ).fetchall()
        return [Asked(*row) for row in rows]

    def asked_by(self, user: str, limit: int = 5) -> list[tuple[str, str, str | None]]:
        """(question, decision, entry) of one person's latest questions, newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT question, decision, entry, created_at FROM answers WHERE user = ?"
                " UNION ALL SELECT question, 'decline', NULL, created_at FROM declined"
                " WHERE user = ? ORDER BY 4 DESC LIMIT ?", (user, user, limit)).fetchall()
        return [(q, d, e) for q, d, e, _ in rows]

    def forget_user(self, user: str) -> int:
        """Delete one person's questions and votes everywhere; the number of rows deleted."""
        with self._lock, self._conn:
            refs = "SELECT ref FROM answers WHERE user = ?"
            # Others' votes on this person's answers would point at nothing: they go too.
            deleted = self._conn.execute(f"DELETE FROM votes WHERE ref IN ({refs})",
                                         (user,)).rowcount
            for table, column in _PERSONAL:
                deleted += self._conn.execute(f"DELETE FROM {table} WHERE {column} = ?",
                                              (user,)).rowcount
            # Their suggestions go; an approved one is a learned example now and stays, but no
            # longer says who asked it.
            deleted += self._conn.execute(
                "DELETE FROM suggestions WHERE user = ? AND status != 'approved'",
                (user,)).rowcount
            self._conn.execute("UPDATE suggestions SET user = NULL WHERE user = ?", (user,))
            self._conn.execute("UPDATE suggestions SET decided_by = NULL WHERE decided_by = ?",
                               (user,))
        self._scrub()
        return deleted

    def delete_older_than(self, days: int) -> int:
        """Retention: delete questions, votes, failed replies and unapproved suggestions older
        than `days` days; learned examples stay."""
        cutoff = _cutoff(days)
        with self._lock, self._conn:
            deleted = self._conn.execute(
                "DELETE FROM votes WHERE updated_at < ? OR ref IN"
                " (SELECT ref FROM answers WHERE created_at < ?)", (cutoff, cutoff)).rowcount
            for table in ("answers", "declined", "failed_replies"):
                deleted += self._conn.execute(f"DELETE FROM {table} WHERE created_at < ?",
                                              (cutoff,)).rowcount
            # Learned examples stay; suggestions nobody approved do not.
            deleted += self._conn.execute(
                "DELETE FROM suggestions WHERE status != 'approved' AND created_at < ?",
                (cutoff,)).rowcount
        if deleted:
            self._scrub()
        return deleted

    def _scrub(self) -> None:
        """Leave no copy behind: freed pages are zeroed (secure_delete) and the WAL, which
        still holds the old pages, is checkpointed into the file and truncated."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _cutoff(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
