"""Find the ask in a message: the clause that asks for an owner or a decision.

People type context first and the question last ("登录页那个按钮点了没反应 谁来弄", a pasted
stack trace, then "who's on the hook for fixing this?"). Embedded whole, the context dilutes the
ask and a real question scores like chat. So the message is split into clauses, the asking
clause(s) are found, and the matcher scores three views and keeps the best per entry: the ask
alone, the ask with its nearest context clause, and the whole message. Context can only help.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .hanzi import to_simplified
from .question import MAX_QUESTION_CHARS, resolve, work_phrase

_FENCE = re.compile(r"```(.*?)(```|$)", re.S)
_INLINE_CODE = re.compile(r"`([^`\n]*)`")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]{2,40}:")  # :fire:, :thinking_face:
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)、])\s+")
_QUOTE = re.compile(r"^\s*>+\s?")
# Sentence ends and clause breaks; a space between two Chinese characters is a clause break too,
# as people type "背景 背景 谁来修" in chat.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff"
_BREAK = re.compile(
    rf"(?<=[。！？；!?;…〜～])\s*|(?<=[a-z0-9)\]'\"][.])\s+|(?<=[{_HAN}])\s+(?=[{_HAN}])"
)
_SPACES = re.compile(r"\s+")

# What asks for an owner or a decision, in the languages the encoder reads. Bare 哪 or "what" is
# not enough: "PRD 在哪" asks for a document, "what time is it" for a fact.
_ASK = re.compile(
    r"谁|誰|邊個|边个|邊位|边位|搵邊|哪[个個]\s?(团队|團隊|組|组|部门|部門|小组|同事|单位|單位|窗口|team|group)"
    r"|哪(位|边|邊)|找哪|归哪|歸哪|[归歸找]那[个個](组|組|团队|團隊|部门|部門)|拍板|说了算|說了算"
    r"|交给|交給|负责吗|負責嗎|的活|的事吗|的锅|要背吗|下场|對接|对接人|负责人|負責人|哪个角色"
    r"|负责什么|負責什麼|负责哪些|去哪(领|申请|报|交|找)|有没有人(专门)?(负责|管|在管|跟)"
    r"|有沒有人(專門)?(負責|管|在管|跟)|有(专门|專門)[^,，。;；]{0,12}(吗|嗎)"
    r"|(?:去|要|该|該)?(?:送|交|寄|提|报|報)(?:到|给|給)?哪(?:里|裡|儿|兒|边|邊)"
    # Japanese: だれ is as often in kana as 誰; どの部署 / どこの部門 name the team asked for
    r"|どのチーム|どちら|どこに|どなた|誰[がにのか]|だれ|どの(?:部署|部門|部门|グループ|方|人|担当)"
    r"|どこの(?:部署|部門|部门|チーム)|どこが|担当|管轄|相談|窓口|べき|(?:頼|赖)めば|お願いすれば|任せ"
    r"|\b(who|whom|whose|who's|which team|what team|which group|which department|owns|owner"
    r"|owned by|responsible|in charge|on the hook)\b|\bown(?= (this|that|it|the|these|those)\b)"
    r"|\b(is|are)\b[^?]{0,60}\bon (you|your team|them|us)\b"
    r"|\bwhere (do|should) (i|we) (send|file|raise|report|escalate)\b"
    r"|\bwhere (do|does|should|are) [\w ]{2,30} (go|filed|kept)\b",
    re.IGNORECASE | re.ASCII,
)
# "who" in a relative clause describes someone ("a gift for a friend who likes dinosaurs"); it
# does not ask who.
_RELATIVE_WHO = re.compile(
    r"\b(someone|somebody|friend|coworker|colleague|person|people|guy|girl|boy|kid|child|son"
    r"|daughter|man|woman|mom|dad|mother|father|old|boyfriend|girlfriend|wife|husband|dragon)s?"
    r" who\b"
    # a plural noun before "who" is a relative clause too: "who calls customers who churned"
    r"|\b(?!(?:is|was|has|does|this|its|us|yes|thanks|plus|as|asks|pls|plz|guess)\b)[a-z]{2,}s"
    r" who\b"
    # and any noun before "who" and a past deed: "the field team who spent a week on site"
    r"|\b(?!(?:and|or|but|so|then|now|also|me|us|you|idea|know|knows|sure|clue|wonder|ask|asking"
    r"|tell|remember|check|find|see|guess|exactly|q)\b)[a-z]{2,} who(?= (\w+ed|spent|wrote|won"
    r"|made|built|said|did|ran|went|took|gave|sent|found|got|kept|left|told|brought|paid|led"
    r"|met|stayed|came)\b)",
    re.IGNORECASE | re.ASCII,
)
# "Who" asking for a fact about the world, not an owner of work: past deeds ("who painted",
# "谁写的红楼梦", "谁赢了") and famous people ("who is the president", "谁是世界首富").
_FACT_WHO = re.compile(
    r"\bwho\s+(\w+ed|wrote|won|sang|made|built|said|did|drew|ran|came up with|was|were"
    r"|is the (president|ceo|king|queen|richest|best|greatest|founder|author|prime minister|mayor"
    r"|winner|tallest|oldest))\b|谁(写|唱|画|发明|拍|演|创办|发现)(的|了)|谁说的|谁赢|誰贏"
    r"|谁是(世界|中国|美国|历史|史上|全球|最)|誰是(世界|史上|最)"
    # who made a work or was first, and comparing people: "红楼梦的作者是谁", "李白和杜甫谁年纪大"
    r"|(作者|作曲|导演|導演|发明者|發明者|发明人|發明人|创始人|創始人|主演)(是谁|是誰)"
    r"|第一(个|個|位)[^，。？?]{0,12}(是谁|是誰)"
    r"|(谁|誰)(的)?(年纪|年紀|年龄|年齡|个子|個子|更|比较|比較)(大|小|高|老|强|強|厉害|厲害)",
    re.IGNORECASE | re.ASCII,
)
# Words that ask for an owner even in a clause that also reads like a fact question.
_OWNER = re.compile(r"负责|負責|归|歸|找谁|找誰|团队|團隊|部门|部門"
                    r"|\b(owns?|owner|responsible|in charge|team|handles?)\b",
                    re.IGNORECASE | re.ASCII)
# A yes/no question about a role: "产品经理要自己做吗", "is that a PM thing or mktg?",
# "Does the PM manage the budget?".
_ROLE_EN = (r"\b(pm|pms|product managers?|eng|engineering|design|marketing|mktg|sales|finance"
            r"|hr|qa|support|cs|ops|legal|admin|devs?)\b")
_ROLE_ZH = (r"(产品经理|產品經理|产品|產品|设计|設計|市场|市場|销售|銷售|财务|財務"
            r"|测试|測試|客服|运营|運營|行政|人事|法务|法務"
            r"|営業|営业|マーケ|開発|开发|開發|経理|经理|総務|総务|サポート|アーキテクト|架构师"
            r"|エンジニア|工程师|工程師|デザイナー|设计师|設計師|架構師"
            rf"|團隊|团队|组|組|部门|部門|チーム|{_ROLE_EN})")
_NEAR = r"[^,，。;；]"  # within one clause
_ROLE_QUESTION = re.compile(
    # Cantonese 呢 before a measure word is "this" (呢排 these days, 呢個 this one), not a question
    rf"{_ROLE_ZH}{_NEAR}{{0,24}}(吗|嗎|(?<![怎什那这這多])[么麼]|嘛|呢(?![个個排度啲次间間条條单單种種位班])"
    r"|か|\?)"
    rf"|{_ROLE_ZH}\s?(是不是|要不要|该不该|需不需要|用不用|能不能|係咪|係唔係|使唔使)"
    rf"|(是不是|要不要|该不该|該不該|需不需要|用不用|能不能|係咪|係唔係|使唔使){_NEAR}{{0,16}}{_ROLE_ZH}"
    rf"|{_ROLE_ZH}{_NEAR}{{0,20}}(还是|還是)|(还是|還是){_NEAR}{{0,20}}{_ROLE_ZH}"
    rf"|\b(is|are|should|does|do|must|will)\b{_NEAR}{{0,48}}{_ROLE_EN}"
    rf"|{_ROLE_EN}{_NEAR}{{0,30}}\bor\b"
    # Doing it oneself instead of its owner: "PM 要不要自己写 SQL", "should I just patch it myself?"
    r"|(要不要|该不该|該不該|是不是|能不能|可不可以|可以)\s?(我|我们|我們)?(自己|亲自|親自)"
    rf"|(自己|亲自|親自){_NEAR}{{0,16}}(是不是|能不能|可不可以|可以吗|可以嗎|行不行|要不要)"
    r"|(不用|不必|用不着|用不著|不需要)\s?(我|我们|我們)?(自己|亲自|親自)"
    r"|\b(should|can|could|shall|do|must|would|will|am) (i|we)( just| really| actually)?"
    r" [^?.]{0,60}\b(myself|ourselves|personally|on my own)\b"
    r"|\bis it (ok|okay|fine) (if|for) (i|me|us|we)\b[^?.]{0,60}\b(myself|ourselves)\b"
    # ... or someone else's role doing it: "can the PM just hotfix the bug herself?"
    rf"|\b(can|could|may)( the| our| a)? {_ROLE_EN}( just| really| actually)? [^?.]{{0,60}}"
    r"\b(herself|himself|themselves|themself|personally|on (her|his|their) own)\b",
    re.IGNORECASE | re.ASCII,
)


# Thanks and congratulations: with nothing asked, a message that thanks a team names its work
# ("shoutout to support for clearing the backlog") and must not be answered as that work.
_THANKS = re.compile(
    r"谢谢|謝謝|多谢|多謝|感谢|感謝|辛苦(了|啦|晒|哂|大家|各位)|点赞|點讚|致敬|恭喜|祝贺|祝賀"
    r"|ありがとう|お疲れ(様|さま)|おめでとう"
    r"|\b(thanks|thank you|thx|kudos|congrats|congratulations|shout[ -]?outs?|props to|hats off"
    r"|well done|great job|nice work|good job)\b",
    re.IGNORECASE,
)


def is_thanks(text: str) -> bool:
    """Thanks or congratulations: whether the message asks nothing is the caller's to know."""
    return bool(_THANKS.search(text))


