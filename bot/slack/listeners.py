"""Bolt listeners: ack first, then hand over to the plain functions in answers.py.

Events are acked by Bolt before the listener runs; commands and buttons ack in `ack_only` and do
their work in lazy listeners, so Slack never waits on the matcher or the database.

Payload fields are read defensively (a missing or odd field is skipped, never a crash), questions
pass the per-user rate limit, and every reply goes through `Delivery`, which retries and logs a
reply that cannot be delivered together with its question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..matcher import Matcher
from ..question import clean, language
from ..reload import KnowledgeReloader
from . import admin
from .answers import Asker, Reply, answer_entry, reply_to, shared_answer
from .blocks import (
    ACTION_ALT_PREFIX,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    ALT_ACTION_PATTERN,
    escape_user_text,
    parse_alternative_value,
    ui,
)
from .delivery import About, Delivery
from .feedback import FeedbackStore
from .ratelimit import RateLimiter, rate_limited_message

COMMAND = "/owner"
_ANYTHING = re.compile(r".*")

logger = logging.getLogger(__name__)


def _s(value: Any) -> str | None:
    """A payload field that should be a string: the string, or None for anything else."""
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_from_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or not _s(event.get("user")))


def is_new_human_dm(event: dict[str, Any]) -> bool:
    """A person's new message in a DM: not an edit, deletion, join or any other subtype."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and not is_from_bot(event)
    )


def ack_only(ack: Ack) -> None:
    ack()


def ignore_message() -> None:
    """Edits, deletions, bot posts and the bot's own replies: acked, never answered."""


def _user(body: dict[str, Any]) -> str | None:
    return _s(_dict(body.get("user")).get("id")) or _s(body.get("user_id"))


def _channel(body: dict[str, Any]) -> str | None:
    return _s(_dict(body.get("channel")).get("id")) or _s(body.get("channel_id"))


def _about(reply: Reply, typed: str, asker: Asker) -> About:
    question = reply.match.question if reply.match is not None else clean(typed)
    return About(question, asker.surface, asker.user, asker.channel, reply.ref)


