"""The matcher's large-knowledge path (bot/ann.py wired into bot/matcher.py) against brute force."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

import bot.matcher as matcher_module
from bot.ann import EntrySearch
from bot.cache import EmbeddingCache
from bot.knowledge import load_knowledge
from bot.matcher import Matcher, build_index

REPO = Path(__file__).resolve().parents[2]
DIMS = 256


class GramEncoder:
    """Hashed character bigrams: cheap, deterministic, and related texts really are close."""

    family = "use"
    id = "test-grams"

    def _one(self, text: str) -> np.ndarray:
        vector = np.zeros(DIMS, dtype=np.float32)
        text = re.sub(r"\s+", " ", text.lower())
        for i in range(len(text) - 1):
            digest = hashlib.blake2b(text[i : i + 2].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % DIMS] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, DIMS))

    encode_passages = encode_queries


@pytest.fixture(scope="module")
def brute() -> Matcher:
    knowledge = load_knowledge(REPO / "knowledge")
    encoder = GramEncoder()
    index = build_index(knowledge, encoder, EmbeddingCache(None))
    assert index.search is None  # the shipped knowledge is far below the threshold
    return Matcher(index, encoder)


def _with_search(matcher: Matcher, shortlist: int) -> Matcher:
    index = matcher.index
    # The same index in every other respect (prototypes, the fitted rule): only the search
    # differs, so any difference in the answers is the shortlist's.
    large = dataclasses.replace(
        index, search=EntrySearch(index.matrix, index.starts, shortlist=shortlist))
    return Matcher(large, matcher.encoder, matcher.thresholds)


def _questions(matcher: Matcher) -> list[str]:
    out = []
    for i, entry in enumerate(matcher.knowledge.entries):
        out.append(f"{entry.tasks_zh[i % len(entry.tasks_zh)]}谁负责")
        out.append(f"Who owns {entry.tasks_en[i % len(entry.tasks_en)]}?")
    return out + ["今天天气怎么样", "what's for lunch?", "预算 and code review 谁来做"]


def _key(match) -> tuple:
    return (match.decision, match.reason, match.best.entry.id if match.best else None,
            tuple(c.entry.id for c in match.alternatives))


def test_a_shortlist_of_every_entry_is_brute_force(brute: Matcher):
    large = _with_search(brute, shortlist=len(brute.knowledge.entries))
    for question in _questions(brute):
        want, got = brute.match(question), large.match(question)
        assert _key(got) == _key(want), question
        assert got.score == pytest.approx(want.score, abs=1e-6)


def test_a_short_shortlist_keeps_exact_scores_and_mostly_the_same_answer(brute: Matcher):
    large = _with_search(brute, shortlist=4)  # plus the 64 lexical best: most of the entries
    questions = _questions(brute)
    same = 0
    for question in questions:
        want, got = brute.match(question), large.match(question)
        if got.best:  # whatever it found, it scored exactly as brute force does
            brute_scores = {c.entry.id: c.score for c in (want.best, *want.alternatives) if c}
            if got.best.entry.id in brute_scores:
                assert got.score == pytest.approx(brute_scores[got.best.entry.id], abs=1e-6)
        same += _key(got)[:3] == _key(want)[:3]
    assert same >= 0.9 * len(questions)


def test_build_index_switches_to_the_large_path_at_the_threshold(brute: Matcher, monkeypatch):
    knowledge = brute.knowledge
    monkeypatch.setattr(matcher_module, "LARGE_INDEX_ENTRIES", len(knowledge.entries))
    index = build_index(knowledge, GramEncoder(), EmbeddingCache(None))
    assert index.search is not None
    assert index.search.matrix is index.matrix  # shares the text matrix, no copy
    monkeypatch.setattr(matcher_module, "LARGE_INDEX_ENTRIES", len(knowledge.entries) + 1)
    assert build_index(knowledge, GramEncoder(), EmbeddingCache(None)).search is None
