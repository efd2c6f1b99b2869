"""Question cleaning (Slack markup, invisible characters, length) and reply language."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.question import MAX_QUESTION_CHARS, clean, has_words, language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("谁负责写代码？", "zh"),  # simplified
        ("誰負責寫程式", "zh"),  # traditional
        ("程式碼誰來寫？", "zh"),
        ("Who writes the code?", "en"),
        ("budget 谁来做", "zh"),  # mixed, mostly Chinese
        ("bug谁来修", "zh"),
        ("Who owns the 预算?", "en"),  # mixed, mostly English
        ("who owns 预算", "en"),  # a tie: the question words are English
        ("usability test 找谁", "zh"),  # a tie: the question words are Chinese
        ("API 接口谁来写", "zh"),
        ("", "en"),
        ("123 ???", "en"),
    ],
)
def test_language(text, lang):
    assert language(text) == lang


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("the aircon in room *Everest* is leaking", "the aircon in room Everest is leaking"),
        ("who owns _billing_ ~now~?", "who owns billing now?"),
        ("*PRD* 谁写", "PRD 谁写"),
        ("my_var_name and 2*3*4 and a * b", "my_var_name and 2*3*4 and a * b"),
    ],
)
def test_clean_drops_slack_emphasis_but_not_snake_case_or_arithmetic(raw, cleaned):
    assert clean(raw) == cleaned


def test_clean_resolves_slack_markup():
    raw = "<@U012AB3CD> who owns <https://example.com/budget|the budget> in <#C024BE7LR|finance>?"
    assert clean(raw) == "who owns the budget in #finance?"
    assert clean("see <https://example.com/x>") == "see https://example.com/x"
    assert clean("<!here> 谁负责写代码") == "谁负责写代码"
    assert clean("<!subteam^S0123|@eng> who fixes bugs?") == "who fixes bugs?"
    assert clean("R&amp;D &lt;budget&gt;") == "R&D <budget>"
    assert clean("```谁负责写代码```") == "谁负责写代码"


def test_clean_removes_zero_width_characters_without_splitting_words():
    assert clean("谁负\u200b责写\u200d代码") == "谁负责写代码"
    assert clean("\ufeffwri\u200bte code\u2060") == "write code"
    assert clean("soft\u00adware") == "software"


def test_clean_turns_control_characters_into_spaces():
    assert clean("who\x00writes\x07the\tcode\r\n?") == "who writes the code ?"
    assert clean("  谁负责\n\n写代码  ") == "谁负责 写代码"


def test_clean_normalises_width():
    assert clean("Ｗｈｏ ｏｗｎｓ ｔｈｅ ｂｕｄｇｅｔ？") == "Who owns the budget?"


def test_clean_bounds_length():
    long = "谁负责写代码" * 1000
    assert len(clean(long)) == MAX_QUESTION_CHARS
    assert len(clean("x " * 100_000)) <= MAX_QUESTION_CHARS


def test_clean_empty():
    assert clean(None) == ""
    assert clean("") == ""
    assert clean("\u200b \n\t") == ""


def test_has_words():
    assert has_words("谁负责写代码")
    assert has_words("who")
    assert not has_words("👍👍 !!! 123")
    assert not has_words("")


@given(st.text(max_size=5000))
def test_clean_is_bounded_and_visible(text):
    out = clean(text)
    assert len(out) <= MAX_QUESTION_CHARS
    assert out == out.strip()
    assert "\n" not in out and "\u200b" not in out and "\x00" not in out
    assert language(out) in ("zh", "en")
