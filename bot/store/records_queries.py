"""Answers, votes, declines and failed replies: the store's writes on the request path.

answers   every answered question, keyed by a ref that the reply's buttons carry
votes     one row per (ref, user): clicking again changes the vote, never adds a row
declined  questions the bot did not answer: what the knowledge is missing
failed_replies  replies Slack would not take (after retries): the question is never lost

Written once for both backends (bot/store/db.py); "user" is quoted because it is a reserved
word in PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..matcher import Match
from .db import Db, rows_as_dicts, storable
from .records import AnswerRecord, Vote


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _score(value: float) -> float:
    """A storable score: NaN would be stored as NULL (and fail NOT NULL), infinities mislead."""
    value = float(value)
    return value if math.isfinite(value) else 0.0


class Queries:
    """The few helpers every query mixin uses over `self._db`."""

    _db: Db

    def _execute(self, sql: str, args: Sequence[Any] = (), *, synced: bool = True) -> int:
        """One statement in its own transaction; the number of rows it touched."""
        return self._db.write(lambda c: c.execute(sql, storable(*args)).rowcount, synced=synced)

    def _fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return self._db.read(lambda c: c.execute(sql, storable(*args)).fetchall())

    def _fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self._db.read(lambda c: c.execute(sql, storable(*args)).fetchone())

    def _dicts(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, object]]:
        return self._db.read(lambda c: rows_as_dicts(c.execute(sql, storable(*args))))


_UPSERT_ANSWER = (
    "INSERT INTO answers (ref, question, lang, decision, entry, team, score, \"user\", channel,"
    " surface, knowledge_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (ref) DO UPDATE SET question = excluded.question, lang = excluded.lang,"
    " decision = excluded.decision, entry = excluded.entry, team = excluded.team,"
    " score = excluded.score, \"user\" = excluded.\"user\", channel = excluded.channel,"
    " surface = excluded.surface, knowledge_version = excluded.knowledge_version,"
    " created_at = excluded.created_at"
)
_UPSERT_DECLINE = (
    "INSERT INTO declined (ref, question, lang, reason, score, closest_entry, closest_team,"
    " \"user\", channel, surface, knowledge_version, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (ref) DO UPDATE SET question = excluded.question, lang = excluded.lang,"
    " reason = excluded.reason, score = excluded.score, closest_entry = excluded.closest_entry,"
    " closest_team = excluded.closest_team, \"user\" = excluded.\"user\","
    " channel = excluded.channel, surface = excluded.surface,"
    " knowledge_version = excluded.knowledge_version, created_at = excluded.created_at"
)


class RecordQueries(Queries):
    def record_answer(self, match: Match, ref: str, *, user: str | None = None,
                      channel: str | None = None, surface: str = "") -> None:
        if match.best is None:
            raise ValueError("a declined match is recorded with record_decline")
        self._execute(_UPSERT_ANSWER, (
            ref, match.question, match.lang, match.decision, match.best.entry.id,
            match.best.team.id, _score(match.score), user, channel, surface,
            match.knowledge.version, now_text()))

    def record_decline(self, match: Match, ref: str, *, user: str | None = None,
                       channel: str | None = None, surface: str = "") -> None:
        closest = match.alternatives[0] if match.alternatives else None
        self._execute(_UPSERT_DECLINE, (
            ref, match.question, match.lang, match.reason, _score(match.score),
            closest.entry.id if closest else None, closest.team.id if closest else None,
            user, channel, surface, match.knowledge.version, now_text()))

    def record_failed_reply(self, question: str, target: str, error: str, *,
                            ref: str | None = None, surface: str = "", user: str | None = None,
                            channel: str | None = None, thread_ts: str | None = None,
                            event_id: str | None = None, request: str | None = None) -> None:
        """A reply that could not be delivered: kept (with the request that failed, as JSON)
        so `owner-bot failed retry` can send it again, or an admin can answer by hand."""
        self._execute(
            "INSERT INTO failed_replies (ref, question, surface, \"user\", channel, target,"
            " error, created_at, thread_ts, event_id, request)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ref, question, surface, user, channel, target, error, now_text(), thread_ts,
             event_id, request))

    def failed_replies(self, pending_only: bool = False) -> list[dict[str, object]]:
        where = " WHERE delivered_at IS NULL" if pending_only else ""
        return self._dicts(
            "SELECT id, ref, question, surface, \"user\", channel, thread_ts, event_id, target,"
            f" error, created_at, request, delivered_at FROM failed_replies{where} ORDER BY id")

    def failed_reply_delivered(self, failed_id: int) -> None:
        self._execute("UPDATE failed_replies SET delivered_at = ? WHERE id = ?",
                      (now_text(), failed_id))

    def answer(self, ref: str) -> AnswerRecord | None:
        row = self._fetchone(
            "SELECT ref, question, lang, decision, entry, team, score, \"user\", channel"
            " FROM answers WHERE ref = ?", (ref,))
        return AnswerRecord(*row) if row else None

    def question(self, ref: str) -> tuple[str, str] | None:
        """(question, lang) behind a ref, answered or declined: alternatives buttons need it."""
        row = self._fetchone(
            "SELECT question, lang FROM answers WHERE ref = ?"
            " UNION ALL SELECT question, lang FROM declined WHERE ref = ? LIMIT 1", (ref, ref))
        return (row[0], row[1]) if row else None

    def vote(self, ref: str, user: str, vote: int, channel: str | None = None) -> None:
        """Record or change `user`'s vote on the answer `ref`: one row per (ref, user)."""
        if vote not in (1, -1):
            raise ValueError(f"vote must be 1 or -1, got {vote!r}")
        now = now_text()
        self._execute(
            "INSERT INTO votes (ref, \"user\", vote, channel, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (ref, \"user\") DO UPDATE SET vote = excluded.vote,"
            " channel = excluded.channel, updated_at = excluded.updated_at",
            (ref, user, vote, channel, now, now))

    def votes(self, ref: str | None = None) -> list[Vote]:
        query = (
            "SELECT v.ref, v.\"user\", v.vote, a.question, a.entry, a.team, a.score, v.channel,"
            " v.updated_at FROM votes v LEFT JOIN answers a ON a.ref = v.ref"
        )
        args: tuple[str, ...] = ()
        if ref is not None:
            query, args = query + " WHERE v.ref = ?", (ref,)
        rows = self._fetchall(query + " ORDER BY v.updated_at, v.ref, v.\"user\"", args)
        return [Vote(*row) for row in rows]

    def declined(self) -> list[dict[str, object]]:
        return self._dicts("SELECT ref, question, lang, reason, score, closest_entry,"
                           " closest_team, \"user\", channel, surface, created_at FROM declined"
                           " ORDER BY id")
