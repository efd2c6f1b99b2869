"""`owner-bot db ...`: the store's schema, and moving a SQLite install to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click

from .config import Settings
from .errors import OwnerBotError


@click.group()
def db() -> None:
    """The database: SQLite in the data dir, or OWNER_BOT_DATABASE_URL."""


@db.command()
def migrate() -> None:
    """Bring the database to the current schema (the bot also does this when it starts)."""
    from .store import open_store

    try:
        store = open_store(Settings.from_env().store_target)
        version, where, applied = store.schema_version(), store.where, store.migrated
        store.close()
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to apply"
    click.echo(f"{where}: schema version {version} ({done})")


@db.command("copy")
@click.argument("sqlite_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("postgres_url")
def copy_command(sqlite_file: Path, postgres_url: str) -> None:
    """Copy SQLITE_FILE (e.g. the data dir's feedback.sqlite3) into the PostgreSQL database at
    POSTGRES_URL. Safe to run again: rows already there are kept."""
    from .store import is_postgres_url, without_password
    from .store.copy import copy_sqlite_to_postgres

    if not is_postgres_url(postgres_url):
        raise click.ClickException("POSTGRES_URL must be a postgresql:// URL")
    try:
        counts = copy_sqlite_to_postgres(sqlite_file, postgres_url)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc).replace("OWNER_BOT_DATABASE_URL", "POSTGRES_URL")
                                   ) from None
    rows = ", ".join(f"{table} {n}" for table, n in counts.items())
    click.echo(f"copied {sqlite_file} to {without_password(postgres_url)}: {rows}")
