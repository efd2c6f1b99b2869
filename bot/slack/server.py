"""Connect the app to Slack: Socket Mode (outbound websocket) or HTTP (Events API endpoint).

HTTP mode serves Bolt's default path, /slack/events, for events, the slash command and
interactivity alike, plus GET /healthz. Socket Mode can serve the same /healthz on a side port so
a container health check can see whether the websocket is up.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from ..config import ConfigError, Settings
from ..matcher import Matcher
from ..reload import KnowledgeReloader, Serving
from ..store import Store, open_store
from .admin import start_watching
from .app import create_app
from .guard import malformed
from .inbox import Inbox, InboxLimits, kind_and_key, replay
from .intake import EVENTS_PATH, HEALTH_PATH, READY_PATH, Health, WsgiApp, wsgi_app
from .settings_check import check_slack_settings, check_token_with_slack

logger = logging.getLogger(__name__)

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "READY_PATH", "http_server", "run_http",
           "run_socket_mode", "socket_mode_handler", "wsgi_app"]


# Connections waiting to be accepted: the standard library's 5 resets about 1% of them at 32
# concurrent senders; the kernel caps this at net.core.somaxconn.
LISTEN_BACKLOG = 1024
# A client that stops sending for this long is dropped, so a slow sender cannot hold a thread.
READ_TIMEOUT_SECONDS = 10


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request: Slack must get its ack within 3 s even while others are served."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The standard library prints a traceback to stderr here (a client that hung up
        # mid-answer): one line in the log format instead.
        logger.info("a connection from %s failed: %s", client_address[0],
                    sys.exc_info()[0].__name__ if sys.exc_info()[0] else "unknown")


class _QuietHandler(WSGIRequestHandler):
    timeout = READ_TIMEOUT_SECONDS

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's names
        # The request line only (method, path, status): never headers or bodies.
        logger.debug("%s %s", self.address_string(), format % args)


def _serving(served: Serving | Matcher) -> Serving:
    return served if isinstance(served, Serving) else Serving(served)


def knowledge_health(serving: Serving, mode: str) -> dict[str, Any]:
    knowledge = serving.matcher.knowledge
    return {
        "mode": mode,
        "knowledge_version": knowledge.version,
        "entries": len(knowledge.entries),
        "teams": len(knowledge.teams),
    }


def make_http_server(application: WsgiApp, host: str, port: int) -> WSGIServer:
    """A threaded stdlib server; port 0 picks a free one (see server.server_port)."""
    return make_server(host, port, application, server_class=ThreadingWSGIServer,
                       handler_class=_QuietHandler)


def _serve_in_background(server: WSGIServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="owner-bot-http", daemon=True)
    thread.start()
    return thread


def _wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM (docker stop), so the caller can close cleanly."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


class SlackHttpServer(ThreadingWSGIServer):
    """The HTTP server and the inbox behind it: closing the server stops the inbox."""

    inbox: Inbox
    store: Store
    owns_store: bool = False

    def server_close(self) -> None:
        super().server_close()
        if getattr(self, "inbox", None) is not None:
            self.inbox.stop()
            if self.owns_store:
                self.store.close()


def inbox_limits(settings: Settings) -> InboxLimits:
    return InboxLimits(workers=settings.workers, backlog=settings.backlog_limit,
                       lease_seconds=settings.lease_seconds)


def http_server(settings: Settings, served: Serving | Matcher, *, host: str = "0.0.0.0",
                port: int = 3000, app: App | None = None,
                store: Store | None = None) -> SlackHttpServer:
    """The HTTP-mode server with its inbox workers running, not yet serving: run_http serves
    it, tests drive it. The inbox lives in `store` (settings.store_path when not given)."""
    check_slack_settings(settings, "http")
    serving = _serving(served)
    serving.warm_up()  # the model loads now, before /readyz says yes, not at the first question
    app = app or create_app(settings, serving)
    owns_store = store is None
    store = store if store is not None else open_store(settings.store_target)
    inbox = Inbox(store, lambda item: replay(app, item), inbox_limits(settings))
    application = wsgi_app(app, lambda: (True, knowledge_health(serving, "http")), inbox=inbox,
                           ready=readiness(serving, inbox, store),
                           signing_secret=settings.signing_secret)
    server = make_server(host, port, application, server_class=SlackHttpServer,
                         handler_class=_QuietHandler)
    assert isinstance(server, SlackHttpServer)
    server.inbox, server.store, server.owns_store = inbox, store, owns_store
    inbox.start()  # what a previous run left in the inbox is served now, oldest first
    return server


def both(first: Health, second: Health) -> Health:
    """Healthy when both are; their details merged."""

    def check() -> tuple[bool, dict[str, Any]]:
        (ok1, info1), (ok2, info2) = first(), second()
        return ok1 and ok2, {**info2, **info1}

    return check


def readiness(serving: Serving, inbox: Inbox, store: Store) -> Health:
    """/readyz: the model answers, the index has entries, the backlog is under its bound and
    the store takes writes. A load balancer sends nothing here until all four hold."""

    def ready() -> tuple[bool, dict[str, Any]]:
        backlog = inbox.backlog()
        checks = {
            "model_loaded": serving.warmed.is_set(),
            "index_built": len(serving.matcher.knowledge.entries) > 0,
            "backlog_under_bound": backlog < inbox.limits.backlog,
            "store_writable": store.writable(),
        }
        info = {**knowledge_health(serving, "http"), "backlog": backlog,
                "backlog_bound": inbox.limits.backlog, **checks}
        return all(checks.values()), info

    return ready


def _watch(reloader: KnowledgeReloader | None, settings: Settings, app: App):
    if reloader is None:
        return lambda: None
    return start_watching(reloader, settings.reload_seconds, app.client,
                          settings.admin_user_ids)


def run_http(settings: Settings, served: Serving | Matcher, *, host: str = "0.0.0.0",
             port: int = 3000, app: App | None = None,
             reloader: KnowledgeReloader | None = None, verify_token: bool = True,
             store: Store | None = None) -> None:
    """Serve the Events API, /owner and interactivity on /slack/events until stopped.

    With a reloader, knowledge edits are picked up every settings.reload_seconds. The store
    (opened from settings when not given) holds the inbox and the records; it is closed at the
    end.
    """
    check_slack_settings(settings, "http")
    serving = reloader.serving if reloader is not None else _serving(served)
    store = store if store is not None else open_store(settings.store_target)
    app = app or create_app(settings, serving, reloader=reloader, store=store,
                            verify_token=verify_token)
    server = http_server(settings, serving, host=host, port=port, app=app, store=store)
    logger.info("serving Slack on http://%s:%d%s (health: %s, %s)", host, server.server_port,
                EVENTS_PATH, HEALTH_PATH, READY_PATH)
    _serve_in_background(server)
    stop_watching = _watch(reloader, settings, app)
    try:
        _wait_for_stop()
    finally:
        stop_watching()
        server.shutdown()  # no new requests: the rest of Slack's retries go to the next start
        left = server.inbox.stop(settings.grace_seconds)
        logger.info("stopped; %d request(s) left in the inbox", left)
        server.server_close()
        store.close()


class InboxSocketModeHandler(SocketModeHandler):
    """Socket Mode through the inbox: an envelope is acked once its payload is stored, and
    left unacked (Slack sends it again) when the backlog is at its bound."""

    inbox: Inbox

    def handle(self, socket: Any, req: SocketModeRequest) -> None:  # type: ignore[override]
        payload = req.payload if isinstance(req.payload, dict) else None
        if (req.type not in _QUEUED_TYPES or payload is None or malformed(payload) is not None
                or payload.get("type") == ANSWERED_AT_ONCE):
            # hello, disconnect, odd shapes, and a picker's options: Bolt as before
            super().handle(socket, req)
            return
        kind, key = kind_and_key(payload)
        if self.inbox.admit(kind, key, {"mode": "socket_mode", "body": payload}) != "full":
            socket.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


_QUEUED_TYPES = ("events_api", "slash_commands", "interactive")
# Options for a select menu are the response itself: nothing to keep if it is lost.
ANSWERED_AT_ONCE = "block_suggestion"


def socket_mode_handler(app: App, settings: Settings, *, ping_interval: float = 10,
                        inbox: Inbox | None = None) -> SocketModeHandler:
    """The builtin (dependency-free) Socket Mode client, opened through the app's WebClient;
    with an inbox, requests go through it (InboxSocketModeHandler).

    It reconnects by itself when the connection drops (auto_reconnect_enabled): its monitor
    notices within `ping_interval` seconds and opens a new URL with apps.connections.open.
    """
    if not settings.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set")
    kind = InboxSocketModeHandler if inbox is not None else SocketModeHandler
    handler = kind(app, app_token=settings.app_token, auto_reconnect_enabled=True,
                   ping_interval=ping_interval)
    if inbox is not None:
        handler.inbox = inbox  # type: ignore[attr-defined]
    return handler


def run_socket_mode(settings: Settings, served: Serving | Matcher, *,
                    health_host: str = "0.0.0.0",
                    health_port: int | None = None, app: App | None = None,
                    reloader: KnowledgeReloader | None = None,
                    verify_token: bool = True, store: Store | None = None) -> None:
    """Connect over Socket Mode until stopped; with health_port, serve GET /healthz there."""
    check_slack_settings(settings, "socket")
    serving = reloader.serving if reloader is not None else _serving(served)
    serving.warm_up()
    store = store if store is not None else open_store(settings.store_target)
    app = app or create_app(settings, serving, reloader=reloader, store=store,
                            verify_token=verify_token)
    inbox = Inbox(store, lambda item: replay(app, item), inbox_limits(settings))
    inbox.start()
    handler = socket_mode_handler(app, settings, inbox=inbox)
    health_server = None
    if health_port is not None:
        def health() -> tuple[bool, dict[str, Any]]:
            return handler.client.is_connected(), knowledge_health(serving, "socket")

        health_server = make_http_server(wsgi_app(None, health, ready=both(
            health, readiness(serving, inbox, store))), health_host, health_port)
        _serve_in_background(health_server)
        logger.info("health check on http://%s:%d%s", health_host, health_server.server_port,
                    HEALTH_PATH)
    stop_watching: Callable[[], None] = lambda: None  # noqa: E731
    try:
        if verify_token:
            check_token_with_slack(settings, "SLACK_APP_TOKEN")
        handler.connect()
        logger.info("connected to Slack over Socket Mode")
        stop_watching = _watch(reloader, settings, app)
        _wait_for_stop()
    finally:
        stop_watching()
        handler.close()  # no new envelopes
        inbox.stop(settings.grace_seconds)
        store.close()
        if health_server is not None:
            health_server.shutdown()
            health_server.server_close()
