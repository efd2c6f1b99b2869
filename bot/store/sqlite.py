"""The embedded store: one SQLite file in the data dir.

WAL journal, synchronous=FULL and one transaction per write: a process killed mid-write leaves
every committed row and no partial one; several processes may write the same file. Every write
transaction starts with BEGIN IMMEDIATE: it takes the write lock up front, so two writers queue
on busy_timeout instead of failing to upgrade a read lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import unusable_data_file
from .db import T
from .records import StoreError
from .schema_sqlite import MIGRATIONS
from .sql import SqlStore


class SqliteDb:
    """One connection behind a lock: sqlite3 connections are not for concurrent use."""

    dialect = "sqlite"

    def __init__(self, path: Path | str):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE ... COMMIT), not the
        # driver's implicit ones.
        self.conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10,
                                    isolation_level=None)
        self.lock = threading.Lock()
        # WAL lets an admin read the file (sqlite3 CLI, a report) while the bot writes.
        self.conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit survives power loss too, not only a killed process; writes are few.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        # A deleted question (retention, `owner-bot forget`) is overwritten, not just unlinked.
        self.conn.execute("PRAGMA secure_delete=ON")

    def write(self, work: Callable[[Any], T], *, synced: bool = True,
              timeout: float | None = None) -> T:
        with self.lock:
            if not synced:
                self.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(self.conn)
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
                return result
            finally:
                if not synced:
                    self.conn.execute("PRAGMA synchronous=FULL")

    def read(self, work: Callable[[Any], T]) -> T:
        with self.lock:
            return work(self.conn)

    def writable(self) -> bool:
        try:
            with self.lock:
                # Takes the write lock and lets it go: fails when the file is read-only, the
                # disk is gone or another writer has held it past busy_timeout.
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute("ROLLBACK")
            return True
        except sqlite3.Error:
            return False

    def scrub(self, tables: Sequence[str]) -> None:
        """Freed pages are zeroed (secure_delete); the WAL, which still holds the old pages,
        is checkpointed into the file and truncated, and the file is rewritten."""
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


class SqliteStore(SqlStore):
    def __init__(self, path: Path | str):
        """Raises StoreError (one line) when the file cannot be created or opened."""
        self.path = Path(path)
        try:
            super().__init__(SqliteDb(path), MIGRATIONS, str(path))
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(unusable_data_file("database", path, exc)) from None
