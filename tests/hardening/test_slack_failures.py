"""Slack failures: 429 waits Retry-After and posts once; 5xx is retried, then logged with the
question and kept in failed_replies; the same for response_url posts."""

from __future__ import annotations

import logging

from slackfakes import RunningBot, command_form, dm_event, event_body

from bot.question import clean
from bot.slack.delivery import MAX_RETRIES

EN_BALANCE = "Who prepares the balance sheet?"
ZH_CODE = "谁负责写代码？"


def _post_calls(bot: RunningBot):
    return bot.fake.posts("chat.postMessage")


def test_rate_limited_post_waits_retry_after_and_is_posted_exactly_once(bot: RunningBot, logs):
    bot.fake.fail_next("chat.postMessage", 429, {"Retry-After": "1"})
    assert bot.send_json(event_body(dm_event(EN_BALANCE), "Ev429")).status == 200

    bot.fake.wait_for(lambda c: c.method == "chat.postMessage" and c.status == 200)
    bot.settle()
    calls = _post_calls(bot)
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # waited the Retry-After Slack asked for
    assert calls[0].body == calls[1].body  # the same reply, posted once it was let through
    assert "Finance" in str(calls[1].body["blocks"])
    assert bot.store.failed_replies() == []
    assert not logs.at(logging.ERROR)


def test_server_errors_are_retried_then_logged_and_kept_with_the_question(bot: RunningBot, logs):
    bot.fake.fail_next("chat.postMessage", 500, times=MAX_RETRIES + 1)
    assert bot.send_json(event_body(dm_event(EN_BALANCE), "Ev500")).status == 200

    bot.fake.wait_for(lambda c: c.method == "chat.postMessage", count=MAX_RETRIES + 1)
    bot.settle()
    assert [c.status for c in _post_calls(bot)] == [500] * (MAX_RETRIES + 1)  # tried 3 times
    [failed] = bot.store.failed_replies()
    assert failed["question"] == clean(EN_BALANCE)
    assert (failed["surface"], failed["user"], failed["channel"]) == ("dm", "U222", "D111")
    assert failed["target"] == "chat.postMessage" and "500" in str(failed["error"])
    [error] = logs.at(logging.ERROR)
    # The log names the ref and who asked; the question itself is only in the store.
    assert str(failed["ref"]) in error and "U222" in error and "balance" not in error
    # The question was answered (recorded) even though Slack would not take the reply.
    assert bot.store.answer(str(failed["ref"])) is not None


def test_a_503_then_success_is_posted_once_without_an_error(bot: RunningBot, logs):
    bot.fake.fail_next("chat.postMessage", 503)
    bot.send_json(event_body(dm_event(ZH_CODE), "Ev503"))
    bot.fake.wait_for(lambda c: c.method == "chat.postMessage" and c.status == 200)
    bot.settle()
    assert [c.status for c in _post_calls(bot)] == [503, 200]
    assert not logs.at(logging.ERROR) and bot.store.failed_replies() == []


def test_response_url_rate_limit_is_retried_and_posted_once(bot: RunningBot, logs):
    bot.fake.fail_next("response", 429, {"Retry-After": "1"})
    bot.send_form(command_form(ZH_CODE, bot.fake.response_url("rl")))
    bot.fake.wait_for(lambda c: c.path == "/response/rl" and c.status == 200)
    bot.settle()
    calls = bot.fake.find(lambda c: c.path == "/response/rl")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert not logs.at(logging.ERROR)


def test_response_url_failure_is_logged_and_kept_with_the_question(bot: RunningBot, logs):
    bot.fake.fail_next("response", 500, times=MAX_RETRIES + 1)
    bot.send_form(command_form(ZH_CODE, bot.fake.response_url("down")))
    bot.fake.wait_for(lambda c: c.path == "/response/down", count=MAX_RETRIES + 1)
    bot.settle()
    [failed] = bot.store.failed_replies()
    assert (failed["question"], failed["surface"], failed["target"]) == (
        clean(ZH_CODE), "command", "response_url")
    [error] = logs.at(logging.ERROR)
    assert str(failed["ref"]) in error and "response_url" in error and "代码" not in error
