"""A linear head over the embeddings, learned from the knowledge's own texts: which entry a
text belongs to.

Nearest-text matching asks "which one text is this closest to?"; a paraphrase in words no text
uses ("who does card sorting for the new nav") can sit near some other entry's one text. The
head asks "which entry's texts, taken together, does this read like?": a softmax regression of
entry on embedding, fitted on every text of the knowledge, adds a share of P(entry) to the
entry's score (bot/scoring.py). Measured on blind sets run with the knowledge they were blind
to (README, "Ranking"), it moved more paraphrases to the right owner than prototypes did.

For fitting the decision rule, an example question must be scored by a head that never saw it
(as its own text is left out of the nearest-text search): `cross_fitted` gives one head per
fold of the texts, each fitted without that fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

L2 = 1e-4  # ridge on the weights; 1e-3 lost paraphrases, 1e-4 and below kept them
STEPS = 25  # Nesterov steps on centred texts: 0.1 s; as good as 120 uncentred ones (README)
FOLDS = 4
# Beyond this many entries there is no head: its fit grows with texts x entries (300 entries of
# ~50 texts: 1.7 s a head, five of them on a cold start) and its weights with entries, while the
# shortlisting search of bot/ann.py takes over at 2,000 entries anyway.
MAX_ENTRIES = 300


@dataclass(frozen=True)
class Head:
    weights: np.ndarray  # (dims, entries), float32
    bias: np.ndarray  # (entries,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(entries, vectors): P(entry | text) of each vector."""
        z = vectors @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return p.T

    def to_array(self) -> np.ndarray:
        return np.concatenate([self.weights.ravel(), self.bias]).astype(np.float32)

    @classmethod
    def from_array(cls, flat: np.ndarray, dims: int, entries: int) -> Head | None:
        """None when `flat` does not fit (another knowledge shape, a damaged cache row)."""
        if flat.shape != ((dims + 1) * entries,) or not np.all(np.isfinite(flat)):
            return None
        flat = flat.astype(np.float32)
        return cls(flat[: dims * entries].reshape(dims, entries), flat[dims * entries :])


def fit_head(vectors: np.ndarray, labels: np.ndarray, entries: int) -> Head:
    """Softmax regression of `labels` (entry per row) on `vectors`, by Nesterov gradient steps
    from zero: numpy only, ~0.1 s for 2,500 texts of 52 entries."""
    # Centred, since sentence embeddings share one large common direction: it set the step of
    # every weight, and the fit needed five times the steps.
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    x = np.asarray(vectors, dtype=np.float32) - mean
    onehot = np.zeros((len(x), entries), dtype=np.float32)
    onehot[np.arange(len(x)), labels] = 1.0
    # Each step is 1/L for its block, L the gradient's Lipschitz bound (softmax curvature is at
    # most 1/2): the weights' from the texts' largest eigenvalue, the bias's from its constant 1.
    # A longer step made the fit unstable: two entries with the same texts came out 0.77 / 0.22.
    rate = 1.0 / (0.5 * _largest_eigenvalue(x.T @ x / len(x)) + L2)
    rate_bias = 2.0
    w = np.zeros((x.shape[1], entries), dtype=np.float32)
    b = np.zeros(entries, dtype=np.float32)
    w_prev, b_prev = w, b
    for step in range(1, STEPS + 1):
        momentum = (step - 1) / (step + 2)
        w_look = w + momentum * (w - w_prev)
        b_look = b + momentum * (b - b_prev)
        z = x @ w_look + b_look
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        p -= onehot
        w_prev, b_prev = w, b
        w = w_look - rate * (x.T @ p / len(x) + L2 * w_look)
        b = b_look - rate_bias * p.mean(axis=0)
    # w . (x - mean) + b  ==  w . x + (b - mean . w)
    return Head(w.astype(np.float32), (b - mean @ w).astype(np.float32))


def _largest_eigenvalue(matrix: np.ndarray, rounds: int = 30) -> float:
    v = np.ones(matrix.shape[0], dtype=np.float64) / np.sqrt(matrix.shape[0])
    value = 0.0
    for _ in range(rounds):
        u = matrix @ v
        value = float(np.linalg.norm(u))
        if value == 0.0:
            return 1.0
        v = u / value
    return value


def cross_fitted(vectors: np.ndarray, labels: np.ndarray, entries: int,
                 folds: int = FOLDS) -> tuple[list[Head], np.ndarray]:
    """One head per fold, each fitted without that fold's rows, and each row's fold."""
    fold_of = np.arange(len(vectors)) % folds
    heads = [fit_head(vectors[fold_of != k], labels[fold_of != k], entries)
             for k in range(folds)]
    return heads, fold_of
