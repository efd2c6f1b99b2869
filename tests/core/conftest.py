"""Fixtures for the core tests: isolated state, real encoders built once, knowledge folders.

All state (embedding cache, feedback db, Hugging Face cache lookups) points at a tmp dir and
the Hugging Face hub is offline, so no test reads or writes the user's real cache or the net.
"""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and cache home; no setting leaks in from the shell."""
    data = tmp_path / "owner-bot-data"
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
