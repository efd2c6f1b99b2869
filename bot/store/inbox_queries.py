"""The inbox: acked requests until they are answered, and the event ids already taken.

inbox  one row per request: queued -> claimed (by a worker, until lease_until) -> done.
       `key` is unique, so a redelivered event is recognised after a restart too, and by
       every replica on one database.

Every method is one short transaction. An add is an INSERT ... ON CONFLICT DO NOTHING, so two
replicas handed the same event store it once. A claim is one UPDATE ... RETURNING of the oldest
row that is queued or whose lease ran out; on PostgreSQL its subquery takes the row FOR UPDATE
SKIP LOCKED, so two replicas claiming at once never take the same row (SQLite has one writer).
"""

from __future__ import annotations

import time

from .db import Cursor
from .records import Admission, InboxItem
from .records_queries import Queries

_OPEN = "state IN ('queued', 'claimed')"
# A claim and a done mark are not fsynced on their own (the next synced commit carries them):
# each fsync costs ~3 ms here, and four per request capped the bot near 80 requests/s. A killed
# process keeps them; only an OS crash or power loss can lose one, and then the request is
# served again (a claim lost) or, rarely, posted twice (a done mark lost). The ack's own write
# stays synced.
_SYNCED = False
# The ack path waits at most this long for a database connection: Slack wants its ack in 3 s.
ADD_TIMEOUT_SECONDS = 1.0


def _claim_sql(dialect: str) -> str:
    skip = " FOR UPDATE SKIP LOCKED" if dialect == "postgres" else ""
    return ("UPDATE inbox SET state = 'claimed', worker = ?, lease_until = ?,"
            " attempts = attempts + 1 WHERE id = (SELECT id FROM inbox WHERE"
            f" {_OPEN} AND (state = 'queued' OR lease_until < ?) ORDER BY id LIMIT 1{skip})"
            " RETURNING id, key, kind, payload, received_at, attempts")


class InboxQueries(Queries):
    def inbox_add(self, key: str, kind: str, payload: str, *, limit: int) -> Admission:
        def add(c: Cursor) -> Admission:
            if c.execute("SELECT 1 FROM inbox WHERE key = ?", (key,)).fetchone():
                return "duplicate"
            if c.execute(f"SELECT COUNT(*) FROM inbox WHERE {_OPEN}").fetchone()[0] >= limit:
                return "full"
            added = c.execute(
                "INSERT INTO inbox (key, kind, payload, received_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key) DO NOTHING", (key, kind, payload, time.time())).rowcount
            return "added" if added else "duplicate"  # another replica stored it meanwhile

        return self._db.write(add, timeout=ADD_TIMEOUT_SECONDS)

    def inbox_claim(self, worker: str, lease_seconds: float) -> InboxItem | None:
        now = time.time()
        sql = _claim_sql(self._db.dialect)
        row = self._db.write(
            lambda c: c.execute(sql, (worker, now + lease_seconds, now)).fetchone(),
            synced=_SYNCED)
        return InboxItem(*row) if row else None

    def inbox_extend(self, item_ids: list[int], worker: str, lease_seconds: float) -> int:
        """Renew `worker`'s leases on the items it still holds; how many it still held."""
        if not item_ids:
            return 0
        marks = ", ".join("?" for _ in item_ids)
        return self._execute(
            f"UPDATE inbox SET lease_until = ? WHERE id IN ({marks}) AND worker = ?"
            " AND state = 'claimed'", (time.time() + lease_seconds, *item_ids, worker),
            synced=_SYNCED)

    def inbox_done(self, item_id: int) -> None:
        # The payload (the user's text) goes: the key alone is enough to stop a redelivery.
        self._execute(
            "UPDATE inbox SET state = 'done', done_at = ?, payload = '', lease_until = NULL"
            " WHERE id = ?", (time.time(), item_id), synced=_SYNCED)

    def inbox_backlog(self) -> int:
        return int(self._fetchone(f"SELECT COUNT(*) FROM inbox WHERE {_OPEN}")[0])

    def inbox_prune(self, keep_seconds: float) -> int:
        return self._execute("DELETE FROM inbox WHERE state = 'done' AND done_at < ?",
                             (time.time() - keep_seconds,))
