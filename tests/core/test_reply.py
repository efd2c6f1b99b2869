"""Replies in the asker's language: area, team, contact, PM does / does not, confidence."""

from __future__ import annotations

import pytest

from bot.cache import EmbeddingCache
from bot.config import Settings
from bot.engine import build_matcher
from bot.knowledge import Contact, Knowledge, load_knowledge
from bot.matcher import Candidate, Match
from bot.messages import pick
from bot.reply import confidence_words, contact_text, render_text

from .support import SMALL_ENTRIES, TEAMS, dump


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> Knowledge:
    folder = tmp_path_factory.mktemp("reply-knowledge")
    (folder / "entries").mkdir()
    (folder / "teams.yaml").write_text(dump(TEAMS), encoding="utf-8")
    (folder / "entries" / "all.yaml").write_text(dump(SMALL_ENTRIES), encoding="utf-8")
    return load_knowledge(folder)


def candidate(knowledge: Knowledge, entry_id: str, score: float) -> Candidate:
    entry = knowledge.entry(entry_id)
    return Candidate(entry, knowledge.team_of(entry), score)


def answer(knowledge, lang, score=0.8, decision="answer", alternatives=()) -> Match:
    best = candidate(knowledge, "coding", score)
    alts = tuple(candidate(knowledge, e, s) for e, s in alternatives)
    return Match("q", lang, decision, "confident", score, best, alts, knowledge)


def decline(knowledge, lang, reason="low_score") -> Match:
    alts = (candidate(knowledge, "budget", 0.4), candidate(knowledge, "testing", 0.35))
    return Match("q", lang, "decline", reason, 0.4, None, alts, knowledge)


def test_chinese_answer(knowledge):
    text = render_text(answer(knowledge, "zh"))
    assert "领域: 编写代码与实现功能" in text
    assert "负责团队: 开发团队 (#eng-help · @eng-oncall)" in text
    assert "产品经理要做的: 定义编写代码与实现功能的需求并验收结果" in text
    assert "产品经理不做的: 不亲自做编写代码与实现功能" in text
    assert "把握: 很有把握" in text
    assert "Engineering" not in text and "Owning team" not in text


def test_english_answer(knowledge):
    text = render_text(answer(knowledge, "en", score=0.6))
    assert "Area: Writing code and building features" in text
    assert "Owning team: Engineering (#eng-help · @eng-oncall)" in text
    assert "What the PM does: Sets what Writing code and building features needs" in text
    assert "What the PM does not do: Does not do Writing code and building features itself" in text
    assert "Confidence: fairly sure" in text
    assert "开发团队" not in text


def test_ambiguous_answer_offers_the_others(knowledge):
    match = answer(knowledge, "en", score=0.55, decision="ambiguous",
                   alternatives=[("testing", 0.54)])
    text = render_text(match)
    assert "Confidence: a close call between a few areas" in text
    assert "Could also be:" in text
    assert "Software testing → QA / Testing" in text
    zh = render_text(answer(knowledge, "zh", 0.55, "ambiguous", [("testing", 0.54)]))
    assert "也可能是:" in zh and "软件测试 → 测试团队" in zh


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("zh", ["这个问题我没有把握回答。", "最接近的领域:", "预算管理 → 财务团队",
                "可以问: 产品运营支持 (#ask-product-ops)"]),
        ("en", ["I'm not confident enough to answer this one.", "Closest areas:",
                "Budget management → Finance",
                "You can ask: Product operations (#ask-product-ops)"]),
    ],
)
def test_decline_lists_closest_areas_and_fallback(knowledge, lang, lines):
    text = render_text(decline(knowledge, lang))
    for line in lines:
        assert line in text


def test_off_topic_decline_points_to_fallback(knowledge):
    text = render_text(decline(knowledge, "en", reason="off_topic"))
    assert text.startswith("That's outside what I know")
    assert "You can ask: Product operations (#ask-product-ops)" in text
    zh = render_text(decline(knowledge, "zh", reason="off_topic"))
    assert zh.startswith("这个问题不在我的知识范围内")


