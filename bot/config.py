"""All configuration in one place, read from environment variables (standard Slack names)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line saying what to fix."""


def unusable_data_file(what: str, path: object, exc: Exception) -> str:
    """One line for a data file that cannot be opened, naming the setting that moves it."""
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"cannot use the {what} {path}: {reason}: set OWNER_BOT_DATA_DIR to a writable folder"


def default_knowledge_dir() -> Path:
    """./knowledge when run from a folder that has one, else the knowledge shipped with the code."""
    here = Path.cwd() / "knowledge"
    if (here / "teams.yaml").is_file():
        return here
    return _PACKAGE_ROOT / "knowledge"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "owner-bot"


def _float_env(name: str) -> float | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: set it like {name}=0.5") from None


def _int_env(name: str, minimum: int | None = None) -> int | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be 0 (off) or a positive whole number")
    return value


def _ids_env(name: str) -> frozenset[str]:
    return frozenset(x.strip() for x in os.environ.get(name, "").split(",") if x.strip())


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=default_knowledge_dir)
    encoder: str = "use"  # "use" or "st:<model name or path>"
    data_dir: Path = field(default_factory=default_data_dir)  # embedding cache, feedback db
    threads: int | None = None
    answer_threshold: float | None = None  # None: the calibrated default for the encoder
    margin: float | None = None
    # Slack
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    slack_api_url: str | None = None
    admin_user_ids: frozenset[str] = frozenset()
    rate_limit_per_minute: int = 20  # questions per user per minute; 0: no limit
    reload_seconds: float = 5.0  # how often the running bot looks for knowledge edits; 0: never

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite3"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("OWNER_BOT_KNOWLEDGE"):
            values["knowledge_dir"] = Path(env["OWNER_BOT_KNOWLEDGE"])
        if env.get("OWNER_BOT_ENCODER"):
            values["encoder"] = env["OWNER_BOT_ENCODER"]
        if env.get("OWNER_BOT_DATA_DIR"):
            values["data_dir"] = Path(env["OWNER_BOT_DATA_DIR"])
        values["threads"] = _int_env("OWNER_BOT_THREADS")
        values["answer_threshold"] = _float_env("OWNER_BOT_ANSWER_THRESHOLD")
        values["margin"] = _float_env("OWNER_BOT_MARGIN")
        rate_limit = _int_env("OWNER_BOT_RATE_LIMIT", minimum=0)
        if rate_limit is not None:
            values["rate_limit_per_minute"] = rate_limit
        reload_seconds = _float_env("OWNER_BOT_RELOAD_SECONDS")
        if reload_seconds is not None:
            if reload_seconds < 0:
                raise ConfigError("OWNER_BOT_RELOAD_SECONDS must be 0 (off) or a positive number")
            values["reload_seconds"] = reload_seconds
        values["bot_token"] = env.get("SLACK_BOT_TOKEN") or None
        values["app_token"] = env.get("SLACK_APP_TOKEN") or None
        values["signing_secret"] = env.get("SLACK_SIGNING_SECRET") or None
        values["slack_api_url"] = env.get("SLACK_API_URL") or None
        values["admin_user_ids"] = _ids_env("OWNER_BOT_ADMINS")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
