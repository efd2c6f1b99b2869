"""On-disk embedding cache keyed by (encoder id, text hash).

A restart with unchanged knowledge embeds nothing; an edited entry re-embeds only the texts
that changed. SQLite gives atomic writes and safe sharing between processes for free.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import OwnerBotError, unusable_data_file

log = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CacheError(OwnerBotError):
    """The cache file cannot be used; the message is one line saying what to fix."""


def _open(path: Path | None) -> sqlite3.Connection:
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS embeddings ("
        " encoder TEXT NOT NULL, hash TEXT NOT NULL, dims INTEGER NOT NULL,"
        " vector BLOB NOT NULL, PRIMARY KEY (encoder, hash))"
    )
    db.commit()
    return db


class EmbeddingCache:
    def __init__(self, path: str | Path | None):
        """`path=None` keeps nothing between runs (an in-memory database)."""
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        try:
            try:
                self._db = _open(self.path)
            except sqlite3.DatabaseError as exc:
                if self.path is None or not self.path.is_file() or "not a database" not in str(exc):
                    raise
                # Only a cache: set the damaged file aside and start afresh.
                aside = self.path.with_name(self.path.name + ".corrupt")
                self.path.replace(aside)
                log.warning("embedding cache %s was damaged; moved to %s", self.path, aside)
                self._db = _open(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(unusable_data_file("embedding cache", self.path, exc)) from None
        self.embedded_count = 0  # texts sent to the encoder through this cache, for tests/logs

    def get_many(self, encoder_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT hash, dims, vector FROM embeddings"
                    f" WHERE encoder=? AND hash IN ({marks})",
                    [encoder_id, *chunk],
                )
                for digest, dims, blob in rows:
                    found[digest] = np.frombuffer(blob, dtype=np.float32, count=dims)
        return found

    def put_many(self, encoder_id: str, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (encoder, hash, dims, vector) VALUES (?,?,?,?)",
                [
                    (encoder_id, digest, int(v.shape[0]), np.asarray(v, np.float32).tobytes())
                    for digest, v in items.items()
                ],
            )

    def embed(
        self, encoder_id: str, texts: list[str], encode: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """Embeddings for `texts` in order, encoding only those not cached yet."""
        hashes = [text_hash(t) for t in texts]
        found = self.get_many(encoder_id, list(dict.fromkeys(hashes)))
        pairs = zip(texts, hashes, strict=True)
        missing = list(dict.fromkeys(t for t, h in pairs if h not in found))
        if missing:
            vectors = encode(missing)
            new = {text_hash(t): v for t, v in zip(missing, vectors, strict=True)}
            self.put_many(encoder_id, new)
            found.update(new)
            self.embedded_count += len(missing)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)

    def close(self) -> None:
        with self._lock:
            self._db.close()
