"""`owner-bot run --http` as a real process against the fake Slack: start, read its log, kill."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from hardening_support import REPO_ROOT
from slackfakes import SIGNING_SECRET, FakeSlack

STARTUP_SECONDS = 120


def warm_data_dir(data_dir: Path, fresh: Path) -> Path:
    """A fresh data dir (empty database) holding a copy of the session's embedding cache."""
    fresh.mkdir(parents=True, exist_ok=True)
    for name in ("embeddings.sqlite3",):
        if (data_dir / name).exists():
            shutil.copy(data_dir / name, fresh / name)
    return fresh


class BotProcess:
    """The bot in its own process; `lines` is everything it wrote to stderr (its log)."""

    def __init__(self, fake: FakeSlack, data_dir: Path, knowledge: Path, **env: str):
        self.lines: list[str] = []
        self._listening = threading.Event()
        self._port: list[int] = []
        full_env = {
            **os.environ, "PYTHONPATH": str(REPO_ROOT), "SLACK_BOT_TOKEN": "xoxb-1-2-proc",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
            "OWNER_BOT_KNOWLEDGE": str(knowledge), "OWNER_BOT_DATA_DIR": str(data_dir),
            "OWNER_BOT_RATE_LIMIT": "0", "OWNER_BOT_RELOAD_SECONDS": "0",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "run", "--http",
             "--host", "127.0.0.1", "--port", "0"],
            env=full_env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"serving Slack on http://127\.0\.0\.1:(\d+)", line)
            if found:
                self._port.append(int(found.group(1)))
                self._listening.set()

    def wait_listening(self, timeout: float = STARTUP_SECONDS) -> str:
        """The bot's base URL once it listens."""
        if not self._listening.wait(timeout):
            self.kill()
            raise AssertionError("the bot did not start:\n" + "".join(self.lines[-30:]))
        return f"http://127.0.0.1:{self._port[0]}"

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def rss_mb(self, field: str = "VmRSS") -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._reader.join(10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit code (killed if it does not exit within `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the bot did not stop after SIGTERM") from None
        self._reader.join(10)
        return code
