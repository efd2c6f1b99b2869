"""The ask finder: a Slack message's clauses, the clause that asks, the views that are scored."""

from __future__ import annotations

import pytest

from bot.ask import clauses, find_views, is_ask, is_bare_topic, names_work
from bot.question import MAX_QUESTION_CHARS, work_phrase


def texts(raw: str) -> list[str]:
    return [c.text for c in clauses(raw)]


def test_clauses_split_on_sentence_ends_newlines_and_chinese_spaces():
    assert texts("登录页那个按钮点了没反应 谁来弄") == ["登录页那个按钮点了没反应", "谁来弄"]
    assert texts("发版在即。测试计划谁写？急！") == ["发版在即。", "测试计划谁写?", "急!"]
    assert texts("checkout is down.\nWho fixes it?") == ["checkout is down.", "Who fixes it?"]
    # a space between Chinese and Latin words is not a clause break
    assert texts("新 service 的 tech stack 谁来定") == ["新 service 的 tech stack 谁来定"]


def test_quotes_bullets_code_and_emoji_codes_are_their_own_clauses_or_gone():
    raw = ("> can someone look at this?\n- item one\n* item two\n"
           "```Traceback (most recent call last): boom```\nwho owns `billing` :fire:")
    parts = clauses(raw)
    assert [c.text for c in parts] == [
        "can someone look at this?", "item one", "item two",
        "Traceback (most recent call last): boom", "who owns billing",
    ]
    assert parts[0].quoted and not parts[1].quoted
    assert parts[3].code and not parts[4].code


def test_slack_markup_is_resolved_before_splitting():
    raw = "<!here> <@U01> quick q:\n<#C02|release> 谁负责 <https://x.example/a|测试计划>？"
    assert texts(raw) == ["quick q:", "#release 谁负责", "测试计划?"]


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("谁来修一下", True),
        ("这种事谁拍板", True),
        ("做竞争分析是不是产品的锅", True),
        ("产品经理要自己写代码吗", True),
        ("release 前的 regression test 是 QA 跑还是我们 PM 自己跑", True),
        ("搵邊個嚟修？", True),
        ("呢個功能係咪開發做？", True),  # Cantonese A-not-A before a role, 開發 traditional
        ("どのチームの管轄になりますか？", True),
        ("who's on the hook for fixing this?", True),
        ("is that a PM thing or mktg?", True),
        ("請款單要送哪個單位簽核？", True),  # Taiwan: 單位 is a department
        ("wifi 又断了，找 IT 还是 admin", True),
        ("should I push the fix myself, or should that go to the devs?", True),
        ("it is what it is", False),
        ("我会一点 SQL，PM 要不要自己去改数据", True),  # doing it oneself instead of its owner
        ("I can code a little, should we just ship the fix ourselves?", True),
        ("could the PM just update the pricing copy herself? it's one line", True),
        ("can you send the PM the link", False),
        ("产品同学自己会点python 是不是可以把导出脚本直接写了", True),
        ("完整的功能测试不用我自己一条条点吧", True),
        ("这个需求的 PRD 在哪？", False),  # asks for a document, not an owner
        ("大家平时都是怎么调节压力的？", False),
        ("can you summarize this thread for me?", False),
        ("How do I center a div in CSS?", False),
        ("who painted the Sunflowers", False),  # a fact about the world, not an owner
        ("西游记的作者是谁", False),
        ("第一个发明电话的人是谁", False),
        ("姚明和易建联谁个子高", False),
        ("这个接口的负责人是谁", True),
        ("谁唱的这首歌", False),
        ("who fixed the login bug? the team that owns it should know", True),
        # Japanese asks: だれ in kana, the department asked for, leaving it to a role
        ("会議室の予約ってだれに頼めばいいですか？", True),
        ("勤怠の締めはどの部署がやっていますか？", True),
        ("この件はマーケさんにお任せでいいですか？", True),
        ("明日は雨が降りますか？", False),
        ("請款單要送哪裡？", True),  # where a form goes is who handles it
        ("这家店在哪里？", False),
        # a number or a time about a role is a fact, not whether the role does the work
        ("产品经理的平均工资是多少？", False),
        ("How many people work in the engineering team?", False),
        ("设计稿几点给？", False),
        ("why do PMs always get blamed when the factory slips lol", False),
        ("测试要几个人？谁负责", True),
    ],
)
def test_is_ask(text, asks):
    assert is_ask(text) is asks


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("会議室の予約ってだれに頼めばいいですか？", "会議室の予約"),
        ("勤怠の締めはどの部署がやっていますか？", "勤怠の締め"),
        ("新しいロゴは結局誰が決めるんですかね？", "新しいロゴ"),
    ],
)
def test_the_japanese_topic_is_kept_without_its_asking_words(question: str, topic: str):
    assert work_phrase(question) == topic


def test_the_last_asking_sentence_is_the_ask_and_its_neighbour_the_context():
    views = find_views("上周展会上认识了一家采购负责人。我是产品经理。接下来谈合同这块应该交给谁？")
    assert views.ask == "接下来谈合同这块应该交给谁?"
    assert views.context == "我是产品经理。 接下来谈合同这块应该交给谁?"
    assert views.has_ask


def test_a_quoted_question_is_context_when_the_poster_asks_their_own():
    views = find_views("> how do I add a second admin?\nwho should answer this one?")
    assert views.ask == "who should answer this one?"
    # the ask with its context is the whole message here: one view, not two
    assert views.texts() == [views.ask, "how do I add a second admin? who should answer this one?"]