@dataclass(frozen=True)
class Clause:
    text: str
    quoted: bool = False  # a `>` quote: what someone else said, context at best
    code: bool = False  # a code span or block: context, never the ask


@dataclass(frozen=True)
class Views:
    """The texts the matcher scores for one message, best guess of the ask first."""

    whole: str  # the message as one line, bounded so that the ask is kept
    ask: str  # the asking clause(s); the whole message when it has one clause
    context: str  # the ask with its nearest context clause ("" when that is the whole)
    has_ask: bool  # some clause asks for an owner or a decision
    # The ask with the clause before its nearest one: the topic is often two clauses back
    # ("要不要拆微服务 讨论半个月了 这种事谁拍板").
    farther: str = ""
    bare: bool = False  # no clause asks, and the message is a bare topic (is_bare_topic)
    # Earlier asking sentences, nearest first: a long post often asks its real question
    # mid-way and ends on a follow-up ("…是不是该市场来做？…我也想知道对接人是谁"). An
    # earlier ask that names no work gives way like any empty ask (bot/scoring.py).
    earlier: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Distinct non-empty views, the ask first."""
        views = (self.ask, self.context, self.farther, *self.earlier, self.whole)
        return list(dict.fromkeys(t for t in views if t))


# A question for a number, a time or a reason is not a yes/no question about a role, though it
# names one: "产品经理的平均工资是多少？", "How many people work in the engineering team?",
# "why do PMs always get blamed?".
_NOT_YES_NO = re.compile(
    r"多少|几[个個点點号號位天岁歲年次]|幾[个個点點号號位天岁歲年次]|何時|何人|いくら"
    r"|为什么|為什麼|为啥|為啥|なぜ|どうして"
    r"|\bhow (many|much|long|old|big)\b|\bwhat time\b|\bwhen (is|are|does|do|will)\b|\bwhy\b",
    re.IGNORECASE | re.ASCII,
)


# "Is there one person who decides…": the relative "who" is the ask here.
_SOMEONE_WHO = re.compile(
    r"\b(is there|isn['’]t there|there['’]s|do we have|don['’]t we have|we need|have we got)\b"
    r"[^?.]{0,24}\b(someone|somebody|anyone|anybody|person|people|team|group|owner)s? who"
    r" (decides?|owns?|handles?|manages?|runs?|approves?|signs? off|looks after|takes care"
    r"|is (responsible|in charge))\b",
    re.IGNORECASE | re.ASCII,
)


def is_ask(text: str) -> bool:
    """Does the clause ask who owns something, or whether a role does it?"""
    if _SOMEONE_WHO.search(text):
        return True
    text = _RELATIVE_WHO.sub(" ", text)  # before the fact test: "customers who churned"
    if _FACT_WHO.search(text) and not _OWNER.search(text):
        return False
    if _ASK.search(text):
        return True
    return bool(_ROLE_QUESTION.search(text)) and not _NOT_YES_NO.search(text)


# A message this short with no asking words is a topic typed to the bot ("报销", "SSO?",
# "客诉"): it asks who owns it as much as "报销找谁" does. Chat is this short too ("晚安",
# "thanks!"): the rule tells them apart by what they match (bot/decide.py).
BARE_TOPIC_CHARS = 8  # Chinese or Japanese characters
BARE_TOPIC_WORDS = 3  # words in a language written with spaces


# A short message that asks something else is a question, not a topic: "PRD模板在哪" asks for a
# place, "投影仪有必要买吗" for advice, "what's new?" for news; one that exclaims ("happy
# birthday Anna!", "好耶！") is chat.
_QUESTION_FORM = re.compile(
    r"[!！吗嗎呢吧么麼哪几幾啥]|什么|什麼|怎|多少|为何|為何|有必要|是不是|可以|能不能|か[?？]?$|どう|何|いつ"
    r"|\b(what|what's|whats|how|where|when|why|which|is|are|am|was|can|could|do|does|did|should"
    r"|will|would|any|anyone|tell|show|give|me|my|i|you|your)\b",
    re.IGNORECASE,
)


def is_bare_topic(text: str) -> bool:
    """Is the message a few words naming something, with no sentence around them?"""
    han = len(re.findall(rf"[{_HAN}]", text))
    words = re.findall(r"[A-Za-z0-9][\w'-]*", text)
    return (han + len(words) > 0 and han <= BARE_TOPIC_CHARS and len(words) <= BARE_TOPIC_WORDS
            and (han == 0 or len(words) <= 1) and not _QUESTION_FORM.search(text))


def clauses(raw: str | None) -> list[Clause]:
    """The message's clauses in order: lines, quotes, bullets, code, sentences, 中文 spaces."""
    text = resolve(raw)
    out: list[Clause] = []
    pos = 0
    for fence in _FENCE.finditer(text):
        out.extend(_line_clauses(text[pos : fence.start()]))
        _add(out, fence.group(1), code=True)
        pos = fence.end()
    out.extend(_line_clauses(text[pos:]))
    return out


