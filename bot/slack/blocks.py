"""Block Kit builders: small functions, one per piece of a reply.

Everything a person typed is shown through `escape_user_text`, so an echoed question can never
ping anyone or render a disguised link. The knowledge's own contact mentions are the only markup
that goes out unescaped.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..knowledge import Entry, Knowledge, Team
from ..matcher import Candidate, Match
from ..messages import normalize_lang, pick, t
from ..reply import confidence_words, contact_text, decline_message

Block = dict[str, Any]

ACTION_VOTE_UP = "owner.vote.up"
ACTION_VOTE_DOWN = "owner.vote.down"
ACTION_SHARE = "owner.share"
ACTION_PICK = "owner.pick"  # external_select; its block_id carries the question's ref
PICK_BLOCK_PREFIX = "owner.pick:"
ACTION_ALT_PREFIX = "owner.alt:"  # followed by the entry id; the button's value is the question ref
ALT_ACTION_PATTERN = re.compile(r"^owner\.alt:")

# Slack's limits: section text 3000 chars, button text 75, 50 blocks per message.
_SECTION_MAX = 3000
_BUTTON_MAX = 75
_ECHO_MAX = 200
_MAX_BLOCKS = 50

# Plain "@channel" only pings with link_names=1, which the bot never sets; the joiner is a second
# guard in case a client or a proxy turns it on.
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# A Slack user id, the only thing ever put inside a <@...> mention the bot writes itself.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

def escape_user_text(text: str) -> str:
    """Make text inert in Slack mrkdwn: no mentions, broadcasts or disguised links can render."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, _SECTION_MAX)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text, _SECTION_MAX)}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(text, _BUTTON_MAX), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: list[dict[str, Any]], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements}
    if block_id:
        block["block_id"] = block_id
    return block


def team_contact(team: Team, lang: str) -> str:
    """The team's contact as Slack renders it: the knowledge's channel links and group mentions."""
    return contact_text(team.contact, slack=True) or t(lang, "no_contact")


def question_context(question: str, lang: str, prefix: str = "") -> Block:
    echoed = escape_user_text(_clip(question, _ECHO_MAX))
    return context(f"{prefix}{t(lang, 'question')}: {echoed}")


def alternative_value(ref: str, lang: str, score: float) -> str:
    return f"{ref}|{lang}|{score:.4f}"


def parse_alternative_value(value: str) -> tuple[str, str, float]:
    """(question ref, lang, score) from an alternative button's value; lenient on old formats."""
    ref, _, rest = value.partition("|")
    lang, _, score = rest.partition("|")
    lang = normalize_lang(lang)
    try:
        value = float(score)
    except ValueError:
        return ref, lang, 0.0
    # "nan" and "inf" parse as floats but are no score (and SQLite stores NaN as NULL).
    return ref, lang, value if math.isfinite(value) else 0.0


def alternative_buttons(candidates: tuple[Candidate, ...] | list[Candidate], lang: str,
                        ref: str) -> Block:
    """One button per alternative area; clicking it answers that entry for the same question."""
    return actions(
        [
            button(f"{pick(c.entry.area, lang)} → {pick(c.team.name, lang)}",
                   f"{ACTION_ALT_PREFIX}{c.entry.id}", alternative_value(ref, lang, c.score))
            for c in candidates[:3]
        ],
        block_id="owner.alternatives",
    )


def feedback_buttons(ref: str, lang: str, share: bool = False) -> Block:
    elements = [
        button(t(lang, "helpful"), ACTION_VOTE_UP, ref),
        button(t(lang, "not_helpful"), ACTION_VOTE_DOWN, ref),
    ]
    if share:
        elements.append(button(t(lang, "share"), ACTION_SHARE, ref, style="primary"))
    return actions(elements, block_id="owner.feedback")


def entry_blocks(entry: Entry, team: Team, lang: str, confidence: str) -> list[Block]:
    return [
        section(f"*{t(lang, 'area')}:* {escape_user_text(pick(entry.area, lang))}"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn",
                 "text": f"*{t(lang, 'owner')}*\n{escape_user_text(pick(team.name, lang))}"},
                {"type": "mrkdwn", "text": f"*{t(lang, 'contact')}*\n{team_contact(team, lang)}"},
            ],
        },
        section(f"*{t(lang, 'pm_does')}*\n{escape_user_text(pick(entry.pm_does, lang))}"),
        section(f"*{t(lang, 'pm_does_not')}*\n{escape_user_text(pick(entry.pm_does_not, lang))}"),
        context(f"{t(lang, 'sure')}: {confidence}"),
    ]


