"""End to end over HTTP: signed requests to the bot's real server, replies on a fake Web API."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from slackfakes import (
    BOT_ID,
    BOT_USER,
    Call,
    RunningBot,
    action_payload,
    block_text,
    command_form,
    dm_event,
    event_body,
    mention_event,
    post,
    sign,
)

from bot.question import clean
from bot.slack.blocks import ACTION_ALT_PREFIX, ACTION_SHARE, ACTION_VOTE_DOWN, ACTION_VOTE_UP

ZH_CODE = "谁负责写代码？"
EN_BALANCE = "Who prepares the balance sheet?"


def _is_post(call: Call) -> bool:
    return call.method == "chat.postMessage"


def _actions(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> value for every button in the blocks."""
    return {
        element["action_id"]: element["value"]
        for block in blocks if block["type"] == "actions"
        for element in block["elements"]
    }


def test_mention_in_chinese_is_answered_in_the_thread_with_the_owning_team(bot: RunningBot):
    result = bot.send_json(event_body(mention_event(ZH_CODE, ts="1700000001.000100"), "Ev1"))
    assert result.status == 200

    [call] = bot.fake.wait_for(_is_post)
    assert call.body["channel"] == "C111"
    assert call.body["thread_ts"] == "1700000001.000100"  # starts a thread on the mention
    text = block_text(call.body["blocks"])
    assert "开发团队" in text  # engineering, in Chinese
    assert "#eng-help" in text
    assert "产品经理要做的" in text and "产品经理不做的" in text
    assert ACTION_VOTE_UP in _actions(call.body["blocks"])
    assert call.body["text"]  # the notification fallback
    [answer] = [r for r in [bot.store.answer(_actions(call.body["blocks"])[ACTION_VOTE_UP])]
                if r is not None]
    assert (answer.team, answer.user, answer.channel) == ("engineering", "U222", "C111")


def test_mention_inside_a_thread_replies_in_that_thread(bot: RunningBot):
    event = mention_event(EN_BALANCE, ts="1700000009.000200", thread_ts="1700000000.000001")
    bot.send_json(event_body(event, "EvThread"))
    [call] = bot.fake.wait_for(_is_post)
    assert call.body["thread_ts"] == "1700000000.000001"
    assert "Finance" in block_text(call.body["blocks"])


def test_dm_in_english_is_answered_in_the_dm(bot: RunningBot):
    bot.send_json(event_body(dm_event(EN_BALANCE), "EvDm"))
    [call] = bot.fake.wait_for(_is_post)
    assert call.body["channel"] == "D111"
    assert call.body.get("thread_ts") is None  # a DM is a conversation: no thread
    text = block_text(call.body["blocks"])
    assert "Finance" in text and "What the PM does" in text


def test_dm_in_japanese_is_answered_in_japanese(bot: RunningBot):
    bot.send_json(event_body(dm_event("貸借対照表は誰が作りますか？"), "EvDmJa"))
    [call] = bot.fake.wait_for(_is_post)
    text = block_text(call.body["blocks"])
    assert "経理・財務" in text and "PM がやること" in text and "PM がやらないこと" in text
    assert "Finance" not in text and "What the PM" not in text
    assert "役に立った" in str(call.body["blocks"])  # the buttons too


def test_slash_command_answer_is_ephemeral_with_a_share_button(bot: RunningBot):
    response_url = bot.fake.response_url("cmd1")
    result = bot.send_form(command_form(EN_BALANCE, response_url))
    assert result.status == 200
    assert result.body == ""  # acked at once, empty: the answer follows on response_url

    [call] = bot.fake.wait_for(lambda c: c.path == "/response/cmd1")
    assert call.body["response_type"] == "ephemeral"
    assert "Finance" in block_text(call.body["blocks"])
    assert ACTION_SHARE in _actions(call.body["blocks"])
    assert not bot.fake.posts("chat.postMessage")  # nothing public


def test_share_button_posts_the_answer_in_the_channel(bot: RunningBot):
    bot.send_form(command_form(ZH_CODE, bot.fake.response_url("cmd2"), user="U555"))
    [answer] = bot.fake.wait_for(lambda c: c.path == "/response/cmd2")
    ref = _actions(answer.body["blocks"])[ACTION_SHARE]

    share = action_payload(ACTION_SHARE, ref, bot.fake.response_url("share"), ephemeral=True,
                           user="U555")
    assert bot.send_action(share).status == 200

    calls = bot.fake.wait_for(lambda c: c.path == "/response/share", count=2)
    public = [c for c in calls if c.body.get("response_type") == "in_channel"]
    assert len(public) == 1
    text = block_text(public[0].body["blocks"])
    assert "开发团队" in text and "<@U555>" in text
    assert any(c.body.get("delete_original") for c in calls)  # the ephemeral copy goes away


def test_owner_help_and_teams(bot: RunningBot):
    bot.send_form(command_form("help", bot.fake.response_url("help")))
    bot.send_form(command_form("teams", bot.fake.response_url("teams")))
    [help_call] = bot.fake.wait_for(lambda c: c.path == "/response/help")
    [teams_call] = bot.fake.wait_for(lambda c: c.path == "/response/teams")
    help_text = block_text(help_call.body["blocks"])
    assert "/owner" in help_text and "提问" in help_text and "ask" in help_text
    assert "質問" in help_text  # the shipped knowledge answers in Japanese too
    teams_text = block_text(teams_call.body["blocks"])
    assert "Engineering" in teams_text and "Finance" in teams_text
    assert help_call.body["response_type"] == teams_call.body["response_type"] == "ephemeral"


