"""Every entry ranked for a question: the options of "pick the right area".

Plain semantic nearness (the question's embedding against each entry's best text): the
picker lists every area, so it needs an order, not the matcher's answer-or-decline rule.
"""

from __future__ import annotations

import numpy as np

from .hanzi import to_simplified
from .knowledge import Entry
from .matcher import Matcher
from .question import Question


def rank_entries(matcher: Matcher, question: str) -> list[tuple[Entry, float]]:
    """All entries, nearest to `question` first (knowledge order when there is no question)."""
    entries = matcher.knowledge.entries
    text = to_simplified(Question.of(question).text)
    if not text:
        return [(e, 0.0) for e in entries]
    index = matcher.index
    vector = matcher.encoder.encode_queries([text])[0]
    best = np.maximum.reduceat(index.matrix @ vector, index.starts)
    order = np.argsort(-best, kind="stable")
    return [(entries[int(i)], float(best[i])) for i in order]
