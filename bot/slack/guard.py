"""Ack and drop a signed request whose payload does not have the shape Slack sends.

Slack never sends these, but Bolt indexes into the body while it builds the request (before any
middleware or listener) and turns such a payload into an HTTP 500 and an error log. The HTTP
server checks the signature and the shape first (intake.wsgi_app) and acks a malformed request
with 200; MalformedPayloadGuard does the same inside Bolt, after the signature check, for
payloads that got that far (Socket Mode).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse

logger = logging.getLogger(__name__)

# Top-level fields Bolt reads as objects ({"id": ...}) when present.
_OBJECT_FIELDS = ("team", "user", "channel", "enterprise", "container", "message", "view",
                  "function_data", "bot_access_token", "event")


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def malformed(body: Any) -> str | None:
    """Why `body` is not a payload Bolt can route, or None when it is fine."""
    if not isinstance(body, dict):
        return "not an object"
    for name in _OBJECT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"field {name!r} is not an object"
    for name in ("type", "team_id", "enterprise_id", "user_id", "channel_id", "api_app_id",
                 "command", "text", "response_url", "trigger_id"):
        if body.get(name) is not None and not _is_str(body[name]):
            return f"field {name!r} is not a string"
    for name in ("team", "user", "channel", "enterprise"):
        inner = body.get(name)
        if isinstance(inner, dict) and inner.get("id") is not None and not _is_str(inner["id"]):
            return f"field {name}.id is not a string"
    if body.get("authorizations") is not None and not _list_of_objects(body["authorizations"]):
        return "authorizations is not a list of objects"
    if body.get("type") == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _is_str(event.get("type")):
            return "an event without a type"
        for name in ("user", "channel", "team", "subtype", "channel_type", "bot_id", "ts",
                     "thread_ts", "text"):
            if event.get(name) is not None and not _is_str(event[name]):
                return f"event field {name!r} is not a string"
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        if not _list_of_objects(actions) or not actions or not all(
            _is_str(a.get("action_id")) for a in actions
        ):
            return "block_actions without actions"
    return None


def parse(raw: bytes, content_type: str | None) -> Any:
    """The body as Bolt will parse it, or None when it cannot be parsed at all."""
    try:
        return parse_body(raw.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return None


class MalformedPayloadGuard(Middleware):
    """A class middleware: Bolt calls it with the raw request, before building any arguments
    from the body (which is where a malformed body would crash a function middleware)."""

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        why = malformed(req.body)
        if why is None:
            return next()
        logger.info("ignored a signed request with a malformed payload: %s", why)
        return BoltResponse(status=200, body="")
