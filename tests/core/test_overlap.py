"""No question of an evaluation set may sit in the knowledge, verbatim or nearly.

Questions copied into knowledge/ make a set score what the bot remembers, not what it
understands (issue 9: 18 such questions once made a README figure). Every question of every set
in tests/data/ and, when the shared folder is there, ../shared/eval/ is compared with every
text of the shipped knowledge (entries, keywords, the chat pool) by difflib character similarity.
"""

from __future__ import annotations

import bisect
import difflib
import re
from pathlib import Path

import yaml

from bot.hanzi import to_simplified
from bot.knowledge import load_knowledge

from .support import REPO_ROOT, SHARED_DIR, SHIPPED_KNOWLEDGE

NEAR = 0.8  # difflib ratio from here on counts as a copy
# A bare topic ("技术选型", "PRD") is the knowledge's own vocabulary, not a copied question.
MIN_CHARS = 8
_NOISE = re.compile(r"[\s\W_]+")


def normal(text: str) -> str:
    return _NOISE.sub("", to_simplified(text).lower())


def eval_sets() -> list[Path]:
    # Every folder: the blind sets, kept as development sets, sit in folders of their own.
    sets = sorted(p for p in (REPO_ROOT / "tests" / "data").rglob("*.yaml")
                  if not any((d / "teams.yaml").exists() for d in p.parents))  # knowledge folders
    if (SHARED_DIR / "eval").is_dir():
        sets += sorted((SHARED_DIR / "eval").glob("*.yaml"))
    return sets


# A task or area shorter than this is the work's own name ("write test cases", "用户访谈"):
# vocabulary that a clean question naturally repeats, not a copied question.
MIN_TOPIC_CHARS = 20


def guarded_texts() -> list[str]:
    """The knowledge texts as written: every example question, keyword and chat anchor, and the
    tasks and areas long enough to be a copied question."""
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    texts: list[str] = []
    for e in knowledge.entries:
        topics = (e.area.zh, e.area.en, *e.tasks_zh, *e.tasks_en)
        texts += [t for t in topics if len(normal(t)) >= MIN_TOPIC_CHARS]
        texts += [*e.examples_zh, *e.examples_en, *e.examples_ja, *e.keywords]
    return [*texts, *knowledge.offtopic]


def knowledge_texts() -> list[str]:
    return list(dict.fromkeys(normal(t) for t in guarded_texts()))


def copies(questions: list[str], texts: list[str]) -> list[tuple[str, str, float]]:
    found = []
    texts = sorted(texts, key=len)
    lengths = [len(t) for t in texts]
    for question in questions:
        q = normal(question)
        if len(q) < MIN_CHARS:
            continue
        matcher = difflib.SequenceMatcher(None, "", q, autojunk=False)  # b is cached
        # ratio() <= 2 * shorter / (both lengths): only texts within this band can reach NEAR,
        # which keeps the ~20,000 questions of the sets to seconds.
        low = bisect.bisect_left(lengths, len(q) * NEAR / (2 - NEAR))
        high = bisect.bisect_right(lengths, len(q) * (2 - NEAR) / NEAR)
        for text in texts[low:high]:
            matcher.set_seq1(text)
            # The quick ratios are upper bounds of ratio(): most pairs stop there.
            if (matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR
                    and matcher.ratio() >= NEAR):
                found.append((question, text, round(matcher.ratio(), 2)))
    return found


def test_the_guard_sees_a_near_copy():
    assert copies(["请问谁负责写后端代码呀？"], [normal("谁负责写后端代码")])
    assert copies(["Who prepares the cash-flow statement??"],
                  [normal("who prepares the cash flow statement")])
    assert not copies(["请问谁负责写后端代码呀？"], [normal("预算谁来编")])
    assert not copies(["技术选型"], [normal("技术选型")])  # a bare topic is vocabulary


def test_there_are_sets_to_guard():
    sets = eval_sets()
    assert any(p.parent.name == "data" for p in sets)
    assert any(p.parent.name.startswith("blind-") for p in sets)


def test_no_eval_question_is_in_the_knowledge():
    texts = knowledge_texts()
    found = []
    for path in eval_sets():
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(items, list):  # e.g. a knowledge folder's yaml under tests/data
            continue
        questions = [i["q"] for i in items if isinstance(i, dict) and isinstance(i.get("q"), str)]
        found += [(path.relative_to(REPO_ROOT).as_posix(), *c) for c in copies(questions, texts)]
    assert not found, "\n".join(f"{p}: {q!r} ~ {t!r} ({r})" for p, q, t, r in found)
