"""Start-up and memory, each in a fresh process running the real CLI (`owner-bot ask`).

Start-up is the wall time from spawning the process to the first answer on its stdout: Python
start, imports, loading and validating the knowledge, loading the encoder, embedding (cold) or
reading the embedding cache (warm), building the index and answering one question.
Memory is the child's own peak RSS (VmHWM, reported as it exits) while it embeds the knowledge
(empty cache: the worst case) and answers a stream of questions.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

from .measure import PEAK_PRELUDE, ChildRun, child_env, run_child

CLI = [sys.executable, "-c", PEAK_PRELUDE + "from bot.cli import main; main()"]
QUESTION = "谁负责写代码？"


def _ask(knowledge_dir: Path, data_dir: Path, encoder: str, timeout: float) -> ChildRun:
    env = child_env(OWNER_BOT_KNOWLEDGE=str(knowledge_dir), OWNER_BOT_DATA_DIR=str(data_dir),
                    OWNER_BOT_ENCODER=encoder)
    run = run_child([*CLI, "ask", "--json", QUESTION], env, timeout=timeout)
    if run.returncode != 0 or run.first_line_s is None:
        raise RuntimeError(f"owner-bot ask failed ({run.returncode}): {run.stderr[-2000:]}")
    json.loads(run.stdout.splitlines()[0])  # a real answer, not a traceback
    return run


def startup_case(knowledge_dir: Path, encoder: str = "use", cold_runs: int = 1,
                 warm_runs: int = 3, timeout: float = 600.0) -> dict[str, object]:
    """Cold (empty data dir, everything embedded) then warm (cache present) starts."""
    cold, warm, rss = [], [], []
    for _ in range(cold_runs):
        with tempfile.TemporaryDirectory(prefix="owner-bot-bench-") as tmp:
            run = _ask(knowledge_dir, Path(tmp), encoder, timeout)
            cold.append(run.first_line_s)
            rss.append(run.max_rss_mb)
            for _ in range(warm_runs if not warm else 0):
                run = _ask(knowledge_dir, Path(tmp), encoder, timeout)
                warm.append(run.first_line_s)
                rss.append(run.max_rss_mb)
    return {
        "encoder": encoder,
        "cold_s": round(statistics.median(cold), 3),
        "warm_s": round(statistics.median(warm), 3) if warm else None,
        "cold_runs_s": [round(x, 3) for x in cold],
        "warm_runs_s": [round(x, 3) for x in warm],
        "max_rss_mb": max((x for x in rss if x is not None), default=None),
    }


def memory_case(knowledge_dir: Path, encoder: str, questions: list[str],
                timeout: float = 600.0) -> dict[str, object]:
    """Peak RSS of `owner-bot ask -` embedding the knowledge and answering every question."""
    with tempfile.TemporaryDirectory(prefix="owner-bot-bench-") as tmp:
        env = child_env(OWNER_BOT_KNOWLEDGE=str(knowledge_dir), OWNER_BOT_DATA_DIR=tmp,
                        OWNER_BOT_ENCODER=encoder)
        stdin = "".join(q.replace("\n", " ") + "\n" for q in questions)
        run = run_child([*CLI, "ask", "--json", "-"], env, stdin=stdin, timeout=timeout)
    if run.returncode != 0:
        raise RuntimeError(f"owner-bot ask - failed ({run.returncode}): {run.stderr[-2000:]}")
    answered = sum(1 for line in run.stdout.splitlines() if line.startswith("{"))
    return {"encoder": encoder, "peak_rss_mb": run.max_rss_mb, "questions": answered,
            "wall_s": round(run.total_s, 2)}
