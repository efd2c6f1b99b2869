"""No user's words in any log line, at DEBUG, from our code or from the libraries we wire in.

Every surface is driven through the real Bolt app with questions that carry a marker word:
mention, DM, /owner, the buttons (vote, share, alternative), a forged signature, a reply Slack
refuses, the rate limit, and an admin reload of a broken edit. The captured log is then
searched for the markers.
"""

from __future__ import annotations

from pathlib import Path

from hardening_support import Records, running_bot
from slackfakes import (
    FakeSlack,
    action_payload,
    command_form,
    dm_event,
    event_body,
    mention_event,
)

from bot.slack.blocks import ACTION_ALT_PREFIX, ACTION_SHARE, ACTION_VOTE_UP

MARKERS = ("Zorblax", "Quenfrit", "Plimsoy", "Vantrelle", "Gorfizzle", "Wexmoor")


def _buttons(call) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in call.body.get("blocks", [])
            if b["type"] == "actions" for e in b["elements"]}


def test_no_question_text_in_any_log_line(fake_slack: FakeSlack, editable, tmp_path: Path,
                                          logs: Records):
    folder, serving, reloader = editable
    with running_bot(fake_slack, serving, tmp_path, reloader=reloader, rate_limit_per_minute=4,
                     admin_user_ids=frozenset({"UADMIN"})) as bot:
        bot.send_json(event_body(mention_event(f"谁负责写代码 {MARKERS[0]}"), "EvP1"))
        bot.send_json(event_body(dm_event(f"who owns the budget {MARKERS[1]}?"), "EvP2"))
        bot.send_form(command_form(f"测试用例谁来写 {MARKERS[2]}", fake_slack.response_url("c"),
                                   user="U444"))
        bot.send_json(event_body(dm_event(f"forged {MARKERS[3]}"), "EvP3"), secret="wrong")
        bot.settle()
        answered = fake_slack.posts("chat.postMessage")[0]
        buttons = _buttons(answered)
        bot.send_action(action_payload(ACTION_VOTE_UP, buttons[ACTION_VOTE_UP],
                                       fake_slack.response_url("v"), ephemeral=False))
        [command_reply] = fake_slack.find(lambda c: c.path == "/response/c")
        share = _buttons(command_reply)[ACTION_SHARE]
        bot.send_action(action_payload(ACTION_SHARE, share, fake_slack.response_url("s"),
                                       ephemeral=True))
        entry = serving.matcher.knowledge.entries[0].id
        bot.send_action(action_payload(f"{ACTION_ALT_PREFIX}{entry}", f"{share}|zh|0.5",
                                       fake_slack.response_url("a"), ephemeral=False))
        bot.settle()  # the buttons' posts are done before Slack starts refusing
        fake_slack.fail_next("chat.postMessage", 500, times=3)  # refused for good
        bot.send_json(event_body(dm_event(f"预算谁来编 {MARKERS[4]}", ts="1700000700.1"),
                                 "EvP4"))
        bot.settle()
        for n in range(6):  # over the limit of 4 a minute: refused politely
            bot.send_json(event_body(dm_event(f"谁管招聘 {MARKERS[5]} {n}",
                                              ts=f"1700000800.{n}"), f"EvP5{n}"))
        (folder / "entries" / "broken.yaml").write_text(f"- id: [{MARKERS[5]}\n", "utf-8")
        bot.send_form(command_form("reload", fake_slack.response_url("r"), user="UADMIN"))
        bot.settle()
        assert bot.store.failed_replies()  # the failing post really happened and was kept
        assert any("rate limit" in line for line in logs.lines)
        assert fake_slack.find(lambda c: c.path == "/response/r")

    assert len(logs.lines) > 10  # the log really was captured, at DEBUG
    text = logs.text
    leaked = [m for m in MARKERS[:5] if m in text]
    assert not leaked, [line for line in logs.lines if any(m in line for m in leaked)]
    # The reload's problems name the file and field, as `owner-bot check` does: never the
    # question of anyone. (MARKERS[5] sits in the broken file too, so only questions count.)
    assert not [line for line in logs.lines if f"{MARKERS[5]} " in line]
