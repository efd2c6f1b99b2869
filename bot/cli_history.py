"""`owner-bot report` and `owner-bot forget`: what people asked, and forgetting one person.

Registered on the main group by bot/cli.py; the library does the work (bot/report.py, the
store), these only read options and print.
"""

from __future__ import annotations

from pathlib import Path

import click

from .config import Settings
from .errors import OwnerBotError


def _store(settings: Settings):  # noqa: ANN202 - the Store protocol
    from .store import open_store

    if not settings.store_exists:
        raise click.ClickException(
            f"no database at {settings.store_path}: run the bot first, or set "
            "OWNER_BOT_DATA_DIR to the folder it uses")
    return open_store(settings.store_target)


@click.command()
@click.option("--days", type=click.IntRange(min=1), help="Only the last N days (default: all).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as one self-contained HTML file with charts.")
@click.option("--encoder", envvar="OWNER_BOT_ENCODER",
              help="Encoder for grouping similar questions (default: the bot's).")
def report(days: int | None, html_file: Path | None, encoder: str | None) -> None:
    """What people asked and what the bot could not answer, similar questions grouped."""
    from .cache import EmbeddingCache
    from .encoders import load_encoder
    from .report import build_report, render_text
    from .report_html import render_html

    try:
        settings = Settings.from_env(encoder=encoder)
        store = _store(settings)
        rows = store.asked(days)
        model = load_encoder(settings.encoder, settings.threads)
        cache = EmbeddingCache(settings.cache_path)
        built = build_report(rows, lambda texts: cache.embed(
            model.id + "|query", texts, model.encode_queries), days)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(render_text(built))
    if html_file is not None:
        try:
            html_file.write_text(render_html(built), encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {html_file}: {exc.strerror}") from None
        click.echo(f"wrote {html_file}")


@click.command()
@click.argument("user_id")
def forget(user_id: str) -> None:
    """Delete one person's questions and votes (a Slack user id, e.g. U012ABC), everywhere."""
    if not user_id.strip() or any(ch.isspace() for ch in user_id):
        raise click.ClickException("USER_ID must be one Slack user id such as U012ABCDEF")
    try:
        deleted = _store(Settings.from_env()).forget_user(user_id)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"forgot {user_id}: {deleted} row(s) deleted")
