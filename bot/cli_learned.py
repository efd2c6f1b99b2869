"""`owner-bot learned ...`: the learning loop from the command line.

`add` teaches the bot directly (approved at once); `list`, `approve` and `reject` work the
review queue; `export` writes learned.yaml for a knowledge folder, so a team commits it and git
stays the source of truth. The running bot picks up a change within OWNER_BOT_RELOAD_SECONDS.
"""

from __future__ import annotations

from pathlib import Path

import click

from .config import Settings
from .errors import OwnerBotError
from .knowledge import KnowledgeError


def _open(knowledge_dir: Path | None):  # noqa: ANN202 - (knowledge, store)
    from .knowledge import load_knowledge
    from .store import open_store

    settings = Settings.from_env(knowledge_dir=knowledge_dir)
    try:
        return load_knowledge(settings.knowledge_dir), open_store(settings.store_target)
    except KnowledgeError as exc:
        raise click.ClickException(f"the knowledge is invalid: {exc.problems[0]}") from None
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None


_knowledge = click.option("--knowledge", "knowledge_dir", type=click.Path(path_type=Path),
                          envvar="OWNER_BOT_KNOWLEDGE", help="Knowledge folder.")


@click.group()
def learned() -> None:
    """Learned examples: questions confirmed to belong to an entry."""


@learned.command("list")
@click.option("--pending", is_flag=True, help="Only suggestions waiting for a decision.")
@_knowledge
def list_command(pending: bool, knowledge_dir: Path | None) -> None:
    """Suggestions and learned examples, oldest first."""
    _, store = _open(knowledge_dir)
    rows = store.suggestions("pending" if pending else None)
    for s in rows:
        who = f" by {s.user}" if s.user else ""
        click.echo(f"{s.id:>5}  {s.status:<8}  {s.entry:<28}  {s.question}{who}")
    if not rows:
        click.echo("no pending suggestions" if pending else "no learned examples yet")


@learned.command()
@click.argument("question")
@click.argument("entry_id")
@_knowledge
def add(question: str, entry_id: str, knowledge_dir: Path | None) -> None:
    """Teach the bot that QUESTION belongs to ENTRY_ID (approved at once)."""
    from .learning import teach

    knowledge, store = _open(knowledge_dir)
    try:
        new_id = teach(store, knowledge, question, entry_id, by="cli")
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"learned #{new_id}: {entry_id}")


def _decide(suggestion_id: str, approve: bool, entry_id: str | None,
            knowledge_dir: Path | None) -> None:
    from .learning import decide

    if not suggestion_id.isdigit():
        raise click.ClickException(f"'{suggestion_id}' is not a suggestion id: ids are whole "
                                   "numbers, see `owner-bot learned list --pending`")
    knowledge, store = _open(knowledge_dir)
    try:
        done = decide(store, knowledge, int(suggestion_id), approve, "cli", entry_id)
    except OwnerBotError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"#{done.id} {done.status}: {done.entry}")


@learned.command()
@click.argument("suggestion_id")
@click.option("--entry", "entry_id", help="Approve it as this entry instead.")
@_knowledge
def approve(suggestion_id: str, entry_id: str | None, knowledge_dir: Path | None) -> None:
    """Approve a suggestion: it becomes a learned example."""
    _decide(suggestion_id, True, entry_id, knowledge_dir)


@learned.command()
@click.argument("suggestion_id")
@_knowledge
def reject(suggestion_id: str, knowledge_dir: Path | None) -> None:
    """Reject a suggestion."""
    _decide(suggestion_id, False, None, knowledge_dir)


@learned.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_knowledge
def export(file: Path, knowledge_dir: Path | None) -> None:
    """Write the approved examples as learned.yaml (put it in a knowledge folder)."""
    from .learned import export_yaml
    from .learning import approved_examples

    _, store = _open(knowledge_dir)
    examples = approved_examples(store)
    tmp = file.with_name(file.name + ".tmp")
    try:  # written aside and renamed: a failed export never leaves half a file
        tmp.write_text(export_yaml(examples), encoding="utf-8")
        tmp.replace(file)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from None
    click.echo(f"wrote {len(examples)} example(s) to {file}")
