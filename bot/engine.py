"""Assemble a Matcher from Settings: knowledge, encoder, embedding cache, thresholds."""

from __future__ import annotations

import logging
from dataclasses import replace

from .cache import EmbeddingCache
from .config import Settings
from .cpu import cap_numeric_threads
from .encoders import Encoder, load_encoder
from .knowledge import load_knowledge
from .matcher import DEFAULT_THRESHOLDS, Matcher, Thresholds, build_index

log = logging.getLogger(__name__)


def thresholds_for(settings: Settings, encoder: Encoder) -> Thresholds:
    base = DEFAULT_THRESHOLDS.get(encoder.family, Thresholds())
    if settings.answer_threshold is not None:
        base = replace(base, answer=settings.answer_threshold)
    if settings.margin is not None:
        base = replace(base, margin=settings.margin)
    return base


def build_matcher(
    settings: Settings, encoder: Encoder | None = None, cache: EmbeddingCache | None = None
) -> Matcher:
    """Raises KnowledgeError, EncoderError: both carry one-line messages for the user."""
    knowledge = load_knowledge(settings.knowledge_dir)
    encoder = encoder or load_encoder(settings.encoder, settings.threads)
    cache = cache or EmbeddingCache(settings.cache_path)
    before = cache.embedded_count
    index = build_index(knowledge, encoder, cache)
    log.info(
        "embedded %d knowledge texts (%d in the index, the rest from the cache %s)",
        cache.embedded_count - before,
        index.matrix.shape[0] + len(index.offtopic),
        cache.path or "in memory",
    )
    cap_numeric_threads()  # numpy is loaded now: its BLAS threads would spin between questions
    return Matcher(index, encoder, thresholds_for(settings, encoder))
