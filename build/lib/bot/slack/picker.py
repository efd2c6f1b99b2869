""""Pick the right area": the options a type-ahead shows, and the asker's pick.

The external_select sits under a decline, an ambiguous answer and a 👎. Slack asks the options
load URL (HTTP) or the socket (Socket Mode) for options as the asker types: every entry, ranked
by the matcher for the question, grouped by team. The pick is stored as a suggestion for the
admins' review queue, and the asker is thanked in their language.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack

from ..learning import LearningError, suggest
from ..messages import pick, t
from ..ranking import rank_entries
from .blocks import PICK_BLOCK_PREFIX
from .context import BotContext
from .delivery import About
from .payload import channel_of, text_field, user_of

logger = logging.getLogger(__name__)

# Slack's limits for an options response: 100 options in all, labels of 75 characters.
MAX_OPTIONS = 100
_LABEL_MAX = 75


def _ref(body: dict[str, Any]) -> str:
    block_id = text_field(body.get("block_id")) or ""
    for action in body.get("actions") or []:
        if isinstance(action, dict):
            block_id = text_field(action.get("block_id")) or block_id
    return block_id[len(PICK_BLOCK_PREFIX):] if block_id.startswith(PICK_BLOCK_PREFIX) else ""


def _option(text: str, value: str) -> dict[str, Any]:
    label = text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def pick_options(bot: BotContext, ref: str, typed: str) -> list[dict[str, Any]]:
    """Option groups: teams in the order of their best entry for the question, each with its
    entries, filtered by what the asker typed (in any of the knowledge's languages)."""
    question, lang = bot.store.question(ref) or ("", "en")
    matcher = bot.serving.matcher
    typed = typed.strip().casefold()
    groups: dict[str, list[dict[str, Any]]] = {}
    shown = 0
    for entry, _ in rank_entries(matcher, question):
        team = matcher.knowledge.team_of(entry)
        names = (entry.area.zh, entry.area.en, team.name.zh, team.name.en, entry.id)
        if typed and not any(typed in n.casefold() for n in names):
            continue
        groups.setdefault(team.id, []).append(_option(pick(entry.area, lang), entry.id))
        shown += 1
        if shown == MAX_OPTIONS:
            break
    teams = matcher.knowledge.teams
    return [{"label": {"type": "plain_text", "text": pick(teams[team_id].name, lang)[:_LABEL_MAX]},
             "options": options} for team_id, options in groups.items()]


def on_pick_options(bot: BotContext, body: dict[str, Any], ack: Ack) -> None:
    ack(option_groups=pick_options(bot, _ref(body), text_field(body.get("value")) or ""))


def on_pick(bot: BotContext, body: dict[str, Any], action: dict[str, Any]) -> None:
    """The asker chose an area: a pending suggestion, and a thank-you."""
    ref = _ref(body)
    entry_id = text_field((action.get("selected_option") or {}).get("value")) or ""
    user = user_of(body)
    question, lang = bot.store.question(ref) or ("", "en")
    about = About(question, "pick", user, channel_of(body), ref)
    knowledge = bot.serving.matcher.knowledge
    try:
        suggestion = suggest(bot.store, knowledge, question, entry_id, user, corrects_ref=ref)
    except LearningError as exc:  # an entry gone in a reload, or an unknown question
        logger.info("pick not stored (ref %s): %s", ref or "-", exc)
        bot.ephemeral(body, about, t(lang, "gone"))
        return
    logger.info("suggestion #%d from %s for ref %s", suggestion, user or "-", ref or "-")
    entry = knowledge.entry(entry_id)
    assert entry is not None
    bot.ephemeral(body, about, t(lang, "pick_thanks", area=pick(entry.area, lang)))
