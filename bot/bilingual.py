"""A text the knowledge writes in both its languages, and optionally in Japanese."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en")
OPTIONAL_LANGS = ("ja",)


@dataclass(frozen=True)
class Text:
    """A string in both languages; `ja` is empty when the knowledge gives no Japanese."""

    zh: str
    en: str
    ja: str = ""

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.ja if lang == "ja" and self.ja else self.en
