"""Which language and script to answer in: zh, zh-Hant (Taiwan), zh-HK, ja, or en.

`question.language` decides Chinese or English by the script that carries the sentence; this
refines Chinese by how it is written. Japanese (kana) is answered in Japanese when the knowledge
carries Japanese reply texts (`Knowledge.speaks_japanese`), else in English. Traditional Chinese
is told from simplified by converting the question: text that OpenCC's traditional-to-simplified
conversion changes was written in traditional characters. Cantonese words choose Hong Kong
wording over Taiwan's.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from .question import language

# OpenCC configurations: Taiwan with its phrasing (软件 -> 軟體), Hong Kong characters.
OPENCC = {"zh-Hant": "s2twp", "zh-HK": "s2hk"}

_KANA = re.compile(r"[\u3040-\u30ff]")
# Written Cantonese: particles and words that Taiwan's Mandarin does not use.
_CANTONESE = re.compile(r"[嘅哋唔嚟搵咗冇佢喺啲嗰乜咁噉嘢俾畀睇]|邊個|係咪|點解")


def reply_language(question: str, japanese: bool = False) -> str:
    """The reply language for a cleaned question; `japanese`: the knowledge can answer in it."""
    if language(question) == "en":
        return "en"
    if _KANA.search(question):
        return "ja" if japanese else "en"
    if _traditional_chars(question) <= 0:
        return "zh"
    return "zh-HK" if _CANTONESE.search(question) else "zh-Hant"


def _traditional_chars(text: str) -> int:
    """How many more characters read as traditional than as simplified."""
    simplified = converter("t2s").convert(text)
    traditional = converter("s2t").convert(text)
    as_traditional = sum(a != b for a, b in zip(text, simplified, strict=False))
    as_simplified = sum(a != b for a, b in zip(text, traditional, strict=False))
    return as_traditional - as_simplified


@lru_cache(maxsize=4096)
def in_script(text: str, lang: str) -> str:
    """Simplified Chinese text written in `lang`'s script (unchanged for zh and en)."""
    config = OPENCC.get(lang)
    return converter(config).convert(text) if config else text


@cache
def converter(config: str) -> Any:  # opencc has no type hints
    import opencc  # loaded on first use: English-only traffic never pays for it

    return opencc.OpenCC(config)
