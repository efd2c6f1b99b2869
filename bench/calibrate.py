"""Sweep the matcher's thresholds and weights on question sets; prints the best settings.

    python bench/calibrate.py ../shared/eval/dev.yaml tests/data/dev_holdout.yaml [--encoder use]

Query embeddings are memoised, so a sweep costs one encoder call per question.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

import numpy as np

from bot.config import Settings
from bot.engine import build_matcher
from bot.evaluation import evaluate, load_items


class _Memo:
    def __init__(self, encoder):
        self._encoder, self._memo = encoder, {}
        self.id, self.family = encoder.id, encoder.family
        self.encode_passages = encoder.encode_passages

    def encode_queries(self, texts):
        key = tuple(texts)
        if key not in self._memo:
            self._memo[key] = self._encoder.encode_queries(list(texts))
        return self._memo[key]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--lang", help="only items of this language (e.g. en for English models)")
    args = parser.parse_args()
    matcher = build_matcher(Settings.from_env(encoder=args.encoder))
    matcher.encoder = _Memo(matcher.encoder)
    sets = {
        path: [i for i in load_items(path) if args.lang in (None, i.lang)] for path in args.sets
    }
    base = matcher.thresholds
    rows = []
    grid = itertools.product(
        np.arange(0.30, 0.75, 0.025),  # answer
        (0.0, 0.02, 0.04),  # margin (affects ambiguity only, not accuracy)
        (-0.05, 0.0, 0.05, 0.10),  # offtopic margin
        (0.0, 0.15, 0.25, 0.35, 0.5),  # lexical weight
        (0.0, 0.15, 0.3),  # second-best weight
    )
    for answer, margin, off, lex, second in grid:
        if margin != base.margin:
            continue
        # The hand-set rule (fitted=False): what OWNER_BOT_ANSWER_THRESHOLD switches to. The
        # fitted rule (bot/decide.py) needs no sweep: it is fitted on the knowledge itself.
        matcher.thresholds = replace(base, answer=float(answer), offtopic_margin=off,
                                     lexical_weight=lex, second_weight=second, fitted=False)
        figures = []
        for items in sets.values():
            report = evaluate(items, matcher.match)
            figures += [report.rate(report.in_scope), report.rate(report.declined)]
        rows.append((min(figures), sum(figures), answer, off, lex, second, figures))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    print("min    sum    answer off   lex   second  figures (in-scope, declined) per set")
    for worst, total, answer, off, lex, second, figures in rows[: args.top]:
        shown = " ".join(f"{f:.3f}" for f in figures)
        print(f"{worst:.3f}  {total:.3f}  {answer:.3f}  {off:+.2f}  {lex:.2f}  {second:.2f}"
              f"    {shown}")


if __name__ == "__main__":
    main()
