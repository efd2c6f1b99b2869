"""Matcher latency on the benchmark's question mix and on long Slack posts (issue 9 bars).

    PYTHONPATH=. python -m bench.long_posts [--n 300] [--threads N]

Questions come from bench/questions.py (templates over the knowledge's own task phrases, plus
chat); long posts are built from them: background sentences (made up here, not from any
evaluation set) before the ask, about 1,000 characters in all, some with Slack markup and code.
Bars: p50 <= 3 ms on the question mix, p50 <= 15 ms on 1,000-character posts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.config import Settings, default_knowledge_dir
from bot.engine import build_matcher
from bot.matcher import Matcher

from .questions import make_questions

BACKGROUND_ZH = (
    "上周五的版本发出去以后，陆续收到一些用户反馈。", "我们组这周人手比较紧，两个同事在休假。",
    "这个事情之前在群里讨论过几次，但一直没有结论。", "老板比较关心这个，周会上又问了一遍。",
    "相关的文档我放在共享盘里了，大家可以先看看。", "客户那边也在催，说月底之前希望有个答复。",
)
BACKGROUND_EN = (
    "We shipped the new release last Friday and feedback has been trickling in since.",
    "Half of my team is out this week, so we are stretched thin.",
    "This came up in a couple of threads already but nobody reached a conclusion.",
    "Leadership asked about it again in the weekly sync.",
    "I put the related docs in the shared drive if anyone wants context.",
    "The customer is pushing for an answer before the end of the month.",
)
MARKUP = ("<!here> ", "<@U012ABCDE> ", ":eyes: ", "> forwarded from #general\n",
          "```ERROR 500 at /api/v2/orders (trace id 9f3a)```\n")


def long_post(question: str, rng: random.Random, chars: int = 1000) -> str:
    zh = any("\u4e00" <= ch <= "\u9fff" for ch in question)
    pool = BACKGROUND_ZH if zh else BACKGROUND_EN
    parts = [rng.choice(MARKUP)]
    while sum(len(p) for p in parts) < chars - len(question) - 1:
        parts.append(rng.choice(pool) + ("" if zh else " "))
    return "".join(parts)[: chars - len(question) - 1] + "\n" + question


def p50_ms(matcher: Matcher, texts: list[str]) -> tuple[float, float]:
    for text in texts[:10]:  # warm-up
        matcher.match(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        matcher.match(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        settings = Settings(knowledge_dir=default_knowledge_dir(), data_dir=Path(data),
                            threads=args.threads)
        matcher = build_matcher(settings)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        matcher = build_matcher(settings)
        warm = time.perf_counter() - start
    rng = random.Random(7)
    questions = make_questions(matcher.knowledge, args.n, seed=7)
    posts = [long_post(q, rng) for q in questions[: max(50, args.n // 3)]]
    print(f"index build: cold {cold:.2f} s (embeds and fits), warm {warm:.2f} s (cached)")
    for name, texts in (("question mix", questions), ("1,000-char posts", posts)):
        p50, p95 = p50_ms(matcher, texts)
        print(f"{name:18} n={len(texts):4}  p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
              f"(mean length {sum(map(len, texts)) / len(texts):.0f} chars)")


if __name__ == "__main__":
    main()
