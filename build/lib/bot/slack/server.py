"""Connect the app to Slack: Socket Mode (outbound websocket) or HTTP (Events API endpoint).

HTTP mode serves Bolt's default path, /slack/events, for events, the slash command and
interactivity alike, plus GET /healthz. Socket Mode can serve the same /healthz on a side port so
a container health check can see whether the websocket is up.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from ..config import ConfigError, Settings
from ..matcher import Matcher
from ..reload import KnowledgeReloader, Serving
from .admin import start_watching
from .app import create_app
from .guard import malformed, parse
from .settings_check import check_slack_settings, check_token_with_slack

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

Health = Callable[[], tuple[bool, dict[str, Any]]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request: Slack must get its ack within 3 s even while others are served."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
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


def _malformed_request(environ: dict[str, Any], verifier: SignatureVerifier
                       ) -> tuple[str, bool] | None:
    """(why, signed) for a POST whose payload Bolt would crash on; None to pass it to Bolt.

    Reads the body and puts it back for Bolt.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    if not raw:
        return None
    why = malformed(parse(raw, environ.get("CONTENT_TYPE")))
    if why is None:
        return None
    headers = {
        "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
        "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", ""),
    }
    return why, verifier.is_valid_request(raw, headers)


def wsgi_app(app: App | None, health: Health, path: str = EVENTS_PATH,
             signing_secret: str | None = None) -> WsgiApp:
    """Bolt on `path` (signature verified by Bolt) and GET /healthz; 404 for anything else.

    With the signing secret, a request whose payload is malformed never reaches Bolt (which
    would answer it with a 500): acked here with 200 when signed, 401 when not.
    """
    slack = SlackRequestHandler(app, path) if app is not None else None
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET", "HEAD"
        ):
            ok, info = health()
            body = json.dumps({"ok": ok, **info}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
            return [body]
        if slack is not None:
            if verifier is not None and environ.get("REQUEST_METHOD") == "POST":
                bad = _malformed_request(environ, verifier)
                if bad is not None:
                    why, signed = bad
                    logger.info("%s a request with a malformed payload: %s",
                                "acked and ignored" if signed else "refused unsigned", why)
                    start_response("200 OK" if signed else "401 Unauthorized",
                                   [("Content-Length", "0")])
                    return [b""]
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

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
             reloader: KnowledgeReloader | None = None, verify_token: bool = True) -> None:
    """Serve the Events API, /owner and interactivity on /slack/events until stopped.

    With a reloader, knowledge edits are picked up every settings.reload_seconds.
    """
    check_slack_settings(settings, "http")
    serving = reloader.serving if reloader is not None else _serving(served)
    app = app or create_app(settings, serving, reloader=reloader, verify_token=verify_token)
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
                    reloader: KnowledgeReloader | None = None,
                    verify_token: bool = True) -> None:
    """Connect over Socket Mode until stopped; with health_port, serve GET /healthz there."""
    check_slack_settings(settings, "socket")
    serving = reloader.serving if reloader is not None else _serving(served)
    app = app or create_app(settings, serving, reloader=reloader, verify_token=verify_token)
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
        if verify_token:
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
