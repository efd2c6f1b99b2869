"""Everything the bot stores, behind one interface: answers, votes, declines, failed replies,
the inbox and the event ids taken, suggestions and learned examples, rate-limit windows.

`Store` is the contract, with two implementations of the same queries (`SqlStore` over a `Db`):
`SqliteStore`, one embedded file in the data dir (the default), and `PostgresStore`, one
database shared by several replicas (`OWNER_BOT_DATABASE_URL`). A new stored thing is a method
here, with the same contract test run against both backends (tests/store/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..matcher import Match
from .postgres import database_password, is_postgres_url, without_password
from .records import (
    Admission,
    AnswerRecord,
    Asked,
    Asker,
    InboxItem,
    StoreError,
    Suggestion,
    Vote,
    is_ref,
    new_ref,
)
from .sqlite import SqliteStore

__all__ = ["Admission", "AnswerRecord", "Asked", "Asker", "InboxItem", "SqliteStore", "Store",
           "StoreError", "Suggestion", "Vote", "database_password", "is_postgres_url", "is_ref",
           "new_ref", "open_store", "without_password"]


class Store(Protocol):
    where: str  # a path, or a URL without its password: for messages
    migrated: list[int]  # the schema migrations this opening applied

    def schema_version(self) -> int: ...

    def record_answer(self, match: Match, ref: str, *, user: str | None = None,
                      channel: str | None = None, surface: str = "") -> None: ...

    def record_decline(self, match: Match, ref: str, *, user: str | None = None,
                       channel: str | None = None, surface: str = "") -> None: ...

    def record_failed_reply(self, question: str, target: str, error: str, *,
                            ref: str | None = None, surface: str = "", user: str | None = None,
                            channel: str | None = None, thread_ts: str | None = None,
                            event_id: str | None = None, request: str | None = None) -> None: ...

    def answer(self, ref: str) -> AnswerRecord | None: ...

    def question(self, ref: str) -> tuple[str, str] | None: ...

    def vote(self, ref: str, user: str, vote: int, channel: str | None = None) -> None: ...

    def votes(self, ref: str | None = None) -> list[Vote]: ...

    def declined(self) -> list[dict[str, object]]: ...

    def failed_replies(self, pending_only: bool = False) -> list[dict[str, object]]:
        """Replies that could not be delivered, oldest first; `pending_only`: not yet
        delivered by `owner-bot failed retry`."""
        ...

    def failed_reply_delivered(self, failed_id: int) -> None: ...

    # The inbox: every acked request, until it is answered. Times are seconds since the epoch.
    def inbox_add(self, key: str, kind: str, payload: str, *, limit: int) -> Admission:
        """Store the request in one short transaction (before the ack): "duplicate" when `key`
        is known (served or not), "full" when `limit` requests are waiting already."""
        ...

    def inbox_claim(self, worker: str, lease_seconds: float) -> InboxItem | None:
        """The oldest request nobody holds (or whose holder's lease ran out), now `worker`'s
        for `lease_seconds`; None when there is none."""
        ...

    def inbox_extend(self, item_ids: list[int], worker: str, lease_seconds: float) -> int:
        """Renew `worker`'s leases on the items it is still answering: a lease runs out only
        when its holder stopped renewing it (died), never under a slow answer."""
        ...

    def inbox_done(self, item_id: int) -> None:
        """Answered: never served again; its key still stops a redelivery."""
        ...


    def inbox_backlog(self) -> int:
        """Requests not yet answered (waiting or held)."""
        ...

    def inbox_prune(self, keep_seconds: float) -> int:
        """Forget answered requests older than `keep_seconds`; how many were forgotten."""
        ...

    def writable(self) -> bool:
        """Whether a write would succeed now (for /readyz)."""
        ...

    def asked(self, days: int | None = None) -> list[Asked]: ...

    def asked_by(self, user: str, limit: int = 5) -> list[tuple[str, str, str | None]]: ...

    def forget_user(self, user: str) -> int: ...

    def delete_older_than(self, days: int) -> int: ...

    def add_suggestion(self, question: str, entry: str, *, user: str | None = None,
                       corrects_ref: str | None = None, approved_by: str | None = None
                       ) -> int: ...

    def suggestions(self, status: str | None = None) -> list[Suggestion]: ...

    def decide_suggestion(self, suggestion_id: int, status: str, by: str | None,
                          entry: str | None = None) -> Suggestion | None: ...

    def learned_state(self) -> tuple[int, str]: ...

    # Keeping replicas in step: a counter per name, and what a replica polls.
    def signal(self, name: str) -> int: ...

    def sync_state(self) -> tuple[object, ...]: ...

    # Rate limits, counted where every replica sees them.
    def rate_take(self, key: str, limit: int, window: float, now: float | None = None
                  ) -> float:
        """Count one question for `key` within `limit` per `window` s: 0.0 when counted, else
        the seconds until it would be."""
        ...

    def rate_prune(self, now: float | None = None) -> int: ...

    def close(self) -> None: ...


def open_store(target: Path | str) -> Store:
    """The store at `target`: a postgresql:// URL, else a SQLite file's path. Migrated to the
    current schema; raises StoreError (one line) when it cannot be used."""
    if is_postgres_url(target):
        from .postgres import PostgresStore

        return PostgresStore(str(target))
    return SqliteStore(target)
