"""Match a question to the knowledge: embed, search, aggregate per entry, decide.

Decisions:
  answer     one team is clearly best
  ambiguous  the two best teams are too close: answer the best, offer the others
  decline    nothing is close enough, the question is everyday chat, or it has no words;
             the closest areas are still listed as suggestions, with the fallback contact
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .ann import LARGE_INDEX_ENTRIES, EntrySearch, best_two, top_ids
from .cache import EmbeddingCache
from .encoders import Encoder
from .hanzi import to_simplified
from .knowledge import Entry, Knowledge, Team
from .lexical import LexicalIndex
from .question import Question, has_words, work_phrase
from .script import reply_language

Decision = Literal["answer", "ambiguous", "decline"]


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on shared/eval/dev.yaml per encoder family (see README, "Calibration")."""

    answer: float = 0.5  # combined score below this declines
    margin: float = 0.04  # best team ahead of the next by less than this is ambiguous
    offtopic_margin: float = 0.0  # chat anchor beating the best entry by this declines
    lexical_weight: float = 0.35  # weight of the lexical coverage in the combined score
    second_weight: float = 0.15  # weight of the entry's second-best text similarity


DEFAULT_THRESHOLDS: dict[str, Thresholds] = {
    # bench/calibrate.py on dev.yaml + the blind holdout: answer 0.35-0.55 and offtopic margin
    # -0.05-0.05 all score within 1 point of the best; these sit in the middle of that plateau.
    "use": Thresholds(),
    # Calibrated the same way with the packaged all-MiniLM-L6-v2 on the English questions: its
    # cosines run lower than USE's and it leans more on the lexical signal.
    "st": Thresholds(answer=0.35, offtopic_margin=-0.05, lexical_weight=0.5),
}


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    team: Team
    score: float


@dataclass(frozen=True)
class Match:
    """Everything a reply needs: rendering it, or its buttons later, reads nothing else."""

    question: str  # the cleaned question that was matched
    lang: str  # language and script to answer in: zh | zh-Hant | zh-HK | en (bot/script.py)
    decision: Decision
    reason: str  # confident | close_call | low_score | off_topic | no_topic | no_words | empty
    score: float  # combined score of the best candidate (0 when there is none)
    best: Candidate | None  # the answer; None when declined
    alternatives: tuple[Candidate, ...]  # other teams' closest areas, best first
    knowledge: Knowledge  # the version this was computed from: its fallback, its teams

    @property
    def answered(self) -> bool:
        return self.decision != "decline"


@dataclass
class _Scored:
    entry_scores: np.ndarray  # combined, one per entry (per shortlisted entry when `ids`)
    semantic_best: float
    offtopic_best: float
    ids: np.ndarray | None = None  # large knowledge: the entries `entry_scores` belong to


@dataclass
class Index:
    """Everything derived from one knowledge version and one encoder; immutable once built."""

    knowledge: Knowledge
    matrix: np.ndarray  # (texts, dims), rows grouped by entry
    starts: np.ndarray  # first row of each entry, for np.maximum.reduceat
    offtopic: np.ndarray  # (anchors, dims)
    lexical: LexicalIndex
    # Large knowledge only (bot/ann.py): shortlist entries, then score their texts exactly.
    search: EntrySearch | None = None
    counts: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        ends = np.append(self.starts[1:], self.matrix.shape[0])
        self.counts = ends - self.starts


def build_index(knowledge: Knowledge, encoder: Encoder, cache: EmbeddingCache) -> Index:
    texts: list[str] = []
    starts: list[int] = []
    for entry in knowledge.entries:
        starts.append(len(texts))
        texts.extend(entry.texts())
    matrix = cache.embed(encoder.id, texts, encoder.encode_passages)
    # Chat anchors are matched like questions, so they are embedded as queries.
    offtopic = cache.embed(encoder.id + "|query", list(knowledge.offtopic), encoder.encode_queries)
    lexical = LexicalIndex(
        [
            [e.area.zh, e.area.en, *e.tasks_zh, *e.tasks_en, *e.keywords, *e.examples_zh,
             *e.examples_en]
            for e in knowledge.entries
        ]
    )
    index = Index(
        knowledge=knowledge,
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        starts=np.asarray(starts, dtype=np.int64),
        offtopic=offtopic,
        lexical=lexical,
    )
    if len(knowledge.entries) >= LARGE_INDEX_ENTRIES:  # brute force is too slow from here on
        index.search = EntrySearch(index.matrix, index.starts)
    return index


