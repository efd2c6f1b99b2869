"""`owner-bot run --http` as a real process: the reload watcher and admin reports are wired in,
and nothing it logs (at DEBUG) contains a token or the signing secret."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from hardening_support import REPO_ROOT, set_owner
from slackfakes import FakeSlack, block_text, dm_event, event_body, post

BOT_TOKEN = "xoxb-4242-4343-ProcessBotTokenValue"
SIGNING_SECRET = "cafebabeprocesssigningsecret0042"
STARTUP_SECONDS = 120


def _health(url: str) -> dict:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        return json.loads(response.read())


def _wait(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_run_http_process_reloads_reports_and_never_logs_secrets(
    fake_slack: FakeSlack, knowledge_copy: Path, data_dir: Path, matcher,
):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "OWNER_BOT_KNOWLEDGE": str(knowledge_copy),
        "OWNER_BOT_DATA_DIR": str(data_dir),  # the session's warm embedding cache
        "OWNER_BOT_RELOAD_SECONDS": "0.2",
        "OWNER_BOT_ADMINS": "UADMIN",
        "OWNER_BOT_RATE_LIMIT": "0",
        "OWNER_BOT_LOG_LEVEL": "DEBUG",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "run", "--http",
         "--host", "127.0.0.1", "--port", "0"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    lines: list[str] = []
    listening = threading.Event()
    port: list[int] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            found = re.search(r"serving Slack on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port.append(int(found.group(1)))
                listening.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert listening.wait(STARTUP_SECONDS), "".join(lines[-20:])
        url = f"http://127.0.0.1:{port[0]}"
        events = url + "/slack/events"

        def ask(n: int) -> str:
            before = len(fake_slack.posts("chat.postMessage"))
            body = json.dumps(event_body(dm_event("Who prepares the balance sheet?",
                                                  ts=f"1700001000.{n:06d}"), f"EvRun{n}"))
            assert post(events, body.encode(), "application/json",
                        secret=SIGNING_SECRET).status == 200
            calls = fake_slack.wait_for(lambda c: c.method == "chat.postMessage",
                                        count=before + 1)
            return block_text(calls[before].body["blocks"])

        old = _health(url)["knowledge_version"]
        assert "Finance" in ask(1)

        set_owner(knowledge_copy, "admin")  # picked up by the watcher, no restart
        _wait(lambda: _health(url)["knowledge_version"] != old)
        assert "Administration / Office" in ask(2)

        good = _health(url)["knowledge_version"]
        set_owner(knowledge_copy, "catering")  # rejected; the admin hears about it
        [report] = fake_slack.wait_for(lambda c: c.method == "chat.postMessage"
                                       and c.body.get("channel") == "UADMIN")
        assert "rejected" in report.body["text"] and "catering" in report.body["text"]
        assert _health(url)["knowledge_version"] == good
        assert "Administration / Office" in ask(3)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        reader.join(10)

    log = "".join(lines)
    assert "knowledge reloaded: version" in log and "knowledge edit rejected" in log
    assert "DEBUG" in log  # the libraries' debug output was on, and still:
    for secret in (BOT_TOKEN, SIGNING_SECRET, "ProcessBotTokenValue", "processsigningsecret"):
        assert secret not in log
