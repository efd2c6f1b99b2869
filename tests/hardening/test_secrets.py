"""Tokens and the signing secret never appear in a log line or an error message."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hardening_support import Records, running_bot
from slackfakes import (
    FakeSlack,
    action_payload,
    command_form,
    dm_event,
    event_body,
    mention_event,
    slack_settings,
)

from bot.config import ConfigError
from bot.redact import REDACTED, Redactor, install_redaction
from bot.slack.app import create_app, make_web_client
from bot.slack.blocks import ACTION_VOTE_UP
from bot.slack.settings_check import check_slack_settings

BOT_TOKEN = "xoxb-7777-8888-DistinctiveBotTokenValue"
APP_TOKEN = "xapp-1-A999-9999-DistinctiveAppTokenValue"
SIGNING_SECRET = "f00dfacedistinctivesigningsecret"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, "DistinctiveBotTokenValue",
           "DistinctiveAppTokenValue", "distinctivesigningsecret")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


@pytest.fixture(params=["plain", "redacting"])
def redaction(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run once as the code logs by itself, once with the filter `owner-bot run` installs."""
    if request.param == "plain":
        yield request.param
        return
    uninstall = install_redaction([BOT_TOKEN, APP_TOKEN, SIGNING_SECRET])
    try:
        yield request.param
    finally:
        uninstall()


def test_no_secret_in_any_log_line(redaction: str, fake_slack: FakeSlack, editable,
                                   tmp_path: Path, logs: Records):
    folder, matcher, reloader = editable
    options = dict(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SIGNING_SECRET,
                   admin_user_ids=frozenset({"UADMIN"}), reloader=reloader)
    with running_bot(fake_slack, matcher, tmp_path, **options) as bot:
        send = {"secret": SIGNING_SECRET}
        bot.send_json(event_body(mention_event("谁负责写代码？"), "EvS1"), **send)
        bot.send_json(event_body(dm_event("Who prepares the balance sheet?"), "EvS2"), **send)
        bot.send_form(command_form("谁负责写代码？", fake_slack.response_url("s")), **send)
        bot.send_json(event_body(dm_event("forged"), "EvS3"), secret="wrong")  # 401, logged
        bot.settle()
        [answer, *_] = fake_slack.posts("chat.postMessage")
        assert answer.headers["authorization"] == f"Bearer {BOT_TOKEN}"  # the token was used
        ref = next(e["value"] for b in answer.body["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == ACTION_VOTE_UP)
        bot.send_action(action_payload(ACTION_VOTE_UP, ref, fake_slack.response_url("v"),
                                       ephemeral=False), **send)
        fake_slack.fail_next("chat.postMessage", 500, times=3)  # a failing post, logged
        bot.send_json(event_body(dm_event("谁负责写代码？", ts="1700000099.1"), "EvS4"), **send)
        (folder / "entries" / "broken.yaml").write_text("- id: [unclosed\n", "utf-8")
        bot.send_form(command_form("reload", fake_slack.response_url("r"), user="UADMIN"),
                      **send)
        bot.settle()
        assert bot.store.failed_replies()
        [reload_reply] = fake_slack.find(lambda c: c.path == "/response/r")
        assert "rejected" in reload_reply.body["text"]

    # Start-up failures: a rejected token and malformed settings are one line, no value.
    settings = replace(slack_settings(fake_slack, tmp_path), bot_token=BOT_TOKEN,
                       app_token=APP_TOKEN, signing_secret=SIGNING_SECRET)
    fake_slack.auth_error = "invalid_auth"
    errors = []
    for attempt in (
        lambda: create_app(settings, matcher, client=make_web_client(settings)),
        lambda: check_slack_settings(replace(settings, bot_token=BOT_TOKEN + " x"), "http"),
        lambda: check_slack_settings(replace(settings, app_token="x" + APP_TOKEN), "socket"),
        lambda: check_slack_settings(replace(settings, signing_secret=BOT_TOKEN), "http"),
        lambda: check_slack_settings(replace(settings, signing_secret=SIGNING_SECRET + "\n"),
                                     "http"),
    ):
        with pytest.raises(ConfigError) as caught:
            attempt()
        errors.append(str(caught.value))
        logging.getLogger("owner-bot-test").error("start-up failed: %s", caught.value)

    # Something was really captured: the request lines, the failed post, the rejected reload.
    assert len(logs.lines) > 10 and any("chat.postMessage" in line for line in logs.lines)
    assert not _leaks("\n".join(errors))
    assert not _leaks(logs.text), f"{redaction}: {_leaks(logs.text)}"


def test_redactor_removes_any_slack_token_and_the_configured_secrets():
    redact = Redactor([SIGNING_SECRET])
    text = f"Bearer {BOT_TOKEN} app={APP_TOKEN} sig={SIGNING_SECRET} xoxp-1-2-3 ok"
    assert redact(text) == f"Bearer {REDACTED} app={REDACTED} sig={REDACTED} {REDACTED} ok"


def test_installed_redaction_covers_arguments_and_tracebacks(logs: Records):
    uninstall = install_redaction([SIGNING_SECRET])
    try:
        log = logging.getLogger("slack_sdk.web.base_client")
        log.debug("Sending a request - headers: %s", {"Authorization": f"Bearer {BOT_TOKEN}"})
        try:
            raise RuntimeError(f"bad signature {SIGNING_SECRET}")
        except RuntimeError:
            log.exception("failed with %s", APP_TOKEN)
    finally:
        uninstall()
    assert REDACTED in logs.text and "RuntimeError" in logs.text
    assert not _leaks(logs.text)
