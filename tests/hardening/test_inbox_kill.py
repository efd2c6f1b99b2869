"""Nothing acked is lost: SIGKILL a real `owner-bot run --http` mid-burst, start it again on the
same data dir, and every event acked before the kill is answered exactly once.

Full size (the issue's figures): KILL_EVENTS=1500 KILL_SENDERS=32 pytest -k kill.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot_process import BotProcess, warm_data_dir
from hardening_support import REPO_ROOT
from slackfakes import FakeSlack, event_body, mention_event, post

EVENTS = int(os.environ.get("KILL_EVENTS", "150"))
SENDERS = int(os.environ.get("KILL_SENDERS", "8"))
LEASE_SECONDS = "2"  # a dead process's claims come back this fast


def _ready(url: str) -> dict:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def _burst(url: str, acked: list[str], stop_at: threading.Event) -> None:
    def send(n: int) -> None:
        ts = f"1700005000.{n:06d}"
        body = json.dumps(event_body(mention_event(f"谁负责写代码？ {n}", ts=ts), f"EvKill{n}"))
        try:
            if post(url + "/slack/events", body.encode(), "application/json").status == 200:
                acked.append(ts)
        except OSError:
            pass  # the process is gone: not acked, so Slack would send it again
        if len(acked) >= EVENTS * 0.4:
            stop_at.set()

    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(EVENTS)))
    stop_at.set()


def test_sigkill_mid_burst_loses_no_acked_event_and_answers_each_once(
        fake_slack: FakeSlack, tmp_path: Path, data_dir: Path, matcher):
    data = warm_data_dir(data_dir, tmp_path / "data")
    env = {"OWNER_BOT_LEASE_SECONDS": LEASE_SECONDS, "OWNER_BOT_BACKLOG": str(EVENTS * 2)}
    first = BotProcess(fake_slack, data, REPO_ROOT / "knowledge", **env)
    url = first.wait_listening()
    acked: list[str] = []
    kill_now = threading.Event()
    sender = threading.Thread(target=_burst, args=(url, acked, kill_now))
    sender.start()
    assert kill_now.wait(120)
    first.kill()  # SIGKILL: no drain, no cleanup
    sender.join(120)
    answered_before = len(fake_slack.posts("chat.postMessage"))
    assert answered_before < len(acked), "the kill came too late to test anything"

    second = BotProcess(fake_slack, data, REPO_ROOT / "knowledge", **env)
    try:
        url = second.wait_listening()
        deadline = time.monotonic() + 120
        while _ready(url).get("backlog") != 0:
            assert time.monotonic() < deadline, _ready(url)
            time.sleep(0.1)
        assert _ready(url)["ok"] is True
    finally:
        assert second.stop() == 0
    replies = Counter(str(c.body.get("thread_ts")) for c in fake_slack.posts("chat.postMessage"))
    missing = [ts for ts in acked if replies[ts] == 0]
    twice = {ts: n for ts, n in replies.items() if n > 1}
    assert not missing, f"{len(missing)} of {len(acked)} acked events never answered"
    assert not twice, f"answered more than once: {twice}"
    print(f"\nkill test: {EVENTS} events, {SENDERS} senders: {len(acked)} acked before the kill,"
          f" {answered_before} answered before it, {sum(replies.values())} replies in all")
