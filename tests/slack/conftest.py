"""Fixtures for the Slack app tests: the fake Slack Web API, the matcher, the running bot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from slackfakes import (
    REPO,
    FakeSlack,
    RunningBot,
    TrackingExecutor,
    fake_slack_server,
    slack_settings,
)

from bot.config import Settings
from bot.engine import build_matcher
from bot.matcher import Matcher
from bot.slack.app import create_app
from bot.slack.server import http_server
from bot.store import SqliteStore


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as fake:
        yield fake


@pytest.fixture(scope="session")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """Built once: the real knowledge and the default offline encoder."""
    data = tmp_path_factory.mktemp("owner-bot-data")
    return build_matcher(Settings(knowledge_dir=REPO / "knowledge", data_dir=data))


@pytest.fixture
def bot(fake_slack: FakeSlack, matcher: Matcher, tmp_path: Path) -> Iterator[RunningBot]:
    """The real Bolt app behind the real HTTP server, talking to the fake Web API."""
    settings = slack_settings(fake_slack, tmp_path)
    feedback = SqliteStore(settings.store_path)
    executor = TrackingExecutor()
    app = create_app(settings, matcher, store=feedback, listener_executor=executor)
    server = http_server(settings, matcher, host="127.0.0.1", port=0, app=app, store=feedback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RunningBot(f"http://127.0.0.1:{server.server_port}", fake_slack, feedback, settings,
                     executor)
    server.shutdown()
    server.server_close()
    thread.join(5)
    executor.shutdown(wait=True)
    feedback.close()