def test_a_long_post_keeps_its_ask_at_the_end_within_the_bound():
    background = "我们这边的情况比较复杂，前因后果说来话长。" * 40
    views = find_views(background + "\n这种情况下测试计划到底该谁来写？")
    assert len(views.whole) <= MAX_QUESTION_CHARS
    assert views.whole.endswith("测试计划到底该谁来写?")
    assert views.ask == "这种情况下测试计划到底该谁来写?"


def test_a_one_clause_question_is_its_own_ask():
    views = find_views("Who owns the budget?")
    assert views.ask == views.whole == "Who owns the budget?"
    assert views.texts() == ["Who owns the budget?"]


def test_without_asking_words_the_last_question_mark_is_the_ask():
    views = find_views("新版首页上线了。转化率比旧版高多少？谢谢")
    assert views.ask == "转化率比旧版高多少?" and not views.has_ask


def test_without_asking_words_a_question_particle_marks_the_question():
    views = find_views("我是产品 就改一行文案 我能自己提个PR直接上吗")
    assert views.ask == "我能自己提个PR直接上吗"


def test_with_nothing_that_asks_the_whole_message_is_the_one_view():
    # no clause asks or questions: a last fragment alone ("好崩溃") would read like a topic
    views = find_views("我家猫每天五点就叫我起床 好崩溃")
    assert views.texts() == ["我家猫每天五点就叫我起床 好崩溃"] and not views.has_ask


def test_nothing_to_read_gives_empty_views():
    assert find_views("").texts() == [] and find_views(":fire: :rocket:").texts() == []


@pytest.mark.parametrize("text", [
    "PM需要自己寫程式嗎？",  # an English role word against Chinese: no \b between them
    "bug fix是哪个team负责?",
    "这活到底归那个组",  # 那 typed for 哪
    "有没有人专门负责收集整理的",
    "is the competitive analysis on you or on product?",
    "is there one person who decides which features ship on the watch?",  # the relative asks
    "as a PM do i have to screen resumes myself?",
])
def test_asks_in_mixed_script_and_everyday_typing(text):
    assert is_ask(text)


@pytest.mark.parametrize("text", [
    "how do i make my own pizza dough",  # "own" is not "owns"
    "gift ideas for a 7 year old who likes dinosaurs",  # a relative "who"
    "what do you say to someone who just got promoted",
    "gift ideas for my nephews who like hiking",  # after a plural noun
    "any tips for parents who worked abroad",  # not "who worked": a fact only if it asks
    "is there someone who can help me move my couch",
    "do i need to bring a jacket",
    "huge respect for the ops crew who stayed late, and the team who built the dashboard",
    "多謝設計同事呢排趕稿，辛苦晒",  # Cantonese 呢排 is "these days", not a question's 呢
])
def test_own_and_relative_who_do_not_ask(text):
    assert not is_ask(text)


def test_a_relative_who_does_not_hide_the_asking_one():
    # "who churned" alone reads as a past deed ("who painted"); it describes the customers
    assert is_ask("who calls customers who churned off the plan to hear why they left")
    assert is_ask("who owns onboarding for users who signed up through SSO")


def test_the_asking_piece_of_a_sentence_is_the_ask():
    views = find_views("support keeps asking for a bulk-edit tool, who decides if it ships")
    assert views.ask == "who decides if it ships"
    assert "bulk-edit" in views.whole


def test_a_piece_that_names_no_work_keeps_its_sentence_whole():
    text = "新製品の量産ラインの立ち上げは、どのチームの管轄になりますか？"
    assert find_views(text).ask.startswith("新製品")


@pytest.mark.parametrize("text", ["报销", "客诉", "請款單", "SSO?", "van repairs", "晚安", "ok"])
def test_a_few_words_alone_are_a_bare_topic(text: str):
    assert is_bare_topic(text)
    assert find_views(text).bare


@pytest.mark.parametrize(
    "text",
    # a question of another kind, a sentence, or an ask for an owner: not a bare topic
    ["PRD模板在哪", "投影仪有必要买吗", "what's new?", "报销找谁", "who owns SSO?", "好耶！",
     "happy birthday Anna!",
     "打印机又没墨了真是服了", "please review my deck"],
)
def test_a_question_or_a_sentence_is_not_a_bare_topic(text: str):
    assert not find_views(text).bare


def test_an_earlier_asking_sentence_of_a_long_post_is_a_view_of_its_own():
    raw = ("最近竞品动作很多。老板让我写竞品分析报告。"
           "这种系统性的竞品调研是不是应该由市场那边来做？我这边用结论调整方向就好。"
           "想确认一下再去跟老板沟通。如果确实是市场的工作，我也想知道对接人是谁")
    views = find_views(raw)
    assert views.ask == "我也想知道对接人是谁"
    assert views.earlier == ("这种系统性的竞品调研是不是应该由市场那边来做?",)
    assert views.earlier[0] in views.texts()
    # a short message has no earlier asks beyond its context views
    assert find_views("登录页按钮没反应 谁来修").earlier == ()


@pytest.mark.parametrize(("ask", "named"), [
    ("谁来评估", False),  # what to do about it, not which work
    ("谁来看看", False),
    ("who should handle this?", False),
    ("谁来评估容量", True),
    ("测试方案谁来定", True),
])
def test_an_ask_names_work_only_with_a_word_for_the_work(ask: str, named: bool):
    assert names_work(work_phrase(ask)) is named
