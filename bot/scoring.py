"""Score one message's views against an index: per entry, the best view wins.

A view is one reading of the message (the ask alone, the ask with its context, the whole post),
embedded as one or more vectors (the text and its work phrase). Each view scores every entry as
the matcher always did (best text, a share of the second best, lexical coverage); an entry keeps
its best view, so context can add evidence but never take it away.

Also used to fit the decision rule (bot/decide.py), which scores the knowledge's own example
questions with their own text left out: `skip_row`, `skip_anchor` and `lexical` serve that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .ann import best_two, top_ids
from .ask import find_views, names_work
from .hanzi import to_simplified
from .head import Head
from .question import has_words, work_phrase

if TYPE_CHECKING:
    from .matcher import Index


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on shared/eval/dev.yaml per encoder family (see README, "Calibration").

    `answer`, `margin` and `offtopic_margin` make the hand-set rule, used only when an override
    is given (OWNER_BOT_ANSWER_THRESHOLD, OWNER_BOT_MARGIN); otherwise bot/decide.py decides.
    """

    answer: float = 0.5  # combined score below this declines
    margin: float = 0.04  # best team ahead of the next by less than this is ambiguous
    offtopic_margin: float = 0.0  # chat anchor beating the best entry by this declines
    lexical_weight: float = 0.35  # weight of the lexical coverage in the combined score
    second_weight: float = 0.15  # weight of the entry's second-best text similarity
    prototype_weight: float = 0.0  # weight of the similarity to the entry's mean text
    head_weight: float = 0.0  # weight of P(entry) from the linear head (bot/head.py)
    fitted: bool = True  # decide with the rule fitted on the knowledge (bot/decide.py)


@dataclass(frozen=True)
class View:
    text: str  # what the lexical signal reads (script-converted)
    rows: tuple[int, ...]  # its vectors' rows in the encoded batch


@dataclass(frozen=True)
class Plan:
    """How one message is read: its views and the texts to embed for them (rows in order)."""

    views: tuple[View, ...]
    texts: tuple[str, ...]
    ask: str
    has_ask: bool
    bare: bool = False  # a bare topic, no asking words ("报销"): bot/ask.py


def plan(raw: str) -> Plan:
    """The ask, the ask with context, the whole post; the first two also as work phrases,
    since sentence encoders weigh the "who owns it" template heavily (bot/question.py)."""
    found = find_views(raw)
    readings = found.texts()
    if len(readings) > 1 and not names_work(work_phrase(to_simplified(found.ask))):
        readings = readings[1:]  # "谁说了算", "who should answer this one?": context decides
    texts: dict[str, int] = {}
    views = []
    for i, view_text in enumerate(readings):
        text = to_simplified(view_text)  # the knowledge is converted the same way
        candidates = [text]
        phrase = work_phrase(text)
        if i < 2 and phrase != text and has_words(phrase):
            candidates.append(phrase)
        rows = tuple(texts.setdefault(c, len(texts)) for c in candidates)
        views.append(View(text, rows))
    return Plan(tuple(views), tuple(texts), found.ask, found.has_ask, found.bare)


@dataclass
class Signals:
    # Combined, one per entry (per shortlisted entry: ids): the mean of the views, so the owner
    # is the one the readings agree on ("打印机没墨了 … 谁负责采购": the ask alone says
    # procurement, the ask with its context says office supplies).
    entry_scores: np.ndarray
    lexical: np.ndarray  # lexical coverage of the same entries, best view
    semantic_best: float  # best raw text similarity of any entry, best view
    offtopic_best: float  # nearness to everyday chat of the view that scores best
    ids: np.ndarray | None = None  # large knowledge: the entries the arrays belong to
    # The best view alone, for deciding whether to answer at all: context can only help there.
    best_view: np.ndarray | None = None
    # How much the ask reads like a question for an owner, by meaning: its nearness to the asks
    # that name no work (bot/empty_asks.py). Catches the asks no pattern of bot/ask.py knows.
    ask_like: float = -1.0
    # entry_scores without the linear head (bot/head.py): the close-call margin was calibrated on
    # these, and the head's P(entry) is peaky enough to turn a shared topic's tie into a lead.
    plain_scores: np.ndarray | None = None


