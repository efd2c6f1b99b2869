"""Assemble a Matcher from Settings: knowledge, encoder, embedding cache, thresholds."""

from __future__ import annotations

from dataclasses import replace

from .cache import EmbeddingCache
from .config import Settings
from .encoders import Encoder, load_encoder
from .knowledge import load_knowledge
from .matcher import DEFAULT_THRESHOLDS, Matcher, Thresholds, build_index


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
    index = build_index(knowledge, encoder, cache)
    return Matcher(index, encoder, thresholds_for(settings, encoder))
