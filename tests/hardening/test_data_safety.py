"""The feedback database survives a writer killed mid-write, and concurrent writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from hardening_support import REPO_ROOT

from bot.matcher import Match
from bot.store import SqliteStore

WRITER = textwrap.dedent("""
    import sys
    from bot.matcher import Match
    from bot.store import SqliteStore

    store = SqliteStore(sys.argv[1])
    prefix, count = sys.argv[2], int(sys.argv[3])
    big = "x" * 20000  # long rows: more pages per transaction, more chances to die mid-write
    for i in range(count):
        ref = f"{prefix}-{i}"
        # One transaction: the declined question and a vote on it, committed together.
        def write(c):
            c.execute(
                "INSERT INTO declined (ref, question, lang, reason, score, created_at)"
                " VALUES (?, ?, 'en', 'low_score', 0.1, 'now')", (ref, big + ref))
            c.execute(
                "INSERT INTO votes (ref, user, vote, created_at, updated_at)"
                " VALUES (?, 'U1', 1, 'now', 'now')", (ref,))
        store._db.write(write)
        print(ref, flush=True)  # reported only once committed
""")


def _writer(db: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(db), prefix, str(count)],
                            stdout=subprocess.PIPE, text=True, env=env)


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_store_is_wal_with_full_sync(tmp_path: Path):
    store = SqliteStore(tmp_path / "f.sqlite3")
    try:
        conn = store._db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()


def test_writer_killed_mid_transaction_leaves_every_committed_row(tmp_path: Path):
    db = tmp_path / "feedback.sqlite3"
    SqliteStore(db).close()  # schema in place before the child starts
    child = _writer(db, "k", 100_000)
    committed: list[str] = []
    assert child.stdout is not None
    try:
        for line in child.stdout:
            committed.append(line.strip())
            if len(committed) == 150:
                break
        child.send_signal(signal.SIGKILL)  # mid-way: the next transaction is being written
        committed.extend(line.strip() for line in child.stdout)  # lines already flushed
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    assert _integrity(db) == "ok"
    store = SqliteStore(db)
    try:
        declined = {row["ref"] for row in store.declined()}
        voted = {v.ref for v in store.votes()}
    finally:
        store.close()
    assert set(committed) <= declined
    assert declined == voted  # each transaction is all or nothing: no question without its vote
    assert len(declined) - len(committed) <= 1  # at most the one committed before its print


def test_concurrent_writers_threads_and_processes(tmp_path: Path, matcher):
    db = tmp_path / "feedback.sqlite3"
    store = SqliteStore(db)
    children = [_writer(db, f"p{n}", 150) for n in range(2)]
    match = matcher.match("Who prepares the balance sheet?")
    assert isinstance(match, Match) and match.best is not None

    def write(n: int) -> None:
        for i in range(100):
            ref = f"t{n}-{i}"
            store.record_answer(match, ref, user=f"U{n}")
            store.vote(ref, f"U{i % 7}", 1 if i % 2 else -1)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    outputs = [child.communicate(timeout=120)[0].split() for child in children]
    try:
        assert [child.returncode for child in children] == [0, 0]
        assert [len(out) for out in outputs] == [150, 150]
        votes = store.votes()
        assert len(votes) == 4 * 100 + 2 * 150
        assert len({r["ref"] for r in store.declined()}) == 300
        assert all(store.answer(f"t{n}-{i}") for n in range(4) for i in range(100))
    finally:
        store.close()
    assert _integrity(db) == "ok"
