"""Delivery that does not block, through the real HTTP endpoint and the real Bolt app: with 20%
of chat.postMessage calls answered 429 and 10% answered 500, and one channel rate-limited for
8 s, replies keep flowing to the other channels; every event is posted exactly once or is in
`owner-bot failed list`, and `owner-bot failed retry` delivers those."""

from __future__ import annotations

import json
import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hardening_support import running_bot
from slackfakes import BOT_TOKEN, Call, FakeSlack, RunningBot, event_body, mention_event

from bot.cli import cli
from bot.matcher import Matcher

SLOW, DOWN = "CSLOW", "CDOWN"
SLOW_SECONDS = 8.0
OTHERS = [f"C{n}" for n in range(8)]
EVENTS_PER_CHANNEL = 6


class FlakySlack:
    """20% 429 (Retry-After 1), 10% 500 on chat.postMessage; CSLOW rate-limited for 8 s from
    its first post (every post meanwhile gets 429 with the time left); CDOWN always 500."""

    def __init__(self, seed: int = 10):
        self.random, self.lock = random.Random(seed), threading.Lock()
        self.slow_until: float | None = None
        self.on = True

    def __call__(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str]] | None:
        if method != "chat.postMessage" or not self.on:
            return None
        channel, now = body.get("channel"), time.monotonic()
        with self.lock:
            if channel == SLOW:
                self.slow_until = self.slow_until or now + SLOW_SECONDS
                left = self.slow_until - now
                return (429, {"Retry-After": str(math.ceil(left))}) if left > 0 else None
            if channel == DOWN:
                return 500, {}
            draw = self.random.random()
        if draw < 0.2:
            return 429, {"Retry-After": "1"}
        return (500, {}) if draw < 0.3 else None


def _env(bot: RunningBot) -> dict[str, str]:
    return {"OWNER_BOT_DATA_DIR": str(bot.settings.data_dir), "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": bot.fake.api_url}


def _events() -> list[tuple[str, str, dict[str, Any]]]:
    """(event id, channel, body): the slow channel's first, then the others interleaved."""
    channels = [SLOW] * 8 + [DOWN] + OTHERS * EVENTS_PER_CHANNEL
    out = []
    for n, channel in enumerate(channels):
        ts = f"1700020000.{n:06d}"
        out.append((f"EvFlaky{n}", channel, event_body(
            mention_event("谁负责写代码？", channel=channel, ts=ts, user=f"U{n % 9}"),
            f"EvFlaky{n}")))
    return out


def _posted(bot: RunningBot) -> dict[str, list[Call]]:
    """Successful chat.postMessage calls by the thread (= the event) they answer."""
    by_thread: dict[str, list[Call]] = {}
    for call in bot.fake.posts("chat.postMessage"):
        if call.status == 200:
            by_thread.setdefault(str(call.body["thread_ts"]), []).append(call)
    return by_thread


def _failed_event_ids(runner: CliRunner, bot: RunningBot) -> set[str]:
    listed = runner.invoke(cli, ["failed", "list", "--json"], env=_env(bot))
    assert listed.exit_code == 0, listed.output
    return {json.loads(line)["event_id"] for line in listed.output.splitlines() if line}


def test_replies_keep_flowing_past_a_rate_limited_channel_and_none_is_lost(bot: RunningBot):
    flaky = FlakySlack()
    bot.fake.chaos = flaky
    events = _events()
    for _, _, body in events[:9]:  # the slow channel's (and the dead one's) go first
        assert bot.send_json(body).status == 200
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda e: bot.send_json(e[2]).status, events[9:]))
    assert statuses == [200] * len(events[9:])
    assert flaky.slow_until is not None and time.monotonic() < flaky.slow_until
    # The slow channel's events stay in the inbox, not done, while their replies wait.
    assert bot.store.inbox_backlog() >= 8
    bot.settle(timeout=60)

    posted = _posted(bot)
    slow_posts = [c for c in bot.fake.posts("chat.postMessage") if c.body["channel"] == SLOW]
    # The slow channel waited its 8 s, its replies queued behind the first, none lost ...
    assert all(c.at >= flaky.slow_until for c in slow_posts if c.status == 200)
    assert sum(c.status == 200 for c in slow_posts) == 8
    # ... while the other channels' replies went on arriving (workers sleeping Retry-After
    # would all have been asleep on the slow channel's 8 replies: none before it). Their own
    # 429s and 500s hold up their own lanes only, and a loaded machine answers slower, so
    # some may come later (here: all 46 in 7.2 s at load 4, once 24 of 46 in 8 s).
    others = [c for calls in posted.values() for c in calls if c.body["channel"] in OTHERS]
    early = [c for c in others if c.at < flaky.slow_until]
    assert len(early) >= len(others) / 3, (len(early), len(others))
    assert min(c.at for c in others) < flaky.slow_until - SLOW_SECONDS / 2

    runner = CliRunner()
    failed = _failed_event_ids(runner, bot)
    assert "EvFlaky8" in failed  # CDOWN: three 500s
    for event_id, _, body in events:
        thread = body["event"]["ts"]
        # Exactly once, or kept for `failed retry`: never both, never neither.
        assert (len(posted.get(thread, [])), event_id in failed) in ((1, False), (0, True)), \
            event_id

    flaky.on = False  # Slack is well again
    retried = runner.invoke(cli, ["failed", "retry"], env=_env(bot))
    assert retried.exit_code == 0, retried.output
    assert f"delivered {len(failed)}, still failing 0" in retried.output
    posted = _posted(bot)
    assert all(len(posted.get(body["event"]["ts"], [])) == 1 for _, _, body in events)
    assert _failed_event_ids(runner, bot) == set()


def test_a_parked_reply_keeps_its_request_leased_so_it_is_answered_once(
        fake_slack: FakeSlack, matcher: Matcher, tmp_path: Path):
    # A 1 s lease and a 3 s Retry-After: without the extension another worker would take the
    # request again at 1 s and answer it a second time.
    with running_bot(fake_slack, matcher, tmp_path, lease_seconds=1.0) as bot:
        bot.fake.fail_next("chat.postMessage", 429, {"Retry-After": "3"})
        assert bot.send_json(event_body(mention_event("谁负责写代码？"), "EvLease")).status == 200
        bot.fake.wait_for(lambda c: c.method == "chat.postMessage" and c.status == 429)
        time.sleep(1.5)
        assert bot.store.inbox_backlog() == 1  # held, not done
        bot.settle(timeout=20)
        # Idle workers look for expired leases every 2 s: by now one would have taken it again.
        time.sleep(3.0)
        bot.settle(timeout=20)
        assert [c.status for c in bot.fake.posts("chat.postMessage")] == [429, 200]
