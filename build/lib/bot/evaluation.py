"""Score the matcher on a question set in the format of shared/eval/dev.yaml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .matcher import Match


class EvalSetError(Exception):
    """The question set file is unreadable or malformed."""


@dataclass(frozen=True)
class Item:
    question: str
    team: str | None  # None: out of scope, must be declined
    lang: str


@dataclass(frozen=True)
class Miss:
    item: Item
    got_team: str | None
    score: float


@dataclass
class Report:
    per_lang: dict[str, list[bool]] = field(default_factory=dict)
    declined: list[bool] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    @property
    def in_scope(self) -> list[bool]:
        return [ok for oks in self.per_lang.values() for ok in oks]

    @staticmethod
    def rate(values: list[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    def summary_lines(self) -> list[str]:
        lines = [
            f"in-scope top-1 team accuracy: {self.rate(self.in_scope):.1%} "
            f"({sum(self.in_scope)}/{len(self.in_scope)})"
        ]
        for lang in sorted(self.per_lang):
            oks = self.per_lang[lang]
            lines.append(f"  {lang:6} {self.rate(oks):.1%} ({sum(oks)}/{len(oks)})")
        lines.append(
            f"out-of-scope declined: {self.rate(self.declined):.1%} "
            f"({sum(self.declined)}/{len(self.declined)})"
        )
        return lines


def load_items(path: str | Path) -> list[Item]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalSetError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise EvalSetError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise EvalSetError(f"{path}:{where} invalid YAML: {what}") from None
    if not isinstance(data, list):
        raise EvalSetError(f"{path}: must be a list of {{q, team, lang}} items")
    items = []
    for i, raw in enumerate(data, 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
            raise EvalSetError(f"{path}: item {i}: needs a 'q' string (and 'team', 'lang')")
        if "team" not in raw:
            raise EvalSetError(f"{path}: item {i}: needs 'team' (a team id, or null: must decline)")
        team = raw["team"]
        if team is not None and not isinstance(team, str):
            raise EvalSetError(f"{path}: item {i}: 'team' must be one team id or null")
        items.append(Item(raw["q"], str(team) if team is not None else None,
                          str(raw.get("lang", "?"))))
    return items


def evaluate(items: list[Item], match: Callable[[str], Match]) -> Report:
    report = Report()
    for item in items:
        result = match(item.question)
        got = result.best.team.id if result.best else None
        if item.team is None:
            ok = not result.answered
            report.declined.append(ok)
        else:
            ok = got == item.team
            report.per_lang.setdefault(item.lang, []).append(ok)
        if not ok:
            report.misses.append(Miss(item, got, result.score))
    return report
