"""Asks that name no work: "找哪个 team", "who builds it?", "どのチームが管理していますか".

A message's asking clause is scored as a view of its own (bot/ask.py), which is right when it
carries the topic ("报销找谁") and wrong when it does not: an empty ask scores high against every
entry, since the knowledge's example questions share its template, and whichever entry's
template is nearest wins over the context that names the work. Which clauses are empty is told
by meaning, not by another word list: a view nearer to one of these templates than to any
knowledge text names no work (bot/scoring.py). They are language, not company knowledge, so they
ship with the code; the encoder reads them across languages, so a few per language do.
"""

from __future__ import annotations

EMPTY_ASKS: tuple[str, ...] = (
    # zh
    "谁负责", "谁来做", "谁来弄", "谁来搞", "谁来处理", "谁来跟进", "谁去跟", "谁去 follow up",
    "找谁", "该找谁", "找哪个团队", "找哪个 team", "找哪个部门", "归哪个组", "归谁管", "这个归谁",
    "这事谁管", "这是谁的活", "这个该谁负责", "谁说了算", "谁拍板", "最后听谁的", "听哪个角色的",
    "这个 case 谁 handle", "有没有人负责这个", "有没有专门的人", "有专门的团队吗", "对接人是谁",
    "这个是产品的活吗", "是不是产品来做", "还是产品出", "产品要自己做吗", "这个交给谁",
    "谁来把它做出来", "那后面谁来做", "这块谁在管",
    # zh-Hant
    "誰負責", "這個歸誰管", "找哪個團隊", "該找哪個單位", "這是哪個部門的事", "邊個負責", "搵邊個",
    # en
    "who owns this", "who owns it?", "who is responsible for this", "who handles this",
    "who should I ask", "who do I ping", "who builds it?", "who should I hand this off to?",
    "which team handles this", "which team owns that", "who's on the hook", "whose call is it",
    "who decides", "who should do it", "is this on the PM?", "is that a PM thing or not",
    "who takes care of this one", "who can help with this",
    # ja
    "どのチームが担当ですか", "どのチームが管理していますか", "担当はどちらの部署ですか",
    "誰が担当ですか", "どなたに相談すればいいですか", "窓口はどこですか", "誰が決めますか",
)
