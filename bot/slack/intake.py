"""The HTTP front door: /slack/events (checked, stored, acked), /healthz and /readyz.

A Slack POST is checked by bot/slack/gate.py before its body is parsed; a verified request goes
to the inbox and is acked as soon as it is stored (200), or refused with 503 when the backlog is
at its bound, so Slack sends it again later. URL verification and SSL checks are answered by
Bolt at once: they carry no question. Nothing a client sends turns into a 500 or a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from .gate import Refusal, check_request
from .guard import malformed, parse
from .inbox import Inbox, kind_and_key

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

Health = Callable[[], tuple[bool, dict[str, Any]]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]


def answer(start_response: StartResponse, status: str, body: bytes = b"",
           content_type: str = "text/plain") -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _at_once(payload: dict[str, Any]) -> bool:
    """Requests Bolt answers in the HTTP response itself: no question, nothing to store (a
    select menu's options are the response)."""
    return (payload.get("type") in ("url_verification", "block_suggestion")
            or payload.get("ssl_check") == "1")


def _bolt_now(app: App, body: bytes, content_type: str, start_response: StartResponse
              ) -> Iterable[bytes]:
    response = app.dispatch(BoltRequest(body=body.decode("utf-8"),
                                        headers={"content-type": [content_type]}))
    kind = (response.headers.get("content-type") or ["text/plain"])[0]
    return answer(start_response, f"{response.status} {HTTPStatus(response.status).phrase}",
                  (response.body or "").encode("utf-8"), kind)


def _slack_post(app: App, inbox: Inbox, secret: str, environ: dict[str, Any],
                start_response: StartResponse) -> Iterable[bytes]:
    checked = check_request(environ, secret)
    if isinstance(checked, Refusal):
        logger.info("refused a request to %s: %s", EVENTS_PATH, checked.why)
        return answer(start_response, checked.status)
    content_type = str(environ.get("CONTENT_TYPE") or "")
    payload = parse(checked.body, content_type)
    if payload is None:  # not UTF-8, or not JSON / a form: no Slack payload at all
        logger.info("refused a signed request whose body cannot be parsed")
        return answer(start_response, "400 Bad Request")
    why = malformed(payload)
    if why is not None:
        # Signed, so Slack sent it: acked (a refusal would be retried) and ignored.
        logger.info("acked and ignored a signed request with a malformed payload: %s", why)
        return answer(start_response, "200 OK")
    if _at_once(payload):
        return _bolt_now(app, checked.body, content_type, start_response)
    kind, key = kind_and_key(payload)
    stored = {"mode": "http", "body": checked.body.decode("utf-8"), "content_type": content_type}
    admission = inbox.admit(kind, key, stored)
    if admission == "full":
        return answer(start_response, "503 Service Unavailable")
    if admission == "duplicate":
        logger.info("repeated delivery of %s (retry %s): already taken", key,
                    environ.get("HTTP_X_SLACK_RETRY_NUM") or "-")
    return answer(start_response, "200 OK")


def _probe(check: Health, start_response: StartResponse) -> Iterable[bytes]:
    ok, info = check()
    return answer(start_response, "200 OK" if ok else "503 Service Unavailable",
                  json.dumps({"ok": ok, **info}).encode(), "application/json")


def wsgi_app(app: App | None, health: Health, *, inbox: Inbox | None = None,
             ready: Health | None = None, signing_secret: str | None = None,
             path: str = EVENTS_PATH) -> WsgiApp:
    """Slack requests on `path` into `inbox`, GET /healthz (alive) and /readyz (ready to
    answer: `ready`, or `health` when not given); 404 for anything else."""
    secret = signing_secret or ""
    probes = {HEALTH_PATH: health, READY_PATH: ready or health}

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, where = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if where in probes and method in ("GET", "HEAD"):
            return _probe(probes[where], start_response)
        if app is None or inbox is None or where != path:
            return answer(start_response, "404 Not Found", b"Not Found")
        if method != "POST":
            return answer(start_response, "405 Method Not Allowed")
        if not secret:  # an empty secret never verifies a real signature
            return answer(start_response, "401 Unauthorized")
        try:
            return _slack_post(app, inbox, secret, environ, start_response)
        except Exception:
            # Ours, not the client's (the store failed, say): logged without the body; Slack
            # retries a 500.
            logger.exception("a Slack request could not be handled")
            return answer(start_response, "500 Internal Server Error")

    return application
