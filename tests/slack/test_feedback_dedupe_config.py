"""Feedback store with the real matcher and the Slack settings check, without Slack (the
store's whole contract, both backends: tests/store/)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, Settings
from bot.matcher import Candidate, Match, Matcher
from bot.slack.settings_check import api_base_url, check_slack_settings
from bot.store import SqliteStore


def _match(matcher: Matcher, question: str = "q") -> Match:
    entry = matcher.knowledge.entries[0]
    best = Candidate(entry, matcher.knowledge.team_of(entry), 0.8)
    return Match(question, "en", "answer", "confident", 0.8, best, (), matcher.knowledge)


def test_one_vote_per_user_and_question_and_a_second_click_changes_it(matcher, tmp_path):
    store = SqliteStore(tmp_path / "feedback.sqlite3")
    store.record_answer(_match(matcher, "who writes code"), "R1", user="U1", channel="C1")
    store.vote("R1", "U2", 1, "C1")
    store.vote("R1", "U2", -1, "C1")
    store.vote("R1", "U3", 1, "C1")
    votes = {(v.user, v.vote) for v in store.votes("R1")}
    assert votes == {("U2", -1), ("U3", 1)}
    [v] = [v for v in store.votes("R1") if v.user == "U2"]
    assert (v.question, v.entry, v.score, v.channel) == (
        "who writes code", matcher.knowledge.entries[0].id, 0.8, "C1")
    with pytest.raises(ValueError):
        store.vote("R1", "U2", 0)
    store.close()

    with sqlite3.connect(tmp_path / "feedback.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 2


def test_concurrent_votes_from_many_threads_keep_one_row_each(matcher, tmp_path):
    store = SqliteStore(tmp_path / "feedback.sqlite3")
    store.record_answer(_match(matcher), "R", user="U0")

    def click(user: str) -> None:
        for i in range(20):
            store.vote("R", user, 1 if i % 2 else -1)

    threads = [threading.Thread(target=click, args=(f"U{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted((v.user, v.vote) for v in store.votes("R")) == [(f"U{n}", 1) for n in range(8)]
    store.close()


TOKENS = {"bot_token": "xoxb-1-2-HUSHBOT", "app_token": "xapp-1-HUSHAPP",
           "signing_secret": "abcdef0123456789HUSHSIGN"}


@pytest.mark.parametrize(
    ("mode", "overrides", "variable", "where"),
    [
        ("socket", {"bot_token": None}, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ("socket", {"bot_token": "xoxp-1-HUSHUSER"}, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ("socket", {"bot_token": "xoxb-1 HUSH\n"}, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ("socket", {"app_token": None}, "SLACK_APP_TOKEN", "App-Level Tokens"),
        ("socket", {"app_token": "xoxb-HUSHWRONG"}, "SLACK_APP_TOKEN", "connections:write"),
        ("http", {"signing_secret": None}, "SLACK_SIGNING_SECRET", "App Credentials"),
        ("http", {"signing_secret": "xoxb-HUSHMIX"}, "SLACK_SIGNING_SECRET", "App Credentials"),
        ("http", {"slack_api_url": "slack.example"}, "SLACK_API_URL", "https://"),
    ],
)
def test_a_bad_slack_setting_is_one_line_naming_it_and_where_to_get_it(
    mode, overrides, variable, where
):
    settings = Settings(**{**TOKENS, **overrides})
    with pytest.raises(ConfigError) as info:
        check_slack_settings(settings, mode)
    message = str(info.value)
    assert message.startswith(variable) and where in message and "\n" not in message
    assert "HUSH" not in message  # never echo a token


def test_valid_settings_pass_and_the_api_url_gets_its_slash():
    check_slack_settings(Settings(**TOKENS), "socket")
    check_slack_settings(Settings(**TOKENS), "http")
    assert api_base_url(Settings()) == "https://slack.com/api/"
    assert api_base_url(Settings(slack_api_url="http://proxy.example/api")) == (
        "http://proxy.example/api/")


@pytest.mark.parametrize(
    ("args", "env", "variable"),
    [
        (["run"], {}, "SLACK_BOT_TOKEN"),
        (["run"], {"SLACK_BOT_TOKEN": "xoxb-1-HUSHBOT"}, "SLACK_APP_TOKEN"),
        (["run", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1-HUSHBOT"}, "SLACK_SIGNING_SECRET"),
        (["run"], {"SLACK_BOT_TOKEN": "HUSHJUNK", "SLACK_APP_TOKEN": "xapp-1"},
         "SLACK_BOT_TOKEN"),
    ],
)
def test_owner_bot_run_reports_a_missing_or_malformed_token_in_one_line(args, env, variable,
                                                                         monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {variable}")
    assert "Traceback" not in result.output and "HUSH" not in result.output


def test_an_unusable_database_path_is_a_one_line_error(tmp_path):
    from bot.store import SqliteStore, StoreError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        SqliteStore(blocker / "data" / "feedback.sqlite3")
    message = str(caught.value)
    assert "\n" not in message and "OWNER_BOT_DATA_DIR" in message
