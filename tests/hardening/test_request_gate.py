"""Requests are checked before they are read: a forged 50 MB event costs neither memory nor log,
and malformed requests get a 4xx, never a 500 or a traceback (a real `owner-bot run --http`)."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bot_process import BotProcess, warm_data_dir
from hardening_support import REPO_ROOT
from slackfakes import FakeSlack, dm_event, event_body, sign

from bot.slack.gate import MAX_BODY_BYTES, check_request

MARKER = "PrivateQuestionText"
FIFTY_MB = 50 * 1024 * 1024


def _exchange(url: str, head: str, body: bytes | None = None, body_size: int = 0) -> int:
    """Send a raw request (a body of `body_size` zero-padded bytes after `body`, sent only while
    the server reads) and return the status the server answered."""
    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port), timeout=20) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n")
        sent = 0
        chunk = (body or b"")[:65536] or b" " * 65536
        try:
            if body is not None and body_size == 0:
                sock.sendall(body)
            while sent < body_size:
                sock.sendall(chunk)
                sent += len(chunk)
                if sent >= 4 * 1024 * 1024:  # the answer must come long before 50 MB is read
                    break
        except OSError:
            pass  # the server answered and closed without reading the rest: what we want
        answer = sock.recv(4096).decode("latin-1")
    return int(answer.split(" ", 2)[1])


def _head(length: str, *, timestamp: str | None, signature: str | None,
          content_type: str = "application/json") -> str:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}",
             f"Content-Length: {length}", "Connection: close"]
    if timestamp is not None:
        lines.append(f"X-Slack-Request-Timestamp: {timestamp}")
    if signature is not None:
        lines.append(f"X-Slack-Signature: {signature}")
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def process(fake_slack: FakeSlack, tmp_path: Path, data_dir: Path):
    bot = BotProcess(fake_slack, warm_data_dir(data_dir, tmp_path / "data"),
                     REPO_ROOT / "knowledge", OWNER_BOT_LOG_LEVEL="DEBUG")
    try:
        yield bot, bot.wait_listening()
    finally:
        bot.stop()


def test_forged_50mb_events_are_refused_unread(process, matcher):
    bot, url = process
    before = bot.rss_mb()
    now = str(int(time.time()))
    text = json.dumps(event_body(dm_event(MARKER * 10), "EvHuge"))
    forged = _head(str(FIFTY_MB), timestamp=now, signature="v0=" + "0" * 64)
    with ThreadPoolExecutor(8) as pool:  # 8 at once: the 904 MB peak
        statuses = list(pool.map(lambda _: _exchange(url, forged, text.encode(), FIFTY_MB),
                                 range(8)))
    assert set(statuses) <= {401, 413} and statuses, statuses
    # Under the cap the body is read, and refused on its signature before anything parses it.
    small = (text + " " * (MAX_BODY_BYTES - len(text) - 10)).encode()
    assert _exchange(url, _head(str(len(small)), timestamp=now, signature="v0=" + "1" * 64),
                     small) == 401
    assert bot.rss_mb() - before < 50
    log = bot.log
    assert len(log.encode()) < 1_000_000
    assert MARKER not in log and "Traceback" not in log


def test_malformed_requests_get_4xx_and_no_traceback(process, matcher):
    bot, url = process
    now = str(int(time.time()))
    bad_json = b'{"type": "event_callback", "event": '
    latin = "caf\xe9".encode("latin-1")
    cases = {
        "bad JSON, no timestamp": (_head(str(len(bad_json)), timestamp=None,
                                         signature="v0=" + "2" * 64), bad_json, 401),
        "bad JSON, timestamp abc": (_head(str(len(bad_json)), timestamp="abc",
                                          signature=sign(bad_json, 0)), bad_json, 401),
        "signed bad JSON": (_head(str(len(bad_json)), timestamp=now,
                                  signature=sign(bad_json, int(now))), bad_json, 400),
        "unsigned non-UTF-8": (_head(str(len(latin)), timestamp=now,
                                     signature="v0=" + "3" * 64), latin, 401),
        "signed non-UTF-8": (_head(str(len(latin)), timestamp=now,
                                   signature=sign(latin, int(now))), latin, 400),
        "Content-Length abc": (_head("abc", timestamp=now, signature=sign(bad_json, int(now))),
                               bad_json, 400),
        "no signature at all": (_head(str(len(bad_json)), timestamp=now, signature=None),
                                bad_json, 401),
    }
    got = {name: _exchange(url, head, body) for name, (head, body, _) in cases.items()}
    assert got == {name: want for name, (_, _, want) in cases.items()}
    log = bot.log
    assert "Traceback" not in log and " 500 " not in log and "ERROR" not in log


def test_the_gate_refuses_before_reading(matcher):
    class Exploding:
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the body was read")

    now = time.time()
    base = {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(now)),
            "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64, "wsgi.input": Exploding()}
    assert check_request({**base, "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1)}, "s").status \
        .startswith("413")
    assert check_request({**base, "CONTENT_LENGTH": "12",
                          "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(now) - 3600)}, "s") \
        .status.startswith("401")
    assert check_request({**base, "CONTENT_LENGTH": "-1"}, "s").status.startswith("400")
