"""`owner-bot db migrate` and `owner-bot db copy`, on real files and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.store import SqliteStore, open_store


def _run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_migrate_reports_the_version_on_both_backends(tmp_path: Path, postgres_url: str):
    first = _run("db", "migrate", OWNER_BOT_DATA_DIR=str(tmp_path))
    assert first.exit_code == 0 and "schema version 2 (applied 1, 2)" in first.output
    again = _run("db", "migrate", OWNER_BOT_DATA_DIR=str(tmp_path))
    assert "schema version 2 (nothing to apply)" in again.output
    shared = _run("db", "migrate", OWNER_BOT_DATABASE_URL=postgres_url)
    assert shared.exit_code == 0 and "applied 1, 2" in shared.output


def test_copy_moves_every_question_vote_and_learned_example(tmp_path: Path, postgres_url: str,
                                                             make_match):
    path = tmp_path / "feedback.sqlite3"
    old = SqliteStore(path)
    old.record_answer(make_match("谁写PRD？"), "R1", user="U1", channel="C1")
    old.vote("R1", "U2", -1)
    old.record_decline(make_match("lunch?", decision="decline"), "R2", user="U3")
    old.record_failed_reply("who owns QA?", "chat.postMessage", "HTTP 500", channel="C9")
    taught = old.add_suggestion("who signs NDAs?", "legal", approved_by="UADMIN")
    old.inbox_add("event:Ev1", "event", "{}", limit=10)
    before = (old.asked(), old.votes(), old.suggestions(), old.failed_replies())
    old.close()

    for _ in range(2):  # a second copy changes nothing
        done = _run("db", "copy", str(path), postgres_url)
        assert done.exit_code == 0, done.output
    assert "answers 1, votes 1, declined 1, failed_replies 1, suggestions 1, inbox 1" \
        in done.output
    moved = open_store(postgres_url)
    try:
        assert (moved.asked(), moved.votes(), moved.suggestions(), moved.failed_replies()) \
            == before
        assert moved.inbox_add("event:Ev1", "event", "{}", limit=10) == "duplicate"
        assert moved.add_suggestion("new one", "legal") == taught + 1  # ids go on after
    finally:
        moved.close()


def test_copy_to_a_server_that_is_not_there_is_one_line(tmp_path: Path):
    SqliteStore(tmp_path / "f.sqlite3").close()
    done = CliRunner().invoke(cli, ["db", "copy", str(tmp_path / "f.sqlite3"),
                                    "postgresql://bot:Pw0rdSecret@127.0.0.1:1/owner"])
    assert done.exit_code == 1 and "POSTGRES_URL" in done.output
    assert "Pw0rdSecret" not in done.output and len(done.output.strip().splitlines()) == 1
