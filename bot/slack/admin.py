"""Admin-only knowledge reload over Slack, and reports of automatic reloads to the admins.

`/owner reload` (or 重新加载) reloads now for the user ids in OWNER_BOT_ADMINS; anyone else gets
a polite refusal. A rejected edit shows the same one-line problems as `owner-bot check`. The
watcher's rejected reloads are logged at WARNING and sent to each admin by DM, once per bad edit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection

from slack_sdk import WebClient

from ..reload import KnowledgeReloader, ReloadResult
from .blocks import escape_user_text
from .delivery import About, Delivery

logger = logging.getLogger(__name__)

RELOAD_WORDS = {"reload": "en", "重新加载": "zh", "重载": "zh", "刷新": "zh"}

_TEXT = {
    "zh": {
        "refused": "抱歉，只有管理员可以重新加载知识库。有改动请联系管理员，或者直接问我问题。",
        "disabled": "这个机器人没有开启知识库重新加载。",
        "reloaded": "已重新加载：版本 {old} -> {new}",
        "unchanged": "知识库没有变化：仍是版本 {version}",
        "rejected": "知识库改动有问题，未生效，仍在使用版本 {version}（{n} 个问题）：",
    },
    "en": {
        "refused": "Sorry, only the bot's admins can reload the knowledge. Ask one of them, or "
        "ask me a question instead.",
        "disabled": "Knowledge reload is not enabled on this bot.",
        "reloaded": "reloaded: version {old} -> {new}",
        "unchanged": "no change: still serving version {version}",
        "rejected": "knowledge edit rejected, still serving version {version} "
        "({n} problem(s)):",
    },
}


def text(lang: str) -> dict[str, str]:
    return _TEXT["zh" if lang == "zh" else "en"]


def reload_request(typed: str) -> str | None:
    """The language of a reload command ("reload", "重新加载"), or None for anything else."""
    return RELOAD_WORDS.get(typed.strip().lower().strip(" .!。！"))


def is_admin(admins: Collection[str], user: str | None) -> bool:
    return bool(user) and user in admins


def result_message(result: ReloadResult, before: str, lang: str) -> str:
    """What the admin sees; problems are `owner-bot check`'s lines, one per problem."""
    t = text(lang)
    if result.problems:
        head = t["rejected"].format(version=result.version, n=len(result.problems))
        return "\n".join([head, *result.problems])
    if result.changed:
        return t["reloaded"].format(old=before, new=result.version)
    return t["unchanged"].format(version=result.version)


def reload_now(reloader: KnowledgeReloader, lang: str) -> str:
    before = reloader.matcher.knowledge.version
    return result_message(reloader.reload(), before, lang)


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
