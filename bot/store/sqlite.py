"""The embedded store: one SQLite file in the data dir.

answers   every answered question, keyed by a ref that the reply's buttons carry
votes     one row per (ref, user): clicking again changes the vote, never adds a row
declined  questions the bot did not answer: what the knowledge is missing
failed_replies  replies Slack would not take (after retries): the question is never lost
inbox     acked requests until answered (sqlite_inbox.py)

WAL journal, synchronous=FULL and one transaction per write: a process killed mid-write leaves
every committed row and no partial one; several processes may write the same file.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from ..errors import unusable_data_file
from ..matcher import Match
from .records import AnswerRecord, StoreError, Vote
from .sqlite_history import HistoryQueries
from .sqlite_inbox import INBOX_SCHEMA, SqliteInbox
from .sqlite_learning import LEARNING_SCHEMA, LearningQueries

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    ref TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    lang TEXT NOT NULL,
    decision TEXT NOT NULL,
    entry TEXT NOT NULL,
    team TEXT NOT NULL,
    score REAL NOT NULL,
    user TEXT,
    channel TEXT,
    surface TEXT,
    knowledge_version TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    ref TEXT NOT NULL,
    user TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    channel TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (ref, user)
);
CREATE TABLE IF NOT EXISTS declined (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT UNIQUE,
    question TEXT NOT NULL,
    lang TEXT NOT NULL,
    reason TEXT NOT NULL,
    score REAL NOT NULL,
    closest_entry TEXT,
    closest_team TEXT,
    user TEXT,
    channel TEXT,
    surface TEXT,
    knowledge_version TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT,
    question TEXT NOT NULL,
    surface TEXT,
    user TEXT,
    channel TEXT,
    target TEXT NOT NULL,
    error TEXT NOT NULL,
    created_at TEXT NOT NULL,
    thread_ts TEXT,
    event_id TEXT,
    request TEXT,
    delivered_at TEXT
);
CREATE VIEW IF NOT EXISTS feedback AS
    SELECT a.question, a.entry, a.team, a.score, v.user, v.channel, v.vote, v.updated_at AS time
    FROM votes v JOIN answers a ON a.ref = v.ref;
"""


_FAILED_REPLY_COLUMNS = ("thread_ts", "event_id", "request", "delivered_at")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row(*values: object) -> tuple[object, ...]:
    """Values as SQLite can store them: a lone surrogate (valid in JSON, not in UTF-8) becomes
    U+FFFD instead of failing the write."""
    return tuple(
        v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if isinstance(v, str) else v
        for v in values
    )


def _score(value: float) -> float:
    """A storable score: NaN would be stored as NULL (and fail NOT NULL), infinities mislead."""
    value = float(value)
    return value if math.isfinite(value) else 0.0


