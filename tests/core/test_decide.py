"""The decision rule fitted on the knowledge itself: refitted on a made-up bakery chain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import decide
from bot.cache import EmbeddingCache
from bot.config import Settings
from bot.engine import build_matcher
from bot.matcher import Matcher
from bot.scoring import Signals, plan, score_views

from .support import REPO_ROOT

BAKERY = REPO_ROOT / "tests" / "data" / "acme_knowledge"


@pytest.fixture(scope="module")
def bakery(use_encoder) -> Matcher:
    return build_matcher(Settings(knowledge_dir=BAKERY), encoder=use_encoder,
                         cache=EmbeddingCache(None))


def test_the_rule_is_fitted_from_the_folder_alone(bakery: Matcher):
    assert bakery.index.rule is not None
    assert bakery.thresholds.fitted


@pytest.mark.parametrize(
    ("question", "team"),
    [
        # new phrasings of the bakery's own example questions, none of them in its knowledge
        ("the croissants taste too sweet, who can change the recipe", "kitchen"),
        ("面包的新口味谁来研发", "kitchen"),
        ("谁检查进来的原料", "kitchen"),
        ("a cashier called in sick, who organises cover for her shift?", "stores"),
        ("门店班表谁排", "stores"),
        ("who sets up the window display for Easter", "stores"),
        ("送货司机谁来安排", "delivery"),
        ("our refrigerated van broke down, who gets it repaired?", "delivery"),
    ],
)
def test_it_answers_the_companys_paraphrases(bakery: Matcher, question: str, team: str):
    match = bakery.match(question)
    assert match.answered, (question, match.reason, match.confidence)
    assert match.best is not None and match.best.team.id == team


@pytest.mark.parametrize(
    "chat",
    ["今天好热啊", "帮我查一下明天的天气", "happy birthday Anna!", "how do I reset my phone",
     "推荐一家好吃的餐厅", "what's 12 times 7", "thanks, see you tomorrow", "我想请一天假去看病"],
)
def test_it_declines_chat(bakery: Matcher, chat: str):
    match = bakery.match(chat)
    assert not match.answered, (chat, match.best and match.best.entry.id, match.confidence)


def test_a_fitted_rule_survives_the_cache_and_a_bad_row_is_refitted(tmp_path, use_encoder):
    settings = Settings(knowledge_dir=BAKERY, data_dir=tmp_path)
    first = build_matcher(settings, encoder=use_encoder)
    again = build_matcher(settings, encoder=use_encoder)
    assert first.index.rule is not None and again.index.rule is not None
    np.testing.assert_allclose(again.index.rule.to_array(), first.index.rule.to_array())
    assert decide.Rule.from_array(np.zeros(3, np.float32)) is None


def test_hand_set_thresholds_override_the_fitted_rule(use_encoder, monkeypatch):
    monkeypatch.setenv("OWNER_BOT_ANSWER_THRESHOLD", "1.5")  # above any combined score
    matcher = build_matcher(Settings.from_env(knowledge_dir=BAKERY), encoder=use_encoder,
                            cache=EmbeddingCache(None))
    assert not matcher.thresholds.fitted
    match = matcher.match("送货路线谁来规划")  # an example itself: a fitted rule answers it
    assert (match.decision, match.reason) == ("decline", "low_score")


def test_fit_separates_two_clouds_and_caps_the_chat_that_passes():
    rng = np.random.default_rng(0)
    n = len(decide.FEATURES)
    positives = rng.normal(1.0, 0.3, (200, n))
    negatives = rng.normal(0.0, 0.3, (300, n))
    rule = decide.fit(positives, negatives)
    passed = np.mean([rule.probability(v) >= rule.decline_below for v in negatives])
    answered = np.mean([rule.probability(v) >= rule.decline_below for v in positives])
    assert passed <= decide.MAX_CHAT_PASS and answered > 0.95
    strict = decide.fit(positives, negatives, max_pass=decide.MAX_BARE_CHAT_PASS)
    assert strict.decline_below >= rule.decline_below
    assert np.mean([strict.probability(v) >= strict.decline_below for v in negatives]) <= (
        decide.MAX_BARE_CHAT_PASS)


def test_a_message_without_asking_words_needs_the_even_odds_threshold():
    rule = decide.Rule(np.zeros(len(decide.FEATURES)), 0.0, np.zeros(len(decide.FEATURES)),
                       np.ones(len(decide.FEATURES)), decline_below=decide.DECLINE)

    def observed(has_ask: bool, bare: bool = False) -> decide.Observation:
        signals = Signals(np.zeros(1), np.zeros(1), 0.5, 0.2)
        return decide.Observation(0.5, 0.1, 0.2, signals, has_ask, bare, 12)

    # P is 0.5 everywhere: above the floor for an ask, on the line for a message with none
    assert rule.judge(observed(True))[0].decline_below == decide.DECLINE < decide.UNASKED
    assert rule.judge(observed(False))[0].decline_below == decide.UNASKED
    assert rule.judge(observed(False, bare=True))[0].decline_below == decide.DECLINE


def test_a_folder_without_chat_falls_back_to_hand_thresholds(write_knowledge, use_encoder):
    folder: Path = write_knowledge()
    matcher = build_matcher(Settings(knowledge_dir=folder), encoder=use_encoder,
                            cache=EmbeddingCache(None))
    assert matcher.index.rule is None
    assert matcher.match("Who owns the budget?").best.team.id == "finance"


@pytest.mark.parametrize(
    ("topic", "team"),
    [("门店排班", "stores"), ("过敏原标签", "kitchen"), ("van repairs", "delivery")],
)
def test_a_bare_topic_of_the_company_is_answered(bakery: Matcher, topic: str, team: str):
    # none of these is in its knowledge alone; its examples ask "门店排班谁来做" and so on
    assert bakery.index.rule is not None and bakery.index.rule.bare is not None
    match = bakery.match(topic)
    assert match.answered, (topic, match.reason, match.confidence)
    assert match.best is not None and match.best.team.id == team


@pytest.mark.parametrize("chat", ["晚安", "谢谢你", "thanks!", "周末愉快", "lol"])
def test_short_chat_is_declined_by_the_bare_topic_rule(bakery: Matcher, chat: str):
    match = bakery.match(chat)
    assert not match.answered, (chat, match.best and match.best.entry.id, match.confidence)


def test_the_bare_topic_rule_survives_the_cache(bakery: Matcher):
    rule = bakery.index.rule
    assert rule is not None and rule.bare is not None
    again = decide.Rule.from_array(rule.to_array())
    assert again is not None and again.bare is not None
    np.testing.assert_allclose(again.bare.weights, rule.bare.weights, rtol=1e-5)
    assert again.bare.decline_below == pytest.approx(rule.bare.decline_below, rel=1e-5)
    # a rule cached before bare topics had their own still loads, without one
    old = decide.Rule.from_array(rule.to_array()[: 3 * len(decide.FEATURES) + 2])
    assert old is not None and old.bare is None


@pytest.mark.parametrize(
    "message",
    ["蛋糕太甜了 顾客一直在说 找哪个 team",
     "the van fridge died on the morning route, who takes care of it?"],
)
def test_an_ask_that_names_no_work_gives_way_to_the_message(bakery: Matcher, message: str):
    # The ask alone ("找哪个 team") is near every entry's example questions, whose template it
    # shares; the views that name the work decide, as if the empty ask were not there.
    read = plan(message)
    assert len(read.views) >= 2 and read.views[0].text == read.ask.replace(",", "")
    vectors = bakery._encode(read.texts)
    signals = score_views(bakery.index, read.views, vectors, bakery.thresholds)
    without_ask = score_views(bakery.index, read.views[1:], vectors, bakery.thresholds)
    np.testing.assert_allclose(signals.best_view, without_ask.best_view)
    assert bakery.match(message).best.team.id == ("kitchen" if "蛋糕" in message else "delivery")
