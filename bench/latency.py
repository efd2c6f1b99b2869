"""The matcher alone: embed + search + decide, one question at a time, in this process."""

from __future__ import annotations

import time
from pathlib import Path

from bot.config import Settings
from bot.engine import build_matcher
from bot.matcher import Matcher

from .measure import summary_ms


def build(encoder: str, knowledge_dir: Path, data_dir: Path, threads: int | None = None) -> Matcher:
    return build_matcher(Settings(knowledge_dir=knowledge_dir, encoder=encoder, data_dir=data_dir,
                                  threads=threads))


def time_questions(matcher: Matcher, questions: list[str]) -> list[float]:
    out = []
    for question in questions:
        start = time.perf_counter()
        matcher.match(question)
        out.append(time.perf_counter() - start)
    return out


def interleaved(matchers: dict[str, Matcher], questions: list[str], block: int = 50,
                warmup: int = 10) -> dict[str, list[float]]:
    """Every matcher answers the same questions, alternating in blocks so drift hits all alike."""
    for matcher in matchers.values():
        time_questions(matcher, questions[:warmup])
    times: dict[str, list[float]] = {name: [] for name in matchers}
    names = list(matchers)
    for i, first in enumerate(range(0, len(questions), block)):
        chunk = questions[first : first + block]
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            times[name].extend(time_questions(matchers[name], chunk))
    return times


def latency_section(times: list[float]) -> dict[str, object]:
    total = sum(times)
    return {**summary_ms(times), "questions_per_s": round(len(times) / total, 1) if total else None}


def decisions(matcher: Matcher, questions: list[str]) -> dict[str, int]:
    """How the questions were decided: the mix the timings cover (answers vs declines)."""
    out: dict[str, int] = {}
    for question in questions:
        decision = matcher.match(question).decision
        out[decision] = out.get(decision, 0) + 1
    return out
