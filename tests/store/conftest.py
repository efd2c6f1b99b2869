"""The storage contract runs against both backends: `store` is SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.matcher import Candidate, Match
from bot.store import Store, open_store

REPO = Path(__file__).resolve().parents[2]

Opener = Callable[[], Store]


@pytest.fixture(params=["sqlite", "postgres"])
def open_same(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the store at one place, as often as a test likes (a restart, a second replica);
    everything opened is closed at the end."""
    target: object = (request.getfixturevalue("postgres_url") if request.param == "postgres"
                      else tmp_path / "store.sqlite3")
    opened: list[Store] = []

    def open_it() -> Store:
        opened.append(open_store(target))  # type: ignore[arg-type]
        return opened[-1]

    yield open_it
    for store in opened:
        store.close()


@pytest.fixture
def store(open_same: Opener) -> Store:
    return open_same()


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(REPO / "knowledge")


@pytest.fixture
def make_match(knowledge) -> Callable[..., Match]:
    """A Match as the matcher would make it, without loading a model."""

    def make(question: str = "who writes the PRD?", entry: str | None = None,
             decision: str = "answer", score: float = 0.8) -> Match:
        chosen = knowledge.entry(entry) if entry else knowledge.entries[0]
        candidate = Candidate(chosen, knowledge.team_of(chosen), score)
        if decision == "decline":
            return Match(question, "en", "decline", "low_score", score, None, (candidate,),
                         knowledge)
        return Match(question, "en", decision, "confident", score, candidate, (), knowledge)

    return make
