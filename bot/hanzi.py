"""Traditional -> simplified Chinese for matching (the knowledge is matched in simplified).

OpenCC's Taiwan-to-simplified conversion with its phrases (軟體 -> 软件, 網路 -> 网络): a
hand-kept table of ~400 characters let every other traditional character through, so a
zh-Hant question matched a text it shared no characters with. Hong Kong askers write Cantonese
too (公司飲水機壞咗，搵邊個整？): its function words become Mandarin, which the encoder reads far
better. Japanese workplace words that Chinese reads otherwise (営業, 採用) become their Chinese
words. Used on the way into the matcher, for questions and the knowledge alike; replies are
written in the asker's script by bot/script.py.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Workplace words the OpenCC phrases leave in their Taiwan form, after conversion.
_WORDS = (
    ("程式码", "代码"),
    ("程式", "程序"),
    ("软体", "软件"),
    ("硬体", "硬件"),
    ("网路", "网络"),
    ("使用者", "用户"),
    ("专案", "项目"),
    ("品质", "质量"),
    ("资料库", "数据库"),
    ("介面", "界面"),
)

# Cantonese words with one Mandarin reading, in simplified script. Only characters that are
# Cantonese alone: 係 (关係) and 整 (整理) are Mandarin too, so they stay.
_CANTONESE = {
    "边个": "谁", "边位": "哪位", "边度": "哪里", "乜嘢": "什么", "点样": "怎样", "而家": "现在",
    "咗": "了", "嘅": "的", "唔": "不", "喺": "在", "揾": "找", "搵": "找", "嚟": "来",
    "冇": "没有", "啲": "些", "哋": "们", "佢": "他", "睇": "看", "畀": "给",
}
_CANTONESE_WORD = re.compile("|".join(sorted(_CANTONESE, key=len, reverse=True)))
# What marks a message as Cantonese: its one-character words, and the words no Mandarin text
# holds (点样 sits in 一点样品, 而家 in 然而家里), before any word of it is replaced.
_CANTONESE_MARK = re.compile(
    "[" + "".join(w for w in _CANTONESE if len(w) == 1) + "]|边个|边位|边度|乜嘢"
)


# Japanese workplace words read as Chinese words they are not (営業 is sales, 营业 is opening
# hours; 採用 is hiring, 采用 adopting; 経理 is accounting, 经理 a manager), or that Chinese
# writes otherwise (経費精算 is 报销): in a Japanese message, the Chinese word is matched.
_JAPANESE = {
    "営業": "销售", "営業時間": "营业时间", "採用": "招聘", "経理": "财务", "総務": "行政",
    "経費精算": "报销",
    "経費": "费用", "見積": "报价", "請求書": "发票", "歩留まり": "良率", "歩留り": "良率",
    "不具合": "缺陷", "障害": "故障", "仕様": "需求规格", "検証": "验证", "品質保証": "质量保证",
    "品証": "质量保证", "出荷": "发货", "発注": "采购", "備品": "办公用品", "勤怠": "考勤",
    "給与": "工资", "退職": "离职", "入社": "入职", "面接": "面试", "広報": "公关",
    "販促": "促销", "展示会": "展会", "顧客": "客户", "問い合わせ": "咨询", "返金": "退款",
    "解約": "解约", "監査": "审计", "予算": "预算", "決算": "财报", "稼働": "运行",
    "アーキテクト": "架构师", "エンジニア": "工程师", "デザイナー": "设计师",
    "マーケティング": "市场营销", "マーケ": "市场", "カスタマーサポート": "客服",
}
_JAPANESE_WORD = re.compile("|".join(sorted(_JAPANESE, key=len, reverse=True)))
_KANA = re.compile("[\u3040-\u30ff]")


@functools.cache
def _converter() -> Any:  # opencc has no type hints
    import opencc

    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    if not text or text.isascii():
        return text
    if _KANA.search(text):  # before OpenCC, which changes some of their characters
        text = _JAPANESE_WORD.sub(lambda m: _JAPANESE[m.group()], text)
    text = _converter().convert(text)
    for word, mainland in _WORDS:
        text = text.replace(word, mainland)
    if _CANTONESE_MARK.search(text):
        text = _CANTONESE_WORD.sub(lambda m: _CANTONESE[m.group()], text)
    return text
