"""The learning loop end to end through the real Bolt app, over HTTP and Socket Mode.

A question is declined, the asker picks the right area, an admin approves it from App Home,
and the same question and a paraphrase are answered with that area, with no restart. A
non-admin cannot approve."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import replace
from pathlib import Path

from hardening_support import running_bot
from slackfakes import (
    WAIT_SECONDS,
    FakeSlack,
    TrackingExecutor,
    block_text,
    button_payload,
    dm_event,
    event_body,
    select_payload,
    slack_settings,
    suggestion_payload,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from bot.slack.app import create_app
from bot.slack.blocks import ACTION_PICK, PICK_BLOCK_PREFIX
from bot.slack.home import ACTION_APPROVE, REVIEW_BLOCK_PREFIX
from bot.slack.server import socket_mode_handler
from bot.store import SqliteStore

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

        # The asker's App Home is in the language they ask in, with their recent questions.
        bot.send_json(home_opened("U222", "EvHome0"))
        bot.settle()
        own = block_text(last_home(fake_slack, "U222")["blocks"])
        assert "怎么问" in own and "你最近的问题" in own and QUESTION in own

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


class LiveSocket:
    """Slack's side of a Socket Mode connection that the test drives step by step."""

    def __init__(self) -> None:
        self.ws = None
        self.acks: dict[str, dict] = {}
        self._cond = threading.Condition()

    def handle(self, ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A111"}}))
        with self._cond:
            self.ws = ws
            self._cond.notify_all()
        with contextlib.suppress(ConnectionClosed):
            for message in ws:
                ack = json.loads(message)
                with self._cond:
                    self.acks[ack.get("envelope_id")] = ack
                    self._cond.notify_all()

    def send(self, envelope_id: str, kind: str, payload: dict) -> dict:
        """Send one envelope and wait for the bot's ack of it (returned)."""
        with self._cond:
            assert self._cond.wait_for(lambda: self.ws is not None, WAIT_SECONDS)
        self.ws.send(json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                 "accepts_response_payload": kind != "events_api",
                                 "retry_attempt": 0, "retry_reason": ""}))
        with self._cond:
            assert self._cond.wait_for(lambda: envelope_id in self.acks, WAIT_SECONDS)
            return self.acks[envelope_id]


def test_the_same_loop_over_socket_mode(fake_slack: FakeSlack, editable, tmp_path: Path):
    folder, serving, reloader = editable
    live = LiveSocket()
    server = serve(live.handle, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake_slack.ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
    settings = replace(slack_settings(fake_slack, tmp_path), rate_limit_per_minute=0,
                       admin_user_ids=frozenset({"UADMIN"}))
    store = SqliteStore(settings.store_path)
    executor = TrackingExecutor()
    app = create_app(settings, serving, store=store, listener_executor=executor,
                     reloader=reloader)
    handler = socket_mode_handler(app, settings)
    try:
        handler.connect()
        live.send("e1", "events_api", event_body(dm_event(QUESTION, ts="1700000950.1"), "EvS1"))
        executor.wait_idle()
        [declined] = fake_slack.posts("chat.postMessage")
        [block_id] = [b["block_id"] for b in declined.body["blocks"]
                      if b.get("block_id", "").startswith(PICK_BLOCK_PREFIX)]

        ack = live.send("e2", "interactive", suggestion_payload(ACTION_PICK, block_id, ""))
        values = [o["value"] for g in ack["payload"]["option_groups"] for o in g["options"]]
        assert ENTRY in values and len(values) == len(serving.matcher.knowledge.entries)

        live.send("e3", "interactive", select_payload(ACTION_PICK, block_id, ENTRY,
                                                      fake_slack.response_url("sm-pick")))
        executor.wait_idle()
        [pending] = store.suggestions("pending")
        review = f"{REVIEW_BLOCK_PREFIX}{pending.id}"
        live.send("e4", "interactive", button_payload(ACTION_APPROVE, review, str(pending.id),
                                                      user="U333"))
        executor.wait_idle()
        assert store.suggestions("pending") == [pending]  # not an admin
        live.send("e5", "events_api", home_opened("UADMIN", "EvS2"))
        executor.wait_idle()
        assert QUESTION in block_text(last_home(fake_slack, "UADMIN")["blocks"])
        live.send("e6", "interactive", button_payload(ACTION_APPROVE, review, str(pending.id),
                                                      user="UADMIN"))
        executor.wait_idle()

        live.send("e7", "events_api", event_body(dm_event(PARAPHRASE, ts="1700000951.1"),
                                                 "EvS3"))
        executor.wait_idle()
        assert "办公用品" in block_text(fake_slack.posts("chat.postMessage")[-1].body["blocks"])
    finally:
        handler.close()
        executor.shutdown(wait=True)
        server.shutdown()
        store.close()
