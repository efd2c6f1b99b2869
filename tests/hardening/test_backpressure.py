"""Back-pressure and honest health: past the backlog bound a request is not acked (503, a
WARNING says why) and /readyz says not ready; /healthz stays alive; the retry is answered."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path

from hardening_support import running_bot
from slackfakes import FakeSlack, event_body, mention_event
from test_ack_and_rate_limit import SlowMatcher

from bot.matcher import Matcher


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_full_backlog_answers_503_until_there_is_room(fake_slack: FakeSlack, matcher: Matcher,
                                                        tmp_path: Path, logs):
    gate = threading.Event()
    slow = SlowMatcher(matcher, gate)
    with running_bot(fake_slack, slow, tmp_path, backlog_limit=2, workers=1) as bot:
        try:
            status, ready = _get(bot.url + "/readyz")
            assert status == 200 and ready["ok"] and ready["model_loaded"], ready
            events = [event_body(mention_event(f"谁负责写代码？ {n}", ts=f"1700007000.{n:06d}"),
                                 f"EvFull{n}") for n in range(3)]
            assert bot.send_json(events[0]).status == 200
            assert slow.started.wait(10)  # the one worker is busy with the first
            assert bot.send_json(events[1]).status == 200
            assert bot.send_json(events[2]).status == 503  # not acked: Slack retries it
            assert _get(bot.url + "/readyz")[0] == 503
            assert _get(bot.url + "/healthz")[0] == 200  # alive, only not ready
            assert any("inbox full" in line for line in logs.at(logging.WARNING))
        finally:
            gate.set()
        bot.settle()
        assert bot.send_json(events[2], headers={"X-Slack-Retry-Num": "1"}).status == 200
        bot.settle()
        assert bot.send_json(events[2], headers={"X-Slack-Retry-Num": "2"}).status == 200
        bot.settle()
        answered = sorted(c.body["thread_ts"] for c in fake_slack.posts("chat.postMessage"))
        assert answered == [f"1700007000.{n:06d}" for n in range(3)]  # each once
        assert _get(bot.url + "/readyz")[0] == 200
