"""What every listener shares: the served matcher, the store, delivery, limits, admins.

Listeners are module-level functions of a BotContext and the payload; the context holds no
per-request state, so one instance serves every thread.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from ..messages import t
from ..question import Question
from ..reload import KnowledgeReloader, Serving
from ..script import reply_language
from ..store import Store
from .answers import Reply
from .delivery import About, Delivery
from .payload import text_field
from .ratelimit import RateLimiter

logger = logging.getLogger(__name__)


@dataclass
class BotContext:
    serving: Serving
    store: Store
    delivery: Delivery
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    reloader: KnowledgeReloader | None = None
    admins: Collection[str] = frozenset()

    def too_fast(self, user: str | None, question: Question) -> str | None:
        """The polite refusal when `user` is over the limit, else None (and the ask counts)."""
        wait = self.limiter.check(user)
        if not wait:
            return None
        logger.info("rate limit: %s is over %d questions a minute", user or "-",
                    self.limiter.limit)
        wait = max(1, round(wait))
        japanese = self.serving.matcher.knowledge.speaks_japanese
        return t(reply_language(question.text, japanese), "rate_limited", limit=self.limiter.limit,
                 wait=wait)

    def post(self, client: WebClient, channel: str, reply: Reply, thread_ts: str | None,
             about: About) -> None:
        self.delivery.send(about, "chat.postMessage", client.chat_postMessage, {
            "channel": channel, "thread_ts": thread_ts, "text": reply.text,
            "blocks": reply.blocks or None, "unfurl_links": False, "unfurl_media": False,
        })

    def ephemeral(self, body: dict[str, Any], about: About, text: str) -> None:
        """A reply only the clicker or the /owner user sees, on the request's response_url."""
        self.delivery.respond(text_field(body.get("response_url")), about, text=text,
                              response_type="ephemeral", replace_original=False)

    def respond(self, body: dict[str, Any], about: About, reply: Reply) -> None:
        self.delivery.respond(text_field(body.get("response_url")), about, text=reply.text,
                              blocks=reply.blocks, response_type="ephemeral",
                              replace_original=False)


def about(reply: Reply, question: Question, surface: str, user: str | None,
          channel: str | None, thread_ts: str | None = None,
          event_id: str | None = None) -> About:
    """What a reply answers, for delivery's records."""
    return About(question.text, surface, user, channel, reply.ref, thread_ts, event_id)
