"""`owner-bot db copy`: a single-container install's SQLite file into PostgreSQL.

Every table a person's history lives in is copied with its ids, in one transaction; a row the
target has already (same key) is left as it is, so a copy interrupted or run twice is safe.
Rate-limit windows and signals are not copied: they describe the last minute, not history.
"""

from __future__ import annotations

from pathlib import Path

from .db import Cursor
from .postgres import PostgresStore
from .sqlite import SqliteStore

# table -> (columns, the key a second copy of the row would collide on)
_TABLES: dict[str, tuple[str, str]] = {
    "answers": ('ref, question, lang, decision, entry, team, score, "user", channel, surface,'
                " knowledge_version, created_at", "ref"),
    "votes": ('ref, "user", vote, channel, created_at, updated_at', 'ref, "user"'),
    "declined": ('id, ref, question, lang, reason, score, closest_entry, closest_team, "user",'
                 " channel, surface, knowledge_version, created_at", "id"),
    "failed_replies": ('id, ref, question, surface, "user", channel, target, error, created_at,'
                       " thread_ts, event_id, request, delivered_at", "id"),
    "suggestions": ('id, question, entry, "user", corrects_ref, status, created_at,'
                    " decided_by, decided_at", "id"),
    "inbox": ("id, key, kind, payload, state, worker, lease_until, attempts, received_at,"
              " done_at", "id"),
}
_WITH_IDS = ("declined", "failed_replies", "suggestions", "inbox")


def copy_sqlite_to_postgres(sqlite_file: Path, url: str) -> dict[str, int]:
    """Rows read per table (the target gains those it did not have). Both stores are
    migrated to the current schema first. Raises StoreError (one line)."""
    source, target = SqliteStore(sqlite_file), PostgresStore(url)
    try:
        rows = {table: source._db.read(lambda c, t=table, cols=cols: c.execute(
            f"SELECT {cols} FROM {t}").fetchall()) for table, (cols, _) in _TABLES.items()}

        def write(c: Cursor) -> None:
            for table, (cols, key) in _TABLES.items():
                marks = ", ".join("?" for _ in cols.split(","))
                sql = (f"INSERT INTO {table} ({cols}) VALUES ({marks})"
                       f" ON CONFLICT ({key}) DO NOTHING")
                for row in rows[table]:
                    c.execute(sql, row)
            for table in _WITH_IDS:  # new rows get ids after the copied ones
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                          f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")

        target._db.write(write)
        return {table: len(found) for table, found in rows.items()}
    finally:
        source.close()
        target.close()
