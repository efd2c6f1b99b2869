"""Admin-only knowledge reload over Slack, and reports of automatic reloads to the admins.

`/owner reload` (or 重新加载) reloads now for the user ids in OWNER_BOT_ADMINS; anyone else gets
a polite refusal. A rejected edit shows the same one-line problems as `owner-bot check`. The
watcher's rejected reloads are logged at WARNING and sent to each admin by DM, once per bad edit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from typing import Any

from slack_sdk import WebClient

from ..messages import t
from ..question import Question
from ..reload import KnowledgeReloader, ReloadResult
from .blocks import escape_user_text
from .context import BotContext
from .delivery import About, Delivery
from .payload import text_field

logger = logging.getLogger(__name__)

RELOAD_WORDS = {"reload": "en", "重新加载": "zh", "重载": "zh", "刷新": "zh"}

def reload_request(typed: str) -> str | None:
    """The language of a reload command ("reload", "重新加载"), or None for anything else."""
    return RELOAD_WORDS.get(typed.strip().lower().strip(" .!。！"))


def is_admin(admins: Collection[str], user: str | None) -> bool:
    return bool(user) and user in admins


def result_message(result: ReloadResult, before: str, lang: str) -> str:
    """What the admin sees; problems are `owner-bot check`'s lines, one per problem."""
    if result.problems:
        head = t(lang, "reload_rejected", version=result.version, n=len(result.problems))
        return "\n".join([head, *result.problems])
    if result.changed:
        return t(lang, "reloaded", old=before, new=result.version)
    return t(lang, "reload_unchanged", version=result.version)


def reload_now(reloader: KnowledgeReloader, lang: str) -> str:
    before = reloader.serving.matcher.knowledge.version
    result = reloader.reload()
    reloader.tell_replicas()  # the others reload their folders too, at their next look
    return result_message(result, before, lang)


def on_reload_command(bot: BotContext, body: dict[str, Any], question: Question) -> None:
    """`/owner reload`: reload now for an admin, a polite refusal for anyone else."""
    lang = reload_request(question.text) or "en"
    user, channel = text_field(body.get("user_id")), text_field(body.get("channel_id"))
    about = About(question.text, "reload", user, channel)
    if bot.reloader is None:
        bot.ephemeral(body, about, t(lang, "reload_disabled"))
    elif not is_admin(bot.admins, user):
        logger.warning("knowledge reload refused: %s is not in OWNER_BOT_ADMINS", user or "-")
        bot.ephemeral(body, about, t(lang, "reload_refused"))
    else:
        bot.ephemeral(body, about, escape_user_text(reload_now(bot.reloader, lang)))


class ReloadReporter:
    """`on_result` for the watcher: tells each admin about a rejected edit, once per edit."""

    def __init__(self, client: WebClient, admins: Collection[str],
                 delivery: Delivery | None = None):
        self.client = client
        self.admins = sorted(admins)
        self.delivery = delivery or Delivery()
        self._reported: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def __call__(self, result: ReloadResult) -> None:
        with self._lock:
            if not result.problems:
                self._reported = ()
                return
            if result.problems == self._reported:
                return  # the same bad edit, seen again: the admins already know
            self._reported = result.problems
        message = escape_user_text(result_message(result, result.version, "en"))
        client = self.client
        for admin in self.admins:
            about = About("(knowledge reload report)", "reload-report", admin, admin)
            # A user id as the channel: the message lands in the admin's DM with the bot.
            self.delivery.send(about, "chat.postMessage", lambda a=admin: client.chat_postMessage(
                channel=a, text=message, unfurl_links=False,
            ))


def start_watching(reloader: KnowledgeReloader, interval: float, client: WebClient,
                   admins: Collection[str]) -> Callable[[], None]:
    """Poll the knowledge folder every `interval` s (0: never); returns the stop function."""
    if interval <= 0:
        logger.info("knowledge reload: watcher off (OWNER_BOT_RELOAD_SECONDS=0)")
        return lambda: None
    reloader.start(interval, on_result=ReloadReporter(client, admins))
    logger.info("knowledge reload: watching %s every %g s", reloader.knowledge_dir, interval)
    return reloader.stop
