"""Fit the decision rule of bot/decide.py on an index, or load it from the embedding cache.

The fitted rule is stored as one float32 row in the embedding cache, keyed by the code version
of the rule, the encoder and the scoring weights, and the knowledge version: a warm start-up
reads 26 numbers instead of matching ~1,100 questions.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import decide
from .ask import is_bare_topic
from .cache import EmbeddingCache
from .encoders import Encoder
from .hanzi import to_simplified
from .head import MAX_ENTRIES as MAX_HEAD_ENTRIES
from .head import Head, cross_fitted, fit_head
from .lexical import terms
from .question import work_phrase
from .scoring import Plan, Thresholds, plan, score_views

if TYPE_CHECKING:
    from .knowledge import Entry
    from .matcher import Index

log = logging.getLogger(__name__)

# The modules whose code shapes the fitted rule: any edit to them refits on the next start.
_RULE_SOURCES = ("ask.py", "decide.py", "empty_asks.py", "fitting.py", "hanzi.py", "head.py",
                 "lexical.py", "question.py", "scoring.py")
MAX_POSITIVES = 3000  # a large knowledge base is sampled: the rule has 8 features, not 80


def lexical_docs(entry: Entry) -> list[str]:
    """The texts the lexical signal reads for an entry (bot/lexical.py)."""
    return [entry.area.zh, entry.area.en, *entry.tasks_zh, *entry.tasks_en, *entry.keywords,
            *entry.examples_zh, *entry.examples_en, *entry.examples_ja]


@functools.cache
def code_version() -> str:
    """A hash of the source of the modules that shape the rule."""
    digest = hashlib.sha256()
    for name in _RULE_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def load_or_fit(index: Index, encoder: Encoder, cache: EmbeddingCache,
                t: Thresholds) -> decide.Rule | None:
    key = (f"rule:{code_version()}:{encoder.id}:{t.lexical_weight}:{t.second_weight}"
           f":{t.prototype_weight}:{t.head_weight}")
    version = index.knowledge.version or "unversioned"
    found = cache.get_many(key, [version]).get(version)
    rule = decide.Rule.from_array(found) if found is not None else None
    if rule is None:
        rule = fit_rule(index, encoder, cache, t)
        if rule is not None:
            cache.put_many(key, {version: rule.to_array()})
    return rule


def _entry_labels(index: Index) -> np.ndarray:
    return np.repeat(np.arange(len(index.starts)), index.counts)


def load_or_fit_head(index: Index, encoder: Encoder, cache: EmbeddingCache) -> Head | None:
    """The index's linear head (bot/head.py), from the cache when this knowledge had one."""
    entries, dims = len(index.starts), index.matrix.shape[1]
    if not 2 <= entries <= MAX_HEAD_ENTRIES:
        if entries > MAX_HEAD_ENTRIES:
            log.info("%d entries: no linear head (at most %d)", entries, MAX_HEAD_ENTRIES)
        return None
    key = f"head:{code_version()}:{encoder.id}"
    version = index.knowledge.version or "unversioned"
    found = cache.get_many(key, [version]).get(version)
    head = Head.from_array(found, dims, entries) if found is not None else None
    if head is None:
        head = fit_head(index.matrix, _entry_labels(index), entries)
        cache.put_many(key, {version: head.to_array()})
    return head


def fit_rule(index: Index, encoder: Encoder, cache: EmbeddingCache,
             t: Thresholds) -> decide.Rule | None:
    """None when the knowledge has too little to learn from (no chat pool, or few examples)."""
    positives = _examples(index)
    anchors = list(index.offtopic_texts)
    if len(positives) < 10 or len(anchors) < 10:
        log.info("too few examples or chat anchors to fit a decision rule: hand-set thresholds")
        return None
    plans = [plan(q) for _, q, _ in positives] + [plan(a) for a in anchors]
    texts = list(dict.fromkeys(x for p in plans for x in p.texts))
    rows = dict(zip(texts, cache.embed(encoder.id + "|fit", texts, encoder.encode_queries),
                    strict=True))
    # An example is scored by a head fitted without it, as its text is left out of the search.
    heads, fold_of = ([], None) if index.head is None or not t.head_weight else cross_fitted(
        index.matrix, _entry_labels(index), len(index.starts))
    # A message with nothing to match ("？？？") is declined before the rule is asked.
    pos, topics = [], []
    for p, (e, message, q) in zip(plans, positives, strict=False):
        if p.views:
            row = index.row_of(e, q)
            head = heads[fold_of[row]] if heads and row is not None else None
            (pos if message == q else topics).append(_observe(index, p, rows, t, entry=e,
                                                              example=q, row=row, head=head))
    neg = [_observe(index, p, rows, t, anchor=i)
           for i, p in enumerate(plans[len(positives):]) if p.views]
    rule = decide.fit_split(pos, neg, topics)
    log.info("fitted the decision rule on %d example questions, %d of their bare topics and %d"
             " chat messages", len(pos), len(topics), len(neg))
    return rule


def _examples(index: Index) -> list[tuple[int, str, str]]:
    """(entry, message, the example question it comes from): each example, and its topic alone
    when that is a bare topic ("报销找谁" -> "报销"): people type just the topic to a bot. The
    topics have their own rule (bot/decide.py: Rule.bare)."""
    triples = []
    for i, e in enumerate(index.knowledge.entries):
        # Not the Japanese examples: as positives they moved the rule toward answering polite
        # chat (development sets: 8 more near-miss and 29 more everyday messages answered);
        # matched, they help.
        for q in (*e.examples_zh, *e.examples_en):
            triples.append((i, q, q))
            simplified = to_simplified(q)
            topic = work_phrase(simplified)
            if topic and topic != simplified.strip(" ?？") and is_bare_topic(topic):
                triples.append((i, topic, q))
    if len(triples) > MAX_POSITIVES:
        triples = random.Random(0).sample(triples, MAX_POSITIVES)
    return triples


def _observe(index: Index, p: Plan, rows: dict[str, np.ndarray], t: Thresholds,
             entry: int | None = None, example: str | None = None,
             anchor: int | None = None, row: int | None = None,
             head: Head | None = None) -> decide.Observation:
    """`row`: the example's own text in the index (Index.row_of), left out of the search."""
    vectors = np.stack([rows[x] for x in p.texts])
    lexical = None
    if entry is not None and example is not None:
        others = [d for d in lexical_docs(index.knowledge.entries[entry]) if d != example]
        own = frozenset(terms(example)) - {x for d in others for x in terms(d)}
        lexical = [index.lexical.score(v.text, drop=(entry, own)) for v in p.views]
    signals = score_views(index, p.views, vectors, t, skip_row=row, skip_anchor=anchor,
                          lexical=lexical, head=head)
    return decide.observe(index, p, signals)
