"""Connect the app to Slack: Socket Mode (outbound websocket) or HTTP (Events API endpoint).

HTTP mode serves Bolt's default path, /slack/events, for events, the slash command and
interactivity alike, plus GET /healthz. Socket Mode can serve the same /healthz on a side port so
a container health check can see whether the websocket is up.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from ..config import ConfigError, Settings
from ..matcher import Matcher
from ..reload import KnowledgeReloader, Serving
from .admin import start_watching
from .app import create_app
from .gate import Refusal, check_request
from .guard import malformed, parse
from .settings_check import check_slack_settings, check_token_with_slack

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

Health = Callable[[], tuple[bool, dict[str, Any]]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


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


def _answer(start_response: Callable[..., Any], status: str, body: bytes = b"",
            content_type: str = "text/plain") -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _to_bolt(app: App, environ: dict[str, Any], body: bytes) -> BoltResponse:
    """Bolt routes the verified bytes (its own verification is off: we did it)."""
    headers = {"content-type": [str(environ.get("CONTENT_TYPE") or "")]}
    for name in ("HTTP_X_SLACK_RETRY_NUM", "HTTP_X_SLACK_RETRY_REASON"):
        if environ.get(name):
            headers[name[5:].lower().replace("_", "-")] = [str(environ[name])]
    return app.dispatch(BoltRequest(body=body.decode("utf-8"), headers=headers))


def _slack_post(app: App, secret: str, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
    checked = check_request(environ, secret)
    if isinstance(checked, Refusal):
        logger.info("refused a request to %s: %s", EVENTS_PATH, checked.why)
        return _answer(start_response, checked.status)
    payload = parse(checked.body, environ.get("CONTENT_TYPE"))
    if payload is None:  # not UTF-8, or not JSON / a form: no Slack payload at all
        logger.info("refused a signed request whose body cannot be parsed")
        return _answer(start_response, "400 Bad Request")
    why = malformed(payload)
    if why is not None:
        # Signed, so Slack sent it: acked (a refusal would be retried) and ignored.
        logger.info("acked and ignored a signed request with a malformed payload: %s", why)
        return _answer(start_response, "200 OK")
    response = _to_bolt(app, environ, checked.body)
    content_type = (response.headers.get("content-type") or ["text/plain"])[0]
    return _answer(start_response, f"{response.status} {HTTPStatus(response.status).phrase}",
                   response.body.encode("utf-8"), content_type)


def wsgi_app(app: App | None, health: Health, path: str = EVENTS_PATH,
             signing_secret: str | None = None) -> WsgiApp:
    """Slack requests on `path` (checked by bot/slack/gate.py, then routed by Bolt) and
    GET /healthz; 404 for anything else.

    Nothing a client sends turns into a 500 or a traceback: a failure of our own is logged
    (without the body) and answered 500 only when the request itself was fine.
    """
    secret = signing_secret or ""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, where = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if where == HEALTH_PATH and method in ("GET", "HEAD"):
            ok, info = health()
            return _answer(start_response, "200 OK" if ok else "503 Service Unavailable",
                           json.dumps({"ok": ok, **info}).encode(), "application/json")
        if app is None or where != path:
            return _answer(start_response, "404 Not Found", b"Not Found")
        if method != "POST":
            return _answer(start_response, "405 Method Not Allowed")
        if not secret:  # an empty secret never verifies a real signature
            return _answer(start_response, "401 Unauthorized")
        try:
            return _slack_post(app, secret, environ, start_response)
        except Exception:
            logger.exception("a Slack request could not be handled")
            return _answer(start_response, "500 Internal Server Error")

    return application


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


def http_server(settings: Settings, served: Serving | Matcher, *, host: str = "0.0.0.0",
                port: int = 3000, app: App | None = None) -> WSGIServer:
    """The HTTP-mode server, built but not started: run_http serves it, tests drive it."""
    check_slack_settings(settings, "http")
    serving = _serving(served)
    app = app or create_app(settings, serving)
    return make_http_server(
        wsgi_app(app, lambda: (True, knowledge_health(serving, "http")),
                 signing_secret=settings.signing_secret), host, port
    )


def _watch(reloader: KnowledgeReloader | None, settings: Settings, app: App):
    if reloader is None:
        return lambda: None
    return start_watching(reloader, settings.reload_seconds, app.client,
                          settings.admin_user_ids)


def run_http(settings: Settings, served: Serving | Matcher, *, host: str = "0.0.0.0",
             port: int = 3000, app: App | None = None,
             reloader: KnowledgeReloader | None = None) -> None:
    """Serve the Events API, /owner and interactivity on /slack/events until stopped.

    With a reloader, knowledge edits are picked up every settings.reload_seconds.
    """
    check_slack_settings(settings, "http")
    serving = reloader.serving if reloader is not None else _serving(served)
    app = app or create_app(settings, serving, reloader=reloader)
    server = http_server(settings, serving, host=host, port=port, app=app)
    logger.info("serving Slack on http://%s:%d%s (health: %s)", host, server.server_port,
                EVENTS_PATH, HEALTH_PATH)
    _serve_in_background(server)
    stop_watching = _watch(reloader, settings, app)
    try:
        _wait_for_stop()
    finally:
        stop_watching()
        server.shutdown()
        server.server_close()


def socket_mode_handler(app: App, settings: Settings, *,
                        ping_interval: float = 10) -> SocketModeHandler:
    """The builtin (dependency-free) Socket Mode client, opened through the app's WebClient.

    It reconnects by itself when the connection drops (auto_reconnect_enabled): its monitor
    notices within `ping_interval` seconds and opens a new URL with apps.connections.open.
    """
    if not settings.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set")
    return SocketModeHandler(app, app_token=settings.app_token, auto_reconnect_enabled=True,
                             ping_interval=ping_interval)


def run_socket_mode(settings: Settings, served: Serving | Matcher, *,
                    health_host: str = "0.0.0.0",
                    health_port: int | None = None, app: App | None = None,
                    reloader: KnowledgeReloader | None = None) -> None:
    """Connect over Socket Mode until stopped; with health_port, serve GET /healthz there."""
    check_slack_settings(settings, "socket")
    serving = reloader.serving if reloader is not None else _serving(served)
    app = app or create_app(settings, serving, reloader=reloader)
    handler = socket_mode_handler(app, settings)
    health_server = None
    if health_port is not None:
        def health() -> tuple[bool, dict[str, Any]]:
            return handler.client.is_connected(), knowledge_health(serving, "socket")

        health_server = make_http_server(wsgi_app(None, health), health_host, health_port)
        _serve_in_background(health_server)
        logger.info("health check on http://%s:%d%s", health_host, health_server.server_port,
                    HEALTH_PATH)
    stop_watching: Callable[[], None] = lambda: None  # noqa: E731
    try:
        check_token_with_slack(settings, "SLACK_APP_TOKEN")
        handler.connect()
        logger.info("connected to Slack over Socket Mode")
        stop_watching = _watch(reloader, settings, app)
        _wait_for_stop()
    finally:
        stop_watching()
        handler.close()
        if health_server is not None:
            health_server.shutdown()
            health_server.server_close()
