"""Build the Bolt app from Settings and a Matcher. Nothing here runs at import time."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any
from urllib.error import URLError

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..config import ConfigError, Settings
from ..matcher import Matcher
from ..reload import KnowledgeReloader
from .dedupe import SeenEvents, dedupe_middleware
from .delivery import Delivery, retry_handlers
from .feedback import FeedbackStore
from .guard import MalformedPayloadGuard
from .listeners import register_listeners
from .ratelimit import RateLimiter
from .settings_check import api_base_url

logger = logging.getLogger(__name__)


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """A WebClient on SLACK_API_URL (or Slack's), retrying rate limits and transient failures."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=api_base_url(settings),
        timeout=30,
        retry_handlers=retry_handlers(),
    )


def verify_bot_token(client: WebClient) -> dict[str, Any]:
    """auth.test, with a one-line ConfigError that says what to do when it fails."""
    try:
        return client.auth_test().data  # type: ignore[return-value]
    except SlackApiError as exc:
        error = exc.response.get("error", "error") if exc.response is not None else "error"
        raise ConfigError(
            f"SLACK_BOT_TOKEN was rejected by Slack ({error}): reinstall the app and copy the "
            "Bot User OAuth Token from api.slack.com/apps → OAuth & Permissions"
        ) from None
    except (URLError, OSError) as exc:
        raise ConfigError(
            f"cannot reach the Slack Web API at {client.base_url} ({exc.__class__.__name__}): "
            "check the network, or SLACK_API_URL if you set it"
        ) from None


def on_error(error: Exception, body: dict[str, Any]) -> None:
    # The request type and the traceback are enough to debug; the body holds users' messages.
    logger.error("a %s request failed", body.get("type") or body.get("command") or "Slack",
                 exc_info=error)


def create_app(settings: Settings, matcher: Matcher, client: WebClient | None = None,
               feedback: FeedbackStore | None = None, *, verify_token: bool = True,
               seen_events: SeenEvents | None = None,
               listener_executor: Executor | None = None,
               reloader: KnowledgeReloader | None = None,
               limiter: RateLimiter | None = None) -> App:
    """The Bolt app answering through `matcher`; feedback goes to settings.feedback_path.

    With a reloader, `/owner reload` reloads the knowledge for settings.admin_user_ids. Questions
    are limited to settings.rate_limit_per_minute per user (unless `limiter` is given).

    With verify_token, auth.test runs now, so a bad token fails at start-up with one line
    rather than at the first question.
    """
    client = client or make_web_client(settings)
    if verify_token:
        verify_bot_token(client)
    feedback = feedback if feedback is not None else FeedbackStore(settings.feedback_path)
    app = App(
        client=client,
        # An empty secret never verifies a real signature; HTTP mode refuses to start without one.
        signing_secret=settings.signing_secret or "",
        token_verification_enabled=False,  # done above, with a better message
        process_before_response=False,
        logger=logging.getLogger("bot.slack.bolt"),
        listener_executor=listener_executor,
        before_authorize=MalformedPayloadGuard(),  # after the signature check
    )
    app.use(dedupe_middleware(seen_events or SeenEvents()))
    register_listeners(
        app, matcher, feedback,
        limiter=limiter or RateLimiter(settings.rate_limit_per_minute),
        reloader=reloader, admins=settings.admin_user_ids, delivery=Delivery(feedback),
    )
    app.error(on_error)
    return app
