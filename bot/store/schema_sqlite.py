"""The SQLite schema, as numbered migrations (bot/store/migrate.py).

Version 1 is the schema of the releases before migrations were numbered, written with IF NOT
EXISTS, so a file from such a release is adopted in place: its tables stay, the columns added to
failed_replies since are added if missing, and nothing is lost.
"""

from __future__ import annotations

from .db import Cursor
from .migrate import Migration, statements

_V1 = """
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
)
"""

_V2 = """
CREATE TABLE rate_hits (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX rate_hits_by_key ON rate_hits (key, at);
CREATE TABLE rate_keys (key TEXT PRIMARY KEY, seen_at REAL NOT NULL);
CREATE TABLE signals (name TEXT PRIMARY KEY, version INTEGER NOT NULL, changed_at TEXT NOT NULL)
"""

_ADDED_TO_FAILED_REPLIES = ("thread_ts", "event_id", "request", "delivered_at")


def _add_missing_columns(c: Cursor) -> None:
    have = {row[1] for row in c.execute("PRAGMA table_info(failed_replies)").fetchall()}
    for name in _ADDED_TO_FAILED_REPLIES:
        if name not in have:
            c.execute(f"ALTER TABLE failed_replies ADD COLUMN {name} TEXT")


MIGRATIONS = (
    Migration(1, "answers, votes, declines, failed replies, inbox, suggestions",
              statements(_V1), then=_add_missing_columns),
    Migration(2, "rate-limit windows and signals", statements(_V2)),
)
