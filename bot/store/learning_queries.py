"""Suggestions and learned examples, and the signals that keep replicas in step.

A suggestion is a question someone says belongs to an entry (the asker's "pick the right area",
or an admin's direct teaching). Approved, it is a learned example: the index serves it.

signals  one counter per name, bumped by `signal(name)`: an admin's `/owner reload` on one
         replica reaches the others, which poll `sync_state()` (a version row, one cheap read)
"""

from __future__ import annotations

from .db import Cursor
from .records import Suggestion
from .records_queries import Queries, now_text

_COLUMNS = ('id, question, entry, "user", corrects_ref, status, created_at, decided_by,'
            " decided_at")


class LearningQueries(Queries):
    def add_suggestion(self, question: str, entry: str, *, user: str | None = None,
                       corrects_ref: str | None = None, approved_by: str | None = None) -> int:
        """Store a suggestion (approved at once when an admin teaches it); its id."""
        status = "approved" if approved_by else "pending"
        now = now_text()
        row = self._db.write(lambda c: c.execute(
            "INSERT INTO suggestions (question, entry, \"user\", corrects_ref, status,"
            " created_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (question, entry, user, corrects_ref, status, now, approved_by,
             now if approved_by else None)).fetchone())
        return int(row[0])

    def suggestions(self, status: str | None = None) -> list[Suggestion]:
        where, args = (" WHERE status = ?", (status,)) if status else ("", ())
        rows = self._fetchall(f"SELECT {_COLUMNS} FROM suggestions{where} ORDER BY id", args)
        return [Suggestion(*row) for row in rows]

    def decide_suggestion(self, suggestion_id: int, status: str, by: str | None,
                          entry: str | None = None) -> Suggestion | None:
        """Approve or reject (optionally moving it to another entry); None if no such id."""
        if status not in ("approved", "rejected"):
            raise ValueError(f"status must be approved or rejected, got {status!r}")
        row = self._db.write(lambda c: c.execute(
            "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ?,"
            f" entry = COALESCE(?, entry) WHERE id = ? RETURNING {_COLUMNS}",
            (status, by, now_text(), entry, suggestion_id)).fetchone())
        return Suggestion(*row) if row else None

    def learned_state(self) -> tuple[int, str]:
        """(approved count, last decision time): cheap to poll for a change."""
        count, last = self._fetchone(
            "SELECT COUNT(*), COALESCE(MAX(decided_at), '') FROM suggestions"
            " WHERE status = 'approved'")
        return int(count), str(last)

    def signal(self, name: str) -> int:
        """Bump the counter `name` (e.g. "reload"); its new value."""

        def bump(c: Cursor) -> int:
            return int(c.execute(
                "INSERT INTO signals (name, version, changed_at) VALUES (?, 1, ?)"
                " ON CONFLICT (name) DO UPDATE SET version = signals.version + 1,"
                " changed_at = excluded.changed_at RETURNING version",
                (name, now_text())).fetchone()[0])

        return self._db.write(bump)

    def sync_state(self) -> tuple[object, ...]:
        """What a replica polls to stay in step: the learned examples and every signal."""
        signals = self._fetchall("SELECT name, version FROM signals ORDER BY name")
        return (self.learned_state(), tuple((str(n), int(v)) for n, v in signals))
