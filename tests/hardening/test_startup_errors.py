"""`owner-bot run` that cannot start says why in exactly one line on stderr, and exits 1.

Real processes, whatever Slack or the network does: nothing reachable, a bot token or an app
token that Slack rejects. No library's retry trail, no Bolt warning, no traceback, no token.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import REPO_ROOT
from slackfakes import FakeSlack

BOT_TOKEN = "xoxb-1111-2222-StartupBotTokenValue"
APP_TOKEN = "xapp-1-A1-3333-StartupAppTokenValue"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def run_bot(data_dir: Path, api_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OWNER_BOT_"))},
        "PYTHONPATH": str(REPO_ROOT), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123", "SLACK_API_URL": api_url,
        "OWNER_BOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **env,
    }
    return subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "run",
                           *args], env=environ, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def assert_one_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and all(word in lines[0] for word in expected), lines
    assert "StartupBotTokenValue" not in result.stderr + result.stdout
    assert "StartupAppTokenValue" not in result.stderr + result.stdout


@pytest.mark.parametrize("mode", [(), ("--http", "--port", "0")])
def test_unreachable_slack_is_one_line(mode: tuple[str, ...], data_dir: Path):
    result = run_bot(data_dir, f"http://127.0.0.1:{_closed_port()}/api/", *mode)
    assert_one_line(result, "cannot reach the Slack Web API", "SLACK_API_URL")


@pytest.mark.parametrize("mode", [(), ("--http", "--port", "0")])
def test_rejected_bot_token_is_one_line(mode: tuple[str, ...], fake_slack: FakeSlack,
                                        data_dir: Path):
    fake_slack.auth_error = "invalid_auth"
    result = run_bot(data_dir, fake_slack.api_url, *mode, OWNER_BOT_LOG_LEVEL="DEBUG")
    assert_one_line(result, "SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)")


def test_rejected_app_token_is_one_line(fake_slack: FakeSlack, data_dir: Path):
    fake_slack.app_token_error = "invalid_auth"
    result = run_bot(data_dir, fake_slack.api_url, "-v")
    assert_one_line(result, "SLACK_APP_TOKEN was rejected by Slack (invalid_auth)")


def test_verbose_is_accepted_after_the_subcommand(fake_slack: FakeSlack, data_dir: Path):
    """`-v` works in either place (it used to be refused after the subcommand)."""
    fake_slack.auth_error = "invalid_auth"
    result = run_bot(data_dir, fake_slack.api_url, "--http", "-v")
    assert_one_line(result, "SLACK_BOT_TOKEN was rejected")


@pytest.mark.parametrize("url, says", [
    ("postgresql://bot:S3cretDbPassword@127.0.0.1:{port}/owner", "cannot connect"),
    ("postgresql://bot:S3cretDbPassword@db:notaport/owner", "cannot connect"),
    ("mysql://bot:S3cretDbPassword@db/owner", "must be a postgresql:// URL"),
])
@pytest.mark.parametrize("mode", [(), ("--http", "--port", "0")])
def test_an_unusable_database_url_is_one_line_without_the_password(
        url: str, says: str, mode: tuple[str, ...], fake_slack: FakeSlack, data_dir: Path):
    result = run_bot(data_dir, fake_slack.api_url, *mode,
                     OWNER_BOT_DATABASE_URL=url.format(port=_closed_port()))
    assert_one_line(result, "OWNER_BOT_DATABASE_URL", says)
    assert "S3cretDbPassword" not in result.stderr + result.stdout
