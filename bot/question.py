"""Turn what a person typed (possibly Slack markup) into a clean question, and tell its language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Long enough for any real question; bounds the encoder's work on a pasted novel.
MAX_QUESTION_CHARS = 400

_SLACK_LINK = re.compile(r"<(https?://|mailto:)[^|>]*\|([^>]*)>")
_SLACK_BARE_LINK = re.compile(r"<((?:https?://|mailto:)[^>|]*)>")
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_SPECIAL = re.compile(r"<[@!][^>]*>")  # user, group and broadcast mentions
_CODE_FENCE = re.compile(r"```")
_INVISIBLE = {"Cc", "Co", "Cs", "Cn"}  # become a space
_FORMAT = "Cf"  # zero-width space/joiner, BOM, soft hyphen: dropped, they sit inside words
_SPACES = re.compile(r"\s+")

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_WORDISH = re.compile(r"[^\W_]", re.UNICODE)
_EN_QUESTION = re.compile(
    r"\b(who|whom|whose|what|which|where|when|why|how|is|are|does|do|should|can)\b", re.I | re.ASCII
)
_ZH_QUESTION = re.compile(r"[谁誰哪吗嗎呢么麼啥]")


# Slack's *bold*, _italic_ and ~strike~ around words: the markers are no part of the words
# ("the aircon in room *Everest*"); snake_case and a lone "*" keep theirs.
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)([^*_~\n]*?\S)\1(?![\w*_~])")


def clean(text: str | None) -> str:
    """Plain question text: Slack markup resolved, invisible characters gone, length bounded."""
    text = resolve(text)
    text = _CODE_FENCE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_QUESTION_CHARS].strip()


def resolve(text: str | None, limit: int = MAX_QUESTION_CHARS * 8) -> str:
    """Slack markup resolved and invisible characters gone, line breaks and code fences kept
    (the ask finder splits on them); cut at `limit` before the regexes see a huge paste."""
    if not text:
        return ""
    text = text[:limit]
    text = _SLACK_LINK.sub(r"\2", text)
    text = _SLACK_BARE_LINK.sub(r"\1", text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch if ch == "\n" else _visible(ch) for ch in text)


def _visible(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == _FORMAT:
        return ""
    return " " if category in _INVISIBLE and not ch.isspace() else ch


def has_words(text: str) -> bool:
    """False for input with no letters or ideographs at all: emoji, punctuation, digits."""
    return any(ch.isalpha() for ch in _WORDISH.findall(text))


def language(text: str) -> str:
    """'zh' or 'en': the language to answer in.

    Mixed questions follow whichever script carries more of the sentence: Chinese characters
    are counted one by one, Latin text by words: "budget 谁来做" is Chinese, "who owns the 预算"
    English. A tie goes to the language of the question words: "who owns 预算" is English,
    "usability test 找谁" Chinese.
    Japanese kana with Han counts as Chinese script since the replies have no Japanese.
    """
    han = len(_CJK.findall(text)) + len(_KANA.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if han == 0:
        return "en"
    if han != words:
        return "zh" if han > words else "en"
    english_question = _EN_QUESTION.search(text) and not _ZH_QUESTION.search(text)
    return "en" if english_question else "zh"


# The "who owns it" scaffolding around the work itself. Sentence encoders weigh that template
# heavily ("QA 测试谁负责" lands near "可用性测试谁负责"), so the matcher also embeds the question
# with it removed and averages the two views.
# A role named as an alternative, not as the work: "PM or research?", "or is that an eng thing",
# "产品要参与吗", "是产品定还是市场定".
_ROLES_EN = (r"(pm|pms|product|product managers?|eng|engineering|dev|devs|developers?|design"
             r"|designers?|research|researchers?|ux|uxr|marketing|mktg|sales|finance|hr|qa|support|cs|ops|legal"
             r"|architects?|architecture)")
_ROLES_ZH = r"(产品经理|产品|pm|开发|研发|设计|市场|运营|销售|财务|测试|用研|架构|行政|人事|客服)"
_ROLE_ALTERNATIVES = (
    re.compile(
        rf"[,;]?\s*\bor\b( is| should)?( it| that| this)?( an?| the)? {_ROLES_EN}"
        rf"( thing| job| team| task| work| call| side)?\b\??"
        rf"|[,;]?\s*\b{_ROLES_EN} or {_ROLES_EN}\b\??"
        rf"|\b(an?|the) {_ROLES_EN} (thing|job|task)\b"
        rf"|\b(is|are)( the| a| our)? (pm|pms|product managers?)( really| actually)?"
        rf"( supposed| meant| expected| required) to\b",
        re.IGNORECASE | re.ASCII,
    ),
    re.compile(
        rf"是{_ROLES_ZH}(来)?(定|做|负责|管|写|搞)还是(谁|{_ROLES_ZH})(来)?(定|做|负责|管|写|搞)?"
        rf"|{_ROLES_ZH}(这边|那边)?(要|需要|用不用|要不要|得)?(参与|介入|自己做|来做|自己来)"
        rf"[吗嘛么呢?？]*",
        re.IGNORECASE,
    ),
)
_ZH_SCAFFOLDING = (
    # "是不是产品经理的活", "产品经理要自己…吗": the PM framing, not the work
    re.compile(r"(是不是|是否|是|算)?(产品经理|产品|pm)(的)?(事|活|工作|职责|责任)[吗呢啊?？]*",
               re.IGNORECASE),
    re.compile(r"(是不是|是否|是|该|由|归)?(产品经理|pm)\s*(需要|要不要|要|该不该|应该|应当|得|需不需要"
               r"|用不用)?(自己|亲自)?(来)?(做|干|管|负责)?[吗呢啊?？]*", re.IGNORECASE),
    re.compile(
        r"(到底|应该|应当|该|是不是|是否|是|我们|我)?(由|归|找|交给|让|问|联系|请教)?"
        r"(谁|哪个团队|哪个部门|哪个组|哪个小组|哪个团体|哪位|哪个人|哪个同事|什么人|哪边|哪里)"
        r"(来|去)?(负责|做|管|处理|搞|弄|出|写|跟进|对接)?(的活|的事|的工作|的职责)?[吗呢啊?？]*"
    ),
)
# "備品の発注ってだれに頼めば？", "経費の管理はどのチームが担当していますか？": the topic comes
# first in Japanese, then the one asking for whom and its verb, up to the end of the question.
_JA_SCAFFOLDING = (
    re.compile(
        r"(?:は|って|の|を)?\s*(?:結局|结局|一体|いったい)?(?:だれ|誰|谁|どなた"
        r"|どの(?:チーム|部署|部門|部门|グループ|方|人)|どちら(?:の(?:チーム|部署|部門|部门))?"
        r"|どこ(?:の(?:チーム|部署|部門|部门))?)(?:さん)?(?:が|に|へ|で|から)?"
        r"[^。！？?!\n]{0,16}?[？?〜～!！]*$"
    ),
)
_EN_SCAFFOLDING = (
    # "is it the PM's job to", "should the PM", "does a product manager need to"
    re.compile(
        r"\b(is|are)( it| this| that)?( the| a| our)? (pm|pms|product managers?|product)(['’]s)?"
        r" (job|responsibility|task|role|work|call)( to)?\b"
        r"|\b(should|does|do|must|can|will)( the| a| our)? (pm|pms|product managers?)"
        r"( really| actually)?( need to| have to| be)?\b"
        r"|\b(is )?(the |a |our )?(pm|pms|product managers?)['’]s"
        r" (job|responsibility|task|role|work|call)\b",
        re.IGNORECASE | re.ASCII,
    ),
    # "who should I ping about", "which team do we talk to for"
    re.compile(
        r"\b(who|whom|which team|what team|which department|which group)\b( should| do| can| could"
        r"| would)( i| we)( ping| ask| talk to| speak to| contact| reach out to| go to| email"
        r"| message| escalate to| loop in)( about| for| regarding| re| on)?",
        re.IGNORECASE | re.ASCII,
    ),
    re.compile(
        r"\b(who['’]s|whose|whom|who|which team|what team|which department|which group)\b"
        r"( is| are| should| does| do| will| would| can)?( actually| usually| normally)?( be)?"
        r"( responsible( for)?| in charge( of)?| owns?| handles?| the owner( of)?| supposed to)?",
        re.IGNORECASE | re.ASCII,
    ),
)


# The auxiliary that opened a yes/no question whose PM framing was removed: "Is cost accounting
# [the PM's job]?" leaves "Is cost accounting", and "Is" is no part of the work.
_LEADING_AUX = re.compile(r"^(is|are|does|do|should|can|could|will|would|must)\s+(?=\S)", re.I)


def work_phrase(question: str) -> str:
    """The question without its asking scaffolding: empty when it names no work at all."""
    core = question
    # English first: the Chinese patterns also know "pm", which would break "the PM's job".
    for pattern in (*_ROLE_ALTERNATIVES, *_EN_SCAFFOLDING, *_ZH_SCAFFOLDING, *_JA_SCAFFOLDING):
        core = pattern.sub(" ", core)
    core = _SPACES.sub(" ", core).strip(" ?？,，。!！吗呢")
    return _LEADING_AUX.sub("", core) if core != question.strip(" ?？") else core


@dataclass(frozen=True)
class Question:
    """What a person typed, cleaned once: every step of a request reads `text`."""

    raw: str
    text: str

    @classmethod
    def of(cls, raw: str | None) -> Question:
        return cls(raw or "", clean(raw))
