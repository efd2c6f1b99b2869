"""Test helpers for the Slack app: a fake Slack Web API, signed requests, Slack payloads.

Everything listens on 127.0.0.1 on free ports; waits poll with a deadline instead of sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.store import SqliteStore

REPO = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-111-222-test"
APP_TOKEN = "xapp-1-A111-222-test"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
WAIT_SECONDS = 15.0


# --------------------------------------------------------------------------- fake Slack Web API


@dataclass
class Call:
    path: str  # "/api/chat.postMessage" or "/response/<id>"
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200  # what the fake answered
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class FakeSlack:
    """Records every request; answers like Slack's Web API and response_url endpoints."""

    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    ws_url: str | None = None
    auth_error: str | None = None  # make auth.test fail with this error code
    app_token_error: str | None = None  # make apps.connections.open fail with this error code
    # Scripted failures: method name (or "response" for response_url posts) -> the statuses
    # and headers of the next answers, e.g. {"chat.postMessage": [(429, {"Retry-After": "1"})]}.
    script: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    # Failures by rule, after the script: (method or "response", body) -> (status, headers)
    # to fail that call, or None to answer it normally.
    chaos: Callable[[str, dict[str, Any]], tuple[int, dict[str, str]] | None] | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _ts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def fail_next(self, key: str, status: int, headers: dict[str, str] | None = None,
                  times: int = 1) -> None:
        """Answer the next `times` calls of `key` with `status` instead of success."""
        with self._cond:
            self.script.setdefault(key, []).extend([(status, headers or {})] * times)

    def scripted(self, key: str) -> tuple[int, dict[str, str]] | None:
        with self._cond:
            queue = self.script.get(key)
            return queue.pop(0) if queue else None

    def next_ts(self) -> str:
        with self._cond:
            self._ts += 1
            return f"1700000000.{self._ts:06d}"

    def find(self, predicate: Callable[[Call], bool]) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if predicate(c)]

    def wait_for(self, predicate: Callable[[Call], bool], count: int = 1,
                 timeout: float = WAIT_SECONDS) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if predicate(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    paths = [c.path for c in self.calls]
                    raise AssertionError(f"timed out waiting for {count} call(s); got {paths}")
                self._cond.wait(left)

    def posts(self, method: str) -> list[Call]:
        return self.find(lambda c: c.method == method)

    def replies(self) -> list[Call]:
        """Everything the bot said: Web API posts and response_url posts."""
        return self.find(lambda c: c.method in ("chat.postMessage", "chat.postEphemeral")
                         or c.path.startswith("/response/"))


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype and raw:
                body = json.loads(raw)
            else:
                body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            path = urllib.parse.urlparse(self.path).path
            headers = {k.lower(): v for k, v in self.headers.items()}
            key = "response" if path.startswith("/response/") else path.rsplit("/", 1)[-1]
            failure = fake.scripted(key)
            if failure is None and fake.chaos is not None:
                failure = fake.chaos(key, body)
            if failure is not None:
                status, extra = failure
                fake.record(Call(path, body, headers, status))
                self._send(status, b'{"ok": false, "error": "scripted"}', "application/json",
                           extra)
                return
            fake.record(Call(path, body, headers))
            if path.startswith("/response/"):
                self._send(200, b"ok", "text/plain")
                return
            self._send(200, json.dumps(self._api(path.rsplit("/", 1)[-1], body)).encode(),
                       "application/json")

        def _api(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
            if method == "auth.test":
                if fake.auth_error:
                    return {"ok": False, "error": fake.auth_error}
                return {"ok": True, "url": "https://owner.example/", "team": "Example",
                        "user": "owner-bot", "team_id": "T111", "user_id": BOT_USER,
                        "bot_id": BOT_ID, "is_enterprise_install": False}
            if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
                return {"ok": True, "channel": body.get("channel"), "ts": fake.next_ts(),
                        "message_ts": fake.next_ts()}
            if method == "views.publish":
                return {"ok": True, "view": body.get("view")}
            if method == "apps.connections.open":
                if fake.app_token_error:
                    return {"ok": False, "error": fake.app_token_error}
                return {"ok": True, "url": fake.ws_url}
            return {"ok": False, "error": "unknown_method"}

        def _send(self, status: int, payload: bytes, ctype: str,
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


# --------------------------------------------------------------------------- the matcher


def slack_settings(fake: FakeSlack, data_dir: Path) -> Settings:
    return Settings(knowledge_dir=REPO / "knowledge", data_dir=data_dir, bot_token=BOT_TOKEN,
                    app_token=APP_TOKEN, signing_secret=SIGNING_SECRET,
                    slack_api_url=fake.api_url)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting work in flight so a test can wait until all is done."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="bolt-listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = WAIT_SECONDS) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError(f"{self._pending} listener(s) still running")


# --------------------------------------------------------------------------- signed requests


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class HttpResult:
    status: int
    body: str


def post(url: str, body: bytes, content_type: str, *, secret: str = SIGNING_SECRET,
         timestamp: int | None = None, signature: str | None = None,
         headers: dict[str, str] | None = None) -> HttpResult:
    ts = int(time.time()) if timestamp is None else timestamp
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature or sign(body, ts, secret),
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
            return HttpResult(response.status, response.read().decode())
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, exc.read().decode())


def event_body(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": "T111", "user_id": BOT_USER, "is_bot": True}],
    }


def mention_event(text: str, *, channel: str = "C111", ts: str = "1700000001.000100",
                  user: str = "U222", thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_event(text: str, *, channel: str = "D111", ts: str = "1700000002.000100",
             user: str | None = "U222", **extra: Any) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "im", "text": text, "ts": ts,
             "channel": channel, "event_ts": ts, **extra}
    if user:
        event["user"] = user
    return event


def command_form(text: str, response_url: str, *, channel: str = "C111",
                 user: str = "U222") -> dict[str, str]:
    return {"token": "legacy", "team_id": "T111", "team_domain": "example",
            "channel_id": channel, "channel_name": "general", "user_id": user,
            "user_name": "asker", "command": "/owner", "text": text, "api_app_id": "A111",
            "response_url": response_url, "trigger_id": "111.222.abc"}


def suggestion_payload(action_id: str, block_id: str, typed: str,
                       user: str = "U222") -> dict[str, Any]:
    """What Slack sends the options load URL while someone types in an external_select."""
    return {"type": "block_suggestion", "user": {"id": user, "team_id": "T111"},
            "team": {"id": "T111", "domain": "example"}, "api_app_id": "A111",
            "token": "legacy", "action_id": action_id, "block_id": block_id, "value": typed,
            "container": {"type": "message", "channel_id": "D111", "is_ephemeral": False}}


def select_payload(action_id: str, block_id: str, value: str, response_url: str, *,
                   user: str = "U222", view: bool = False) -> dict[str, Any]:
    """A block_actions payload for a select (external or static), in a message or App Home."""
    container = ({"type": "view", "view_id": "V111"} if view else
                 {"type": "message", "channel_id": "D111", "is_ephemeral": False,
                  "message_ts": "1700000003.000100"})
    payload: dict[str, Any] = {
        "type": "block_actions", "team": {"id": "T111", "domain": "example"},
        "user": {"id": user, "team_id": "T111"}, "api_app_id": "A111", "token": "legacy",
        "container": container, "trigger_id": "111.222.xyz",
        "actions": [{"action_id": action_id, "block_id": block_id, "type": "external_select",
                     "selected_option": {"value": value,
                                         "text": {"type": "plain_text", "text": value}},
                     "action_ts": "1700000004.000100"}],
    }
    if view:
        payload["view"] = {"id": "V111", "type": "home"}
    else:
        payload["response_url"] = response_url
        payload["channel"] = {"id": "D111", "name": "directmessage"}
    return payload


def button_payload(action_id: str, block_id: str, value: str, *, user: str) -> dict[str, Any]:
    """A button clicked in App Home (no response_url there)."""
    payload = select_payload(action_id, block_id, value, "", user=user, view=True)
    payload["actions"] = [{"action_id": action_id, "block_id": block_id, "value": value,
                           "type": "button", "action_ts": "1700000005.000100",
                           "text": {"type": "plain_text", "text": "x"}}]
    return payload


def action_payload(action_id: str, value: str, response_url: str, *, ephemeral: bool,
                   channel: str = "C111", user: str = "U333",
                   message: dict[str, Any] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"type": "message", "channel_id": channel,
                                 "is_ephemeral": ephemeral, "message_ts": "1700000003.000100"}
    payload: dict[str, Any] = {
        "type": "block_actions", "team": {"id": "T111", "domain": "example"},
        "user": {"id": user, "username": "clicker", "team_id": "T111"},
        "api_app_id": "A111", "token": "legacy", "container": container,
        "trigger_id": "111.222.xyz", "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "owner.feedback", "value": value,
                     "type": "button", "action_ts": "1700000004.000100",
                     "text": {"type": "plain_text", "text": "x"}}],
    }
    if message is not None:
        payload["message"] = message
    return payload


