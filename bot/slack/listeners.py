"""Bolt listeners: ack first, then hand over to the plain functions in answers.py.

Events are acked by Bolt before the listener runs; commands and buttons ack in `ack_only` and do
their work in lazy listeners, so Slack never waits on the matcher or the database.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ..matcher import Matcher
from .answers import Asker, Reply, answer_entry, reply_to, shared_answer
from .blocks import (
    ACTION_ALT_PREFIX,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    ALT_ACTION_PATTERN,
    parse_alternative_value,
    ui,
)
from .feedback import FeedbackStore

COMMAND = "/owner"

logger = logging.getLogger(__name__)


def is_from_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or not event.get("user"))


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


def _post(client: WebClient, channel: str, reply: Reply, thread_ts: str | None) -> None:
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=reply.text, blocks=reply.blocks,
        unfurl_links=False, unfurl_media=False,
    )


def _user(body: dict[str, Any]) -> str | None:
    return (body.get("user") or {}).get("id") or body.get("user_id")


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or body.get("channel_id")


def register_listeners(app: App, matcher: Matcher, feedback: FeedbackStore) -> None:
    """Wire the three surfaces (mention, /owner, DM) and the buttons to `matcher`."""

    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        # A mention inside a DM also arrives as message.im, which answers it.
        if is_from_bot(event) or str(event.get("channel", "")).startswith("D"):
            return
        asker = Asker(event.get("user"), event.get("channel"), "mention")
        reply = reply_to(matcher, event.get("text"), feedback=feedback, asker=asker)
        _post(client, event["channel"], reply, event.get("thread_ts") or event["ts"])

    def on_direct_message(event: dict[str, Any], client: WebClient) -> None:
        asker = Asker(event.get("user"), event.get("channel"), "dm")
        reply = reply_to(matcher, event.get("text"), feedback=feedback, asker=asker)
        _post(client, event["channel"], reply, event.get("thread_ts"))

    def on_command(body: dict[str, Any], respond: Respond) -> None:
        asker = Asker(body.get("user_id"), body.get("channel_id"), "command")
        reply = reply_to(matcher, body.get("text"), feedback=feedback, asker=asker, share=True)
        respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral",
                replace_original=False)

    def on_vote(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = _user(body)
        if not user:
            return
        up = action["action_id"] == ACTION_VOTE_UP
        ref = str(action.get("value", ""))
        feedback.vote(ref, user, 1 if up else -1, _channel(body))
        asked = feedback.question(ref)
        lang = asked[1] if asked else "en"
        respond(text=ui(lang)["thanks_up" if up else "thanks_down"], response_type="ephemeral",
                replace_original=False)

    def on_share(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        record = feedback.answer(str(action.get("value", "")))
        reply = shared_answer(matcher, record, _user(body)) if record else None
        if reply is None:
            respond(text=ui(record.lang if record else "en")["gone"], response_type="ephemeral",
                    replace_original=False)
            return
        # The response_url posts in any channel, even one the bot was never invited to.
        respond(text=reply.text, blocks=reply.blocks, response_type="in_channel",
                replace_original=False)
        respond(delete_original=True)

    def on_alternative(body: dict[str, Any], action: dict[str, Any], respond: Respond,
                       client: WebClient) -> None:
        entry_id = action["action_id"][len(ACTION_ALT_PREFIX):]
        ref, lang, score = parse_alternative_value(str(action.get("value", "")))
        question, lang = feedback.question(ref) or ("", lang)
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        asker = Asker(_user(body), _channel(body), "alternative")
        reply = answer_entry(matcher, entry_id, question, lang, score, feedback=feedback,
                             asker=asker, share=ephemeral)
        if reply is None:
            respond(text=ui(lang)["gone"], response_type="ephemeral", replace_original=False)
        elif ephemeral or not _channel(body):
            respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral",
                    replace_original=False)
        else:
            message = body.get("message") or {}
            thread_ts = message.get("thread_ts") or container.get("thread_ts")
            _post(client, str(_channel(body)), reply, thread_ts)

    app.event("app_mention")(on_mention)
    app.event("message", matchers=[is_new_human_dm])(on_direct_message)
    app.event("message")(ignore_message)
    app.command(COMMAND)(ack=ack_only, lazy=[on_command])
    app.action(ACTION_VOTE_UP)(ack=ack_only, lazy=[on_vote])
    app.action(ACTION_VOTE_DOWN)(ack=ack_only, lazy=[on_vote])
    app.action(ACTION_SHARE)(ack=ack_only, lazy=[on_share])
    app.action(ALT_ACTION_PATTERN)(ack=ack_only, lazy=[on_alternative])
