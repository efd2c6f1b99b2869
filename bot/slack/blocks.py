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
from ..reply import confidence_words, contact_text, decline_message, words

Block = dict[str, Any]

ACTION_VOTE_UP = "owner.vote.up"
ACTION_VOTE_DOWN = "owner.vote.down"
ACTION_SHARE = "owner.share"
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

_UI = {
    "zh": {
        "helpful": "👍 有帮助",
        "not_helpful": "👎 没帮助",
        "share": "分享到频道",
        "question": "问题",
        "picked": "你选择的领域",
        "shared_by": "分享者",
        "teams_title": "各领域及负责团队",
        "more": "还有 {n} 个团队未列出",
        "thanks_up": "谢谢，已记录 👍。点另一个按钮可以改。",
        "thanks_down": "谢谢，已记录 👎。欢迎在频道里告诉我们哪里不对。",
        "gone": "这个答案对应的领域已不在知识库中，请重新提问。",
    },
    "en": {
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "share": "Share in channel",
        "question": "Question",
        "picked": "the area you picked",
        "shared_by": "Shared by",
        "teams_title": "Areas and their owning teams",
        "more": "{n} more team(s) not shown",
        "thanks_up": "Thanks, recorded 👍. Click the other button to change it.",
        "thanks_down": "Thanks, recorded 👎. Tell us in the channel what was wrong.",
        "gone": "That area is no longer in the knowledge base: please ask again.",
    },
}


def ui(lang: str) -> dict[str, str]:
    return _UI["zh" if lang == "zh" else "en"]


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
    return contact_text(team.contact, slack=True) or words(lang)["no_contact"]


def question_context(question: str, lang: str, prefix: str = "") -> Block:
    echoed = escape_user_text(_clip(question, _ECHO_MAX))
    return context(f"{prefix}{ui(lang)['question']}: {echoed}")


def alternative_value(ref: str, lang: str, score: float) -> str:
    return f"{ref}|{lang}|{score:.4f}"


def parse_alternative_value(value: str) -> tuple[str, str, float]:
    """(question ref, lang, score) from an alternative button's value; lenient on old formats."""
    ref, _, rest = value.partition("|")
    lang, _, score = rest.partition("|")
    lang = "zh" if lang == "zh" else "en"
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
            button(f"{c.entry.area.get(lang)} → {c.team.name.get(lang)}",
                   f"{ACTION_ALT_PREFIX}{c.entry.id}", alternative_value(ref, lang, c.score))
            for c in candidates[:3]
        ],
        block_id="owner.alternatives",
    )


def feedback_buttons(ref: str, lang: str, share: bool = False) -> Block:
    u = ui(lang)
    elements = [
        button(u["helpful"], ACTION_VOTE_UP, ref),
        button(u["not_helpful"], ACTION_VOTE_DOWN, ref),
    ]
    if share:
        elements.append(button(u["share"], ACTION_SHARE, ref, style="primary"))
    return actions(elements, block_id="owner.feedback")


def entry_blocks(entry: Entry, team: Team, lang: str, confidence: str) -> list[Block]:
    w = words(lang)
    return [
        section(f"*{w['area']}:* {escape_user_text(entry.area.get(lang))}"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn",
                 "text": f"*{w['owner']}*\n{escape_user_text(team.name.get(lang))}"},
                {"type": "mrkdwn", "text": f"*{w['contact']}*\n{team_contact(team, lang)}"},
            ],
        },
        section(f"*{w['pm_does']}*\n{escape_user_text(entry.pm_does.get(lang))}"),
        section(f"*{w['pm_does_not']}*\n{escape_user_text(entry.pm_does_not.get(lang))}"),
        context(f"{w['sure']}: {confidence}"),
    ]


def answer_blocks(match: Match, ref: str, *, share: bool = False,
                  confidence: str | None = None, shared_by: str | None = None) -> list[Block]:
    """An answered (or ambiguous) question: the area, its owner, the PM's role, feedback."""
    assert match.best is not None
    lang = match.lang
    blocks = entry_blocks(match.best.entry, match.best.team, lang,
                          confidence or confidence_words(match))
    if shared_by and USER_ID.match(shared_by):
        prefix = f"{ui(lang)['shared_by']} <@{shared_by}> · "
    else:
        prefix = f"{ui(lang)['shared_by']} {escape_user_text(shared_by)} · " if shared_by else ""
    blocks.append(question_context(match.question, lang, prefix))
    if match.decision == "ambiguous" and match.alternatives:
        blocks.append(section(f"*{words(lang)['also']}:*"))
        blocks.append(alternative_buttons(match.alternatives, lang, ref))
    blocks.append(feedback_buttons(ref, lang, share=share))
    return blocks


def decline_blocks(match: Match, knowledge: Knowledge, ref: str) -> list[Block]:
    """Not confident: say why, offer the closest areas as buttons, point to the fallback."""
    w = words(match.lang)
    lang = match.lang
    blocks = [section(decline_message(match))]
    if match.question:
        blocks.append(question_context(match.question, lang))
    if match.alternatives and match.reason == "low_score":
        blocks.append(section(f"*{w['closest']}:*"))
        blocks.append(alternative_buttons(match.alternatives, lang, ref))
    fallback = knowledge.fallback
    blocks.append(context(
        f"{w['ask_fallback']}: {escape_user_text(fallback.name.get(lang))} "
        f"({team_contact(fallback, lang)})"
    ))
    return blocks


def help_blocks(command: str = "/owner") -> list[Block]:
    return [
        section(
            "*Owner Bot* 告诉你某项工作归哪个团队负责，以及产品经理在其中做什么。\n"
            f"• `{command} 谁负责写代码？` 提问（只有你能看到回答，可以一键分享到频道）\n"
            f"• `{command} 团队` 查看所有领域及负责团队\n"
            f"• `{command} 帮助` 显示这段说明\n"
            "也可以在频道里 @我 提问（我会在该消息的讨论串里回答），或者直接私信我。"
        ),
        {"type": "divider"},
        section(
            "*Owner Bot* tells you which team owns a piece of work and what the product "
            "manager does there.\n"
            f"• `{command} Who writes the code?` ask (only you see the answer; a button shares "
            "it in the channel)\n"
            f"• `{command} teams` (or `list`) shows every area and its owning team\n"
            f"• `{command} help` shows this message\n"
            "You can also @mention me in a channel (I answer in the thread) or send me a DM."
        ),
        context("👍 / 👎 on an answer tells the maintainers what to improve. "
                "答案下方的 👍 / 👎 帮助我们改进知识库。"),
    ]


def teams_blocks(knowledge: Knowledge, lang: str) -> list[Block]:
    """Every owning team with its contact and the areas it owns, in the asker's language."""
    areas: dict[str, list[str]] = {}
    for entry in knowledge.entries:
        areas.setdefault(entry.team, []).append(entry.area.get(lang))
    blocks: list[Block] = [section(f"*{ui(lang)['teams_title']}*")]
    team_ids = [t for t in knowledge.teams if t in areas]
    room = _MAX_BLOCKS - 2
    for team_id in team_ids[:room]:
        team = knowledge.teams[team_id]
        lines = "\n".join(f"• {escape_user_text(a)}" for a in areas[team_id])
        blocks.append(section(
            f"*{escape_user_text(team.name.get(lang))}* ({team_contact(team, lang)})\n{lines}"
        ))
    if len(team_ids) > room:
        blocks.append(context(ui(lang)["more"].format(n=len(team_ids) - room)))
    return blocks
