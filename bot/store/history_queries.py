"""What people asked, as the report reads it, and the forgetting of it.

Kept apart from the writes on the request path: these run from the CLI (`owner-bot report`,
`owner-bot forget`) and the daily retention purge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .db import Cursor
from .records import Asked
from .records_queries import Queries

# Tables holding people's questions, votes or question counts, and the column naming the person.
_PERSONAL = (("answers", '"user"'), ("declined", '"user"'), ("failed_replies", '"user"'),
             ("votes", '"user"'), ("rate_hits", "key"), ("rate_keys", "key"))
_SCRUBBED = ("answers", "declined", "failed_replies", "votes", "suggestions", "inbox")


class HistoryQueries(Queries):
    def asked(self, days: int | None = None) -> list[Asked]:
        """Every question answered or declined in the last `days` days (all when None),
        oldest first, with the 👍/👎 counts of its answer."""
        since = _cutoff(days) if days is not None else ""
        rows = self._fetchall(
            "SELECT a.ref, a.question, a.lang, a.decision, a.entry, a.team, a.surface,"
            " a.\"user\", a.created_at,"
            " COALESCE(SUM(CASE WHEN v.vote = 1 THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN v.vote = -1 THEN 1 ELSE 0 END), 0)"
            " FROM answers a LEFT JOIN votes v ON v.ref = a.ref WHERE a.created_at >= ?"
            " GROUP BY a.ref"
            " UNION ALL SELECT ref, question, lang, 'decline', closest_entry, closest_team,"
            " surface, \"user\", created_at, 0, 0 FROM declined WHERE created_at >= ?"
            " ORDER BY 9", (since, since))
        return [Asked(*row[:9], int(row[9]), int(row[10])) for row in rows]

    def asked_by(self, user: str, limit: int = 5) -> list[tuple[str, str, str | None]]:
        """(question, decision, entry) of one person's latest questions, newest first."""
        rows = self._fetchall(
            "SELECT question, decision, entry, created_at FROM answers WHERE \"user\" = ?"
            " UNION ALL SELECT question, 'decline', NULL, created_at FROM declined"
            " WHERE \"user\" = ? ORDER BY 4 DESC LIMIT ?", (user, user, limit))
        return [(q, d, e) for q, d, e, _ in rows]

    def forget_user(self, user: str) -> int:
        """Delete one person's questions and votes everywhere; the number of rows deleted."""

        def forget(c: Cursor) -> int:
            refs = "SELECT ref FROM answers WHERE \"user\" = ?"
            # Others' votes on this person's answers would point at nothing: they go too.
            deleted = c.execute(f"DELETE FROM votes WHERE ref IN ({refs})", (user,)).rowcount
            for table, column in _PERSONAL:
                deleted += c.execute(f"DELETE FROM {table} WHERE {column} = ?",
                                     (user,)).rowcount
            # Their suggestions go; an approved one is a learned example now and stays, but no
            # longer says who asked it.
            deleted += c.execute(
                "DELETE FROM suggestions WHERE \"user\" = ? AND status != 'approved'",
                (user,)).rowcount
            c.execute("UPDATE suggestions SET \"user\" = NULL WHERE \"user\" = ?", (user,))
            c.execute("UPDATE suggestions SET decided_by = NULL WHERE decided_by = ?", (user,))
            return deleted

        deleted = self._db.write(forget)
        self._db.scrub(_SCRUBBED)
        return deleted

    def delete_older_than(self, days: int) -> int:
        """Retention: delete questions, votes, failed replies and unapproved suggestions older
        than `days` days; learned examples stay."""
        cutoff = _cutoff(days)

        def purge(c: Cursor) -> int:
            deleted = c.execute(
                "DELETE FROM votes WHERE updated_at < ? OR ref IN"
                " (SELECT ref FROM answers WHERE created_at < ?)", (cutoff, cutoff)).rowcount
            for table in ("answers", "declined", "failed_replies"):
                deleted += c.execute(f"DELETE FROM {table} WHERE created_at < ?",
                                     (cutoff,)).rowcount
            # Learned examples stay; suggestions nobody approved do not.
            return deleted + c.execute(
                "DELETE FROM suggestions WHERE status != 'approved' AND created_at < ?",
                (cutoff,)).rowcount

        deleted = self._db.write(purge)
        if deleted:
            self._db.scrub(_SCRUBBED)
        return deleted


def _cutoff(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
