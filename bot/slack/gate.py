"""Check a Slack HTTP request before its body is read: headers, size, then the signature.

Bolt reads and parses a body before it verifies the signature, and logs it when it cannot; a
forged 50 MB body would cost its size in memory many times over and land in the log. Here the
headers are checked first, the body is read only up to MAX_BODY_BYTES, and the HMAC is checked on
those bytes before anything parses them. A request that fails is answered 400/401/413 with an
empty body; the log line names the reason, never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Slack's payloads are a few KB (an event with a 40,000-character message is about 200 KB);
# a megabyte leaves room for any real one and bounds what a forged request can make us read.
MAX_BODY_BYTES = 1_000_000
# Slack signs with the current time; its docs reject requests older than five minutes (replay).
MAX_CLOCK_SKEW_SECONDS = 5 * 60
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    status: str  # "401 Unauthorized", ...
    why: str  # for the log: never the body


@dataclass(frozen=True)
class Checked:
    body: bytes


def _refuse(code: int, why: str) -> Refusal:
    names = {400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large"}
    return Refusal(f"{code} {names[code]}", why)


def _check_headers(environ: dict[str, Any], now: float) -> Refusal | int:
    """The body length when the headers could belong to a Slack request, else why not."""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not timestamp or not signature.startswith("v0="):
        return _refuse(401, "no Slack signature or timestamp header")
    if not timestamp.isdigit():
        return _refuse(401, "a timestamp header that is not a number")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return _refuse(401, "a timestamp more than five minutes off (a replay?)")
    raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw_length.isdigit():
        return _refuse(400, "a missing or non-numeric Content-Length")
    length = int(raw_length)
    if length > MAX_BODY_BYTES:
        return _refuse(413, f"a body of {length} bytes (limit {MAX_BODY_BYTES})")
    return length


def _read(stream: Any, length: int) -> bytes | None:
    """Exactly `length` bytes, in chunks; None when the client sent fewer (or timed out)."""
    parts: list[bytes] = []
    left = length
    try:
        while left > 0:
            chunk = stream.read(min(left, _READ_CHUNK))
            if not chunk:
                return None
            parts.append(chunk)
            left -= len(chunk)
    except OSError:  # includes the socket's read timeout
        return None
    return b"".join(parts)


def _signed(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def check_request(environ: dict[str, Any], secret: str,
                  now: float | None = None) -> Checked | Refusal:
    """The verified body of a Slack POST, or the refusal to send instead."""
    length = _check_headers(environ, time.time() if now is None else now)
    if isinstance(length, Refusal):
        return length
    body = _read(environ["wsgi.input"], length)
    if body is None:
        return _refuse(400, "a body shorter than its Content-Length")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE"))
    if not _signed(secret, str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")), body, signature):
        return _refuse(401, "a wrong signature")
    return Checked(body)