def test_vote_is_recorded_and_a_second_click_changes_it(bot: RunningBot):
    bot.send_json(event_body(mention_event(ZH_CODE), "EvVote"))
    [answer] = bot.fake.wait_for(_is_post)
    buttons = _actions(answer.body["blocks"])

    for action_id, name in ((ACTION_VOTE_UP, "v1"), (ACTION_VOTE_DOWN, "v2")):
        payload = action_payload(action_id, buttons[action_id], bot.fake.response_url(name),
                                 ephemeral=False, user="U777")
        assert bot.send_action(payload).status == 200
        bot.fake.wait_for(lambda c, n=name: c.path == f"/response/{n}")

    votes = bot.store.votes(buttons[ACTION_VOTE_UP])
    assert [(v.user, v.vote, v.team, v.question) for v in votes] == [
        ("U777", -1, "engineering", clean(ZH_CODE))
    ]


def test_alternative_button_answers_that_entry_in_the_thread(bot: RunningBot, matcher):
    bot.send_json(event_body(mention_event(ZH_CODE, ts="1700000005.000100"), "EvAlt"))
    [answer] = bot.fake.wait_for(_is_post)
    ref = _actions(answer.body["blocks"])[ACTION_VOTE_UP]
    finance = next(e for e in matcher.knowledge.entries if e.team == "finance")

    message = {"type": "message", "ts": answer.body.get("ts", "1700000006.000100"),
               "thread_ts": "1700000005.000100"}
    payload = action_payload(f"{ACTION_ALT_PREFIX}{finance.id}", f"{ref}|zh|0.5000",
                             bot.fake.response_url("alt"), ephemeral=False, message=message)
    assert bot.send_action(payload).status == 200

    posts = bot.fake.wait_for(_is_post, count=2)
    picked = posts[1]
    assert picked.body["thread_ts"] == "1700000005.000100"
    assert "财务团队" in block_text(picked.body["blocks"])


def test_bad_or_stale_signature_gets_401_and_nothing_is_posted(bot: RunningBot):
    body = json.dumps(event_body(mention_event(ZH_CODE), "EvForged")).encode()
    wrong_secret = post(bot.events_url, body, "application/json", secret="not-the-secret")
    stale_ts = int(time.time()) - 10 * 60
    stale = post(bot.events_url, body, "application/json", timestamp=stale_ts,
                 signature=sign(body, stale_ts))
    garbage = post(bot.events_url, body, "application/json", signature="v0=deadbeef")
    form = command_form(ZH_CODE, bot.fake.response_url("forged"))
    forged_command = bot.send_form(form, secret="wrong")

    assert [r.status for r in (wrong_secret, stale, garbage, forged_command)] == [401] * 4
    bot.settle()
    assert bot.fake.replies() == []


def test_the_same_event_delivered_twice_is_answered_once(bot: RunningBot):
    body = event_body(mention_event(ZH_CODE), "EvTwice")
    first = bot.send_json(body)
    retry = bot.send_json(body, headers={"X-Slack-Retry-Num": "1",
                                         "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status == retry.status == 200
    bot.settle()
    assert len(bot.fake.posts("chat.postMessage")) == 1


def test_messages_from_bots_edits_and_deletions_are_not_answered(bot: RunningBot):
    ignored = [
        dm_event(ZH_CODE, user=BOT_USER, bot_id=BOT_ID),  # the bot itself
        dm_event(ZH_CODE, user="U999", bot_id="BOTHER"),  # another bot
        dm_event(ZH_CODE, user=None, subtype="bot_message", bot_id="BOTHER"),
        dm_event(ZH_CODE, subtype="message_changed"),
        dm_event("", user=None, subtype="message_deleted"),
        mention_event(ZH_CODE, user="U999") | {"bot_id": "BOTHER"},
    ]
    for i, event in enumerate(ignored):
        assert bot.send_json(event_body(event, f"EvIgnored{i}")).status == 200
    bot.settle()
    assert bot.fake.replies() == []


def test_declined_question_is_recorded(bot: RunningBot):
    bot.send_json(event_body(dm_event("今天天气怎么样"), "EvDecline"))
    [call] = bot.fake.wait_for(_is_post)
    assert "#ask-product-ops" in block_text(call.body["blocks"])  # the fallback contact
    [row] = bot.store.declined()
    assert (row["question"], row["user"], row["channel"]) == ("今天天气怎么样", "U222", "D111")


def test_echoed_question_cannot_ping_or_disguise_a_link(bot: RunningBot):
    # What Slack delivers when someone types these literally: it escapes <, > and & itself.
    typed = "&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil.example|safe&gt; 谁负责写代码？"
    bot.send_json(event_body(dm_event(typed), "EvEcho"))
    [call] = bot.fake.wait_for(_is_post)
    text = block_text(call.body["blocks"]) + call.body["text"]
    for live in ("<!channel>", "<@U123>", "<http://evil", "<!subteam"):
        assert live not in text
    assert "&lt;!channel&gt;" in text


def test_health_endpoint_reports_the_knowledge_version(bot: RunningBot, matcher):
    with urllib.request.urlopen(bot.url + "/healthz", timeout=10) as response:
        assert response.status == 200
        health = json.loads(response.read())
    assert health["ok"] is True
    assert health["knowledge_version"] == matcher.knowledge.version
    assert health["mode"] == "http"