class SqliteStore(SqliteInbox, HistoryQueries, LearningQueries):
    """Thread-safe: Bolt runs listeners on a thread pool, so one connection sits behind a lock."""

    def __init__(self, path: Path | str):
        """Raises StoreError (one line) when the file cannot be created or opened."""
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._open(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(unusable_data_file("database", path, exc)) from None

    def _open(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        with self._lock:
            # WAL lets an admin read the file (sqlite3 CLI, a report) while the bot writes.
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit survives power loss too, not only a killed process; writes are few.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA busy_timeout=10000")
            # A deleted question (retention, `owner-bot forget`) is overwritten, not just unlinked.
            self._conn.execute("PRAGMA secure_delete=ON")
            with self._conn:
                self._conn.executescript(_SCHEMA + INBOX_SCHEMA + LEARNING_SCHEMA)
                self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A database made by an older version gets the columns added since (all nullable)."""
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(failed_replies)")}
        for name in _FAILED_REPLY_COLUMNS:
            if name not in have:
                self._conn.execute(f"ALTER TABLE failed_replies ADD COLUMN {name} TEXT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def record_answer(self, match: Match, ref: str, *, user: str | None = None,
                      channel: str | None = None, surface: str = "") -> None:
        if match.best is None:
            raise ValueError("a declined match is recorded with record_decline")
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO answers (ref, question, lang, decision, entry, team, score,"
                " user, channel, surface, knowledge_version, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row(ref, match.question, match.lang, match.decision, match.best.entry.id,
                     match.best.team.id, _score(match.score), user, channel, surface,
                     match.knowledge.version, _now()),
            )

    def record_decline(self, match: Match, ref: str, *, user: str | None = None,
                       channel: str | None = None, surface: str = "") -> None:
        closest = match.alternatives[0] if match.alternatives else None
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO declined (ref, question, lang, reason, score,"
                " closest_entry, closest_team, user, channel, surface, knowledge_version,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row(ref, match.question, match.lang, match.reason, _score(match.score),
                     closest.entry.id if closest else None,
                     closest.team.id if closest else None,
                     user, channel, surface, match.knowledge.version, _now()),
            )

    def record_failed_reply(self, question: str, target: str, error: str, *,
                            ref: str | None = None, surface: str = "", user: str | None = None,
                            channel: str | None = None, thread_ts: str | None = None,
                            event_id: str | None = None, request: str | None = None) -> None:
        """A reply that could not be delivered: kept (with the request that failed, as JSON)
        so `owner-bot failed retry` can send it again, or an admin can answer by hand."""
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO failed_replies (ref, question, surface, user, channel, target,"
                " error, created_at, thread_ts, event_id, request)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row(ref, question, surface, user, channel, target, error, _now(), thread_ts,
                     event_id, request),
            )

    def _rows(self, query: str) -> list[dict[str, object]]:
        with self._lock:
            cursor = self._conn.execute(query)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def failed_replies(self, pending_only: bool = False) -> list[dict[str, object]]:
        where = " WHERE delivered_at IS NULL" if pending_only else ""
        with self._lock:
            cursor = self._conn.execute(
                "SELECT id, ref, question, surface, user, channel, thread_ts, event_id, target,"
                f" error, created_at, request, delivered_at FROM failed_replies{where}"
                " ORDER BY id"
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def failed_reply_delivered(self, failed_id: int) -> None:
        with self._lock, self._conn:
            self._conn.execute("UPDATE failed_replies SET delivered_at = ? WHERE id = ?",
                               (_now(), failed_id))

    def answer(self, ref: str) -> AnswerRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT ref, question, lang, decision, entry, team, score, user, channel"
                " FROM answers WHERE ref = ?", _row(ref),
            ).fetchone()
        return AnswerRecord(*row) if row else None

    def question(self, ref: str) -> tuple[str, str] | None:
        """(question, lang) behind a ref, answered or declined: alternatives buttons need it."""
        with self._lock:
            row = self._conn.execute(
                "SELECT question, lang FROM answers WHERE ref = ?"
                " UNION ALL SELECT question, lang FROM declined WHERE ref = ? LIMIT 1",
                _row(ref, ref),
            ).fetchone()
        return (row[0], row[1]) if row else None

    def vote(self, ref: str, user: str, vote: int, channel: str | None = None) -> None:
        """Record or change `user`'s vote on the answer `ref`: one row per (ref, user)."""
        if vote not in (1, -1):
            raise ValueError(f"vote must be 1 or -1, got {vote!r}")
        now = _now()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO votes (ref, user, vote, channel, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (ref, user) DO UPDATE SET vote = excluded.vote,"
                " channel = excluded.channel, updated_at = excluded.updated_at",
                _row(ref, user, vote, channel, now, now),
            )

    def votes(self, ref: str | None = None) -> list[Vote]:
        query = (
            "SELECT v.ref, v.user, v.vote, a.question, a.entry, a.team, a.score, v.channel,"
            " v.updated_at FROM votes v LEFT JOIN answers a ON a.ref = v.ref"
        )
        args: tuple[str, ...] = ()
        if ref is not None:
            query += " WHERE v.ref = ?"
            args = _row(ref)  # type: ignore[assignment]
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY v.updated_at, v.ref, v.user",
                                      args).fetchall()
        return [Vote(*row) for row in rows]

    def declined(self) -> list[dict[str, object]]:
        return self._rows("SELECT ref, question, lang, reason, score, closest_entry,"
                          " closest_team, user, channel, surface, created_at FROM declined"
                          " ORDER BY id")
