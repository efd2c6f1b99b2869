"""CPU per event at a steady 5 events/s against CPU per event at saturation, over the real
Slack HTTP path (`owner-bot run --http` against the fake Web API), with BLAS capped (the
default) and uncapped (OWNER_BOT_BLAS_THREADS=0, the behaviour before issue 10).

    python -m bench.cpu_budget                  # 60 steady events, 600 saturated, both settings
    python -m bench.cpu_budget --steady 20 --saturated 100 --blas 1

CPU is the bot process's utime + stime from /proc/<pid>/stat, read before and after each phase
once every reply has reached the fake API; saturation is 16 concurrent senders.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .measure import REPO
from .slack_path import Asker, BotProcess, Replies, _slackfakes

_TICKS = os.sysconf("SC_CLK_TCK")
QUESTIONS = ["Who prepares the balance sheet?", "谁负责写代码？", "Who books meeting rooms?",
             "谁负责招聘？", "Who handles the office Wi-Fi?"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _steady(asker: Asker, pid: int, events: int, rate: float) -> dict[str, float]:
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(8) as pool:  # a slow reply must not delay the next send
        futures = []
        for n in range(events):
            time.sleep(max(0.0, start + n / rate - time.perf_counter()))
            futures.append(pool.submit(asker.ask, QUESTIONS[n % len(QUESTIONS)]))
        for future in futures:
            future.result()
    used = cpu_seconds(pid) - start_cpu
    return {"events": events, "rate_per_s": rate, "cpu_ms_per_event": round(1000 * used / events,
                                                                           1)}


def _after_reply(asker: Asker, pid: int, questions: int = 5) -> float:
    """CPU ms the bot burns in the second after a reply, with nothing to do: spinning threads."""
    burnt = 0.0
    for n in range(questions):
        asker.ask(QUESTIONS[n % len(QUESTIONS)])
        start = cpu_seconds(pid)
        time.sleep(1.0)
        burnt += cpu_seconds(pid) - start
    return round(1000 * burnt / questions, 1)


def _saturated(asker: Asker, pid: int, events: int, senders: int) -> dict[str, float]:
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(asker.ask, [QUESTIONS[n % len(QUESTIONS)] for n in range(events)]))
    wall = time.perf_counter() - start
    used = cpu_seconds(pid) - start_cpu
    return {"events": events, "senders": senders, "replies_per_s": round(events / wall, 1),
            "cpu_ms_per_event": round(1000 * used / events, 1)}


def measure(blas: str, steady: int, saturated: int) -> dict[str, object]:
    fakes = _slackfakes()
    fake, thread = fakes.start_fake_slack()
    replies = Replies(fake)
    os.environ["OWNER_BOT_BLAS_THREADS"] = blas  # read by the child (child_env copies it)
    with tempfile.TemporaryDirectory(prefix="owner-bot-cpu-") as data:
        bot = BotProcess(fakes, fake, REPO / "knowledge", Path(data))
        try:
            bot.wait_healthy()
            asker = Asker(fakes, bot, replies)
            for q in QUESTIONS * 2:  # warm-up
                asker.ask(q)
            out: dict[str, object] = {"blas_threads": blas or "default"}
            out["idle_cpu_ms_in_the_second_after_a_reply"] = _after_reply(asker, bot.proc.pid)
            out["steady"] = _steady(asker, bot.proc.pid, steady, 5.0)
            out["saturated"] = _saturated(asker, bot.proc.pid, saturated, 16)
            ratio = out["steady"]["cpu_ms_per_event"] / max(  # type: ignore[index]
                out["saturated"]["cpu_ms_per_event"], 0.1)  # type: ignore[index]
            out["steady_over_saturated"] = round(ratio, 2)
        finally:
            bot.stop()
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(5)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steady", type=int, default=60, help="events at 5/s")
    parser.add_argument("--saturated", type=int, default=600, help="events at 16 senders")
    parser.add_argument("--blas", action="append",
                        help="OWNER_BOT_BLAS_THREADS values to try (default: 1 and 0)")
    args = parser.parse_args()
    for blas in args.blas or ["1", "0"]:
        print(json.dumps(measure(blas, args.steady, args.saturated)), flush=True)


if __name__ == "__main__":
    main()
