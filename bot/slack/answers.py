"""What the bot says, as plain functions of the matcher: no Slack client, no Bolt.

Every listener ends up here, so the behaviour is tested without Slack and the listeners stay thin.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Literal

from ..matcher import Candidate, Match, Matcher
from ..question import clean
from ..reply import render_text
from .blocks import (
    Block,
    answer_blocks,
    decline_blocks,
    escape_user_text,
    help_blocks,
    teams_blocks,
    ui,
)
from .feedback import AnswerRecord, FeedbackStore, new_ref

Intent = Literal["help", "teams", "ask"]

_HELP_WORDS = {"", "help", "usage", "?", "？", "-h", "--help", "帮助", "help me", "说明", "用法"}
_TEAMS_WORDS = {"teams": "en", "team": "en", "list": "en", "areas": "en",
                "团队": "zh", "列表": "zh", "团队列表": "zh", "领域": "zh"}

HELP_TEXT = ("Owner Bot: /owner <question> — who owns a piece of work and what the PM does. "
             "/owner teams lists the areas. 用 /owner <问题> 提问，/owner 团队 查看所有领域。")


@dataclass(frozen=True)
class Reply:
    text: str  # notification fallback: already escaped
    blocks: list[Block] = field(default_factory=list)
    ref: str | None = None  # the question's reference carried by the buttons
    match: Match | None = None


@dataclass(frozen=True)
class Asker:
    """Who asked where, for the feedback records."""

    user: str | None = None
    channel: str | None = None
    surface: str = ""  # mention | dm | command | alternative | share


def pinned(matcher: Matcher) -> Matcher:
    """The matcher fixed to the knowledge version served right now.

    A reload swaps `matcher.index`; a reply built from this view reads one version throughout
    (the match, the fallback team, the teams list), so no reply mixes two versions.
    """
    view = copy.copy(matcher)
    view.index = matcher.index
    return view


def parse_request(text: str | None) -> tuple[Intent, str]:
    """('help', ''), ('teams', lang) or ('ask', text) from what the person typed.

    The question goes on as typed: the matcher cleans it once (cleaning twice would unescape
    Slack's &lt; twice and turn literal text into markup).
    """
    word = clean(text).lower().strip(" .!?。！？")
    if word in _HELP_WORDS:
        return "help", ""
    if word in _TEAMS_WORDS:
        return "teams", _TEAMS_WORDS[word]
    return "ask", text or ""


def help_reply() -> Reply:
    return Reply(escape_user_text(HELP_TEXT), help_blocks())  # "<question>" is not markup


def teams_reply(matcher: Matcher, lang: str) -> Reply:
    title = ui(lang)["teams_title"]
    return Reply(title, teams_blocks(matcher.knowledge, lang))


def answer_question(matcher: Matcher, text: str, *, feedback: FeedbackStore | None = None,
                    asker: Asker | None = None, share: bool = False) -> Reply:
    """Match the question and build the reply; with a store, record the answer or decline."""
    asker = asker or Asker()
    matcher = pinned(matcher)
    match = matcher.match(text)
    ref = new_ref()
    fallback = escape_user_text(render_text(match, matcher.knowledge))
    if match.best is None:
        if feedback is not None:
            feedback.record_decline(match, ref, user=asker.user, channel=asker.channel,
                                    surface=asker.surface)
        return Reply(fallback, decline_blocks(match, matcher.knowledge, ref), ref, match)
    if feedback is not None:
        feedback.record_answer(match, ref, user=asker.user, channel=asker.channel,
                               surface=asker.surface)
    return Reply(fallback, answer_blocks(match, ref, share=share), ref, match)


def reply_to(matcher: Matcher, text: str | None, *, feedback: FeedbackStore | None = None,
             asker: Asker | None = None, share: bool = False) -> Reply:
    """Help, the teams list, or an answer: one entry point for every surface."""
    matcher = pinned(matcher)
    intent, arg = parse_request(text)
    if intent == "help":
        return help_reply()
    if intent == "teams":
        return teams_reply(matcher, arg)
    return answer_question(matcher, arg, feedback=feedback, asker=asker, share=share)


def answer_entry(matcher: Matcher, entry_id: str, question: str, lang: str, score: float, *,
                 feedback: FeedbackStore | None = None, asker: Asker | None = None,
                 share: bool = False) -> Reply | None:
    """The answer for an entry the asker picked among the alternatives; None if it is gone."""
    asker = asker or Asker()
    knowledge = matcher.knowledge
    entry = knowledge.entry(entry_id)
    if entry is None:
        return None
    best = Candidate(entry, knowledge.team_of(entry), score)
    match = Match(question, lang, "answer", "picked", score, best, (), knowledge.version)
    ref = new_ref()
    if feedback is not None:
        feedback.record_answer(match, ref, user=asker.user, channel=asker.channel,
                               surface=asker.surface)
    blocks = answer_blocks(match, ref, share=share, confidence=ui(lang)["picked"])
    return Reply(escape_user_text(render_text(match, knowledge)), blocks, ref, match)


def shared_answer(matcher: Matcher, record: AnswerRecord, shared_by: str | None) -> Reply | None:
    """The answer behind `record` again, for the channel: same entry, same confidence."""
    knowledge = matcher.knowledge
    entry = knowledge.entry(record.entry)
    if entry is None:
        return None
    best = Candidate(entry, knowledge.team_of(entry), record.score)
    decision = "ambiguous" if record.decision == "ambiguous" else "answer"
    match = Match(record.question, record.lang, decision, "shared", record.score, best, (),
                  knowledge.version)
    blocks = answer_blocks(match, record.ref, shared_by=shared_by)
    return Reply(escape_user_text(render_text(match, knowledge)), blocks, record.ref, match)
