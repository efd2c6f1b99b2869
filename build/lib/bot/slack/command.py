"""The /owner slash command: acked at once, answered in a lazy listener, privately.

`/owner reload` is an admin command and goes to bot/slack/admin.py; everything else is a
question, help or the teams list, answered on the command's response_url.
"""

from __future__ import annotations

from typing import Any

from ..question import Question
from ..store import Asker
from . import admin
from .answers import Reply, reply_to
from .context import BotContext, about
from .payload import text_field

COMMAND = "/owner"


def on_command(bot: BotContext, body: dict[str, Any]) -> None:
    user, channel = text_field(body.get("user_id")), text_field(body.get("channel_id"))
    question = Question.of(text_field(body.get("text")))
    refusal = bot.too_fast(user, question)
    if refusal:
        bot.ephemeral(body, about(Reply(refusal), question, "command", user, channel), refusal)
        return
    if admin.reload_request(question.text) is not None:
        admin.on_reload_command(bot, body, question)
        return
    reply = reply_to(bot.serving.matcher, question, store=bot.store,
                     asker=Asker(user, channel, "command"), share=True)
    bot.respond(body, about(reply, question, "command", user, channel), reply)
