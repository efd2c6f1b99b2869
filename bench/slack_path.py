"""The full Slack path: a signed app_mention over HTTP into the real bot, the reply at a fake API.

The bot runs as it does in production, `owner-bot run --http`, in its own process on 127.0.0.1,
with SLACK_API_URL pointing at the fake Slack Web API from tests/slack/slackfakes.py running in
this process. A question's latency is from sending the signed event to the chat.postMessage
reply arriving at the fake API: HTTP, signature check, Bolt's ack, dedupe, the matcher, Block Kit,
the feedback record and the Web API call. The bot's peak RSS (VmHWM) is read before it is stopped.
Everything stays on 127.0.0.1; every wait has a deadline.
"""

from __future__ import annotations

import itertools
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .measure import REPO, child_env, proc_status_mb, summary_ms

REPLY_TIMEOUT = 30.0


def _slackfakes() -> Any:
    """tests/slack/slackfakes.py: the fake Web API and signing helpers, imported, not copied."""
    folder = str(REPO / "tests" / "slack")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import slackfakes

    return slackfakes


def available() -> str | None:
    """None when the Slack app and its test helpers are there, else why not."""
    if not (REPO / "bot" / "slack" / "server.py").is_file():
        return "bot/slack is not in this checkout yet"
    if not (REPO / "tests" / "slack" / "slackfakes.py").is_file():
        return "tests/slack/slackfakes.py (the fake Slack Web API) is missing"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replies:
    """Stamps the arrival of each chat.postMessage at the fake API, by the thread it answers."""

    def __init__(self, fake: Any):
        self._arrived: dict[str, float] = {}
        self._cond = threading.Condition()
        original = fake.record

        def record(call: Any) -> None:
            if call.method == "chat.postMessage" and call.status == 200:  # posted, not refused
                with self._cond:
                    self._arrived[str(call.body.get("thread_ts"))] = time.perf_counter()
                    self._cond.notify_all()
            original(call)

        fake.record = record  # the fake's handler calls fake.record for every request

    def wait(self, ts: str, timeout: float = REPLY_TIMEOUT) -> float:
        deadline = time.monotonic() + timeout
        with self._cond:
            while ts not in self._arrived:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply to {ts} within {timeout} s")
                self._cond.wait(left)
            return self._arrived[ts]


class BotProcess:
    """`owner-bot run --http` on 127.0.0.1 against the fake Web API."""

    def __init__(self, fakes: Any, fake: Any, knowledge_dir: Path, data_dir: Path,
                 encoder: str = "use", threads: int | None = None, **extra_env: str):
        self.port = _free_port()
        env = child_env(
            OWNER_BOT_KNOWLEDGE=str(knowledge_dir), OWNER_BOT_DATA_DIR=str(data_dir),
            OWNER_BOT_ENCODER=encoder, SLACK_BOT_TOKEN=fakes.BOT_TOKEN,
            SLACK_SIGNING_SECRET=fakes.SIGNING_SECRET, SLACK_API_URL=fake.api_url,
            OWNER_BOT_RATE_LIMIT="1000000",  # the bench asks as one user, far above 20/min
        )
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("OWNER_BOT_THREADS", None)
        env.pop("OWNER_BOT_DATABASE_URL", None)
        env.update(extra_env)
        if threads is not None:
            env["OWNER_BOT_THREADS"] = str(threads)
        self._log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in stop
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "run", "--http",
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        self.max_rss_mb: float | None = None

    def wait_healthy(self, timeout: float = 300.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bot exited ({self.proc.returncode}): {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the bot was not healthy within {timeout} s: {self.log()}")

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read()[-3000:]

    def stop(self, timeout: float = 20.0) -> None:
        """Read its peak RSS (VmHWM) while it still runs, then SIGTERM (its clean shutdown)."""
        if self.proc.poll() is None:
            self.max_rss_mb = proc_status_mb("VmHWM", self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._log.close()


# Each Asker's events get their own block of ts and ids: replies are matched by ts, and one
# run may ask through several bots.
_ASKER_BLOCKS = itertools.count()


class Asker:
    """Asks through `bot`, or round-robin through several bots (replicas behind a balancer)."""

    def __init__(self, fakes: Any, bot: BotProcess | list[BotProcess], replies: Replies):
        self.fakes, self.replies = fakes, replies
        self.bots = bot if isinstance(bot, list) else [bot]
        self._first = next(_ASKER_BLOCKS) * 1_000_000
        self._n = 0
        self._lock = threading.Lock()

    def ask(self, question: str) -> float:
        """One signed app_mention; seconds until its reply reached the fake Web API."""
        with self._lock:
            self._n += 1
            n = self._n
        n += self._first
        ts = f"{1700000000 + n // 1_000_000}.{n % 1_000_000:06d}"
        body = self.fakes.event_body(
            self.fakes.mention_event(question, ts=ts, channel=f"C{n % 7:03d}",
                                     user=f"U{n % 50:03d}"),
            f"EvBench{n}")
        start = time.perf_counter()
        url = self.bots[n % len(self.bots)].url
        result = self.fakes.post(url + "/slack/events", json.dumps(body).encode(),
                                 "application/json")
        if result.status != 200:
            raise RuntimeError(f"the bot answered HTTP {result.status}: {result.body[:200]}")
        return self.replies.wait(ts) - start


def run_askers(asker: Asker, questions: list[str], workers: int) -> dict[str, object]:
    start = time.perf_counter()
    if workers == 1:
        times = [asker.ask(q) for q in questions]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            times = list(pool.map(asker.ask, questions))
    wall = time.perf_counter() - start
    return {"askers": workers, **summary_ms(times),
            "questions_per_s": round(len(questions) / wall, 1)}


def slack_section(knowledge_dir: Path, questions: list[str], concurrency: tuple[int, ...],
                  per_level: int, encoder: str = "use",
                  threads: int | None = None) -> dict[str, object]:
    """Sequential latency over all `questions`, then `per_level` questions per concurrency.

    `threads` sets OWNER_BOT_THREADS for the bot (None: the bot's default).
    """
    fakes = _slackfakes()
    fake, thread = fakes.start_fake_slack()
    replies = Replies(fake)
    out: dict[str, object] = {"encoder": encoder, "owner_bot_threads": threads or "default"}
    with tempfile.TemporaryDirectory(prefix="owner-bot-bench-") as data:
        bot = BotProcess(fakes, fake, knowledge_dir, Path(data), encoder, threads)
        try:
            out["start_to_healthy_s"] = round(bot.wait_healthy(), 3)
            asker = Asker(fakes, bot, replies)
            for q in questions[:10]:  # warm-up: first requests import lazily
                asker.ask(q)
            out["sequential"] = run_askers(asker, questions, 1)
            out["concurrent"] = [run_askers(asker, questions[:per_level], workers)
                                 for workers in concurrency if per_level]
        finally:
            bot.stop()
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(5)
        out["bot_peak_rss_mb"] = bot.max_rss_mb
    return out
