"""Questions that arrive as messages: an @mention in a channel, or a DM.

Bolt acks events before these run. A mention is answered in its thread (a new one if needed);
a DM in the DM. Rate-limited askers are told so: privately for a mention, in the DM for a DM.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from ..question import Question
from ..store import Asker
from .answers import Reply, reply_to
from .context import BotContext, about
from .payload import is_from_bot, text_field


def on_mention(bot: BotContext, event: dict[str, Any], client: WebClient,
               event_id: str | None = None) -> None:
    channel = text_field(event.get("channel"))
    # A mention inside a DM also arrives as message.im, which answers it.
    if is_from_bot(event) or not channel or channel.startswith("D"):
        return
    user = text_field(event.get("user"))
    thread_ts = text_field(event.get("thread_ts")) or text_field(event.get("ts"))
    question = Question.of(text_field(event.get("text")))
    refusal = bot.too_fast(user, question)
    if refusal:
        sent = about(Reply(refusal), question, "mention", user, channel, thread_ts, event_id)
        bot.delivery.send(sent, "chat.postEphemeral", client.chat_postEphemeral, {
            "channel": channel, "user": user, "text": refusal, "thread_ts": thread_ts,
        })
        return
    _answer(bot, client, question, Asker(user, channel, "mention"), thread_ts, event_id)


def on_direct_message(bot: BotContext, event: dict[str, Any], client: WebClient,
                      event_id: str | None = None) -> None:
    channel = text_field(event.get("channel"))
    if not channel:
        return
    user = text_field(event.get("user"))
    thread_ts = text_field(event.get("thread_ts"))
    question = Question.of(text_field(event.get("text")))
    refusal = bot.too_fast(user, question)
    if refusal:
        reply = Reply(refusal)
        bot.post(client, channel, reply, thread_ts,
                 about(reply, question, "dm", user, channel, thread_ts, event_id))
        return
    _answer(bot, client, question, Asker(user, channel, "dm"), thread_ts, event_id)


def _answer(bot: BotContext, client: WebClient, question: Question, asker: Asker,
            thread_ts: str | None, event_id: str | None) -> None:
    assert asker.channel is not None
    reply = reply_to(bot.serving.matcher, question, store=bot.store, asker=asker)
    bot.post(client, asker.channel, reply, thread_ts,
             about(reply, question, asker.surface, asker.user, asker.channel, thread_ts,
                   event_id))


def ignore_message() -> None:
    """Edits, deletions, bot posts and the bot's own replies: acked, never answered."""
