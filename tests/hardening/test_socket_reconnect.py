"""Socket Mode: the real SocketModeHandler reconnects after Slack drops the websocket."""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

from slackfakes import (
    WAIT_SECONDS,
    FakeSlack,
    TrackingExecutor,
    block_text,
    event_body,
    mention_event,
    slack_settings,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.matcher import Matcher
from bot.slack.app import create_app
from bot.slack.server import socket_mode_handler
from bot.store import SqliteStore

HELLO = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A111"}}


class DroppingSlack:
    """Slack's side of the websocket: drops the first connection right after hello (as Slack
    does when it refreshes or restarts), then delivers a mention on the next one."""

    def __init__(self, envelope: dict[str, Any]):
        self.envelope = envelope
        self.connections = 0
        self.acks: list[dict[str, Any]] = []
        self.cond = threading.Condition()

    def handle(self, ws: ServerConnection) -> None:
        with self.cond:
            self.connections += 1
            first = self.connections == 1
        ws.send(json.dumps(HELLO))
        if first:
            ws.close()
            return
        ws.send(json.dumps(self.envelope))
        with contextlib.suppress(ConnectionClosed):
            for message in ws:
                with self.cond:
                    self.acks.append(json.loads(message))
                    self.cond.notify_all()


def test_socket_mode_reconnects_after_a_drop_and_answers(fake_slack: FakeSlack, matcher: Matcher,
                                                         tmp_path: Path):
    mention = event_body(mention_event("Who prepares the balance sheet?",
                                       ts="1700000700.000100"), "EvAfterDrop")
    slack_ws = DroppingSlack({"envelope_id": "env-1", "type": "events_api",
                              "accepts_response_payload": False, "payload": mention})
    server = serve(slack_ws.handle, "127.0.0.1", 0)
    server_thread = threading.Thread(target=server.serve_forever, daemon=True)
    server_thread.start()
    fake_slack.ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"

    settings = slack_settings(fake_slack, tmp_path)
    feedback = SqliteStore(settings.store_path)
    executor = TrackingExecutor()
    app = create_app(settings, matcher, store=feedback, listener_executor=executor)
    handler = socket_mode_handler(app, settings, ping_interval=1)
    try:
        handler.connect()
        [answer] = fake_slack.wait_for(lambda c: c.method == "chat.postMessage",
                                       timeout=WAIT_SECONDS * 2)
        assert "Finance" in block_text(answer.body["blocks"])
        assert answer.body["thread_ts"] == "1700000700.000100"
        with slack_ws.cond:
            assert slack_ws.cond.wait_for(lambda: any(a.get("envelope_id") == "env-1"
                                                      for a in slack_ws.acks), WAIT_SECONDS)
        assert slack_ws.connections >= 2  # dropped, then connected again ...
        opened = fake_slack.find(lambda c: c.method == "apps.connections.open")
        assert len(opened) >= 2  # ... on a new URL from apps.connections.open
        assert handler.client.is_connected()
    finally:
        handler.close()
        server.shutdown()
        server_thread.join(5)
        executor.shutdown(wait=True)
        feedback.close()