def _line_clauses(text: str) -> list[Clause]:
    out: list[Clause] = []
    for line in text.split("\n"):
        quoted = bool(_QUOTE.match(line))
        line = _BULLET.sub("", _QUOTE.sub("", line))
        pos = 0
        for span in _INLINE_CODE.finditer(line):
            # A short span is a name inside the sentence ("who owns `billing-svc`?"), a long one
            # is pasted output.
            if len(span.group(1)) < 24:
                continue
            _split(out, line[pos : span.start()], quoted)
            _add(out, span.group(1), quoted, code=True)
            pos = span.end()
        _split(out, line[pos:], quoted)
    return out


def _split(out: list[Clause], text: str, quoted: bool) -> None:
    text = _EMOJI_CODE.sub(" ", _INLINE_CODE.sub(r"\1", text))
    for part in _BREAK.split(text):
        _add(out, part, quoted)


def _add(out: list[Clause], text: str | None, quoted: bool = False, code: bool = False) -> None:
    text = _SPACES.sub(" ", text or "").strip()
    if any(ch.isalnum() for ch in text):
        out.append(Clause(text, quoted, code))


# The whole-post view of a message that has other views: the ask and its neighbours are scored
# on their own, so the rest only adds distant context, and encoder time grows with the longest
# text (400 characters: ~6 ms of a 1,000-character post's 15 ms budget; 240: ~3.5 ms).
WHOLE_WITH_VIEWS_CHARS = 240