class Matcher:
    """Answers questions from one Index. Never changed once built: a reload builds a new
    Matcher (`with_index`) and the server swaps its one reference to it."""

    def __init__(self, index: Index, encoder: Encoder, thresholds: Thresholds | None = None):
        self.index = index
        self.encoder = encoder
        self.thresholds = thresholds or DEFAULT_THRESHOLDS.get(encoder.family, Thresholds())

    @property
    def knowledge(self) -> Knowledge:
        return self.index.knowledge

    def _score(self, index: Index, question: str, vectors: np.ndarray) -> _Scored:
        """`vectors`: the whole question and its work phrase; each view picks its own best
        text per entry and the two views' scores are averaged."""
        lexical = index.lexical.score(question)
        if index.search is not None:  # large knowledge: brute force would take too long
            ids = index.search.shortlist(vectors, extra=top_ids(lexical, 64))
            best, second = index.search.best_two(vectors, ids)
            return self._combine(index, vectors, best, second, lexical[ids], ids)
        # The second-best text rewards entries that several phrasings agree on.
        best, second = best_two(index.matrix @ vectors.T, index.starts, index.counts)
        return self._combine(index, vectors, best, second, lexical, None)

    def _combine(self, index: Index, vectors: np.ndarray, best: np.ndarray, second: np.ndarray,
                 lexical: np.ndarray, ids: np.ndarray | None) -> _Scored:
        t = self.thresholds
        best, second = best.mean(axis=1), second.mean(axis=1)
        semantic = best + t.second_weight * (second - best)
        combined = semantic + t.lexical_weight * lexical
        offtopic = (index.offtopic @ vectors.T).max(axis=0).mean() if len(index.offtopic) else -1
        return _Scored(combined, float(best.max()) if len(best) else -1.0, float(offtopic), ids)

    def with_index(self, index: Index) -> Matcher:
        """The same encoder and rule over another knowledge version (a reload)."""
        return Matcher(index, self.encoder, self.thresholds)

    def match(self, asked: str | Question) -> Match:
        """`asked`: what a person typed, or a Question already cleaned for this request."""
        index = self.index
        question = (asked if isinstance(asked, Question) else Question.of(asked)).text
        lang = reply_language(question)

        def decide(decision: Decision, reason: str, score: float = 0.0,
                   best: Candidate | None = None, others: tuple[Candidate, ...] = ()) -> Match:
            return Match(question, lang, decision, reason, score, best, others,
                         index.knowledge)

        if not question:
            return decide("decline", "empty")
        if not has_words(question):
            return decide("decline", "no_words")
        text = to_simplified(question)  # the knowledge is written in simplified Chinese
        phrase = work_phrase(text)
        if not has_words(phrase):  # "谁负责？", "who is responsible?": no work named
            return decide("decline", "no_topic")
        vectors = self.encoder.encode_queries([text, phrase] if phrase != text else [text])
        scored = self._score(index, text, vectors)
        ranked = self._per_team(index, scored.entry_scores, scored.ids)
        best, t = ranked[0], self.thresholds
        if scored.offtopic_best > scored.semantic_best + t.offtopic_margin:
            return decide("decline", "off_topic", best.score, None, tuple(ranked[:3]))
        if best.score < t.answer:
            return decide("decline", "low_score", best.score, None, tuple(ranked[:3]))
        others = tuple(ranked[1:4])
        if others and best.score - others[0].score < t.margin:
            close = tuple(c for c in others if best.score - c.score < t.margin * 2)
            return decide("ambiguous", "close_call", best.score, best, close)
        return decide("answer", "confident", best.score, best, others)

    def _per_team(self, index: Index, scores: np.ndarray,
                  ids: np.ndarray | None = None) -> list[Candidate]:
        """Best entry per team, best team first: alternatives are other owners, not siblings."""
        knowledge = index.knowledge
        order = np.argsort(-scores, kind="stable")
        seen: set[str] = set()
        out: list[Candidate] = []
        for i in order:
            entry = knowledge.entries[int(i) if ids is None else int(ids[i])]
            if entry.team in seen:
                continue
            seen.add(entry.team)
            out.append(Candidate(entry, knowledge.teams[entry.team], float(scores[i])))
            if len(out) == len(knowledge.teams):  # every team has its best: done
                break
        return out
