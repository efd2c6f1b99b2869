"""Scale of the search: synthetic indexes of N entries, each measured in its own process.

The Index is built straight from synthetic vectors (bench/synth.py), so 100k entries cost no
embedding. The question's vector is planted, so the timings are the matcher's search and decision
(Matcher.match with a stub encoder), not the embedding, which does not grow with the knowledge.

Run one size by hand: python -m bench.scale --entries 10000
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import sys
import time

import numpy as np

from bot.ann import LARGE_INDEX_ENTRIES, EntrySearch, best_two
from bot.lexical import LexicalIndex
from bot.matcher import Index, Matcher

from .measure import child_env, crossing, growth_exponent, proc_status_mb, run_child, summary_ms
from .synth import synthetic_index


class PlantedEncoder:
    """Returns the planted vector of each synthetic question: no model, no embedding time.

    The matcher also embeds the question's work phrase (a part of it): that view gets the
    vector of the question it came with, so both views cost what they cost in production.
    """

    family = "use"
    id = "planted"

    def __init__(self, vectors: dict[str, np.ndarray]):
        self._vectors = vectors

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        out: list[np.ndarray] = []
        for text in texts:
            out.append(self._vectors[text] if text in self._vectors or not out else out[-1])
        return np.stack(out)

    encode_passages = encode_queries


def _timed(fn, items) -> tuple[list[float], list]:
    times, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        times.append(time.perf_counter() - start)
    return times, results


def _index_supports_search() -> bool:
    return "search" in inspect.signature(Index).parameters


def measure_size(entries: int, questions: int, brute_questions: int,
                 texts_per_entry: float = 22.0) -> dict[str, object]:
    rss_before = proc_status_mb("VmRSS")
    synth = synthetic_index(entries, texts_per_entry=texts_per_entry, questions=questions)
    start = time.perf_counter()
    lexical = LexicalIndex(synth.docs)
    lexical_build_s = time.perf_counter() - start
    start = time.perf_counter()
    search = EntrySearch(synth.matrix, synth.starts)
    search_build_s = time.perf_counter() - start
    offtopic = np.zeros((0, synth.matrix.shape[1]), dtype=np.float32)
    gc.collect()
    rss_after = proc_status_mb("VmRSS")
    encoder = PlantedEncoder(dict(zip(synth.questions, synth.vectors, strict=True)))
    brute_index = Index(synth.knowledge, synth.matrix, synth.starts, offtopic, lexical)
    brute = Matcher(brute_index, encoder)
    qs = synth.questions
    nb = min(brute_questions, len(qs))
    # Warm up both paths (first touches page in the matrix).
    brute.match(qs[0])
    brute_times, brute_results = _timed(brute.match, qs[:nb])
    vectors = synth.vectors
    # The search stages alone, brute force against shortlist + exact rescoring.
    semantic_times, semantic_best = _timed(
        lambda v: int(np.argmax(best_two(synth.matrix @ v, search.starts, search.counts)[0])),
        vectors[:nb])
    shortlist_times, shortlist_best = _timed(
        lambda v: int((ids := search.shortlist(v))[np.argmax(search.best_two(v, ids)[0])]),
        vectors)
    lexical_times, _ = _timed(lexical.score, qs)
    semantic_recall = float(np.mean([a == b for a, b in zip(semantic_best, shortlist_best,
                                                             strict=False)]))
    out: dict[str, object] = {
        "entries": entries,
        "texts": int(synth.matrix.shape[0]),
        "dims": int(synth.matrix.shape[1]),
        "matrix_mb": round(synth.matrix.nbytes / 2**20, 1),
        "shortlist_extra_mb": round(search.nbytes / 2**20, 1),
        "rss_index_mb": round(rss_after - rss_before, 1) if rss_after and rss_before else None,
        "lexical_build_s": round(lexical_build_s, 3),
        "shortlist_build_s": round(search_build_s, 3),
        "brute_match": summary_ms(brute_times),
        "brute_semantic_only": summary_ms(semantic_times),
        "shortlist_semantic_only": summary_ms(shortlist_times),
        "lexical_only": summary_ms(lexical_times),
        "shortlist_top1_agrees_with_brute": round(semantic_recall, 3),
    }
    if _index_supports_search():
        ann_index = Index(synth.knowledge, synth.matrix, synth.starts, offtopic, lexical,
                          search=search)
        ann = Matcher(ann_index, encoder)
        ann.match(qs[0])
        ann_times, ann_results = _timed(ann.match, qs)
        same_best = [
            (a.best.entry.id if a.best else None) == (b.best.entry.id if b.best else None)
            for a, b in zip(brute_results, ann_results, strict=False)
        ]
        same_decision = [a.decision == b.decision
                         for a, b in zip(brute_results, ann_results, strict=False)]
        out["large_index_match"] = summary_ms(ann_times)

        out["large_index_agrees_with_brute"] = {
            "best_entry": round(float(np.mean(same_best)), 3),
            "decision": round(float(np.mean(same_decision)), 3),
            "compared": len(same_best),
        }
    target_hits = [int(r.best.entry.id.rsplit("-", 1)[1]) == int(t) if r.best else False
                   for r, t in zip(brute_results, synth.targets, strict=False)]
    out["brute_finds_planted_entry"] = round(float(np.mean(target_hits)), 3)
    out["peak_rss_mb"] = proc_status_mb("VmHWM")
    return out


def run_sizes(sizes: list[int], questions: int, brute_questions: int,
              timeout: float = 900.0) -> list[dict[str, object]]:
    """Each size in a fresh process, so memory figures do not leak into each other."""
    results = []
    for entries in sizes:
        args = [sys.executable, "-m", "bench.scale", "--entries", str(entries),
                "--questions", str(questions), "--brute-questions", str(brute_questions)]
        run = run_child(args, child_env(), timeout=timeout)
        if run.returncode != 0:
            raise RuntimeError(f"scale {entries} failed ({run.returncode}): {run.stderr[-2000:]}")
        results.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return results


def scale_summary(sizes: list[dict]) -> dict[str, object]:
    """The per-size figures plus how they grow and where brute force stops being fast enough."""
    entries = [int(s["entries"]) for s in sizes]
    brute = [float(s["brute_match"]["p50_ms"]) for s in sizes]
    large = [s.get("large_index_match", {}).get("p50_ms") for s in sizes]
    largest = sizes[-1] if sizes else {}
    at_largest = (largest.get("large_index_match") or largest.get("brute_match") or {})
    return {
        "what": "Matcher.match with the question's vector given (no embedding): search, "
                "lexical, per-team ranking and decision; synthetic unit vectors, 512 dims",
        "sizes": sizes,
        "growth": {
            "brute_match_p50": growth_exponent(entries, brute),
            "large_index_match_p50": growth_exponent(entries, large)
            if all(x is not None for x in large) else None,
            "matrix_mb": growth_exponent(entries, [float(s["matrix_mb"]) for s in sizes]),
        },
        "brute_force_20ms_at_entries": crossing(entries, brute, 20.0),
        "large_index_from_entries": LARGE_INDEX_ENTRIES,
        "largest_entries": largest.get("entries"),
        "search_ms_at_largest": at_largest.get("p50_ms"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--brute-questions", type=int, default=30)
    args = parser.parse_args(argv)
    print(json.dumps(measure_size(args.entries, args.questions, args.brute_questions)))


if __name__ == "__main__":
    main()
