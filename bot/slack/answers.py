"""What the bot says, as plain functions of a matcher or a knowledge version: no Slack client.

Every listener ends up here, so the behaviour is tested without Slack and the listeners stay thin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from ..knowledge import Knowledge
from ..matcher import Candidate, Match, Matcher
from ..messages import t
from ..question import Question
from ..reply import render_text
from ..store import AnswerRecord, Asker, Store, StoreError, new_ref
from .blocks import (
    Block,
    answer_blocks,
    decline_blocks,
    escape_user_text,
    help_blocks,
    teams_blocks,
)

logger = logging.getLogger(__name__)

Intent = Literal["help", "teams", "ask"]

_HELP_WORDS = {"", "help", "usage", "?", "？", "-h", "--help", "帮助", "help me", "说明", "用法",
               "ヘルプ", "使い方"}
_TEAMS_WORDS = {"teams": "en", "team": "en", "list": "en", "areas": "en",
                "团队": "zh", "列表": "zh", "团队列表": "zh", "领域": "zh",
                "チーム": "ja", "チーム一覧": "ja", "一覧": "ja", "領域": "ja"}


@dataclass(frozen=True)
class Reply:
    text: str  # notification fallback: already escaped
    blocks: list[Block] = field(default_factory=list)
    ref: str | None = None  # the question's reference carried by the buttons
    match: Match | None = None


def parse_request(question: Question) -> tuple[Intent, str]:
    """('help', ''), ('teams', lang) or ('ask', '') from what the person typed."""
    word = question.text.lower().strip(" .!?。！？")
    if word in _HELP_WORDS:
        return "help", ""
    if word in _TEAMS_WORDS:
        return "teams", _TEAMS_WORDS[word]
    return "ask", ""


def help_reply(japanese: bool = False) -> Reply:
    """`japanese`: the knowledge answers in Japanese too, so help is given in it as well."""
    langs = ("zh", "en", "ja") if japanese else ("zh", "en")
    text = " ".join(t(lang, "help_text") for lang in langs)
    return Reply(escape_user_text(text), help_blocks(langs=langs))  # "<question>" is not markup


def teams_reply(knowledge: Knowledge, lang: str) -> Reply:
    if lang == "ja" and not knowledge.speaks_japanese:
        lang = "en"
    return Reply(t(lang, "teams_title"), teams_blocks(knowledge, lang))


def _record(store: Store | None, match: Match, ref: str, asker: Asker) -> None:
    if store is None:
        return
    record = store.record_answer if match.best is not None else store.record_decline
    try:
        record(match, ref, user=asker.user, channel=asker.channel, surface=asker.surface)
    except StoreError as exc:
        # The answer still goes out: a record lost beats a question left unanswered.
        logger.warning("answer %s not recorded: %s", ref, exc)


def answer_question(matcher: Matcher, question: Question | str, *, store: Store | None = None,
                    asker: Asker | None = None, share: bool = False) -> Reply:
    """Match the question and build the reply; with a store, record the answer or decline."""
    match = matcher.match(question)
    ref = new_ref()
    _record(store, match, ref, asker or Asker())
    text = escape_user_text(render_text(match))
    if match.best is None:
        return Reply(text, decline_blocks(match, ref), ref, match)
    return Reply(text, answer_blocks(match, ref, share=share), ref, match)


def reply_to(matcher: Matcher, question: Question | str, *, store: Store | None = None,
             asker: Asker | None = None, share: bool = False) -> Reply:
    """Help, the teams list, or an answer: one entry point for every surface."""
    if isinstance(question, str):
        question = Question.of(question)
    intent, lang = parse_request(question)
    if intent == "help":
        return help_reply(matcher.knowledge.speaks_japanese)
    if intent == "teams":
        return teams_reply(matcher.knowledge, lang)
    return answer_question(matcher, question, store=store, asker=asker, share=share)


def answer_entry(knowledge: Knowledge, entry_id: str, question: str, lang: str, score: float,
                 *, store: Store | None = None, asker: Asker | None = None,
                 share: bool = False) -> Reply | None:
    """The answer for an entry the asker picked among the alternatives; None if it is gone."""
    entry = knowledge.entry(entry_id)
    if entry is None:
        return None
    best = Candidate(entry, knowledge.team_of(entry), score)
    match = Match(question, lang, "answer", "picked", score, best, (), knowledge)
    ref = new_ref()
    _record(store, match, ref, asker or Asker())
    blocks = answer_blocks(match, ref, share=share, confidence=t(lang, "picked"))
    return Reply(escape_user_text(render_text(match)), blocks, ref, match)


def shared_answer(knowledge: Knowledge, record: AnswerRecord,
                  shared_by: str | None) -> Reply | None:
    """The answer behind `record` again, for the channel: same entry, same confidence."""
    entry = knowledge.entry(record.entry)
    if entry is None:
        return None
    best = Candidate(entry, knowledge.team_of(entry), record.score)
    decision = "ambiguous" if record.decision == "ambiguous" else "answer"
    match = Match(record.question, record.lang, decision, "shared", record.score, best, (),
                  knowledge)
    blocks = answer_blocks(match, record.ref, shared_by=shared_by)
    return Reply(escape_user_text(render_text(match)), blocks, record.ref, match)
