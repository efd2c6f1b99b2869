"""The learning loop end to end through the real Bolt app over HTTP: a question is declined,
the asker picks the right area, an admin approves it from App Home, and the same question and
a paraphrase are answered with that area, with no restart. A non-admin cannot approve."""

from __future__ import annotations

import json
from pathlib import Path

from hardening_support import running_bot
from slackfakes import (
    FakeSlack,
    block_text,
    button_payload,
    dm_event,
    event_body,
    select_payload,
    suggestion_payload,
)

from bot.slack.blocks import ACTION_PICK, PICK_BLOCK_PREFIX
from bot.slack.home import ACTION_APPROVE, REVIEW_BLOCK_PREFIX

QUESTION = "我们的咖啡机合同续签找谁"
PARAPHRASE = "咖啡机的合同要续签了，该找谁"
ENTRY = "admin-office-supplies"


def home_opened(user: str, event_id: str) -> dict:
    return event_body({"type": "app_home_opened", "user": user, "channel": "D999", "tab": "home",
                       "event_ts": "1700000009.000100"}, event_id)


def last_home(fake: FakeSlack, user: str) -> dict:
    [*_, call] = fake.wait_for(lambda c: c.method == "views.publish"
                               and c.body.get("user_id") == user)
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def ask(bot, fake: FakeSlack, question: str, n: int) -> dict:
    before = len(fake.posts("chat.postMessage"))
    bot.send_json(event_body(dm_event(question, ts=f"1700000900.{n:06d}"), f"EvLearn{n}"))
    bot.settle()
    return fake.posts("chat.postMessage")[before].body


def test_declined_then_picked_then_approved_in_app_home_is_answered(
        fake_slack: FakeSlack, editable, tmp_path: Path):
    folder, serving, reloader = editable
    with running_bot(fake_slack, serving, tmp_path, reloader=reloader,
                     admin_user_ids=frozenset({"UADMIN"})) as bot:
        declined = ask(bot, fake_slack, QUESTION, 1)
        [pick_block] = [b for b in declined["blocks"] if b.get("block_id", "").startswith(
            PICK_BLOCK_PREFIX)]
        assert pick_block["elements"][0]["type"] == "external_select"

        # Typing "办公" in the picker: the options come from the options load URL.
        typed = bot.send_form({"payload": json.dumps(suggestion_payload(
            ACTION_PICK, pick_block["block_id"], "办公"))})
        groups = json.loads(typed.body)["option_groups"]
        values = [o["value"] for g in groups for o in g["options"]]
        assert ENTRY in values and all("admin" in v for v in values)

        bot.send_action(select_payload(ACTION_PICK, pick_block["block_id"], ENTRY,
                                       fake_slack.response_url("pick")))
        bot.settle()
        [thanks] = fake_slack.find(lambda c: c.path == "/response/pick")
        assert "谢谢" in thanks.body["text"] and "办公用品" in thanks.body["text"]
        [pending] = bot.store.suggestions("pending")
        assert (pending.question, pending.entry, pending.user) == (QUESTION, ENTRY, "U222")

        # Everyone's App Home: how to ask and the directory, but no review queue.
        bot.send_json(home_opened("U333", "EvHome1"))
        bot.settle()
        plain = block_text(last_home(fake_slack, "U333")["blocks"])
        assert "How to ask" in plain and "Team directory" in plain
        assert "Suggestions to review" not in plain
        review_block = f"{REVIEW_BLOCK_PREFIX}{pending.id}"
        bot.send_action(button_payload(ACTION_APPROVE, review_block, str(pending.id),
                                       user="U333"))
        bot.settle()
        assert bot.store.suggestions("pending") == [pending]  # a non-admin cannot approve

        # The admin's App Home shows the queue; approving serves the example at once.
        bot.send_json(home_opened("UADMIN", "EvHome2"))
        bot.settle()
        admin_home = last_home(fake_slack, "UADMIN")
        assert QUESTION in block_text(admin_home["blocks"])
        assert any(b.get("block_id") == review_block for b in admin_home["blocks"])
        bot.send_action(button_payload(ACTION_APPROVE, review_block, str(pending.id),
                                       user="UADMIN"))
        bot.settle()
        assert [s.id for s in bot.store.suggestions("approved")] == [pending.id]

        for n, question in enumerate((QUESTION, PARAPHRASE), start=2):
            answered = ask(bot, fake_slack, question, n)
            assert "办公用品" in block_text(answered["blocks"]), question