def answer_blocks(match: Match, ref: str, *, share: bool = False,
                  confidence: str | None = None, shared_by: str | None = None) -> list[Block]:
    """An answered (or ambiguous) question: the area, its owner, the PM's role, feedback."""
    assert match.best is not None
    lang = match.lang
    blocks = entry_blocks(match.best.entry, match.best.team, lang,
                          confidence or confidence_words(match))
    if shared_by and USER_ID.match(shared_by):
        prefix = f"{t(lang, 'shared_by')} <@{shared_by}> · "
    else:
        prefix = f"{t(lang, 'shared_by')} {escape_user_text(shared_by)} · " if shared_by else ""
    blocks.append(question_context(match.question, lang, prefix))
    if match.decision == "ambiguous" and match.alternatives:
        blocks.append(section(f"*{t(lang, 'also')}:*"))
        blocks.append(alternative_buttons(match.alternatives, lang, ref))
        blocks.append(pick_block(ref, lang))
    blocks.append(feedback_buttons(ref, lang, share=share))
    return blocks


def decline_blocks(match: Match, ref: str) -> list[Block]:
    """Not confident: say why, offer the closest areas as buttons, point to the fallback."""
    lang = match.lang
    blocks = [section(decline_message(match))]
    if match.question:
        blocks.append(question_context(match.question, lang))
    if match.alternatives and match.reason == "low_score":
        blocks.append(section(f"*{t(lang, 'closest')}:*"))
        blocks.append(alternative_buttons(match.alternatives, lang, ref))
    blocks.append(pick_block(ref, lang))
    fallback = match.knowledge.fallback
    blocks.append(context(
        f"{t(lang, 'ask_fallback')}: {escape_user_text(pick(fallback.name, lang))} "
        f"({team_contact(fallback, lang)})"
    ))
    return blocks


def pick_block(ref: str, lang: str) -> Block:
    """"Pick the right area": a type-ahead over every entry, ranked for the question (the
    options come from the options load URL, bot/slack/picker.py)."""
    return {"type": "actions", "block_id": f"{PICK_BLOCK_PREFIX}{ref}", "elements": [{
        "type": "external_select", "action_id": ACTION_PICK, "min_query_length": 0,
        "placeholder": {"type": "plain_text", "text": _clip(t(lang, "pick_area"), _BUTTON_MAX)},
    }]}


def help_blocks(command: str = "/owner", langs: tuple[str, ...] = ("zh", "en")) -> list[Block]:
    """Every language at once: help is asked for before the bot knows the asker's language."""
    blocks: list[Block] = []
    for lang in langs:
        items = "\n".join(f"• {t(lang, key, command=command)}"
                          for key in ("help_ask", "help_teams", "help_help"))
        blocks.append(section(f"{t(lang, 'help_intro')}\n{items}\n{t(lang, 'help_mention')}"))
        blocks.append({"type": "divider"})
    blocks[-1] = context(" ".join(t(lang, "help_votes") for lang in langs))
    return blocks


def teams_blocks(knowledge: Knowledge, lang: str) -> list[Block]:
    """Every owning team with its contact and the areas it owns, in the asker's language."""
    areas: dict[str, list[str]] = {}
    for entry in knowledge.entries:
        areas.setdefault(entry.team, []).append(pick(entry.area, lang))
    blocks: list[Block] = [section(f"*{t(lang, 'teams_title')}*")]
    team_ids = [t for t in knowledge.teams if t in areas]
    room = _MAX_BLOCKS - 2
    for team_id in team_ids[:room]:
        team = knowledge.teams[team_id]
        lines = "\n".join(f"• {escape_user_text(a)}" for a in areas[team_id])
        blocks.append(section(
            f"*{escape_user_text(pick(team.name, lang))}* ({team_contact(team, lang)})\n{lines}"
        ))
    if len(team_ids) > room:
        blocks.append(context(t(lang, "more", n=len(team_ids) - room)))
    return blocks