# --------------------------------------------------------------------------- the running bot


@dataclass
class RunningBot:
    url: str  # http://127.0.0.1:PORT
    fake: FakeSlack
    store: SqliteStore
    settings: Settings
    executor: TrackingExecutor

    def settle(self, timeout: float = WAIT_SECONDS) -> None:
        """Wait until every request sent so far has been answered: the inbox is empty (an item
        leaves it when its listener has finished) and nothing else is running."""
        deadline = time.monotonic() + timeout
        while self.store.inbox_backlog() > 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.store.inbox_backlog()} request(s) still in the inbox")
            time.sleep(0.01)
        self.executor.wait_idle(max(0.1, deadline - time.monotonic()))

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    def send_json(self, body: dict[str, Any], **kwargs: Any) -> HttpResult:
        return post(self.events_url, json.dumps(body).encode(), "application/json", **kwargs)

    def send_form(self, form: dict[str, str], **kwargs: Any) -> HttpResult:
        return post(self.events_url, urllib.parse.urlencode(form).encode(),
                    "application/x-www-form-urlencoded", **kwargs)

    def send_action(self, payload: dict[str, Any], **kwargs: Any) -> HttpResult:
        return self.send_form({"payload": json.dumps(payload)}, **kwargs)


def block_text(blocks: list[dict[str, Any]]) -> str:
    """All the text in a message's blocks, for assertions."""
    return json.dumps(blocks, ensure_ascii=False)


def start_fake_slack() -> tuple[FakeSlack, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeSlack(server)
    server.RequestHandlerClass = _handler(fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return fake, thread


@contextmanager
def fake_slack_server() -> Iterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1, shut down and joined on exit."""
    fake, thread = start_fake_slack()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        thread.join(5)