# A clause that is a question without asking for anyone: a question mark or particle at its end,
# or an A-not-A form ("有没有专门的团队…", "我能自己提个PR直接上吗").
_QUESTION_LIKE = re.compile(r"[?？吗嗎呢么麼か]\s*$|有没有|有沒有|是不是|要不要|能不能|可不可以")


def find_views(raw: str | None, limit: int = MAX_QUESTION_CHARS) -> Views:
    """Split, find the ask, then bound: a long post never loses the question at its end."""
    parts = clauses(raw)
    if not parts:
        return Views("", "", "", False)
    # The last asking sentence: the question comes last, earlier hits are mostly background
    # ("采购负责人", "谁也说服不了谁"). A quoted question counts when nothing else asks.
    a = _last(parts, lambda c: not c.code and not c.quoted and is_ask(c.text))
    if a is None:
        a = _last(parts, lambda c: not c.code and is_ask(c.text))
    has_ask = a is not None
    if a is not None:
        parts, a = _split_at_commas(parts, a)
    if a is None:  # no asking words: the last sentence that reads as a question
        a = _last(parts, lambda c: bool(_QUESTION_LIKE.search(c.text)))
    if a is None and len(parts) > 1:
        # Nothing marks any clause as the question: a last fragment alone ("我家猫五点就叫我起床
        # 好崩溃" -> "好崩溃") read like a topic, "crash", and was answered.
        whole = _bounded(parts, len(parts) - 1, min(limit, WHOLE_WITH_VIEWS_CHARS))
        return Views(whole, whole, "", False)
    a = len(parts) - 1 if a is None else a
    if len(parts) == 1:
        whole = parts[0].text[:limit]
        return Views(whole, whole, "", has_ask, bare=not has_ask and is_bare_topic(whole))
    whole = _bounded(parts, a, min(limit, WHOLE_WITH_VIEWS_CHARS))
    ask = parts[a].text[:limit]
    near = a - 1 if a > 0 else a + 1
    context = _join(parts[i].text for i in sorted({a, near}))[:limit]
    farther = _join((parts[a - 2].text, ask))[:limit] if a >= 2 else ""
    earlier = tuple(parts[i].text[:limit] for i in _earlier_asks(parts, a)) if has_ask else ()
    return Views(whole, ask, context if context not in (ask, whole) else "", has_ask,
                 farther if farther not in (context, whole) else "", earlier=earlier)


