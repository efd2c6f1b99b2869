"""Check the Slack settings before connecting: one line naming the variable and where to get it.

Token values are never put in a message: they are secrets and end up in terminals and logs.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.error import URLError
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..config import ConfigError, Settings
from ..logs import silent_logger

Mode = Literal["socket", "http"]

DEFAULT_SLACK_API_URL = "https://slack.com/api/"

_WHERE = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from your app's settings at "
    "api.slack.com/apps → OAuth & Permissions (install the app to the workspace first)",
    "SLACK_APP_TOKEN": "generate an app-level token (xapp-...) with the scope connections:write "
    "at api.slack.com/apps → your app → Basic Information → App-Level Tokens",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from api.slack.com/apps → your app → "
    "Basic Information → App Credentials",
}


def _missing(name: str) -> ConfigError:
    return ConfigError(f"{name} is not set: {_WHERE[name]}")


def _malformed(name: str, why: str) -> ConfigError:
    return ConfigError(f"{name} is malformed ({why}): {_WHERE[name]}")


def _check_token(name: str, value: str | None, prefix: str, kind: str) -> None:
    if not value:
        raise _missing(name)
    if value != value.strip() or any(ch.isspace() for ch in value):
        raise _malformed(name, "it contains spaces or line breaks")
    if not value.startswith(prefix):
        raise _malformed(name, f"{kind} start with {prefix}")


def api_base_url(settings: Settings) -> str:
    """Slack's Web API base URL, or SLACK_API_URL; WebClient needs the trailing slash."""
    url = settings.slack_api_url or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def check_slack_settings(settings: Settings, mode: Mode) -> None:
    """Raise ConfigError for the first missing or malformed Slack setting `mode` needs."""
    _check_token("SLACK_BOT_TOKEN", settings.bot_token, "xoxb-", "bot tokens")
    if mode == "socket":
        _check_token("SLACK_APP_TOKEN", settings.app_token, "xapp-", "app-level tokens")
    else:
        secret = settings.signing_secret
        if not secret:
            raise _missing("SLACK_SIGNING_SECRET")
        if any(ch.isspace() for ch in secret):
            raise _malformed("SLACK_SIGNING_SECRET", "it contains spaces or line breaks")
        if secret.startswith(("xox", "xapp-")):
            raise _malformed("SLACK_SIGNING_SECRET", "that is a token, not the signing secret")
    if settings.slack_api_url:
        parsed = urlparse(settings.slack_api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(
                "SLACK_API_URL must be an http(s) URL such as https://slack.com/api/ "
                "(unset it to use Slack's own)"
            )


_REJECTED = {
    "SLACK_BOT_TOKEN": "reinstall the app and copy the Bot User OAuth Token from "
    "api.slack.com/apps → OAuth & Permissions",
    "SLACK_APP_TOKEN": "generate an app-level token with the scope connections:write at "
    "api.slack.com/apps → Basic Information → App-Level Tokens, and turn Socket Mode on",
}


def check_token_with_slack(settings: Settings, name: str) -> dict[str, Any]:
    """Ask Slack whether the token in `name` works: auth.test for the bot token,
    apps.connections.open for the app token. A ConfigError (one line) when it does not.

    Its own client, silent and without retries: at start-up the one line is the whole story,
    not slack_sdk's retry trail.
    """
    client = WebClient(base_url=api_base_url(settings), timeout=10,
                       logger=silent_logger("startup"), retry_handlers=[])
    try:
        if name == "SLACK_APP_TOKEN":
            return client.apps_connections_open(app_token=settings.app_token or "").data
        return client.auth_test(token=settings.bot_token).data  # type: ignore[return-value]
    except SlackApiError as exc:
        error = exc.response.get("error", "error") if exc.response is not None else "error"
        raise ConfigError(f"{name} was rejected by Slack ({error}): {_REJECTED[name]}") from None
    except (URLError, OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot reach the Slack Web API at {client.base_url} ({exc.__class__.__name__}): "
            "check the network, or SLACK_API_URL if you set it"
        ) from None
