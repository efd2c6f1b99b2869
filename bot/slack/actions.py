"""Buttons under a reply: 👍/👎, share in channel, and the alternative areas.

Acked at once; the work runs in lazy listeners. A button carries only the answer's ref (and,
for an alternative, the entry id in its action_id): the question comes back from the store.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from ..messages import t
from ..store import Asker, is_ref
from .answers import answer_entry, shared_answer
from .blocks import (
    ACTION_ALT_PREFIX,
    ACTION_VOTE_UP,
    parse_alternative_value,
    pick_block,
    section,
)
from .context import BotContext
from .delivery import About
from .payload import channel_of, object_field, text_field, user_of

logger = logging.getLogger(__name__)


def on_vote(bot: BotContext, body: dict[str, Any], action: dict[str, Any]) -> None:
    user = user_of(body)
    if not user:
        return
    up = action.get("action_id") == ACTION_VOTE_UP
    ref = str(action.get("value", ""))
    if not is_ref(ref):  # not a button of ours: nothing to record, nothing to echo back
        logger.info("ignored a vote on something that is not an answer's ref")
        return
    bot.store.vote(ref, user, 1 if up else -1, channel_of(body))
    asked = bot.store.question(ref)
    lang = asked[1] if asked else "en"
    about = About(asked[0] if asked else "", "vote", user, channel_of(body), ref)
    if up:
        bot.ephemeral(body, about, t(lang, "thanks_up"))
        return
    # A 👎 is the moment to learn what the right answer was.
    thanks = f"{t(lang, 'thanks_down')} {t(lang, 'pick_prompt')}"
    bot.delivery.respond(text_field(body.get("response_url")), about, text=thanks,
                         blocks=[section(thanks), pick_block(ref, lang)],
                         response_type="ephemeral", replace_original=False)


def on_share(bot: BotContext, body: dict[str, Any], action: dict[str, Any]) -> None:
    ref = str(action.get("value", ""))
    record = bot.store.answer(ref)
    knowledge = bot.serving.matcher.knowledge
    reply = shared_answer(knowledge, record, user_of(body)) if record else None
    about = About(record.question if record else "", "share", user_of(body), channel_of(body),
                  ref)
    if reply is None:
        bot.ephemeral(body, about, t(record.lang if record else "en", "gone"))
        return
    # The response_url posts in any channel, even one the bot was never invited to.
    response_url = text_field(body.get("response_url"))
    # Once the channel has it, the private copy goes (not before: a failed share keeps it).
    bot.delivery.respond(response_url, about, then={"delete_original": True}, text=reply.text,
                         blocks=reply.blocks, response_type="in_channel", replace_original=False)


def on_alternative(bot: BotContext, body: dict[str, Any], action: dict[str, Any],
                   client: WebClient) -> None:
    entry_id = str(action.get("action_id", ""))[len(ACTION_ALT_PREFIX):]
    ref, lang, score = parse_alternative_value(str(action.get("value", "")))
    question, lang = bot.store.question(ref) or ("", lang)
    container = object_field(body.get("container"))
    is_ephemeral = bool(container.get("is_ephemeral"))
    asker = Asker(user_of(body), channel_of(body), "alternative")
    reply = answer_entry(bot.serving.matcher.knowledge, entry_id, question, lang, score,
                         store=bot.store, asker=asker, share=is_ephemeral)
    about = About(question, "alternative", asker.user, asker.channel,
                  reply.ref if reply else ref)
    if reply is None:
        bot.ephemeral(body, about, t(lang, "gone"))
    elif is_ephemeral or not asker.channel:
        bot.respond(body, about, reply)
    else:
        message = object_field(body.get("message"))
        thread_ts = text_field(message.get("thread_ts")) or text_field(container.get("thread_ts"))
        bot.post(client, asker.channel, reply, thread_ts, about)
