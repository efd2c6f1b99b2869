"""Traditional -> simplified Chinese for matching (the knowledge is matched in simplified).

OpenCC's Taiwan-to-simplified conversion with its phrases (軟體 -> 软件, 網路 -> 网络): a
hand-kept table of ~400 characters let every other traditional character through, so a
zh-Hant question matched a text it shared no characters with. Hong Kong askers write Cantonese
too (公司飲水機壞咗，搵邊個整？): its function words become Mandarin, which the encoder reads far
better. Used on the way into the matcher, for questions and the knowledge alike; replies are
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
_CANTONESE_MARK = re.compile("[咗嘅唔喺揾搵嚟冇啲哋佢睇畀]|边个|边位|边度|乜嘢")


@functools.cache
def _converter() -> Any:  # opencc has no type hints
    import opencc

    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    if not text or text.isascii():
        return text
    text = _converter().convert(text)
    for word, mainland in _WORDS:
        text = text.replace(word, mainland)
    if _CANTONESE_MARK.search(text):
        text = _CANTONESE_WORD.sub(lambda m: _CANTONESE[m.group()], text)
    return text
