"""A SQLite file from a release before numbered migrations is upgraded in place, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import SqliteStore

# The tables as an older release made them: failed_replies without the columns added since,
# no inbox, no suggestions, no schema_migrations.
_OLD = """
CREATE TABLE answers (ref TEXT PRIMARY KEY, question TEXT NOT NULL, lang TEXT NOT NULL,
    decision TEXT NOT NULL, entry TEXT NOT NULL, team TEXT NOT NULL, score REAL NOT NULL,
    user TEXT, channel TEXT, surface TEXT, knowledge_version TEXT, created_at TEXT NOT NULL);
CREATE TABLE votes (ref TEXT NOT NULL, user TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)), channel TEXT, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY (ref, user));
CREATE TABLE declined (id INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT UNIQUE,
    question TEXT NOT NULL, lang TEXT NOT NULL, reason TEXT NOT NULL, score REAL NOT NULL,
    closest_entry TEXT, closest_team TEXT, user TEXT, channel TEXT, surface TEXT,
    knowledge_version TEXT, created_at TEXT NOT NULL);
CREATE TABLE failed_replies (id INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT,
    question TEXT NOT NULL, surface TEXT, user TEXT, channel TEXT, target TEXT NOT NULL,
    error TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO answers VALUES ('R1', '谁写PRD', 'zh', 'answer', 'product-prd', 'product', 0.9,
    'U1', 'C1', 'mention', 'v1', '2026-11-30T10:00:00+00:00');
INSERT INTO votes VALUES ('R1', 'U2', 1, 'C1', '2026-11-30T10:01:00+00:00',
    '2026-11-30T10:01:00+00:00');
INSERT INTO declined (ref, question, lang, reason, score, created_at)
    VALUES ('R2', 'lunch?', 'en', 'low_score', 0.1, '2026-11-30T10:02:00+00:00');
INSERT INTO failed_replies (ref, question, target, error, created_at)
    VALUES ('R3', 'who owns QA', 'chat.postMessage', 'HTTP 500', '2026-11-30T10:03:00+00:00');
"""


def test_an_old_file_is_upgraded_in_place_and_keeps_every_row(tmp_path: Path):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_OLD)
    store = SqliteStore(path)
    try:
        assert store.migrated == [1, 2]
        assert store.answer("R1").question == "谁写PRD"  # type: ignore[union-attr]
        assert [(v.user, v.vote) for v in store.votes("R1")] == [("U2", 1)]
        assert [r["ref"] for r in store.declined()] == ["R2"]
        [failed] = store.failed_replies()
        assert failed["ref"] == "R3" and failed["thread_ts"] is None
        store.record_failed_reply("q", "chat.postMessage", "HTTP 500", thread_ts="1.2")
        assert store.failed_replies()[-1]["thread_ts"] == "1.2"
        assert store.inbox_add("event:E", "event", "{}", limit=5) == "added"
        assert store.rate_take("U1", 1, 60) == 0.0
    finally:
        store.close()
    assert SqliteStore(path).migrated == []
