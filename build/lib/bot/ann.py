"""Search for knowledge bases too large for brute force: shortlist by entry, rescore exactly.

Brute force multiplies the question with every text of every entry. Entries have about 22 texts,
so 100,000 entries are about 2.2 million rows (4.3 GB of float32 at 512 dims) and one question
reads all of it: ~175 ms for the product alone and ~550 ms for the whole match on two cores, as a
matrix-vector product is bound by memory bandwidth, not arithmetic. From `LARGE_INDEX_ENTRIES`
entries on, the index does this instead:

1. Shortlist: one representative vector per entry (the normalised mean of its texts) is scored
   against the question: (entries, dims), 20x fewer rows than the texts. The `shortlist` best
   entries are kept, together with any extra entries the caller names (the lexical best, so a
   keyword hit is never lost to the prefilter).
2. Rescore: only the shortlisted entries' texts are multiplied with the question, and each gets
   exactly the best and second-best text similarity that brute force would give it.

Scores of shortlisted entries are exact; an entry can be missed only if its mean is far from the
question while one of its texts is close, which the benchmark measures as recall against brute
force (bench/README.md). When the shortlist covers every entry, the result is brute force.
"""

from __future__ import annotations

import numpy as np

# Brute force over ~22 texts per entry takes ~3 ms per question at 1,000 entries, ~9 ms at 2,000,
# ~15 ms at 3,000 and passes 20 ms near 4,000 on two cores (bench/README.md): from here on the
# shortlist is used. The shipped knowledge has a few dozen entries and never gets near it.
LARGE_INDEX_ENTRIES = 2000
DEFAULT_SHORTLIST = 256


def best_two(sims: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """Per group of rows: the best similarity and the best one below it (the best if none).

    Groups are consecutive rows, starting at `starts` with `counts` rows each (all counts > 0);
    `sims` is (rows,) or (rows, views), each view (column) on its own. Exactly what Matcher does
    on the full matrix, so shortlisted scores equal brute force.
    """
    best = np.maximum.reduceat(sims, starts, axis=0)
    masked = np.where(sims == np.repeat(best, counts, axis=0), -np.inf, sims)
    second = np.maximum.reduceat(masked, starts, axis=0)
    return best, np.where(np.isfinite(second), second, best)


def representatives(matrix: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The normalised mean of each entry's rows, (entries, dims) float32."""
    starts = np.asarray(starts, dtype=np.int64)
    if len(starts) == 0:
        return np.zeros((0, matrix.shape[1]), dtype=np.float32)
    # A loop of slice sums: np.add.reduceat along axis 0 is ~20x slower on this layout.
    ends = np.append(starts[1:], matrix.shape[0])
    sums = np.stack([matrix[a:b].sum(axis=0) for a, b in zip(starts.tolist(), ends.tolist(),
                                                            strict=True)])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(sums / norms, dtype=np.float32)


class EntrySearch:
    """Shortlist-then-rescore search over a text matrix grouped by entry (no copy of it)."""

    def __init__(self, matrix: np.ndarray, starts: np.ndarray, shortlist: int = DEFAULT_SHORTLIST):
        if shortlist < 1:
            raise ValueError("shortlist must be at least 1")
        self.matrix = matrix
        self.starts = np.asarray(starts, dtype=np.int64)
        ends = np.append(self.starts[1:], matrix.shape[0])
        self.counts = ends - self.starts
        if len(self.counts) and self.counts.min() < 1:
            raise ValueError("every entry needs at least one row")
        self.shortlist_size = shortlist
        self.representatives = representatives(matrix, self.starts)

    @property
    def entries(self) -> int:
        return len(self.starts)

    @property
    def nbytes(self) -> int:
        """Memory this search adds to the text matrix it shares."""
        return self.representatives.nbytes + self.starts.nbytes + self.counts.nbytes

    def shortlist(self, vectors: np.ndarray, extra: np.ndarray | None = None,
                  size: int | None = None) -> np.ndarray:
        """Sorted ids of the entries worth rescoring: the best by representative, plus `extra`.

        `vectors` is one query vector (dims,) or several views of it (views, dims); the views'
        representative scores are averaged, as the matcher averages the views' scores.
        """
        size = self.shortlist_size if size is None else size
        n = self.entries
        if size >= n:
            return np.arange(n, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 2:  # the mean of the views' scores is the score of the views' mean:
            vectors = vectors.mean(axis=0)  # one matrix-vector product, not a slow n=2 GEMM
        scores = self.representatives @ vectors
        top = np.argpartition(-scores, size - 1)[:size]
        if extra is not None and len(extra):
            top = np.concatenate([top, np.asarray(extra, dtype=np.int64)])
        return np.unique(top)

    def best_two(self, vectors: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact best and second-best text similarity of the entries `ids` (in that order).

        (len(ids),) arrays for one vector (dims,); (len(ids), views) for (views, dims).
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            empty = np.zeros((0, *vectors.shape[:-1]), dtype=np.float32)
            return empty, empty
        if len(ids) == self.entries:
            return best_two(self.matrix @ vectors.T, self.starts, self.counts)
        counts = self.counts[ids]
        local_starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        # Row numbers of the chosen entries, concatenated: start of each entry + 0..count-1.
        rows = np.repeat(self.starts[ids] - local_starts, counts) + np.arange(int(counts.sum()))
        return best_two(self.matrix[rows] @ vectors.T, local_starts, counts)


def top_ids(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` largest scores (any order); all of them when there are fewer."""
    if k <= 0 or len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    if k >= len(scores):
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, k - 1)[:k].astype(np.int64)
