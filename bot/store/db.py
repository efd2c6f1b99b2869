"""What the SQL queries need of a database: a cursor inside a transaction, and a dialect name.

The queries (`*_queries.py`) are written once, in the SQL both SQLite and PostgreSQL speak, with
`?` placeholders; `sqlite.py` and `postgres.py` each supply a `Db`. Where the two must differ
(a claim that skips rows another replica holds, how to test that a write would succeed) the
query asks `dialect`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")
Dialect = Literal["sqlite", "postgres"]


class Cursor(Protocol):
    rowcount: int

    def execute(self, sql: str, args: Sequence[Any] = ...) -> Cursor: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    @property
    def description(self) -> Any: ...


class Db(Protocol):
    dialect: Dialect

    def write(self, work: Callable[[Cursor], T], *, synced: bool = True,
              timeout: float | None = None) -> T:
        """Run `work` in one transaction and commit it. `synced=False`: the commit need not
        reach the disk before returning (claims, done marks, rate-limit hits: losing one to
        a power cut costs a repeat, never a question). `timeout`: seconds to wait for a
        connection before giving up (the ack path cannot wait long)."""
        ...

    def read(self, work: Callable[[Cursor], T]) -> T: ...

    def writable(self) -> bool: ...

    def scrub(self, tables: Sequence[str]) -> None:
        """Leave no copy of deleted rows behind where the backend can help it."""
        ...

    def close(self) -> None: ...


def rows_as_dicts(cursor: Cursor) -> list[dict[str, object]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def storable(*values: object) -> tuple[object, ...]:
    """Values every backend can store: a lone surrogate (valid in JSON, not in UTF-8) and NUL
    (which PostgreSQL's text refuses) become U+FFFD instead of failing the write."""
    return tuple(
        v.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\x00", "\ufffd")
        if isinstance(v, str) else v
        for v in values
    )
