"""A Match as the plain-text reply the CLI prints and Slack shows in notifications.

Everything comes from the Match itself (its knowledge version included) and bot/messages.py,
so a reply can never mix two knowledge versions. Slack's blocks reuse these pieces.
"""

from __future__ import annotations

from .knowledge import Contact, Team
from .matcher import Candidate, Match
from .messages import pick, t

_DECLINE_KEYS = {"empty": "no_words", "off_topic": "off_topic", "no_words": "no_words",
                 "no_topic": "no_topic"}

# "very sure" needs both a strong match and a clear lead over the next team.
VERY_SURE_SCORE = 0.8
VERY_SURE_LEAD = 0.15


def decline_message(match: Match) -> str:
    """Why the bot is not answering, in the asker's language."""
    return t(match.lang, _DECLINE_KEYS.get(match.reason, "declined"))


def confidence_words(match: Match) -> str:
    """How sure the bot is, in plain words rather than a raw score."""
    if match.decision == "decline":
        return t(match.lang, "not_sure")
    if match.decision == "ambiguous":
        return t(match.lang, "close_call")
    lead = match.lead
    if lead is None:
        lead = match.score - match.alternatives[0].score if match.alternatives else match.score
    sure = match.score >= VERY_SURE_SCORE and lead >= VERY_SURE_LEAD
    return t(match.lang, "very_sure" if sure else "fairly_sure")


def contact_text(contact: Contact, slack: bool = False) -> str:
    """Contact line; with slack=True, IDs become links and mentions Slack renders."""
    parts = []
    if contact.channel_id and slack:
        parts.append(f"<#{contact.channel_id}>")
    elif contact.channel:
        parts.append(contact.channel)
    if contact.usergroup_id and slack:
        parts.append(f"<!subteam^{contact.usergroup_id}>")
    elif contact.usergroup:
        parts.append(contact.usergroup)
    if contact.email:
        parts.append(contact.email)
    return " · ".join(parts)


def team_line(team: Team, lang: str) -> str:
    contact = contact_text(team.contact) or t(lang, "no_contact")
    return f"{pick(team.name, lang)} ({contact})"


def candidate_line(candidate: Candidate, lang: str) -> str:
    return f"{pick(candidate.entry.area, lang)} → {pick(candidate.team.name, lang)}"


def render_text(match: Match) -> str:
    """Plain-text reply: what the CLI prints and what Slack shows in notifications."""
    lang = match.lang
    if match.best is None:
        lines = [decline_message(match)]
        if match.alternatives and match.reason == "low_score":
            lines.append(f"{t(lang, 'closest')}:")
            lines.extend(f"  • {candidate_line(c, lang)}" for c in match.alternatives[:3])
        lines.append(f"{t(lang, 'ask_fallback')}: {team_line(match.knowledge.fallback, lang)}")
        return "\n".join(lines)
    entry, team = match.best.entry, match.best.team
    lines = [
        f"{t(lang, 'area')}: {pick(entry.area, lang)}",
        f"{t(lang, 'owner')}: {team_line(team, lang)}",
        f"{t(lang, 'pm_does')}: {pick(entry.pm_does, lang)}",
        f"{t(lang, 'pm_does_not')}: {pick(entry.pm_does_not, lang)}",
        f"{t(lang, 'sure')}: {confidence_words(match)}",
    ]
    if match.decision == "ambiguous" and match.alternatives:
        lines.append(f"{t(lang, 'also')}:")
        lines.extend(f"  • {candidate_line(c, lang)}" for c in match.alternatives[:3])
    return "\n".join(lines)
