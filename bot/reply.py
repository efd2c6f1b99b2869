"""The human reply, in the asker's language. Slack blocks reuse these phrases."""

from __future__ import annotations

from .knowledge import Contact, Knowledge, Team
from .matcher import Candidate, Match

_WORDS = {
    "zh": {
        "area": "领域",
        "owner": "负责团队",
        "contact": "联系方式",
        "pm_does": "产品经理要做的",
        "pm_does_not": "产品经理不做的",
        "sure": "把握",
        "also": "也可能是",
        "declined": "这个问题我没有把握回答。",
        "off_topic": "这个问题不在我的知识范围内：我只回答“某项工作归哪个团队、"
        "产品经理在其中做什么”。",
        "no_words": "没看懂这个问题，请用文字描述你想找谁负责哪项工作，例如：“谁负责写代码？”",
        "no_topic": "请说一下是哪项工作，例如：“预算谁来编？”或“谁负责写测试用例？”",
        "closest": "最接近的领域",
        "ask_fallback": "可以问",
        "no_contact": "（未配置联系方式）",
    },
    "en": {
        "area": "Area",
        "owner": "Owning team",
        "contact": "Contact",
        "pm_does": "What the PM does",
        "pm_does_not": "What the PM does not do",
        "sure": "Confidence",
        "also": "Could also be",
        "declined": "I'm not confident enough to answer this one.",
        "off_topic": "That's outside what I know: I answer who owns a piece of work and what the "
        "product manager does there.",
        "no_words": "I couldn't read a question there. Describe the work you need an owner for, "
        "e.g. \"Who writes the code?\"",
        "no_topic": "Which piece of work do you mean? For example: \"Who owns the budget?\" or "
        "\"Who writes the test cases?\"",
        "closest": "Closest areas",
        "ask_fallback": "You can ask",
        "no_contact": "(no contact configured)",
    },
}


def words(lang: str) -> dict[str, str]:
    return _WORDS["zh" if lang == "zh" else "en"]


def decline_message(match: Match) -> str:
    """Why the bot is not answering, in the asker's language."""
    w = words(match.lang)
    key = {"empty": "no_words"}.get(match.reason, match.reason)
    return w[key] if key in ("off_topic", "no_words", "no_topic") else w["declined"]


def confidence_words(match: Match) -> str:
    """How sure the bot is, in plain words rather than a raw score."""
    zh = match.lang == "zh"
    if match.decision == "decline":
        return "没有把握" if zh else "not sure"
    if match.decision == "ambiguous":
        return "有几个相近的领域，这是最可能的" if zh else "a close call between a few areas"
    # Sure means both a strong match and a clear lead over the next team.
    lead = match.score - match.alternatives[0].score if match.alternatives else match.score
    if match.score >= 0.8 and lead >= 0.15:
        return "很有把握" if zh else "very sure"
    return "比较有把握" if zh else "fairly sure"


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


def team_line(team: Team, lang: str, slack: bool = False) -> str:
    contact = contact_text(team.contact, slack) or words(lang)["no_contact"]
    return f"{team.name.get(lang)} ({contact})"


def candidate_line(candidate: Candidate, lang: str) -> str:
    return f"{candidate.entry.area.get(lang)} → {candidate.team.name.get(lang)}"


def render_text(match: Match, knowledge: Knowledge) -> str:
    """Plain-text reply: what the CLI prints and what Slack shows in notifications."""
    w = words(match.lang)
    lang = match.lang
    if match.best is None:
        lines = [decline_message(match)]
        if match.alternatives and match.reason == "low_score":
            lines.append(f"{w['closest']}:")
            lines.extend(f"  • {candidate_line(c, lang)}" for c in match.alternatives[:3])
        lines.append(f"{w['ask_fallback']}: {team_line(knowledge.fallback, lang)}")
        return "\n".join(lines)
    entry, team = match.best.entry, match.best.team
    lines = [
        f"{w['area']}: {entry.area.get(lang)}",
        f"{w['owner']}: {team_line(team, lang)}",
        f"{w['pm_does']}: {entry.pm_does.get(lang)}",
        f"{w['pm_does_not']}: {entry.pm_does_not.get(lang)}",
        f"{w['sure']}: {confidence_words(match)}",
    ]
    if match.decision == "ambiguous" and match.alternatives:
        lines.append(f"{w['also']}:")
        lines.extend(f"  • {candidate_line(c, lang)}" for c in match.alternatives[:3])
    return "\n".join(lines)
