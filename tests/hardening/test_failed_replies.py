"""A reply that fails for good is kept with its channel, thread, event id and question;
`owner-bot failed list` shows it and `owner-bot failed retry` delivers it."""

from __future__ import annotations

from click.testing import CliRunner
from slackfakes import BOT_TOKEN, RunningBot, command_form, event_body, mention_event

from bot.cli import cli
from bot.slack.delivery import MAX_RETRIES


def _env(bot: RunningBot) -> dict[str, str]:
    return {"OWNER_BOT_DATA_DIR": str(bot.settings.data_dir), "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": bot.fake.api_url}


def test_failed_replies_are_listed_and_delivered_by_retry(bot: RunningBot):
    bot.fake.fail_next("chat.postMessage", 500, times=MAX_RETRIES + 1)
    bot.fake.fail_next("response", 500, times=MAX_RETRIES + 1)
    event = mention_event("谁负责写代码？", ts="1700008000.000100", thread_ts="1700007999.000001")
    assert bot.send_json(event_body(event, "EvFailed1")).status == 200
    bot.settle()
    late = bot.fake.response_url("late")
    assert bot.send_form(command_form("谁负责写代码？", late)).status == 200
    bot.settle()
    mention, command = bot.store.failed_replies()
    assert (mention["channel"], mention["thread_ts"], mention["event_id"]) == (
        "C111", "1700007999.000001", "EvFailed1")
    assert "谁负责写代码" in str(mention["question"]) and command["surface"] == "command"

    runner = CliRunner()
    listed = runner.invoke(cli, ["failed", "list"], env=_env(bot))
    assert listed.exit_code == 0, listed.output
    assert "EvFailed1" in listed.output and "1700007999.000001" in listed.output
    assert "C111" in listed.output and "2 failed replies" in listed.output

    before = len(bot.fake.posts("chat.postMessage"))
    retried = runner.invoke(cli, ["failed", "retry"], env=_env(bot))
    assert retried.exit_code == 0, retried.output
    assert "delivered 2, still failing 0" in retried.output
    [again] = bot.fake.posts("chat.postMessage")[before:]
    assert again.status == 200 and again.body["thread_ts"] == "1700007999.000001"
    assert "开发团队" in str(again.body["blocks"])
    assert [c.status for c in bot.fake.find(lambda c: c.path == "/response/late")][-1] == 200
    assert bot.store.failed_replies(pending_only=True) == []
    assert "0 failed replies" in runner.invoke(cli, ["failed", "list"], env=_env(bot)).output
