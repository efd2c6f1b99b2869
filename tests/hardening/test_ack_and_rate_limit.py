"""Listeners ack inside Slack's 3 seconds however slow the answer is; the per-user rate limit."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from hardening_support import running_bot
from slackfakes import (
    FakeSlack,
    action_payload,
    command_form,
    dm_event,
    event_body,
    mention_event,
)

from bot.config import ConfigError, Settings
from bot.matcher import Match, Matcher
from bot.slack.blocks import ACTION_VOTE_UP
from bot.slack.ratelimit import RateLimiter

SLACK_ACK_SECONDS = 3.0


class SlowMatcher(Matcher):
    """The real matcher under load: each question waits (up to 5 s) until the test lets it go."""

    def __init__(self, real: Matcher, gate: threading.Event):
        super().__init__(real.index, real.encoder, real.thresholds)
        self.gate = gate
        self.started = threading.Event()

    def match(self, raw_question: str) -> Match:
        self.started.set()
        self.gate.wait(5)
        return super().match(raw_question)


@pytest.mark.parametrize("surface", ["command", "mention", "dm"])
def test_ack_returns_before_a_slow_answer(fake_slack: FakeSlack, matcher: Matcher,
                                          tmp_path: Path, surface: str):
    gate = threading.Event()
    slow = SlowMatcher(matcher, gate)
    hold = 2.0  # the matcher is held this long after the request is sent, whatever happens
    with running_bot(fake_slack, slow, tmp_path) as bot:
        started = time.monotonic()
        release = threading.Timer(hold, gate.set)
        release.start()
        try:
            if surface == "command":
                result = bot.send_form(command_form("谁负责写代码？", fake_slack.response_url("s")))
            elif surface == "mention":
                result = bot.send_json(event_body(mention_event("谁负责写代码？"), "EvSlowM"))
            else:
                result = bot.send_json(event_body(dm_event("谁负责写代码？"), "EvSlowD"))
            acked_after = time.monotonic() - started
            assert result.status == 200
            # An ack that waited for the answer would come after the release, at >= hold.
            assert acked_after < hold < SLACK_ACK_SECONDS
            assert slow.started.wait(10)  # the answer is being worked on ...
            assert fake_slack.replies() == []  # ... and was not posted before the ack
        finally:
            release.join()
        reply = fake_slack.wait_for(lambda c: c.status == 200 and c.method != "auth.test")[0]
        assert reply.at - started >= hold  # the answer could only come once released
        assert "开发团队" in str(reply.body.get("blocks"))


# --------------------------------------------------------------------------- rate limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_sliding_window():
    clock = Clock()
    limiter = RateLimiter(3, window=60, clock=clock)
    assert [limiter.check("U1") == 0 for _ in range(4)] == [True, True, True, False]
    assert limiter.check("U2") == 0  # per user
    assert 0 < limiter.check("U1") <= 60
    clock.now += 30
    assert limiter.check("U1") > 0  # refusals do not count, but the window has not moved on
    clock.now += 30
    assert limiter.check("U1") == 0  # the oldest question left the window
    assert RateLimiter(0).check("U1") == 0


def test_limiter_is_exact_under_threads():
    limiter = RateLimiter(50, window=3600)
    allowed: list[bool] = []
    lock = threading.Lock()

    def ask() -> None:
        for _ in range(40):
            ok = limiter.check("U1") == 0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert allowed.count(True) == 50 and len(allowed) == 320


def test_rate_limit_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OWNER_BOT_RATE_LIMIT", "7")
    assert Settings.from_env().rate_limit_per_minute == 7
    monkeypatch.setenv("OWNER_BOT_RATE_LIMIT", "0")
    assert Settings.from_env().rate_limit_per_minute == 0
    monkeypatch.setenv("OWNER_BOT_RATE_LIMIT", "-1")
    with pytest.raises(ConfigError, match="OWNER_BOT_RATE_LIMIT"):
        Settings.from_env()
    monkeypatch.delenv("OWNER_BOT_RATE_LIMIT")
    assert Settings.from_env().rate_limit_per_minute == 20


def test_rate_limit_is_polite_per_user_and_spares_buttons(fake_slack: FakeSlack, matcher: Matcher,
                                                         tmp_path: Path):
    with running_bot(fake_slack, matcher, tmp_path, rate_limit_per_minute=2) as bot:
        for i in range(3):  # DMs from U222: two answers, then the polite message in the DM
            bot.send_json(event_body(dm_event("Who prepares the balance sheet?",
                                              ts=f"1700000010.00000{i}"), f"EvRL{i}"))
            bot.settle()
        posts = fake_slack.posts("chat.postMessage")
        assert len(posts) == 3
        assert all("Finance" in str(p.body.get("blocks")) for p in posts[:2])
        assert "at most 2 questions a minute" in posts[2].body["text"]
        assert not posts[2].body.get("blocks")

        # The same user by mention (ephemeral, in the thread) and by /owner (ephemeral), in zh.
        bot.send_json(event_body(mention_event("谁负责写代码？", ts="1700000020.000001"), "EvRLm"))
        bot.send_form(command_form("谁负责写代码？", fake_slack.response_url("rl")))
        bot.settle()
        [ephemeral] = fake_slack.posts("chat.postEphemeral")
        assert ephemeral.body["user"] == "U222" and ephemeral.body["thread_ts"]
        assert "每分钟最多 2 个问题" in ephemeral.body["text"]
        [slash] = fake_slack.find(lambda c: c.path == "/response/rl")
        assert slash.body["response_type"] == "ephemeral" and "每分钟" in slash.body["text"]

        # Someone else is not affected; a feedback click from the limited user still counts.
        bot.send_form(command_form("谁负责写代码？", fake_slack.response_url("other"), user="U999"))
        ref = next(e["value"] for b in posts[0].body["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == ACTION_VOTE_UP)
        bot.send_action(action_payload(ACTION_VOTE_UP, ref, fake_slack.response_url("vote"),
                                       ephemeral=False, user="U222"))
        bot.settle()
        [other] = fake_slack.find(lambda c: c.path == "/response/other")
        assert "开发团队" in str(other.body.get("blocks"))
        assert [(v.user, v.vote) for v in bot.store.votes(ref)] == [("U222", 1)]
