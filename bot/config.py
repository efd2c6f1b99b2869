"""All configuration in one place, read from environment variables (standard Slack names)."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import OwnerBotError

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(OwnerBotError):
    """A setting is missing or malformed; the message is one line saying what to fix."""


def default_knowledge_dir() -> Path:
    """./knowledge when run from a folder that has one, else the knowledge shipped with the code."""
    here = Path.cwd() / "knowledge"
    if (here / "teams.yaml").is_file():
        return here
    return shipped_knowledge_dir()


def shipped_knowledge_dir() -> Path:
    """The default knowledge, installed with the package (package data bot.knowledge_data)."""
    spec = importlib.util.find_spec("bot.knowledge_data")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return _PACKAGE_ROOT / "knowledge"  # running from a source tree that was never installed


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
        raise ConfigError(f"{name} must be 0 (off) or a positive whole number" if minimum == 0
                          else f"{name} must be a positive whole number")
    return value


def _ids_env(name: str) -> frozenset[str]:
    return frozenset(x.strip() for x in os.environ.get(name, "").split(",") if x.strip())


def _inbox_env() -> dict[str, object]:
    values: dict[str, object] = {
        "workers": _int_env("OWNER_BOT_WORKERS", minimum=1),
        "backlog_limit": _int_env("OWNER_BOT_BACKLOG", minimum=1),
    }
    for field_name, name in (("lease_seconds", "OWNER_BOT_LEASE_SECONDS"),
                             ("grace_seconds", "OWNER_BOT_GRACE_SECONDS")):
        value = _float_env(name)
        if value is not None and value <= 0:
            raise ConfigError(f"{name} must be a positive number of seconds")
        values[field_name] = value
    return {k: v for k, v in values.items() if v is not None}


def _database_url_env() -> str | None:
    raw = (os.environ.get("OWNER_BOT_DATABASE_URL") or "").strip()
    if not raw:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        scheme = raw.split("://", 1)[0] if "://" in raw else "no scheme"
        raise ConfigError(f"OWNER_BOT_DATABASE_URL must be a postgresql:// URL (it has "
                          f"{scheme}); unset it to keep SQLite in the data dir")
    return raw


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=default_knowledge_dir)
    encoder: str = "use"  # "use" or "st:<model name or path>"
    data_dir: Path = field(default_factory=default_data_dir)  # embedding cache, database
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
    # How often the running bot looks for knowledge edits and for learned examples or reloads
    # from other replicas (one cheap read); 0: never.
    reload_seconds: float = 2.0
    retention_days: int = 90  # stored questions and votes are deleted after this; 0: kept
    # The inbox (bot/slack/inbox.py): worker threads; requests waiting before new ones get 503
    # (at ~100 replies/s on 2 cores, 1,000 is ten seconds of work); how long a claimed request
    # is held before another process may serve it (longer than one answer with its retries);
    # how long SIGTERM drains before leaving the rest for the next start (compose's
    # stop_grace_period is this plus 5 s).
    workers: int = 4
    backlog_limit: int = 1000
    lease_seconds: float = 120.0
    grace_seconds: float = 20.0
    # PostgreSQL for several replicas (postgresql://...); None: SQLite in the data dir.
    database_url: str | None = None

    @property
    def store_target(self) -> Path | str:
        """Where the store is: the database URL, else the SQLite file in the data dir."""
        return self.database_url or self.store_path

    @property
    def store_exists(self) -> bool:
        """A shared database always does; a SQLite file once the bot has run."""
        return self.database_url is not None or self.store_path.is_file()

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite3"

    @property
    def store_path(self) -> Path:
        # The name predates the store holding more than feedback; kept so upgrades find it.
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
        retention = _int_env("OWNER_BOT_RETENTION_DAYS", minimum=0)
        if retention is not None:
            values["retention_days"] = retention
        reload_seconds = _float_env("OWNER_BOT_RELOAD_SECONDS")
        if reload_seconds is not None:
            if reload_seconds < 0:
                raise ConfigError("OWNER_BOT_RELOAD_SECONDS must be 0 (off) or a positive number")
            values["reload_seconds"] = reload_seconds
        values.update(_inbox_env())
        values["bot_token"] = env.get("SLACK_BOT_TOKEN") or None
        values["app_token"] = env.get("SLACK_APP_TOKEN") or None
        values["signing_secret"] = env.get("SLACK_SIGNING_SECRET") or None
        values["slack_api_url"] = env.get("SLACK_API_URL") or None
        values["admin_user_ids"] = _ids_env("OWNER_BOT_ADMINS")
        values["database_url"] = _database_url_env()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
