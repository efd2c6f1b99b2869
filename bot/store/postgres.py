"""The shared store: PostgreSQL, for several replicas (`OWNER_BOT_DATABASE_URL`).

psycopg 3 with a connection pool (psycopg-pool, the `postgres` extra). A write that loses its
connection (one the server dropped, say) is run again on a fresh one, once, then fails with a
StoreError that the caller logs (one line) and gets past: a database away for a few seconds
costs records, never a crash. After a failure, calls fail at once for DOWN_SECONDS instead of
each waiting for a connection (the pool reconnects in the background meanwhile), so a reply is
not held up by every write it makes. The ack path waits for a connection at most
ADD_TIMEOUT_SECONDS (inbox_queries.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .db import Cursor, T
from .records import StoreError
from .schema_postgres import MIGRATIONS
from .sql import SqlStore

VARIABLE = "OWNER_BOT_DATABASE_URL"
POOL_SIZE = 10  # inbox workers, the HTTP acks and the watchers of one replica, with room
CONNECT_SECONDS = 5.0
WAIT_SECONDS = 2.0  # for a pooled connection, per attempt
DOWN_SECONDS = 1.0
_ATTEMPTS = 2


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def without_password(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = "&".join("password=***" if q.lower().startswith("password=") else q
                         for q in parts.query.split("&")) if parts.query else ""
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "(a malformed URL)"


def database_password(url: str | None) -> str | None:
    """The password in a database URL, for the log redactor."""
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def _reason(exc: BaseException, url: str) -> str:
    """The driver's first line, with the password out of it if it somehow got in."""
    text = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
    try:
        secret = urlsplit(url).password
    except ValueError:
        secret = None
    return text.replace(secret, "***") if secret else text


class _Cursor:
    """A psycopg cursor taking the queries' `?` placeholders."""

    _converted: dict[str, str] = {}

    def __init__(self, cursor: Any):
        self._cursor = cursor

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        converted = self._converted.get(sql)
        if converted is None:
            converted = self._converted[sql] = sql.replace("%", "%%").replace("?", "%s")
        return self._cursor.execute(converted, tuple(args))


def _unsynced_by_default(conn: Any) -> None:
    """Most writes per question (claim, rate-limit hit, done mark) need not wait for the WAL
    flush: a server crash can lose the last fraction of a second of them, costing a repeat,
    never a question. The rest (the ack's inbox row, records, votes) turn it on for their own
    transaction: one round trip saved per question either way, and more of them are unsynced."""
    conn.execute("SET synchronous_commit = off")


class PostgresDb:
    dialect = "postgres"

    def __init__(self, url: str, pool_size: int = POOL_SIZE):
        import psycopg
        from psycopg_pool import ConnectionPool

        self._operational = psycopg.OperationalError
        self.url = url
        self._down_until = 0.0
        self._down_reason = ""
        # Asked once, directly, so that a wrong URL is one clear line, not a pool's retries.
        with psycopg.connect(url, connect_timeout=int(CONNECT_SECONDS)):
            pass
        self.pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, timeout=CONNECT_SECONDS,
            # No check when a connection is taken (a round trip per transaction): one the
            # server dropped fails its first statement, is discarded, and the work runs again
            # on a fresh one (_run).
            kwargs={"autocommit": True, "connect_timeout": int(CONNECT_SECONDS)},
            configure=_unsynced_by_default, name="owner-bot")
        self.pool.open(wait=True, timeout=CONNECT_SECONDS)

    def write(self, work: Callable[[Cursor], T], *, synced: bool = True,
              timeout: float | None = None) -> T:
        return self._run(work, synced=synced, timeout=timeout)

    def read(self, work: Callable[[Cursor], T]) -> T:
        return self._run(work, synced=None, timeout=None)

    def _run(self, work: Callable[[Cursor], T], *, synced: bool | None,
             timeout: float | None) -> T:
        """`synced` None: a read, run as it is (autocommit), no transaction round trips."""
        if time.monotonic() < self._down_until:
            raise self._unreachable(self._down_reason)
        # A caller with a deadline (the ack) gets one try; the rest ride out a blip.
        attempts = 1 if timeout is not None else _ATTEMPTS
        for attempt in range(attempts):
            try:
                with self.pool.connection(timeout=timeout or WAIT_SECONDS) as conn:
                    if synced is None:
                        result = work(_Cursor(conn.cursor()))  # type: ignore[arg-type]
                    else:
                        with conn.transaction():
                            cursor = _Cursor(conn.cursor())
                            if synced:
                                cursor.execute("SET LOCAL synchronous_commit = on")
                            result = work(cursor)  # type: ignore[arg-type]
                self._down_until = 0.0
                return result
            except self._operational as exc:
                reason = _reason(exc, self.url)
                if attempt + 1 == attempts:
                    self._down_until = time.monotonic() + DOWN_SECONDS
                    self._down_reason = reason
                    raise self._unreachable(reason) from None
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def _unreachable(self, reason: str) -> StoreError:
        return StoreError(f"the database at {without_password(self.url)} is unreachable: "
                          f"{reason}")

    def writable(self) -> bool:
        try:
            return bool(self._run(
                lambda c: c.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0],
                synced=None, timeout=1.0))
        except StoreError:
            return False

    def scrub(self, tables: Sequence[str]) -> None:
        """VACUUM the tables a deletion touched, so the dead rows' space is reused soon; it
        cannot run inside a transaction, so it takes a connection of its own."""
        try:
            with self.pool.connection() as conn:
                for table in tables:
                    conn.execute(f"VACUUM {table}")
        except self._operational:
            pass  # autovacuum gets there anyway

    def close(self) -> None:
        self.pool.close()


class PostgresStore(SqlStore):
    def __init__(self, url: str, pool_size: int = POOL_SIZE):
        """Raises StoreError (one line naming OWNER_BOT_DATABASE_URL, no password) when the
        URL is malformed or the server cannot be reached."""
        where = without_password(url)
        try:
            import psycopg  # noqa: F401
            import psycopg_pool  # noqa: F401
        except ImportError:
            raise StoreError(f"{VARIABLE} is set but PostgreSQL support is not installed: "
                             "pip install 'owner-bot[postgres]'") from None
        try:
            db = PostgresDb(url, pool_size)
        except Exception as exc:  # psycopg's own classes: ProgrammingError, OperationalError..
            raise StoreError(f"{VARIABLE}={where}: cannot connect: {_reason(exc, url)}: "
                             "check the URL, that the server is up and the password") from None
        super().__init__(db, MIGRATIONS, where)