def test_no_words_reply(knowledge):
    match = Match("👍", "en", "decline", "no_words", 0.0, None, (), knowledge)
    assert render_text(match).startswith("I couldn't read a question there.")


def test_confidence_words_by_score(knowledge):
    assert confidence_words(answer(knowledge, "en", score=0.9)) == "very sure"
    assert confidence_words(answer(knowledge, "en", score=0.6)) == "fairly sure"
    assert confidence_words(decline(knowledge, "zh")) == "没有把握"


def test_contact_text():
    contact = Contact(channel="#eng-help", channel_id="C0123", usergroup="@eng",
                      usergroup_id="S0456", email="eng@example.com")
    assert contact_text(contact) == "#eng-help · @eng · eng@example.com"
    assert contact_text(contact, slack=True) == "<#C0123> · <!subteam^S0456> · eng@example.com"
    assert contact_text(Contact()) == ""


def test_team_without_contact_says_so(knowledge):
    import dataclasses

    team = dataclasses.replace(knowledge.teams["engineering"], contact=Contact())
    match = answer(knowledge, "en")
    match = dataclasses.replace(match, best=dataclasses.replace(match.best, team=team))
    assert "Owning team: Engineering ((no contact configured))" in render_text(match)


# --------------------------------------------------------------------------- end to end, real USE


@pytest.mark.parametrize(
    ("question", "lang", "owner", "team_name"),
    [
        ("谁负责写代码？", "zh", "负责团队", "开发团队"),
        ("誰負責寫程式？", "zh-Hant", "負責團隊", "開發團隊"),  # Taiwan: answered in traditional
        ("邊個負責寫程式㗎？", "zh-HK", "負責團隊", "開發團隊"),  # Cantonese: Hong Kong wording
        ("コードは誰が書きますか？", "ja", "担当チーム", "開発チーム"),  # the knowledge has ja
        ("Who writes the code?", "en", "Owning team", "Engineering"),
        ("budget 谁来做", "zh", "负责团队", "财务团队"),  # mixed, mostly Chinese
        ("Who owns the 预算?", "en", "Owning team", "Finance"),  # mixed, mostly English
    ],
)
def test_real_reply_in_the_askers_language(shipped_matcher, question, lang, owner, team_name):
    match = shipped_matcher.match(question)
    assert match.lang == lang
    assert match.answered, match
    text = render_text(match)
    assert f"{owner}: {team_name} (" in text
    pm = {"zh": "产品经理", "ja": "PM がやること", "en": "What the PM"}
    assert pm.get(lang, "產品經理") in text
    if lang == "ja":
        assert "Owning team" not in text and "Engineering" not in text
    if lang in ("zh-Hant", "zh-HK"):
        assert "产品经理" not in text and "负责" not in text  # no simplified left over


def test_real_decline_for_chat(shipped_matcher):
    for question in ("今天中午吃什么", "What time is it in Tokyo?"):
        match = shipped_matcher.match(question)
        assert not match.answered, (question, match.best and match.best.entry.id)
        text = render_text(match)
        assert pick(shipped_matcher.knowledge.fallback.name, match.lang) in text


def test_japanese_askers_get_english_from_knowledge_without_japanese(tmp_path, use_encoder):
    folder = tmp_path / "plain"
    (folder / "entries").mkdir(parents=True)
    (folder / "teams.yaml").write_text(dump(TEAMS), encoding="utf-8")
    (folder / "entries" / "all.yaml").write_text(dump(SMALL_ENTRIES), encoding="utf-8")
    settings = Settings(knowledge_dir=folder, encoder="use")
    matcher = build_matcher(settings, encoder=use_encoder, cache=EmbeddingCache(None))
    match = matcher.match("コードは誰が書きますか？")
    assert match.lang == "en" and match.answered
    assert "Owning team: Engineering" in render_text(match)


def test_a_japanese_decline_names_the_fallback_in_japanese(shipped_matcher):
    match = shipped_matcher.match("明日の大阪の天気はどうですか？")
    assert match.lang == "ja" and not match.answered
    text = render_text(match)
    assert "問い合わせ先: プロダクトオペレーション" in text
    assert "You can ask" not in text
