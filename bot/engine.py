"""Assemble a Matcher from Settings: knowledge, encoder, embedding cache, thresholds."""

from __future__ import annotations

import logging
from dataclasses import replace

from .cache import EmbeddingCache
from .config import Settings
from .cpu import cap_numeric_threads
from .encoders import Encoder, load_encoder
from .knowledge import Knowledge
from .learning import served_knowledge
from .matcher import DEFAULT_THRESHOLDS, Matcher, Thresholds, build_index
from .store import open_store

log = logging.getLogger(__name__)


def thresholds_for(settings: Settings, encoder: Encoder) -> Thresholds:
    base = DEFAULT_THRESHOLDS.get(encoder.family, Thresholds())
    if settings.answer_threshold is not None:  # a hand-set rule replaces the fitted one
        # on the scores its thresholds were calibrated on: without the linear head
        base = replace(base, answer=settings.answer_threshold, fitted=False, head_weight=0.0)
    if settings.margin is not None:
        base = replace(base, margin=settings.margin)
    return base


def _served(settings: Settings) -> Knowledge:
    """The folder's knowledge and the store's learned examples, the store closed after."""
    if not settings.store_exists:
        return served_knowledge(settings.knowledge_dir, None)
    store = open_store(settings.store_target)
    try:
        return served_knowledge(settings.knowledge_dir, store)
    finally:
        store.close()


def build_matcher(
    settings: Settings, encoder: Encoder | None = None, cache: EmbeddingCache | None = None
) -> Matcher:
    """Raises KnowledgeError, EncoderError: both carry one-line messages for the user.

    The knowledge served is the folder's plus the learned examples approved in the store (when
    the bot has a database already: building a matcher never creates one)."""
    knowledge = _served(settings)
    encoder = encoder or load_encoder(settings.encoder, settings.threads)
    cache = cache or EmbeddingCache(settings.cache_path)
    before = cache.embedded_count
    thresholds = thresholds_for(settings, encoder)
    index = build_index(knowledge, encoder, cache, thresholds)
    log.info(
        "embedded %d knowledge texts (%d in the index, the rest from the cache %s)",
        cache.embedded_count - before,
        index.matrix.shape[0] + len(index.offtopic),
        cache.path or "in memory",
    )
    cap_numeric_threads()  # numpy is loaded now: its BLAS threads would spin between questions
    return Matcher(index, encoder, thresholds)
