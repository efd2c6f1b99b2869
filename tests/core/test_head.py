"""The linear head (bot/head.py): fitted on a knowledge folder's own texts, cached beside the
embeddings, and cross-fitted so the decision rule never scores an example with a head that saw it.
Real encoder, on the made-up bakery chain of tests/data/acme_knowledge."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot import fitting, head
from bot.cache import EmbeddingCache
from bot.config import Settings
from bot.engine import build_matcher
from bot.matcher import Matcher
from bot.scoring import plan, score_views

from .support import REPO_ROOT

BAKERY = REPO_ROOT / "tests" / "data" / "acme_knowledge"


@pytest.fixture(scope="module")
def bakery(use_encoder) -> Matcher:
    return build_matcher(Settings(knowledge_dir=BAKERY), encoder=use_encoder,
                         cache=EmbeddingCache(None))


def labels(matcher: Matcher) -> np.ndarray:
    index = matcher.index
    return np.repeat(np.arange(len(index.starts)), index.counts)


def test_the_head_is_fitted_on_the_knowledge_and_knows_its_texts(bakery: Matcher):
    fitted = bakery.index.head
    assert fitted is not None
    p = fitted.probabilities(bakery.index.matrix)
    assert p.shape == (len(bakery.index.starts), bakery.index.matrix.shape[0])
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-4)
    assert (p.argmax(axis=0) == labels(bakery)).mean() > 0.9


@pytest.mark.parametrize(
    ("question", "entry_team"),
    [
        ("the sourdough came out flat again, who tweaks the recipe?", "kitchen"),
        ("谁给门店排周末的班", "stores"),
        ("冷藏车坏在路上了 谁负责修", "delivery"),
    ],
)
def test_the_head_alone_reads_a_new_phrasing_as_its_entry(bakery: Matcher, use_encoder,
                                                        question: str, entry_team: str):
    fitted = bakery.index.head
    assert fitted is not None
    p = fitted.probabilities(use_encoder.encode_queries([question]))[:, 0]
    assert bakery.knowledge.entries[int(p.argmax())].team == entry_team


def test_the_head_adds_its_share_of_p_entry_to_every_entry(bakery: Matcher, use_encoder):
    read = plan("the sourdough came out flat again, who tweaks the recipe?")
    vectors = use_encoder.encode_queries(list(read.texts))
    t = bakery.thresholds
    assert t.head_weight > 0
    with_head = score_views(bakery.index, read.views, vectors, t)
    without = score_views(bakery.index, read.views, vectors, replace(t, head_weight=0.0))
    p = bakery.index.head.probabilities(vectors)  # type: ignore[union-attr]
    added = np.max([p[:, list(v.rows)].mean(axis=1) for v in read.views], axis=0)
    assert np.all(with_head.best_view >= without.best_view - 1e-6)
    assert np.all(with_head.best_view <= without.best_view + t.head_weight * added + 1e-5)
    assert int(np.argmax(with_head.entry_scores)) == int(np.argmax(p.max(axis=1)))


def test_each_cross_fitted_head_is_fitted_without_its_fold(bakery: Matcher):
    matrix, y = bakery.index.matrix, labels(bakery)
    heads, fold_of = head.cross_fitted(matrix, y, len(bakery.index.starts), folds=3)
    assert len(heads) == 3 and set(fold_of) == {0, 1, 2}
    alone = head.fit_head(matrix[fold_of != 1], y[fold_of != 1], len(bakery.index.starts))
    np.testing.assert_allclose(heads[1].weights, alone.weights, rtol=1e-5, atol=1e-6)
    # a text the head never saw is less sure of its entry than when it was trained on
    seen = bakery.index.head.probabilities(matrix)  # type: ignore[union-attr]
    unseen = heads[1].probabilities(matrix[fold_of == 1])
    rows = np.flatnonzero(fold_of == 1)
    assert unseen[y[rows], np.arange(len(rows))].mean() < seen[y[rows], rows].mean()


def test_the_head_survives_the_cache_and_a_bad_row_is_refitted(tmp_path, use_encoder,
                                                               monkeypatch):
    settings = Settings(knowledge_dir=BAKERY, data_dir=tmp_path)
    first = build_matcher(settings, encoder=use_encoder)
    assert first.index.head is not None

    def must_not_fit(*args, **kwargs):
        raise AssertionError("a warm start refitted the head")

    with monkeypatch.context() as patch:
        patch.setattr(fitting, "fit_head", must_not_fit)
        again = build_matcher(settings, encoder=use_encoder)
    assert again.index.head is not None
    np.testing.assert_allclose(again.index.head.weights, first.index.head.weights)
    entries, dims = len(first.index.starts), first.index.matrix.shape[1]
    assert head.Head.from_array(np.zeros(5, np.float32), dims, entries) is None
    assert head.Head.from_array(np.full((dims + 1) * entries, np.nan, np.float32),
                                dims, entries) is None


def test_a_knowledge_too_large_for_the_head_gets_none(use_encoder, monkeypatch):
    from bench.synth import synthetic_index
    from bot.lexical import LexicalIndex
    from bot.matcher import Index

    big = synthetic_index(head.MAX_ENTRIES + 1, questions=1)
    index = Index(knowledge=big.knowledge, matrix=big.matrix, starts=big.starts,
                  offtopic=np.zeros((0, big.matrix.shape[1]), np.float32),
                  lexical=LexicalIndex(big.docs))

    def must_not_fit(*args, **kwargs):
        raise AssertionError("a head was fitted past MAX_ENTRIES")

    monkeypatch.setattr(fitting, "fit_head", must_not_fit)
    assert fitting.load_or_fit_head(index, use_encoder, EmbeddingCache(None)) is None
