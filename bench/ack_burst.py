"""Acks under a burst: N signed events at S concurrent senders into `owner-bot run --http`.

    python -m bench.ack_burst --events 1500 --senders 32
    python -m bench.ack_burst --events 600 --senders 16 --flaky   # 20% 429, 10% 500

Reports ack latency (send to HTTP 200), connection errors (resets, refusals), non-200 answers,
how long until every reply reached the fake Web API, and replies per second. With --flaky the
fake answers 20% of chat.postMessage calls 429 (Retry-After 1) and 10% 500: it also reports
each reply's delay after its ack, and how many replies were recorded as failed instead
(`owner-bot failed list`). Everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sqlite3
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .measure import REPO, summary_ms
from .slack_path import BotProcess, Replies, _slackfakes


def flaky_slack(seed: int = 10) -> Any:
    """The fake's chaos rule: 20% of chat.postMessage calls get 429, 10% get 500."""
    draw, lock = random.Random(seed), threading.Lock()

    def chaos(method: str, body: dict[str, Any]) -> tuple[int, dict[str, str]] | None:
        if method != "chat.postMessage":
            return None
        with lock:
            value = draw.random()
        if value < 0.2:
            return 429, {"Retry-After": "1"}
        return (500, {}) if value < 0.3 else None

    return chaos


def _failed(data: Path) -> int:
    with sqlite3.connect(data / "feedback.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM failed_replies").fetchone()[0])


def _send_all(fakes: Any, bot: BotProcess, events: int, senders: int) -> dict[str, Any]:
    acks: list[float] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    acked: dict[str, float] = {}

    def send(n: int) -> None:
        ts = f"1700009000.{n:06d}"
        body = json.dumps(fakes.event_body(fakes.mention_event(
            "谁负责写代码？", ts=ts, channel=f"C{n % 7:03d}"), f"EvBurst{n}")).encode()
        start = time.perf_counter()
        try:
            status = fakes.post(bot.url + "/slack/events", body, "application/json").status
        except OSError as exc:
            errors.append(type(exc).__name__)
            return
        acks.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            acked[ts] = time.perf_counter()

    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, range(events)))
    return {"acks": acks, "errors": errors, "statuses": statuses, "acked": acked,
            "started": started, "acked_in": time.perf_counter() - started}


def _settled(bot: BotProcess, timeout: float = 300.0) -> None:
    """Until the bot's inbox is empty (/readyz's backlog): every reply delivered or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(bot.url + "/readyz", timeout=5) as response:
                backlog = json.loads(response.read())["backlog"]
        except urllib.error.HTTPError as exc:
            backlog = json.loads(exc.read())["backlog"]
        if backlog == 0:
            return
        time.sleep(0.2)
    raise TimeoutError(f"the inbox was not empty within {timeout} s")


def _replies(replies: Replies, bot: BotProcess, acked: dict[str, float],
             flaky: bool) -> list[tuple[float, float]]:
    """(ack time, reply time) of each acked event's reply; with --flaky, of those delivered
    once the inbox is empty (the others were recorded as failed)."""
    if not flaky:
        return [(at, replies.wait(ts, timeout=300)) for ts, at in acked.items()]
    _settled(bot)
    out = []
    for ts, acked_at in acked.items():
        with contextlib.suppress(TimeoutError):  # recorded as failed
            out.append((acked_at, replies.wait(ts, timeout=0.01)))
    return out


def burst(events: int, senders: int, flaky: bool = False) -> dict[str, object]:
    fakes = _slackfakes()
    fake, thread = fakes.start_fake_slack()
    replies = Replies(fake)
    with tempfile.TemporaryDirectory(prefix="owner-bot-burst-") as data:
        bot = BotProcess(fakes, fake, REPO / "knowledge", Path(data))
        try:
            bot.wait_healthy()
            fake.chaos = flaky_slack() if flaky else None
            sent = _send_all(fakes, bot, events, senders)
            # Only acked events are owed a reply (a 503 is Slack's to send again).
            got = _replies(replies, bot, sent["acked"], flaky)
        finally:
            bot.stop()
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(5)
        failed = _failed(Path(data)) if flaky else 0
    last = max((reply for _, reply in got), default=sent["started"])
    out: dict[str, object] = {
        "events": events, "senders": senders, "flaky": flaky, "ack": summary_ms(sent["acks"]),
        "statuses": sent["statuses"], "connection_errors": len(sent["errors"]),
        "acks_per_s": round(events / sent["acked_in"], 1),
        "all_replied_after_s": round(last - sent["started"], 1),
        "replies_per_s": round(len(got) / max(last - sent["started"], 1e-9), 1)}
    if flaky:
        out["reply_after_ack"] = summary_ms([reply - ack for ack, reply in got])
        out["replied"], out["recorded_failed"] = len(got), failed
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1500)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--flaky", action="store_true",
                        help="20%% of chat.postMessage calls get 429, 10%% get 500")
    args = parser.parse_args()
    print(json.dumps(burst(args.events, args.senders, args.flaky)))


if __name__ == "__main__":
    main()
