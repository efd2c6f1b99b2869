"""bot.ann against brute force on awkward sizes, as sentence-transformers tests its fast search."""

from __future__ import annotations

import numpy as np
import pytest

from bot.ann import EntrySearch, best_two, representatives, top_ids


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _grouped(rng: np.random.Generator, entries: int, dims: int, max_texts: int):
    counts = rng.integers(1, max_texts + 1, entries)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    topics = _unit(rng.standard_normal((entries, dims)))
    noise = _unit(rng.standard_normal((counts.sum(), dims)))
    rows = np.repeat(topics, counts, axis=0) + 0.8 * noise
    return _unit(rows), starts, counts


def _brute(matrix, starts, counts, vector):
    """The matcher's original per-entry computation, row by row in plain Python."""
    sims = matrix @ vector
    best, second = [], []
    for s, c in zip(starts, counts, strict=True):
        group = sims[s : s + c]
        top = group.max()
        rest = group[group != top]
        best.append(top)
        second.append(rest.max() if len(rest) else top)
    return np.array(best), np.array(second)


@pytest.mark.parametrize(
    ("entries", "dims", "max_texts", "shortlist"),
    [(1, 3, 1, 1), (2, 7, 1, 1), (5, 33, 4, 2), (17, 512, 9, 16), (17, 512, 9, 17),
     (17, 512, 9, 18), (100, 65, 23, 7), (257, 16, 3, 256), (1000, 512, 30, 999)],
)
def test_rescoring_is_exact_on_any_subset(entries, dims, max_texts, shortlist):
    rng = np.random.default_rng(entries * 31 + dims)
    matrix, starts, counts = _grouped(rng, entries, dims, max_texts)
    search = EntrySearch(matrix, starts, shortlist=shortlist)
    for vector in _unit(rng.standard_normal((5, dims))):
        want_best, want_second = _brute(matrix, starts, counts, vector)
        ids = search.shortlist(vector)
        assert len(ids) == min(shortlist, entries)
        assert np.all(np.diff(ids) > 0)  # sorted, unique
        best, second = search.best_two(vector, ids)
        np.testing.assert_allclose(best, want_best[ids], rtol=0, atol=1e-5)
        np.testing.assert_allclose(second, want_second[ids], rtol=0, atol=1e-5)
        # A shortlist as large as the knowledge is brute force.
        all_ids = search.shortlist(vector, size=entries)
        np.testing.assert_array_equal(all_ids, np.arange(entries))
        best, second = search.best_two(vector, all_ids)
        np.testing.assert_allclose(best, want_best, rtol=0, atol=1e-5)
        np.testing.assert_allclose(second, want_second, rtol=0, atol=1e-5)


def test_shortlist_holds_the_representative_best_and_the_extra_ids():
    rng = np.random.default_rng(3)
    matrix, starts, _ = _grouped(rng, 300, 48, 6)
    search = EntrySearch(matrix, starts, shortlist=10)
    vector = _unit(rng.standard_normal((1, 48)))[0]
    rep_scores = search.representatives @ vector
    ids = search.shortlist(vector, extra=np.array([0, 299, 299]))
    assert set(np.argsort(-rep_scores)[:10]) <= set(ids.tolist())
    assert {0, 299} <= set(ids.tolist())
    assert len(ids) <= 12


def test_ties_and_duplicate_texts_match_brute_force():
    vector = _unit(np.array([[1.0, 0.0, 0.0]]))[0]
    matrix = _unit(np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0],  # entry 0: best twice
                             [0, 1, 0],  # entry 1: one text
                             [1, 1, 0], [1, 1, 0]], dtype=np.float64))  # entry 2: all equal
    starts = np.array([0, 3, 4])
    counts = np.array([3, 1, 2])
    want_best, want_second = _brute(matrix, starts, counts, vector)
    best, second = best_two(matrix @ vector, starts, counts)
    np.testing.assert_array_equal(best, want_best)
    np.testing.assert_array_equal(second, want_second)
    search = EntrySearch(matrix, starts, shortlist=1)
    for ids in ([0], [2], [0, 2], [1, 2], [0, 1, 2]):
        b, s = search.best_two(vector, np.array(ids))
        np.testing.assert_array_equal(b, want_best[ids])
        np.testing.assert_array_equal(s, want_second[ids])


def test_planted_questions_are_found_like_brute_force():
    """Questions close to one text of an entry: the shortlist keeps brute force's best entry."""
    rng = np.random.default_rng(11)
    matrix, starts, counts = _grouped(rng, 3000, 128, 25)
    search = EntrySearch(matrix, starts, shortlist=64)
    picks = rng.integers(0, matrix.shape[0], 50)
    questions = _unit(matrix[picks] + 0.6 * _unit(rng.standard_normal((50, 128))))
    agree = 0
    for vector in questions:
        want_best, _ = _brute(matrix, starts, counts, vector)
        ids = search.shortlist(vector)
        best, _ = search.best_two(vector, ids)
        agree += int(ids[np.argmax(best)]) == int(np.argmax(want_best))
    assert agree >= 48


def test_representatives_are_unit_means_and_empty_is_fine():
    matrix = np.array([[3, 0], [0, 4], [1, 0]], dtype=np.float32)
    reps = representatives(matrix, np.array([0, 2]))
    np.testing.assert_allclose(reps, [[0.6, 0.8], [1.0, 0.0]], atol=1e-6)
    assert representatives(matrix, np.array([], dtype=np.int64)).shape == (0, 2)
    search = EntrySearch(np.zeros((0, 4), np.float32), np.array([], dtype=np.int64))
    assert search.shortlist(np.ones(4, np.float32)).shape == (0,)
    b, s = search.best_two(np.ones(4, np.float32), np.array([], dtype=np.int64))
    assert b.shape == s.shape == (0,)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        EntrySearch(np.zeros((2, 2), np.float32), np.array([0]), shortlist=0)
    with pytest.raises(ValueError):
        EntrySearch(np.zeros((2, 2), np.float32), np.array([0, 0]))


@pytest.mark.parametrize(("n", "k"), [(0, 3), (1, 1), (5, 0), (5, 5), (5, 9), (10, 3)])
def test_top_ids(n, k):
    scores = np.arange(n, dtype=np.float32)[::-1].copy()
    got = sorted(top_ids(scores, k).tolist())
    assert got == list(range(min(n, max(k, 0))))


@pytest.mark.parametrize(("entries", "views", "shortlist"), [(1, 2, 1), (40, 2, 5), (300, 3, 299)])
def test_several_views_are_each_exact(entries, views, shortlist):
    """The matcher scores a question and its work phrase: every view is rescored exactly."""
    rng = np.random.default_rng(entries + views)
    matrix, starts, counts = _grouped(rng, entries, 24, 7)
    search = EntrySearch(matrix, starts, shortlist=shortlist)
    vectors = _unit(rng.standard_normal((views, 24)))
    ids = search.shortlist(vectors)
    rep_mean = (search.representatives @ vectors.T).mean(axis=1)
    assert set(np.argsort(-rep_mean)[:shortlist]) <= set(ids.tolist())
    best, second = search.best_two(vectors, ids)
    assert best.shape == second.shape == (len(ids), views)
    for view in range(views):
        want_best, want_second = _brute(matrix, starts, counts, vectors[view])
        np.testing.assert_allclose(best[:, view], want_best[ids], rtol=0, atol=1e-5)
        np.testing.assert_allclose(second[:, view], want_second[ids], rtol=0, atol=1e-5)
    empty_best, _ = search.best_two(vectors, np.array([], dtype=np.int64))
    assert empty_best.shape == (0, views)

