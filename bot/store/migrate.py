"""Numbered schema migrations, applied at start-up and by `owner-bot db migrate`.

Each backend has its own list (bot/store/schema_sqlite.py, schema_postgres.py) with the same
numbers, so a database copied from one to the other is at the same version. The runner applies
what `schema_migrations` does not list yet, in one transaction that first takes a lock: on
PostgreSQL an advisory lock, on SQLite the write lock (BEGIN IMMEDIATE), so two replicas
starting at once apply each migration once, and the second finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .db import Cursor, Db
from .records import StoreError
from .records_queries import now_text

# pg_advisory_xact_lock's key: any constant that no other program on the database uses.
_LOCK_KEY = 0x6F776E6572  # "owner"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    # For what SQL alone cannot say portably (a column that only older files lack).
    then: Callable[[Cursor], None] | None = field(default=None, compare=False)


def statements(script: str) -> tuple[str, ...]:
    """A script split into its statements (none of ours has a ';' inside a literal)."""
    return tuple(s.strip() for s in script.split(";") if s.strip())


def migrate(db: Db, migrations: Sequence[Migration]) -> list[int]:
    """Apply the migrations `db` lacks, oldest first; the versions applied (none: up to
    date). Raises StoreError when the database is newer than this code."""
    newest = max(m.version for m in migrations)

    def run(c: Cursor) -> list[int]:
        if db.dialect == "postgres":
            c.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK_KEY,))
        c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                  " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        have = {int(row[0]) for row in c.execute("SELECT version FROM schema_migrations")
                .fetchall()}
        if have and max(have) > newest:
            raise StoreError(f"the database is at schema version {max(have)}, newer than this "
                             f"owner-bot knows ({newest}): upgrade owner-bot")
        applied = []
        for migration in migrations:
            if migration.version in have:
                continue
            for statement in migration.statements:
                c.execute(statement)
            if migration.then is not None:
                migration.then(c)
            c.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                      " VALUES (?, ?, ?)", (migration.version, migration.name, now_text()))
            applied.append(migration.version)
        return applied

    return db.write(run)


def schema_version(db: Db) -> int:
    """The newest migration applied (0 for a database never migrated)."""

    exists = ("SELECT to_regclass('schema_migrations') IS NOT NULL" if db.dialect == "postgres"
              else "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'schema_migrations'")

    def read(c: Cursor) -> int:
        if not c.execute(exists).fetchone()[0]:
            return 0
        row = c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    return db.read(read)