def register_listeners(app: App, matcher: Matcher, feedback: FeedbackStore, *,
                       limiter: RateLimiter | None = None,
                       reloader: KnowledgeReloader | None = None,
                       admins: Collection[str] = frozenset(),
                       delivery: Delivery | None = None) -> None:
    """Wire the three surfaces (mention, /owner, DM) and the buttons to `matcher`."""
    limiter = limiter or RateLimiter(0)
    delivery = delivery or Delivery(feedback)

    def too_fast(user: str | None, typed: str) -> str | None:
        """The polite message when `user` is over the limit, else None (and the ask counts)."""
        if limiter.allow(user):
            return None
        logger.info("rate limit: %s is over %d questions a minute", user or "-", limiter.limit)
        return rate_limited_message(language(clean(typed)), limiter.limit,
                                    limiter.retry_after(user))

    def post(client: WebClient, channel: str, reply: Reply, thread_ts: str | None,
             about: About) -> None:
        delivery.send(about, "chat.postMessage", lambda: client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=reply.text, blocks=reply.blocks or None,
            unfurl_links=False, unfurl_media=False,
        ))

    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        channel = _s(event.get("channel"))
        # A mention inside a DM also arrives as message.im, which answers it.
        if is_from_bot(event) or not channel or channel.startswith("D"):
            return
        user, typed = _s(event.get("user")), _s(event.get("text")) or ""
        thread_ts = _s(event.get("thread_ts")) or _s(event.get("ts"))
        asker = Asker(user, channel, "mention")
        refusal = too_fast(user, typed)
        if refusal:
            about = About(clean(typed), "mention", user, channel)
            delivery.send(about, "chat.postEphemeral", lambda: client.chat_postEphemeral(
                channel=channel, user=user, text=refusal, thread_ts=thread_ts,
            ))
            return
        reply = reply_to(matcher, typed, feedback=feedback, asker=asker)
        post(client, channel, reply, thread_ts, _about(reply, typed, asker))

    def on_direct_message(event: dict[str, Any], client: WebClient) -> None:
        channel = _s(event.get("channel"))
        if not channel:
            return
        user, typed = _s(event.get("user")), _s(event.get("text")) or ""
        thread_ts = _s(event.get("thread_ts"))
        asker = Asker(user, channel, "dm")
        refusal = too_fast(user, typed)
        if refusal:
            post(client, channel, Reply(refusal), thread_ts, About(clean(typed), "dm", user,
                 channel))
            return
        reply = reply_to(matcher, typed, feedback=feedback, asker=asker)
        post(client, channel, reply, thread_ts, _about(reply, typed, asker))

    def ephemeral(body: dict[str, Any], about: About, text: str) -> None:
        delivery.respond(_s(body.get("response_url")), about, text=text,
                         response_type="ephemeral", replace_original=False)

    def on_command(body: dict[str, Any]) -> None:
        user, channel = _s(body.get("user_id")), _s(body.get("channel_id"))
        typed = _s(body.get("text")) or ""
        asker = Asker(user, channel, "command")
        refusal = too_fast(user, typed)
        if refusal:
            ephemeral(body, About(clean(typed), "command", user, channel), refusal)
            return
        reload_lang = admin.reload_request(clean(typed))
        if reload_lang is not None:
            about = About(clean(typed), "reload", user, channel)
            if reloader is None:
                ephemeral(body, about, admin.text(reload_lang)["disabled"])
            elif not admin.is_admin(admins, user):
                logger.warning("knowledge reload refused: %s is not in OWNER_BOT_ADMINS",
                               user or "-")
                ephemeral(body, about, admin.text(reload_lang)["refused"])
            else:
                message = admin.reload_now(reloader, reload_lang)
                ephemeral(body, about, escape_user_text(message))
            return
        reply = reply_to(matcher, typed, feedback=feedback, asker=asker, share=True)
        delivery.respond(_s(body.get("response_url")), _about(reply, typed, asker),
                         text=reply.text, blocks=reply.blocks, response_type="ephemeral",
                         replace_original=False)

    def on_vote(body: dict[str, Any], action: dict[str, Any]) -> None:
        user = _user(body)
        if not user:
            return
        up = action.get("action_id") == ACTION_VOTE_UP
        ref = str(action.get("value", ""))
        feedback.vote(ref, user, 1 if up else -1, _channel(body))
        asked = feedback.question(ref)
        lang = asked[1] if asked else "en"
        about = About(asked[0] if asked else "", "vote", user, _channel(body), ref)
        ephemeral(body, about, ui(lang)["thanks_up" if up else "thanks_down"])

    def on_share(body: dict[str, Any], action: dict[str, Any]) -> None:
        ref = str(action.get("value", ""))
        record = feedback.answer(ref)
        reply = shared_answer(matcher, record, _user(body)) if record else None
        about = About(record.question if record else "", "share", _user(body), _channel(body),
                      ref)
        if reply is None:
            ephemeral(body, about, ui(record.lang if record else "en")["gone"])
            return
        # The response_url posts in any channel, even one the bot was never invited to.
        response_url = _s(body.get("response_url"))
        if delivery.respond(response_url, about, text=reply.text, blocks=reply.blocks,
                            response_type="in_channel", replace_original=False):
            delivery.respond(response_url, about, delete_original=True)

    def on_alternative(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        entry_id = str(action.get("action_id", ""))[len(ACTION_ALT_PREFIX):]
        ref, lang, score = parse_alternative_value(str(action.get("value", "")))
        question, lang = feedback.question(ref) or ("", lang)
        container = _dict(body.get("container"))
        is_ephemeral = bool(container.get("is_ephemeral"))
        channel = _channel(body)
        asker = Asker(_user(body), channel, "alternative")
        reply = answer_entry(matcher, entry_id, question, lang, score, feedback=feedback,
                             asker=asker, share=is_ephemeral)
        about = About(question, "alternative", asker.user, channel,
                      reply.ref if reply else ref)
        if reply is None:
            ephemeral(body, about, ui(lang)["gone"])
        elif is_ephemeral or not channel:
            delivery.respond(_s(body.get("response_url")), about, text=reply.text,
                             blocks=reply.blocks, response_type="ephemeral",
                             replace_original=False)
        else:
            message = _dict(body.get("message"))
            thread_ts = _s(message.get("thread_ts")) or _s(container.get("thread_ts"))
            post(client, channel, reply, thread_ts, about)

    app.event("app_mention")(on_mention)
    app.event("message", matchers=[is_new_human_dm])(on_direct_message)
    app.event("message")(ignore_message)
    app.command(COMMAND)(ack=ack_only, lazy=[on_command])
    app.action(ACTION_VOTE_UP)(ack=ack_only, lazy=[on_vote])
    app.action(ACTION_VOTE_DOWN)(ack=ack_only, lazy=[on_vote])
    app.action(ACTION_SHARE)(ack=ack_only, lazy=[on_share])
    app.action(ALT_ACTION_PATTERN)(ack=ack_only, lazy=[on_alternative])
    # Anything else Slack sends (another event type, a command or button of another app
    # version) is acked and ignored: an unacked request is retried and shows the user an error.
    app.event(_ANYTHING)(ignore_message)
    app.command(_ANYTHING)(ack_only)
    app.action(_ANYTHING)(ack_only)
