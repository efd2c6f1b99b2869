"""A lexical signal beside the embeddings: IDF-weighted coverage of the question's terms.

Short Chinese questions are often a bare keyword plus "谁来做" ("预算谁来编"); sentence encoders
blur those, while a character-bigram match on "预算" is decisive. English words are lower-cased
and crudely stemmed. Terms that appear in many entries (谁, 负责, who, owns) get little weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9+#.\-]*[a-z0-9+#]")
_CONTRACTION = re.compile(r"['’](s|re|ll|ve|d|m|t)\b")

# Question scaffolding that says nothing about the area of work.
_EN_STOP = frozenset(
    """a an and are as at be by can could do does doing done for from has have how i if in is it
    its me my of on or our should the their them there these this to us we what when where which
    who whom whose why will with would you your owns own owner responsible job task work handle
    handles handled charge team department person people pm pms product manager managers
    supposed need needs needed please help hi hey thanks thank""".split()
)
_ZH_STOP = frozenset(
    """谁来 谁负 负责 来做 由谁 谁做 哪个 个团 团队 部门 找谁 归谁 是谁 谁的 的活 要自 自己 产品
    品经 经理 理要 理做 做吗 是产 需要 要做 事吗 吗 谁 的 是 要 做 来 由 归 找 个 哪 吗 呢 么
    什么 应该 该由 由哪""".split()
)

# Characters that only ever ask; a bigram with one spans a word boundary ("预算谁" -> "算谁").
_ASKING_CHARS = frozenset("谁吗呢么")

# A term no entry has counts for this share of the rarest known term in the coverage's
# denominator: most are bigrams across a word boundary ("板说", "前要"), not missing work, and
# at full weight they drowned an English work word in a Chinese sentence ("Q3 的 roadmap 谁来
# own，老板说…"). Development sets, misses of all in-scope questions: 1.0 -> 40, 0.5 -> 38,
# 0.3 -> 43.
UNKNOWN_WEIGHT = 0.5


def _stem(word: str) -> str:
    """Crude but symmetric: 'coding', 'codes' and 'code' all become 'cod'."""
    if word.endswith(("ss", "is", "us")):  # process, analysis, status: not plurals
        return word
    for suffix in ("ing", "ies", "es", "s", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def terms(text: str) -> list[str]:
    """Chinese character bigrams (unigrams for a lone character) and stemmed English words."""
    text = _CONTRACTION.sub("", text.lower())
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        out.extend(g for g in grams if g not in _ZH_STOP and not _ASKING_CHARS & set(g))
    for word in _LATIN.findall(text):
        if word not in _EN_STOP:
            out.append(_stem(word))
    return out


class LexicalIndex:
    """Per-entry bags of terms; `score` gives each entry the IDF share of the question it covers."""

    def __init__(self, docs: Sequence[Iterable[str]]):
        self._bags = [set(terms(" ".join(doc))) for doc in docs]
        df: dict[str, int] = {}
        for bag in self._bags:
            for term in bag:
                df[term] = df.get(term, 0) + 1
        n = max(1, len(self._bags))
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + n)
        postings: dict[str, list[int]] = {}
        for i, bag in enumerate(self._bags):
            for term in bag:
                postings.setdefault(term, []).append(i)
        # numpy arrays: a common term at 100k entries would otherwise be a 100k-step Python loop.
        self._postings = {t: np.asarray(ids, dtype=np.int64) for t, ids in postings.items()}

    def score(self, question: str, drop: tuple[int, frozenset[str]] | None = None) -> np.ndarray:
        """`drop`: (entry, terms) that entry must not be credited with: the terms only a
        left-out example gave it, when the decision rule is fitted (bot/fitting.py)."""
        scores = np.zeros(len(self._bags), dtype=np.float32)
        q_terms = set(terms(question))
        if not q_terms:
            return scores
        total = sum(self._idf.get(t, self._unknown_idf) for t in q_terms)
        for term in q_terms:
            ids = self._postings.get(term)
            if ids is not None:  # an entry is in a posting list at most once
                scores[ids] += self._idf[term]
        if drop is not None:
            entry, dropped = drop
            for term in q_terms & dropped & self._bags[entry]:
                scores[entry] -= self._idf[term]
        return scores / total
