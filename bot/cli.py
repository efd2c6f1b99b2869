"""owner-bot: ask who owns a piece of work, check the knowledge, evaluate, run the Slack bot."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from . import cli_db, cli_history, cli_learned, logs
from .cache import EmbeddingCache
from .config import Settings
from .errors import OwnerBotError
from .evaluation import EvalSetError, evaluate, load_items
from .knowledge import Knowledge, KnowledgeError, load_knowledge
from .matcher import Match, Matcher
from .reply import render_text


def _set_verbose(ctx: click.Context, _param: click.Parameter, verbose: bool) -> bool:
    if verbose:
        logs.configure(logging.WARNING, verbose=True)
    return verbose


# Accepted before the subcommand and after it: `owner-bot -v ask ...`, `owner-bot ask -v ...`.
_verbose_option = click.option(
    "-v", "--verbose", is_flag=True, expose_value=False, is_eager=True, callback=_set_verbose,
    help="Log what the bot does (e.g. texts embedded), without users' text.",
)

_knowledge_option = click.option(
    "--knowledge",
    "knowledge_dir",
    type=click.Path(path_type=Path),
    envvar="OWNER_BOT_KNOWLEDGE",
    help="Knowledge folder (teams.yaml, entries/). Default: ./knowledge or the shipped one.",
)
_encoder_option = click.option(
    "--encoder",
    envvar="OWNER_BOT_ENCODER",
    help="'use' (default, offline multilingual USE v3) or 'st:<model name or path>'.",
)


def _matcher(knowledge_dir: Path | None, encoder: str | None,
             cache: EmbeddingCache | None = None, settings: Settings | None = None) -> Matcher:
    """Build the matcher; every user-caused failure becomes a one-line ClickException."""
    from .engine import build_matcher

    try:
        settings = settings or Settings.from_env(knowledge_dir=knowledge_dir, encoder=encoder)
        return build_matcher(settings, cache=cache)
    except KnowledgeError as exc:
        problems = "\n".join(exc.problems)
        raise click.ClickException(
            f"the knowledge is invalid ({len(exc.problems)} problem(s)):\n{problems}"
        ) from None
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None


def match_json(question: str, match: Match) -> dict:
    return {
        "question": question,
        "cleaned": match.question,
        "lang": match.lang,
        "answered": match.answered,
        "decision": match.decision,
        "reason": match.reason,
        "entry": match.best.entry.id if match.best else None,
        "team": match.best.team.id if match.best else None,
        "score": round(match.score, 4),
        "alternatives": [
            {"entry": c.entry.id, "team": c.team.id, "score": round(c.score, 4)}
            for c in match.alternatives
        ],
        "reply": render_text(match),
    }


def _set_knowledge(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:  # read by every command's own --knowledge (its envvar)
        os.environ["OWNER_BOT_KNOWLEDGE"] = str(value)


@click.group()
@click.version_option(package_name="owner-bot")
@_verbose_option
@click.option("--knowledge", type=click.Path(path_type=Path), expose_value=False,
              callback=_set_knowledge, help="Knowledge folder, for every command.")
def cli() -> None:
    """Owner Bot: who owns this work, and what does the product manager do here?

    Ask in Chinese or English; answers come from a YAML knowledge base.
    """
    if not logging.getLogger().handlers:  # -v has configured it already
        logs.configure(os.environ.get("OWNER_BOT_LOG_LEVEL", "WARNING"))


@cli.command()
@_verbose_option
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@_knowledge_option
@_encoder_option
def ask(question: str | None, as_json: bool, knowledge_dir: Path | None, encoder: str | None):
    """Answer QUESTION. With '-' (or none), read one question per line from stdin."""
    matcher = _matcher(knowledge_dir, encoder)
    if question is None or question == "-":
        questions = (line.rstrip("\n") for line in sys.stdin)
    else:
        questions = iter([question])
    for q in questions:
        if question in (None, "-") and not q.strip():
            continue
        match = matcher.match(q)
        if as_json:
            click.echo(json.dumps(match_json(q, match), ensure_ascii=False))
        else:
            click.echo(render_text(match))
            if question in (None, "-"):
                click.echo()


@cli.command()
@_verbose_option
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None):
    """Validate a knowledge folder: one line per problem, exit 1 if any."""
    from .config import default_knowledge_dir

    path = path or Path(os.environ.get("OWNER_BOT_KNOWLEDGE") or default_knowledge_dir())
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {path}", err=True)
        sys.exit(1)
    click.echo(
        f"ok: {path}: {len(knowledge.entries)} entries, {len(knowledge.teams)} teams, "
        f"{len(knowledge.offtopic)} off-topic phrases"
    )
    click.echo(_japanese_status(knowledge))


def _japanese_status(knowledge: Knowledge) -> str:
    gaps = knowledge.japanese_gaps
    if not gaps:
        return "Japanese replies: on (every reply text has ja)"
    total = len(knowledge.reply_texts())
    if len(gaps) == total:
        return "Japanese replies: off (no reply text has ja; Japanese askers get English)"
    return (f"Japanese replies: off, {len(gaps)} of {total} reply texts have no ja "
            f"(first: {gaps[0]}); Japanese askers get English until all do")


@cli.command("eval")
@_verbose_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@_knowledge_option
@_encoder_option
def eval_command(file: Path, as_json: bool, knowledge_dir: Path | None, encoder: str | None):
    """Score a question set (shared/eval/dev.yaml format): accuracy per language, declines."""
    try:
        items = load_items(file)
    except EvalSetError as exc:
        raise click.ClickException(str(exc)) from None
    matcher = _matcher(knowledge_dir, encoder)
    report = evaluate(items, matcher.match)
    if as_json:
        click.echo(json.dumps({
            "in_scope_accuracy": report.rate(report.in_scope),
            "per_lang": {k: report.rate(v) for k, v in report.per_lang.items()},
            "out_of_scope_declined": report.rate(report.declined),
            "misses": [
                {"q": m.item.question, "want": m.item.team, "got": m.got_team, "score": m.score}
                for m in report.misses
            ],
        }, ensure_ascii=False))
        return
    for line in report.summary_lines():
        click.echo(line)
    if report.misses:
        click.echo(f"misses ({len(report.misses)}):")
        for miss in report.misses:
            want = miss.item.team or "decline"
            got = miss.got_team or "decline"
            click.echo(f"  [{miss.item.lang}] {miss.item.question!r}: want {want}, got {got} "
                       f"(score {miss.score:.3f})")


@cli.command()
@_verbose_option
@click.option("--http", "use_http", is_flag=True,
              help="Serve the Events API over HTTP instead of Socket Mode.")
@click.option("--port", type=int, default=3000, show_default=True, envvar="PORT",
              help="HTTP mode: port for /slack/events and /healthz.")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to bind.")
@click.option("--health-port", type=int, envvar="OWNER_BOT_HEALTH_PORT",
              help="Socket Mode: also serve GET /healthz on this port (for container checks).")
@_knowledge_option
@_encoder_option
def run(use_http: bool, port: int, host: str, health_port: int | None,
        knowledge_dir: Path | None, encoder: str | None):
    """Run the Slack bot: Socket Mode by default (SLACK_BOT_TOKEN, SLACK_APP_TOKEN), or --http
    (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET) on /slack/events."""
    from .cpu import serving_threads
    from .redact import install_redaction
    from .reload import KnowledgeReloader, Serving
    from .retention import start_retention
    from .slack.server import run_http, run_socket_mode
    from .slack.settings_check import check_slack_settings, check_token_with_slack
    from .store import database_password, open_store

    # Tokens never reach a log line, whatever a library prints at DEBUG.
    install_redaction([*(os.environ.get(name) for name in
                         ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")),
                       database_password(os.environ.get("OWNER_BOT_DATABASE_URL"))])
    # A running bot always logs at INFO (the group's basicConfig may have set a higher level).
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    try:
        # Checked before the knowledge is loaded: a token typo should not wait on embeddings.
        settings = Settings.from_env(knowledge_dir=knowledge_dir, encoder=encoder)
        # Between questions nothing may spin: the encoder runs under the BLAS cap too.
        settings = replace(settings, threads=serving_threads(settings.threads))
        check_slack_settings(settings, "http" if use_http else "socket")
        # Asked of Slack before anything is loaded or logged: a bad token is the one line.
        check_token_with_slack(settings, "SLACK_BOT_TOKEN")
        if not use_http:
            check_token_with_slack(settings, "SLACK_APP_TOKEN")
        # The reloader shares the matcher's embedding cache: a reload embeds only edited texts.
        cache = EmbeddingCache(settings.cache_path)
        store = open_store(settings.store_target)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    serving = Serving(_matcher(knowledge_dir, encoder, cache, settings))
    start_retention(store, settings.retention_days)
    reloader = KnowledgeReloader(serving, settings.knowledge_dir, cache, store=store)
    try:
        if use_http:
            run_http(settings, serving, host=host, port=port, reloader=reloader,
                     verify_token=False, store=store)
        else:
            run_socket_mode(settings, serving, health_port=health_port, reloader=reloader,
                            verify_token=False, store=store)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None


cli.add_command(cli_history.report)
cli.add_command(cli_history.forget)
cli.add_command(cli_learned.learned)
cli.add_command(cli_db.db)


@cli.group()
def failed() -> None:
    """Replies Slack would not take (after retries): list them, send them again."""


def _store_and_settings() -> tuple[Any, Settings]:
    from .store import open_store

    try:
        settings = Settings.from_env()
        return open_store(settings.store_target), settings
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None


@failed.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the ones delivered since.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per reply.")
def failed_list(show_all: bool, as_json: bool) -> None:
    """One line per failed reply: when, where (channel, thread), event id, error, question."""
    store, _ = _store_and_settings()
    rows = store.failed_replies(pending_only=not show_all)
    store.close()
    for row in rows:
        row = {k: v for k, v in row.items() if k != "request"}
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['id']}  {row['created_at']}  {row['surface']}  "
                       f"{row['channel'] or '-'}  thread {row['thread_ts'] or '-'}  "
                       f"event {row['event_id'] or '-'}  {row['target']}: {row['error']}  "
                       f"{'delivered ' + str(row['delivered_at']) if row['delivered_at'] else ''}"
                       f"  {row['question']!r}")
    if not as_json:
        click.echo(f"{len(rows)} failed repl{'y' if len(rows) == 1 else 'ies'}", err=True)


@failed.command("retry")
def failed_retry() -> None:
    """Send every failed reply again (SLACK_BOT_TOKEN, SLACK_API_URL); exit 1 if some fail."""
    from .slack.app import make_web_client
    from .slack.failed import retry_failed

    store, settings = _store_and_settings()
    try:
        report = retry_failed(store, make_web_client(settings, patient=True))
    finally:
        store.close()
    click.echo(f"delivered {report.delivered}, still failing {report.failed}, "
               f"without a stored request {report.not_retryable}")
    if report.failed:
        sys.exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":  # python -m bot.cli
    main()
