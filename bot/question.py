"""Turn what a person typed (possibly Slack markup) into a clean question, and tell its language."""

from __future__ import annotations

import re
import unicodedata

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
    r"\b(who|whom|whose|what|which|where|when|why|how|is|are|does|do|should|can)\b", re.I
)
_ZH_QUESTION = re.compile(r"[谁誰哪吗嗎呢么麼啥]")


def clean(text: str | None) -> str:
    """Plain question text: Slack markup resolved, invisible characters gone, length bounded."""
    if not text:
        return ""
    text = text[: MAX_QUESTION_CHARS * 8]  # cheap cut before the regexes see a huge paste
    text = _SLACK_LINK.sub(r"\2", text)
    text = _SLACK_BARE_LINK.sub(r"\1", text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_visible(ch) for ch in text)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_QUESTION_CHARS].strip()


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
_ZH_SCAFFOLDING = re.compile(
    r"(到底|应该|应当|该|是不是|是否|是)?(由|归|找|交给|让)?"
    r"(谁|哪个团队|哪个部门|哪个组|哪位|哪个人|哪个同事|什么人|哪边)(来|去)?"
    r"(负责|做|管|处理|搞|弄|出|写|定|跟进|对接)?(的活|的事|的工作|的职责)?[吗呢啊?？]*"
)
_EN_SCAFFOLDING = re.compile(
    r"\b(who's|whose|whom|who|which team|what team|which department)\b"
    r"( is| are| should| does| do| will| would| can)?( be)?"
    r"( responsible( for)?| in charge( of)?| owns?| handles?| the owner( of)?| supposed to)?",
    re.IGNORECASE,
)


def work_phrase(question: str) -> str:
    """The question without its asking scaffolding: empty when it names no work at all."""
    core = _EN_SCAFFOLDING.sub(" ", _ZH_SCAFFOLDING.sub(" ", question))
    return _SPACES.sub(" ", core).strip(" ?？,，。!！")