def score_views(index: Index, views: tuple[View, ...] | list[View], vectors: np.ndarray,
                t: Thresholds,
                skip_row: int | None = None, skip_anchor: int | None = None,
                lexical: list[np.ndarray] | None = None, head: Head | None = None) -> Signals:
    """`skip_row` / `skip_anchor`: a knowledge text or chat anchor that must not count (the
    question itself, when fitting); `lexical`: per-view coverage computed by the caller;
    `head`: a linear head that never saw the question (when fitting), instead of the index's."""
    if lexical is None:
        lexical = [index.lexical.score(v.text) for v in views]
    ids = None
    if index.search is not None:  # large knowledge: shortlist, then score exactly
        best_lex = np.max(np.stack(lexical), axis=0)
        ids = index.search.shortlist(vectors, extra=top_ids(best_lex, 64))
        best, second = index.search.best_two(vectors, ids)
        lexical = [lex[ids] for lex in lexical]
    else:
        sims = index.matrix @ vectors.T
        if skip_row is not None:
            sims[skip_row] = -np.inf
        best, second = best_two(sims, index.starts, index.counts)
        best = np.maximum(best, -1.0)  # an entry whose only text was skipped
        second = np.maximum(second, -1.0)
    proto, owned = _entry_wide(index, vectors, ids, t, head or index.head)
    empty = _emptiness(index, views, vectors)
    ask_like = empty[0] if empty else -1.0
    combined, plain, semantic, kept = [], [], [], []
    for view, lex, nearness in zip(views, lexical, empty, strict=True):
        cols = list(view.rows)
        b, s = best[:, cols].mean(axis=1), second[:, cols].mean(axis=1)
        score = b + t.second_weight * (s - b) + t.lexical_weight * lex
        if proto is not None:
            score = score + t.prototype_weight * (proto[:, cols].mean(axis=1) - b)
        plain.append(score)
        if owned is not None:
            score = score + t.head_weight * owned[:, cols].mean(axis=1)
        combined.append(score)
        semantic.append(float(b.max()) if len(b) else -1.0)
        kept.append(nearness < semantic[-1])
    # An empty ask gives way to the views that name the work; the whole message (the last view)
    # always counts: it holds the ask too, so it can read as near an empty ask as its work.
    keep = [i for i, named in enumerate(kept) if named or i == len(kept) - 1]
    views, lexical = [views[i] for i in keep], [lexical[i] for i in keep]
    per_view = np.stack([combined[i] for i in keep])
    entry_scores = _agreement(per_view)
    plain_scores = (entry_scores if owned is None
                    else _agreement(np.stack([plain[i] for i in keep])))
    return Signals(
        entry_scores=entry_scores,
        best_view=per_view.max(axis=0),
        lexical=np.max(np.stack(lexical), axis=0),
        semantic_best=max(semantic[i] for i in keep),
        # nearness to chat of the view that reads most like work: context can only help here too
        offtopic_best=_offtopic(index, [views[int(np.argmax(per_view.max(axis=1)))]], vectors,
                                skip_anchor),
        ids=ids,
        ask_like=ask_like,
        plain_scores=plain_scores,
    )


def _agreement(per_view: np.ndarray) -> np.ndarray:
    """Per entry, from (views, entries): the mean of its views.

    Half the best view and half the mean, as before, let one view that caught a word of the
    context outvote the rest (README, "Quality", fifth pass: 804 -> 812 of 882 on the blind
    sets matched with the knowledge they were blind to); whether to answer still reads the best
    view."""
    return per_view.mean(axis=0)


def _entry_wide(index: Index, vectors: np.ndarray, ids: np.ndarray | None, t: Thresholds,
                head: Head | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Per (entry, vector): the similarity to the entry's prototype and P(entry) from the head,
    each None when its weight is 0 (or the index has none)."""
    proto = owned = None
    if t.prototype_weight and index.prototypes is not None:
        proto = index.prototypes if ids is None else index.prototypes[ids]
        proto = proto @ vectors.T
    if t.head_weight and head is not None:
        owned = head.probabilities(vectors)
        owned = owned if ids is None else owned[ids]
    return proto, owned


def _emptiness(index: Index, views: tuple[View, ...] | list[View],
               vectors: np.ndarray) -> list[float]:
    """Per view, its nearness to an ask that names no work (bot/empty_asks.py)."""
    if index.empty_asks is None or len(index.empty_asks) == 0:
        return [-1.0] * len(views)
    nearest = (index.empty_asks @ vectors.T).max(axis=0)
    return [float(nearest[list(v.rows)].mean()) for v in views]


def _offtopic(index: Index, views: tuple[View, ...] | list[View], vectors: np.ndarray,
              skip_anchor: int | None) -> float:
    if len(index.offtopic) == 0 or (skip_anchor is not None and len(index.offtopic) == 1):
        return -1.0
    sims = index.offtopic @ vectors.T
    if skip_anchor is not None:
        sims[skip_anchor] = -np.inf
    nearest = sims.max(axis=0)
    return max(float(nearest[list(v.rows)].mean()) for v in views)


def other_team_best(index: Index, scores: np.ndarray, top: int,
                    ids: np.ndarray | None = None) -> float | None:
    """The best of `scores` among the entries of teams other than entry `top`'s (positions in
    `scores`; `ids`: the entries they belong to, large knowledge), or None: one team only."""
    entries = index.knowledge.entries
    team = entries[top if ids is None else int(ids[top])].team
    for i in np.argsort(-scores, kind="stable"):
        if entries[int(i) if ids is None else int(ids[i])].team != team:
            return float(scores[i])
    return None


def team_best(index: Index, signals: Signals) -> tuple[int, float, float]:
    """By the best view alone: the best entry's position in `signals`, its score, and the next
    team's best score (what the decision rule reads)."""
    scores = signals.best_view if signals.best_view is not None else signals.entry_scores
    top = int(np.argmax(scores))
    other = other_team_best(index, scores, top, signals.ids)
    return top, float(scores[top]), other if other is not None else float(scores[top]) - 1.0

