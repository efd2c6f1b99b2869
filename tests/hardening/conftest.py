"""Fixtures for the hardening tests: the fake Slack Web API, the real Bolt app over HTTP, and
knowledge copies a test may edit while the bot runs. Helpers live in hardening_support.py.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from hardening_support import Records, matcher_on, running_bot  # noqa: E402
from slackfakes import REPO, FakeSlack, RunningBot, fake_slack_server  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.engine import build_matcher  # noqa: E402
from bot.matcher import Matcher  # noqa: E402
from bot.reload import KnowledgeReloader, Serving  # noqa: E402


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as fake:
        yield fake


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the session: knowledge copies embed only what a test edits."""
    return tmp_path_factory.mktemp("owner-bot-data")


@pytest.fixture(scope="session")
def matcher(data_dir: Path) -> Matcher:
    """The shipped knowledge and the default offline encoder; never reloaded by a test."""
    return build_matcher(Settings(knowledge_dir=REPO / "knowledge", data_dir=data_dir))


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", folder)
    return folder


@pytest.fixture
def editable(knowledge_copy: Path, matcher: Matcher, data_dir: Path
             ) -> tuple[Path, Serving, KnowledgeReloader]:
    """(folder, serving, reloader) on a private copy of the knowledge."""
    own, cache = matcher_on(knowledge_copy, matcher, data_dir)
    serving = Serving(own)
    return knowledge_copy, serving, KnowledgeReloader(serving, knowledge_copy, cache)


@pytest.fixture
def bot(fake_slack: FakeSlack, matcher: Matcher, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(fake_slack, matcher, tmp_path) as running:
        yield running


@pytest.fixture
def logs() -> Iterator[Records]:
    """All logging at DEBUG, root and the libraries' loggers, for the duration of a test."""
    handler = Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
