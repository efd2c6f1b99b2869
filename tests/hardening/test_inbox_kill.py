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
TERM_EVENTS = 300
WORKERS = 4
LEASE_SECONDS = "2"  # a dead process's claims come back this fast


POST_SECONDS = 0.02  # a chat.postMessage round trip to real Slack takes longer than this


def _slack_latency(method: str, body: dict) -> None:
    """A `FakeSlack.chaos` rule that fails nothing: it only answers posts as slowly as Slack."""
    if method == "chat.postMessage":
        time.sleep(POST_SECONDS)


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
    env = {"OWNER_BOT_LEASE_SECONDS": LEASE_SECONDS, "OWNER_BOT_BACKLOG": str(EVENTS * 2),
           "OWNER_BOT_WORKERS": str(WORKERS)}
    first = BotProcess(fake_slack, data, REPO_ROOT / "knowledge", **env)
    url = first.wait_listening()
    acked: list[str] = []
    kill_now = threading.Event()
    sender = threading.Thread(target=_burst, args=(url, acked, kill_now))
    sender.start()
    assert kill_now.wait(120)
    first.kill()  # SIGKILL: no drain, no cleanup
    # Once it is reaped: a post it had sent just before may reach the fake a moment after the
    # signal (seen once at load 8: two in-flight replies recorded after a time taken before).
    killed_at = time.monotonic()
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
    twice = {ts for ts, n in replies.items() if n > 1}
    assert not missing, f"{len(missing)} of {len(acked)} acked events never answered"
    # The one exception: a reply in a worker's hands at the kill, posted but not yet marked
    # done, is posted again (Slack has no idempotency key). At most one per worker, and only
    # ones whose first post came before the kill.
    first_posts = {c.body["thread_ts"]: c.at for c in reversed(fake_slack.posts(
        "chat.postMessage"))}
    assert len(twice) <= WORKERS, f"answered more than once: {sorted(twice)}"
    assert all(first_posts[ts] <= killed_at for ts in twice), sorted(twice)
    print(f"\nkill test: {EVENTS} events, {SENDERS} senders: {len(acked)} acked before the kill,"
          f" {answered_before} answered before it, {sum(replies.values())} replies in all,"
          f" {len(twice)} posted twice (in flight at the kill)")


def test_sigterm_drains_for_the_grace_period_and_leaves_the_rest(
        fake_slack: FakeSlack, tmp_path: Path, data_dir: Path, matcher):
    data = warm_data_dir(data_dir, tmp_path / "data")
    env = {"OWNER_BOT_GRACE_SECONDS": "1", "OWNER_BOT_WORKERS": "1",
           "OWNER_BOT_LOG_LEVEL": "INFO"}
    first = BotProcess(fake_slack, data, REPO_ROOT / "knowledge", **env)
    url = first.wait_listening()
    acked: list[str] = []

    def send(n: int) -> None:
        ts = f"1700006000.{n:06d}"
        body = json.dumps(event_body(mention_event(f"谁负责写代码？ {n}", ts=ts), f"EvTerm{n}"))
        if post(url + "/slack/events", body.encode(), "application/json").status == 200:
            acked.append(ts)

    # Acks outrun the one worker, so a backlog builds. Slack's own latency keeps it there: a
    # fake that answers in microseconds let a fast host drain all 300 within the 1 s grace.
    fake_slack.chaos = _slack_latency
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(TERM_EVENTS)))
    started = time.monotonic()
    assert first.stop(timeout=15) == 0
    assert time.monotonic() - started < 10  # grace 1 s, plus the item in hand and the exit
    assert "left in the inbox" in first.log
    answered_first = len(fake_slack.posts("chat.postMessage"))
    assert 0 < answered_first < len(acked) == TERM_EVENTS
    fake_slack.chaos = None

    second = BotProcess(fake_slack, data, REPO_ROOT / "knowledge", **env)
    try:
        url = second.wait_listening()
        deadline = time.monotonic() + 60
        while _ready(url).get("backlog") != 0:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        second.stop()
    replies = Counter(str(c.body.get("thread_ts")) for c in fake_slack.posts("chat.postMessage"))
    assert sorted(replies) == sorted(acked) and set(replies.values()) == {1}
