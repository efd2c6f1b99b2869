"""Helpers for the hardening tests (importable as `hardening_support`; conftest wires the
fixtures). tests/slack goes on sys.path so slackfakes is shared."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "slack"))

from slackfakes import FakeSlack, RunningBot, TrackingExecutor, slack_settings  # noqa: E402

from bot.cache import EmbeddingCache  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.matcher import Matcher, build_index  # noqa: E402
from bot.reload import Serving  # noqa: E402
from bot.slack.app import create_app  # noqa: E402
from bot.slack.server import http_server  # noqa: E402
from bot.store import SqliteStore  # noqa: E402


def matcher_on(folder: Path, base: Matcher, data_dir: Path) -> tuple[Matcher, EmbeddingCache]:
    """A matcher of its own on `folder`, sharing the session's encoder and embedding cache."""
    cache = EmbeddingCache(Settings(data_dir=data_dir).cache_path)
    index = build_index(load_knowledge(folder), base.encoder, cache)
    return Matcher(index, base.encoder, base.thresholds), cache


@contextlib.contextmanager
def running_bot(fake: FakeSlack, matcher: Matcher | Serving, data_dir: Path, **options: Any
                ) -> Iterator[RunningBot]:
    """The real Bolt app behind the real HTTP server, talking to the fake Web API.

    options: Settings fields (rate_limit_per_minute, admin_user_ids, ...) and create_app's
    reloader / limiter, and `store` (default: SQLite in data_dir), closed at the end.
    """
    app_options = {k: options.pop(k) for k in ("reloader", "limiter") if k in options}
    given = options.pop("store", None)
    options.setdefault("rate_limit_per_minute", 0)
    settings = replace(slack_settings(fake, data_dir), **options)
    feedback = given if given is not None else SqliteStore(settings.store_path)
    executor = TrackingExecutor()
    app = create_app(settings, matcher, store=feedback, listener_executor=executor,
                     **app_options)
    server = http_server(settings, matcher, host="127.0.0.1", port=0, app=app, store=feedback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningBot(f"http://127.0.0.1:{server.server_port}", fake, feedback, settings,
                         executor)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        executor.shutdown(wait=True)
        feedback.close()


class Records(logging.Handler):
    """Every log record from every logger (bolt, slack_sdk, the bot), formatted as it would be
    printed, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self._lock2 = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        with self._lock2:
            self.records.append(record)
            self.lines.append(line)

    def at(self, level: int) -> list[str]:
        with self._lock2:
            return [line for r, line in zip(self.records, self.lines, strict=True)
                    if r.levelno >= level]

    @property
    def text(self) -> str:
        with self._lock2:
            return "\n".join(self.lines)


def set_owner(folder: Path, team: str) -> None:
    """Give the balance-sheet entry (finance-statements) to `team` in a knowledge copy."""
    path = folder / "entries" / "finance.yaml"
    text = path.read_text("utf-8")
    start = text.index("- id: finance-statements\n  team: ")
    end = text.index("\n", start + len("- id: finance-statements\n  team: "))
    path.write_text(text[:start] + f"- id: finance-statements\n  team: {team}" + text[end:],
                    "utf-8")
