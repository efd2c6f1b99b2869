"""Replies as plain functions: escaping, Block Kit structure, routing, answers (no Slack)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from slackfakes import block_text

from bot.knowledge import Contact, Team, Text
from bot.matcher import Candidate, Match, Matcher
from bot.question import Question
from bot.slack.answers import answer_entry, answer_question, parse_request, reply_to
from bot.slack.blocks import (
    ACTION_ALT_PREFIX,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    PICK_BLOCK_PREFIX,
    answer_blocks,
    decline_blocks,
    escape_user_text,
    parse_alternative_value,
    team_contact,
)
from bot.store import Asker, SqliteStore


def _buttons(blocks):
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]
            if e["type"] == "button"]


def _picker(blocks) -> dict:
    [block] = [b for b in blocks if b.get("block_id", "").startswith(PICK_BLOCK_PREFIX)]
    return block


def test_escape_user_text_neutralises_mentions_broadcasts_and_disguised_links():
    for raw in ("<!channel>", "<!here|here>", "<@U123ABC>", "<!subteam^S123|@eng>",
                "<http://evil.example|https://safe.example>", "<#C123>"):
        escaped = escape_user_text(raw)
        assert "<" not in escaped and ">" not in escaped
    assert escape_user_text("a & b") == "a &amp; b"
    assert escape_user_text("&lt;") == "&amp;lt;"  # already-escaped text stays literal
    assert "@channel" not in escape_user_text("hey @channel and @HERE")


@given(st.text())
def test_escaped_text_never_contains_markup_brackets(text):
    escaped = escape_user_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0


def test_knowledge_contacts_render_as_links_and_group_mentions():
    team = Team("eng", Text("开发", "Eng"),
                Contact(channel="#eng", channel_id="C0ENG", usergroup="@oncall",
                        usergroup_id="S0ONCALL"))
    assert team_contact(team, "en") == "<#C0ENG> · <!subteam^S0ONCALL>"


def test_answer_blocks_for_a_close_call_offer_alternatives_and_feedback(matcher: Matcher):
    entries = matcher.knowledge.entries
    first, other = entries[0], next(e for e in entries if e.team != entries[0].team)
    best = Candidate(first, matcher.knowledge.team_of(first), 0.61)
    alt = Candidate(other, matcher.knowledge.team_of(other), 0.6)
    match = Match("<!channel> who?", "en", "ambiguous", "close_call", 0.61, best, (alt,),
                  matcher.knowledge)

    blocks = answer_blocks(match, "REF1", share=True)
    ids = {b["action_id"]: b["value"] for b in _buttons(blocks)}
    assert ids[ACTION_VOTE_UP] == ids[ACTION_VOTE_DOWN] == ids[ACTION_SHARE] == "REF1"
    alt_value = ids[f"{ACTION_ALT_PREFIX}{other.id}"]
    assert parse_alternative_value(alt_value) == ("REF1", "en", 0.6)
    text = block_text(blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert len(blocks) <= 50
    json.dumps(blocks)  # serialisable as Slack needs it


def test_decline_offers_closest_areas_as_buttons_and_the_fallback(matcher: Matcher):
    entry = matcher.knowledge.entries[0]
    alt = Candidate(entry, matcher.knowledge.team_of(entry), 0.3)
    match = Match("something vague", "en", "decline", "low_score", 0.3, None, (alt,),
                  matcher.knowledge)
    blocks = decline_blocks(match, "REF2")
    assert [b["action_id"] for b in _buttons(blocks)] == [f"{ACTION_ALT_PREFIX}{entry.id}"]
    picker = _picker(blocks)  # and "pick the right area", carrying the question's ref
    assert picker["block_id"] == f"{PICK_BLOCK_PREFIX}REF2"
    assert picker["elements"][0]["type"] == "external_select"
    assert "#ask-product-ops" in block_text(blocks)


def test_parse_request_routes_help_teams_and_questions():
    def parse(text: str):
        return parse_request(Question.of(text))

    assert parse("") == ("help", "")
    assert parse("help") == ("help", "")
    assert parse(" 帮助 ") == ("help", "")
    assert parse("teams") == ("teams", "en")
    assert parse("List") == ("teams", "en")
    assert parse("团队") == ("teams", "zh")
    assert parse("<@UBOT> 谁负责写代码？") == ("ask", "")


def test_answer_question_in_chinese_and_english(matcher: Matcher, tmp_path):
    store = SqliteStore(tmp_path / "f.sqlite3")
    zh = answer_question(matcher, "谁负责写代码？", store=store,
                         asker=Asker("U1", "C1", "mention"))
    en = answer_question(matcher, "Who prepares the balance sheet?", store=store)
    assert zh.match.best.team.id == "engineering" and zh.match.lang == "zh"
    assert en.match.best.team.id == "finance" and en.match.lang == "en"
    assert "开发团队" in block_text(zh.blocks) and "Finance" in block_text(en.blocks)
    assert "开发团队" in zh.text  # the notification fallback names the team too
    record = store.answer(zh.ref)
    assert (record.team, record.user, record.channel) == ("engineering", "U1", "C1")
    store.close()


def test_a_declined_question_is_recorded_with_its_ref(matcher: Matcher, tmp_path):
    store = SqliteStore(tmp_path / "f.sqlite3")
    asker = Asker("U2", "D2", "dm")
    reply = answer_question(matcher, "今天天气怎么样", store=store, asker=asker)
    assert reply.match.decision == "decline"
    [row] = store.declined()
    assert (row["ref"], row["question"], row["user"]) == (reply.ref, "今天天气怎么样", "U2")
    assert store.question(reply.ref) == ("今天天气怎么样", "zh")
    store.close()


def test_picking_an_alternative_answers_that_entry(matcher: Matcher):
    finance = next(e for e in matcher.knowledge.entries if e.team == "finance")
    reply = answer_entry(matcher.knowledge, finance.id, "谁管钱", "zh", 0.42)
    assert reply.match.best.team.id == "finance" and "财务团队" in block_text(reply.blocks)
    assert answer_entry(matcher.knowledge, "no-such-entry", "q", "en", 0.1) is None


def test_help_and_teams_replies(matcher: Matcher):
    help_text = block_text(reply_to(matcher, "help").blocks)
    assert "/owner" in help_text and "团队" in help_text and "teams" in help_text
    teams = reply_to(matcher, "teams").blocks
    assert len(teams) <= 50
    text = block_text(teams)
    for team_id in {e.team for e in matcher.knowledge.entries}:
        assert matcher.knowledge.teams[team_id].name.en in text


def test_every_reply_surface_follows_the_askers_script(matcher: Matcher):
    """Traditional Chinese in, traditional Chinese out: the blocks, the buttons, the decline."""
    answered = answer_question(matcher, "測試計畫誰來寫？")
    shown = block_text(answered.blocks) + answered.text
    assert answered.match.lang == "zh-Hant"
    assert "負責團隊" in shown and "有幫助" in shown and "负责" not in shown
    declined = answer_question(matcher, "今天天氣怎麼樣")
    assert declined.match.lang == "zh-Hant" and "可以問" in block_text(declined.blocks)
    japanese = answer_question(matcher, "テスト計画は誰が作りますか？")
    shown = block_text(japanese.blocks) + str(japanese.blocks)
    assert japanese.match.lang == "ja" and "担当チーム" in shown and "役に立った" in shown
    assert "Owning team" not in shown


def test_every_message_exists_in_every_language():
    from bot.messages import _STRINGS

    assert set(_STRINGS["zh"]) == set(_STRINGS["en"]) == set(_STRINGS["ja"])