EARLIER_ASKS = 2  # each is one more text to embed: a long post's budget is ~15 ms


def _earlier_asks(parts: list[Clause], a: int) -> list[int]:
    """The asking clauses before the ask and not beside it (the context views hold those)."""
    found = [i for i in range(a - 3, -1, -1)
             if not parts[i].code and not parts[i].quoted and is_ask(parts[i].text)]
    return found[:EARLIER_ASKS]


# Words that point at the work or at deciding, without naming any work.
_DEICTIC = re.compile(
    r"担当|部署(?=[\u3040-\u30ff])|相谈|管轄|窓口|方|何"  # Japanese, as simplified: どの部署が担当
    r"|这个|这块|这事|这种事|这件事|这|那个|那|此事|说了算|拍板|决定|听谁的|的|一下|来|去|搞|弄|管"
    r"|更新|处理|跟进|安排|问题|事情|事|下场|评估|看看|看一下|确认|推进|解决|判断|定"
    r"|\b(this|that|it|one|these|those|thing|stuff|answer|fix|fixing|handle|do|decide|call|now"
    r"|actually|here|on|for|the|a|to|get|be|is|are|was|job|task|role|responsibility|team|group"
    r"|department|person|someone|anyone|ask|talk|ping|contact|should|would|can|could)\b",
    re.IGNORECASE | re.ASCII,
)


def names_work(phrase: str) -> bool:
    """Does a work phrase name any work once pointing and deciding words are gone?"""
    rest = _DEICTIC.sub(" ", phrase)
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 1 or bool(re.search(r"[a-z]{3,}", rest,
                                                                              re.IGNORECASE))


_COMMA = re.compile(r"\s*[,，]\s*")  # not 、: it lists, it never ends a clause


def _split_at_commas(parts: list[Clause], a: int) -> tuple[list[Clause], int]:
    """Context often shares the ask's sentence, before a comma ("support keeps asking for a
    bulk-edit tool, who decides if it ships", "需求评审完了，具体编码交给谁"): the piece that asks
    becomes the ask, the pieces around it its context clauses."""
    pieces = [p for p in _COMMA.split(parts[a].text) if any(ch.isalnum() for ch in p)]
    at = _last([Clause(p) for p in pieces], lambda c: bool(_ASK.search(c.text)))
    # Kept whole when the ask comes first ("who owns heating, lighting and water?": what follows
    # is its object) or names no work ("新機能の要件定義は、どのチームの担当ですか").
    if not at or not names_work(work_phrase(to_simplified(pieces[at]))):
        return parts, a
    clause = parts[a]
    split = [Clause(p, clause.quoted, clause.code) for p in pieces]
    return parts[:a] + split + parts[a + 1 :], a + at


def _last(parts: list[Clause], test: Callable[[Clause], bool]) -> int | None:
    return next((i for i in range(len(parts) - 1, -1, -1) if test(parts[i])), None)


def _bounded(parts: list[Clause], ask: int, limit: int) -> str:
    """The message within `limit` characters: the ask first, then the clauses nearest to it."""
    keep: list[int] = []
    used = 0
    for i in sorted(range(len(parts)), key=lambda i: (abs(i - ask), -i)):
        cost = len(parts[i].text) + (1 if keep else 0)
        if keep and used + cost > limit:
            continue  # a shorter clause farther away may still fit
        keep.append(i)
        used += cost
    return _join(parts[i].text for i in sorted(keep))[:limit].strip()


def _join(texts: object) -> str:
    return " ".join(texts)  # type: ignore[arg-type]
