"""App Home: how to ask, the team directory, your recent questions; for admins, the review
queue (approve, reject, or another area) and the report's headline and top clusters."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from slack_sdk import WebClient

from ..clusters import DEFAULT_THRESHOLD
from ..learning import LearningError, decide
from ..messages import pick, t
from ..report import build_report
from ..script import reply_language
from ..store import Suggestion
from .admin import is_admin
from .blocks import Block, context, escape_user_text, section, team_contact
from .context import BotContext
from .delivery import About
from .payload import object_field, text_field, user_of

logger = logging.getLogger(__name__)

ACTION_APPROVE = "owner.review.approve"
ACTION_REJECT = "owner.review.reject"
ACTION_OTHER_AREA = "owner.review.entry"  # static_select; its block_id carries the id
REVIEW_BLOCK_PREFIX = "owner.review:"
DEFAULT_LANG = "en"  # for someone who never asked: App Home has no message to read it from
REPORT_DAYS = 30
_MAX_BLOCKS = 100  # Slack's limit for a view


def directory_blocks(bot: BotContext, lang: str) -> list[Block]:
    knowledge = bot.serving.matcher.knowledge
    blocks: list[Block] = [section(t(lang, "home_directory"))]
    for team in knowledge.teams.values():
        areas = [pick(e.area, lang) for e in knowledge.entries if e.team == team.id]
        if areas:
            blocks.append(context(f"*{escape_user_text(pick(team.name, lang))}* "
                                  f"({team_contact(team, lang)}): "
                                  + escape_user_text(" · ".join(areas))))
    return blocks


def recent_blocks(bot: BotContext, user: str, lang: str) -> list[Block]:
    rows = bot.store.asked_by(user)
    lines = [f"• {escape_user_text(q)} → {e or t(lang, 'declined_answer')}" for q, _, e in rows]
    return [section(t(lang, "home_recent") + "\n" + ("\n".join(lines) or t(lang, "home_none")))]


def _normalised(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def review_blocks(bot: BotContext, lang: str) -> list[Block]:
    queue = bot.store.suggestions("pending")
    pending = queue[:15]  # a view holds 100 blocks; the rest wait their turn
    blocks: list[Block] = [section(t(lang, "home_review", n=len(queue)))]
    if not pending:
        return blocks
    encode = bot.serving.matcher.encoder.encode_queries
    asked = [r.question for r in bot.store.asked(REPORT_DAYS)][-500:]
    # Each text embedded once for the whole queue: "asked similarly" counts the recent
    # questions within the report's clustering distance of the suggestion.
    mine = _normalised(encode([s.question for s in pending]))
    theirs = _normalised(encode(asked)) if asked else np.zeros((0, mine.shape[1]))
    similar = (theirs @ mine.T >= DEFAULT_THRESHOLD).sum(axis=0)
    for s, n in zip(pending, similar, strict=True):
        blocks.extend(_review_item(bot, s, lang, int(n)))
    return blocks


def _review_item(bot: BotContext, s: Suggestion, lang: str, similar: int) -> list[Block]:
    knowledge = bot.serving.matcher.knowledge
    entry = knowledge.entry(s.entry)
    answered = bot.store.answer(s.corrects_ref) if s.corrects_ref else None
    said = answered.entry if answered else t(lang, "declined_answer")
    text = t(lang, "home_review_item", question=escape_user_text(s.question), answer=said,
             area=escape_user_text(pick(entry.area, lang)) if entry else s.entry,
             similar=similar, user=f"<@{s.user}>" if s.user else "-")
    options = [{"text": {"type": "plain_text", "text": pick(e.area, lang)[:75]}, "value": e.id}
               for e in knowledge.entries[:100]]
    return [section(text), {"type": "actions", "block_id": f"{REVIEW_BLOCK_PREFIX}{s.id}",
                            "elements": [
        {"type": "button", "action_id": ACTION_APPROVE, "value": str(s.id), "style": "primary",
         "text": {"type": "plain_text", "text": t(lang, "home_approve")}},
        {"type": "button", "action_id": ACTION_REJECT, "value": str(s.id), "style": "danger",
         "text": {"type": "plain_text", "text": t(lang, "home_reject")}},
        {"type": "static_select", "action_id": ACTION_OTHER_AREA, "options": options,
         "placeholder": {"type": "plain_text", "text": t(lang, "home_other_area")}},
    ]}]


def report_blocks(bot: BotContext, lang: str) -> list[Block]:
    rows = bot.store.asked(REPORT_DAYS)[-2000:]
    report = build_report(rows, bot.serving.matcher.encoder.encode_queries, REPORT_DAYS)
    head = t(lang, "home_report", days=REPORT_DAYS, total=report.total,
             answered=f"{report.rate('answer'):.0%}", ambiguous=f"{report.rate('ambiguous'):.0%}",
             declined=f"{report.rate('decline'):.0%}")
    lines = [f"• {c.size} × {escape_user_text(c.example)}" for c in report.clusters[:5]]
    return [section(head), section(t(lang, "home_clusters") + "\n"
                                   + ("\n".join(lines) or t(lang, "home_none")))]


def home_lang(bot: BotContext, user: str) -> str:
    """The language and script of the person's latest question, as its answer was written."""
    latest = bot.store.asked_by(user, limit=1)
    japanese = bot.serving.matcher.knowledge.speaks_japanese
    return reply_language(latest[0][0], japanese) if latest else DEFAULT_LANG


def home_view(bot: BotContext, user: str) -> dict[str, Any]:
    lang = home_lang(bot, user)
    blocks = [section(t(lang, "home_ask")), {"type": "divider"}]
    if is_admin(bot.admins, user):
        blocks += [*review_blocks(bot, lang), *report_blocks(bot, lang), {"type": "divider"}]
    blocks += [*recent_blocks(bot, user, lang), {"type": "divider"}, *directory_blocks(bot, lang)]
    return {"type": "home", "blocks": blocks[:_MAX_BLOCKS]}


def publish_home(bot: BotContext, client: WebClient, user: str) -> None:
    view = home_view(bot, user)
    bot.delivery.send(About("(app home)", "home", user, user), "views.publish",
                      lambda: client.views_publish(user_id=user, view=view))


def on_home_opened(bot: BotContext, event: dict[str, Any], client: WebClient) -> None:
    user = text_field(event.get("user"))
    if user and event.get("tab", "home") == "home":
        publish_home(bot, client, user)


def on_review(bot: BotContext, body: dict[str, Any], action: dict[str, Any],
              client: WebClient) -> None:
    """Approve, reject or re-file a suggestion: admins only; the index serves it at once."""
    user = user_of(body)
    if not is_admin(bot.admins, user):
        logger.warning("review refused: %s is not in OWNER_BOT_ADMINS", user or "-")
        return
    action_id = action.get("action_id")
    block_id = text_field(action.get("block_id")) or ""
    raw_id = text_field(action.get("value")) or block_id.removeprefix(REVIEW_BLOCK_PREFIX)
    entry = text_field(object_field(action.get("selected_option")).get("value"))
    try:
        decided = decide(bot.store, bot.serving.matcher.knowledge, int(raw_id),
                         action_id != ACTION_REJECT, user, entry)
    except (LearningError, ValueError) as exc:
        logger.info("review not applied: %s", exc)
    else:
        logger.info("suggestion #%d %s by %s", decided.id, decided.status, user)
        if decided.status == "approved" and bot.reloader is not None:
            bot.reloader.reload()  # serve it now, not at the next watcher tick
    assert user is not None
    publish_home(bot, client, user)
