"""One store, whatever the database: the query mixins over a `Db`, migrated when opened."""

from __future__ import annotations

from collections.abc import Sequence

from .db import Db
from .history_queries import HistoryQueries
from .inbox_queries import InboxQueries
from .learning_queries import LearningQueries
from .limits_queries import LimitQueries
from .migrate import Migration, migrate, schema_version
from .records_queries import RecordQueries


class SqlStore(RecordQueries, InboxQueries, HistoryQueries, LearningQueries, LimitQueries):
    """Thread-safe: Bolt's listeners, the inbox workers and the ack path share one store."""

    def __init__(self, db: Db, migrations: Sequence[Migration], where: str):
        self._db = db
        self.where = where  # for messages: a path, or a URL without its password
        self.migrated = migrate(db, migrations)  # the versions this start applied

    @property
    def dialect(self) -> str:
        return self._db.dialect

    def schema_version(self) -> int:
        return schema_version(self._db)

    def writable(self) -> bool:
        """Whether a write would succeed now (for /readyz)."""
        return self._db.writable()

    def close(self) -> None:
        self._db.close()
