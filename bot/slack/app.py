"""Build the Bolt app from Settings and the served matcher. Nothing here runs at import time."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ..config import Settings
from ..logs import BOLT_LOGGER, quiet_libraries
from ..matcher import Matcher
from ..reload import KnowledgeReloader, Serving
from ..store import Store, StoreError, open_store
from .context import BotContext
from .delivery import Delivery, retry_handlers
from .guard import MalformedPayloadGuard
from .listeners import register_listeners
from .ratelimit import RateLimiter
from .settings_check import api_base_url, check_token_with_slack

logger = logging.getLogger(__name__)


def make_web_client(settings: Settings, token: str | None = None, *,
                    patient: bool = False) -> WebClient:
    """A WebClient on SLACK_API_URL (or Slack's). The bot's own retries nothing: delivery
    schedules retries itself (bot/slack/schedule.py), so no worker sleeps on a Retry-After.
    `patient` (for `owner-bot failed retry`): it waits and retries 429s and 5xx itself."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=api_base_url(settings),
        timeout=30,
        retry_handlers=retry_handlers() if patient else [],
    )


def on_error(error: Exception, body: dict[str, Any]) -> None:
    kind = body.get("type") or body.get("command") or "Slack"
    if isinstance(error, StoreError):  # the database is away: one line, it is not our bug
        logger.warning("a %s request was not stored: %s", kind, error)
        return
    # The request type and the traceback are enough to debug; the body holds users' messages.
    logger.error("a %s request failed", kind, exc_info=error)


def create_app(settings: Settings, served: Serving | Matcher, client: WebClient | None = None,
               store: Store | None = None, *, verify_token: bool = True,
               listener_executor: Executor | None = None,
               reloader: KnowledgeReloader | None = None,
               limiter: RateLimiter | None = None) -> App:
    """The Bolt app answering through the served matcher; records go to settings.store_path.

    With a reloader, `/owner reload` reloads the knowledge for settings.admin_user_ids. Questions
    are limited to settings.rate_limit_per_minute per user (unless `limiter` is given).

    With verify_token, auth.test runs now, so a bad token fails at start-up with one line
    rather than at the first question.
    """
    quiet_libraries()
    # With a reloader, what it publishes is what is served.
    serving = reloader.serving if reloader is not None else (
        served if isinstance(served, Serving) else Serving(served))
    if verify_token:
        check_token_with_slack(settings, "SLACK_BOT_TOKEN")
    client = client or make_web_client(settings)
    store = store if store is not None else open_store(settings.store_target)
    if reloader is not None and reloader.store is None:
        reloader.store = store  # it serves the learned examples this app's admins approve
    app = App(
        client=client,
        # An empty secret never verifies a real signature; HTTP mode refuses to start without one.
        signing_secret=settings.signing_secret or "",
        token_verification_enabled=False,  # done above, with a better message
        # HTTP requests are verified before they are read (bot/slack/gate.py); Socket Mode
        # needs no signature. Bolt's own check would read and log an unverified body first.
        request_verification_enabled=False,
        # Slack was acked when the request reached the inbox: Bolt runs the listener to the
        # end in the inbox worker that replays it (bot/slack/inbox.py).
        process_before_response=True,
        logger=logging.getLogger(BOLT_LOGGER),
        listener_executor=listener_executor,
        before_authorize=MalformedPayloadGuard(),  # after the signature check
    )
    bot = BotContext(
        serving=serving, store=store, delivery=Delivery(store),
        limiter=limiter or RateLimiter(settings.rate_limit_per_minute, store),
        reloader=reloader, admins=settings.admin_user_ids,
    )
    register_listeners(app, bot)
    app.error(on_error)
    return app
