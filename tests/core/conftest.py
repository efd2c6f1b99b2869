"""Fixtures for the core tests: isolated state, real encoders built once, knowledge folders.

All state (embedding cache, feedback db, Hugging Face cache lookups) points at a tmp dir and
the Hugging Face hub is offline, so no test reads or writes the user's real cache or the net.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

# huggingface_hub reads these when it is first imported, so set them before any test runs.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot.cache import EmbeddingCache  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.encoders import SentenceTransformerEncoder, UseEncoder, load_encoder  # noqa: E402
from bot.engine import build_matcher  # noqa: E402
from bot.matcher import Matcher  # noqa: E402

from .support import (  # noqa: E402
    SHIPPED_KNOWLEDGE,
    SMALL_ENTRIES,
    TEAMS,
    KnowledgeWriter,
    dump,
    st_model_path,
)

_SETTINGS_ENV = (
    "OWNER_BOT_KNOWLEDGE",
    "OWNER_BOT_ENCODER",
    "OWNER_BOT_THREADS",
    "OWNER_BOT_ANSWER_THRESHOLD",
    "OWNER_BOT_MARGIN",
    "OWNER_BOT_RATE_LIMIT",
    "OWNER_BOT_ADMINS",
    "OWNER_BOT_RELOAD_SECONDS",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cold_cache: start with an empty embedding cache (tests of the cache itself)")


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, use_encoder: UseEncoder) -> Path:
    """The shipped knowledge embedded once for the session: a CLI test that builds its own
    matcher starts from a copy instead of embedding 1,400 texts again."""
    data = tmp_path_factory.mktemp("warm-cache")
    settings = Settings(knowledge_dir=SHIPPED_KNOWLEDGE, encoder="use", data_dir=data)
    build_matcher(settings, encoder=use_encoder)
    return settings.cache_path


@pytest.fixture(autouse=True)
def isolated_state(request: pytest.FixtureRequest, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and cache home; no setting leaks in from the shell.

    The data dir starts with a copy of the warm embedding cache, unless the test is marked
    cold_cache."""
    data = tmp_path / "owner-bot-data"
    if request.node.get_closest_marker("cold_cache") is None:
        warm: Path = request.getfixturevalue("warm_cache")
        data.mkdir(parents=True)
        shutil.copyfile(warm, data / warm.name)
    monkeypatch.setenv("OWNER_BOT_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for name in _SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture(scope="session")
def use_encoder() -> UseEncoder:
    return UseEncoder()


@pytest.fixture(scope="session")
def st_encoder() -> SentenceTransformerEncoder:
    encoder = load_encoder(f"st:{st_model_path()}")
    assert isinstance(encoder, SentenceTransformerEncoder)
    return encoder


@pytest.fixture(scope="session")
def shipped_matcher(use_encoder: UseEncoder) -> Matcher:
    """The shipped knowledge with the default encoder, built once for the session."""
    settings = Settings(knowledge_dir=SHIPPED_KNOWLEDGE, encoder="use")
    return build_matcher(settings, encoder=use_encoder, cache=EmbeddingCache(None))


@pytest.fixture
def write_knowledge(tmp_path: Path) -> KnowledgeWriter:
    """Build a knowledge folder: `write_knowledge(entries={"a.yaml": [...]}, teams=...)`.

    A value that is a str is written verbatim (for broken YAML); `teams=None` leaves
    teams.yaml out. Returns the folder; calling again rewrites the given files in place.
    """
    folder = tmp_path / "knowledge"

    def write(entries: dict[str, Any] | None = None, teams: Any = TEAMS,
              offtopic: Any = None) -> Path:
        (folder / "entries").mkdir(parents=True, exist_ok=True)
        files: dict[Path, Any] = {}
        if teams is not None:
            files[folder / "teams.yaml"] = teams
        if offtopic is not None:
            files[folder / "offtopic.yaml"] = offtopic
        for name, data in (entries if entries is not None else {"all.yaml": SMALL_ENTRIES}).items():
            files[folder / "entries" / name] = data
        for path, data in files.items():
            path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
        return folder

    return write
