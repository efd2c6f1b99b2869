"""Socket Mode end to end: the real SocketModeHandler against a local websocket server."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slackfakes import (
    WAIT_SECONDS,
    FakeSlack,
    TrackingExecutor,
    block_text,
    command_form,
    event_body,
    mention_event,
    slack_settings,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.matcher import Matcher
from bot.slack.app import create_app
from bot.slack.inbox import Inbox, replay
from bot.slack.server import socket_mode_handler
from bot.store import SqliteStore


@dataclass
class FakeSocketMode:
    """Slack's side of the websocket: sends the queued envelopes, records the bot's acks."""

    envelopes: list[dict[str, Any]]
    acks: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def handle(self, ws: ServerConnection) -> None:
        with self._cond:
            self.connections += 1
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A111"}}))
        for envelope in self.envelopes:
            ws.send(json.dumps(envelope))
        # The bot closes without a close frame when the test ends: that is the end of the test.
        with contextlib.suppress(ConnectionClosed):
            for message in ws:
                with self._cond:
                    self.acks.append(json.loads(message))
                    self._cond.notify_all()

    def wait_for_acks(self, envelope_ids: set[str]) -> None:
        def acked() -> bool:
            return envelope_ids <= {a.get("envelope_id") for a in self.acks}

        with self._cond:
            assert self._cond.wait_for(acked, WAIT_SECONDS), f"acks: {self.acks}"


@pytest.fixture
def socket_server() -> Iterator[tuple[FakeSocketMode, Server]]:
    fake = FakeSocketMode(envelopes=[])
    server = serve(fake.handle, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, server
    server.shutdown()
    thread.join(5)


def _events_envelope(envelope_id: str, body: dict[str, Any], retry: int = 0) -> dict[str, Any]:
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "payload": body, "retry_attempt": retry, "retry_reason": "timeout" if retry else ""}


def test_socket_mode_answers_a_mention_and_a_slash_command(
    fake_slack: FakeSlack, socket_server: tuple[FakeSocketMode, Server], matcher: Matcher,
    tmp_path: Path,
):
    fake_ws, server = socket_server
    fake_slack.ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
    mention = event_body(mention_event("Who prepares the balance sheet?",
                                       ts="1700000100.000100"), "EvSocket1")
    fake_ws.envelopes.extend([
        _events_envelope("env-mention", mention),
        # Slack's retry of the same event must not be answered again.
        _events_envelope("env-mention-retry", mention, retry=1),
        {"envelope_id": "env-command", "type": "slash_commands",
         "accepts_response_payload": True,
         "payload": command_form("谁负责写代码？", fake_slack.response_url("sm-cmd"))},
    ])
    settings = slack_settings(fake_slack, tmp_path)
    feedback = SqliteStore(settings.store_path)
    executor = TrackingExecutor()
    app = create_app(settings, matcher, store=feedback, listener_executor=executor)
    inbox = Inbox(feedback, lambda item: replay(app, item))  # as run_socket_mode wires it
    inbox.start()
    handler = socket_mode_handler(app, settings, inbox=inbox)
    try:
        handler.connect()
        assert fake_slack.find(lambda c: c.method == "apps.connections.open")
        [opened] = fake_slack.find(lambda c: c.method == "apps.connections.open")
        assert opened.headers["authorization"] == f"Bearer {settings.app_token}"

        fake_ws.wait_for_acks({"env-mention", "env-mention-retry", "env-command"})
        [answer] = fake_slack.wait_for(lambda c: c.method == "chat.postMessage")
        assert answer.body["channel"] == "C111"
        assert answer.body["thread_ts"] == "1700000100.000100"
        assert "Finance" in block_text(answer.body["blocks"])

        [command] = fake_slack.wait_for(lambda c: c.path == "/response/sm-cmd")
        assert command.body["response_type"] == "ephemeral"
        assert "开发团队" in block_text(command.body["blocks"])

        deadline = time.monotonic() + 10
        while feedback.inbox_backlog() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert feedback.inbox_backlog() == 0
        assert len(fake_slack.posts("chat.postMessage")) == 1  # the retry was not answered
    finally:
        handler.close()
        inbox.stop()
        executor.shutdown(wait=True)
        feedback.close()
