"""Learned examples: questions people asked, confirmed to belong to an entry, that teach the index.

They come from two places and are served as one: the store (approved suggestions and an
admin's `owner-bot learned add`, live at once) and `learned.yaml` in a knowledge folder (what a
team exported and committed: git stays the source of truth). An example in both is served once.

learned.yaml is a list of `{entry: ID, examples: {zh: [...], en: [...]}}`; either language may
be left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .question import clean, language
from .yaml_reader import Problems, Reader, load_yaml, type_name

if TYPE_CHECKING:
    from .knowledge import Knowledge

LEARNED_FILE = "learned.yaml"


@dataclass(frozen=True)
class LearnedExample:
    question: str
    entry: str

    @property
    def lang(self) -> str:
        """The knowledge language the example extends: zh or en."""
        return language(self.question)


def parse_learned(root: Path, entry_ids: Mapping[str, object],
                  problems: Problems) -> list[LearnedExample]:
    """learned.yaml of a knowledge folder (none: no examples), checked against its entries."""
    file = root / LEARNED_FILE
    if not file.is_file():
        return []
    data = load_yaml(file, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(file, "", f"must be a list of {{entry, examples}}, got {type_name(data)}")
        return []
    out: list[LearnedExample] = []
    for index, raw in enumerate(data):
        where = f"item #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(file, where, f"must be a mapping, got {type_name(raw)}")
            continue
        reader = Reader(problems, file, where, raw)
        entry = reader.string("entry")
        examples = raw.get("examples")
        if entry is not None and entry not in entry_ids:
            problems.add(file, f"{where}: field 'entry'", f"unknown entry id '{entry}'")
            continue
        if not isinstance(examples, dict) or not set(examples) <= {"zh", "en"}:
            problems.add(file, f"{where}: field 'examples'",
                         "must be a mapping {zh: [...], en: [...]}")
            continue
        sub = Reader(problems, file, f"{where}: examples", examples)
        questions = (*sub.string_list("zh", required=False),
                     *sub.string_list("en", required=False))
        if entry is not None:
            out.extend(LearnedExample(q, entry) for q in questions)
    return out


def merged(examples: Iterable[LearnedExample]) -> list[LearnedExample]:
    """One of each (entry, cleaned question), first seen first: the file and the store agree."""
    seen: dict[tuple[str, str], LearnedExample] = {}
    for example in examples:
        text = clean(example.question)
        if text:
            seen.setdefault((example.entry, text.casefold()), LearnedExample(text, example.entry))
    return list(seen.values())


def with_learned(knowledge: Knowledge, examples: Iterable[LearnedExample]) -> Knowledge:
    """`knowledge` whose entries also carry `examples` (unknown entries are skipped), with a
    version that changes whenever the examples do."""
    unique = merged(examples)  # once: `examples` may be a one-shot iterable
    by_entry: dict[str, list[LearnedExample]] = {}
    for example in unique:
        by_entry.setdefault(example.entry, []).append(example)
    if not by_entry:
        return knowledge
    entries = []
    for entry in knowledge.entries:
        extra = by_entry.get(entry.id, [])
        zh = tuple(e.question for e in extra if e.lang == "zh")
        en = tuple(e.question for e in extra if e.lang == "en")
        entries.append(replace(entry, examples_zh=_add(entry.examples_zh, zh),
                               examples_en=_add(entry.examples_en, en)) if extra else entry)
    digest = hashlib.sha256(knowledge.version.encode())
    for example in unique:
        digest.update(f"\n{example.entry}\t{example.question}".encode())
    return replace(knowledge, entries=tuple(entries), version=digest.hexdigest()[:16])


def _add(existing: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    have = {e.casefold() for e in existing}
    return existing + tuple(x for x in extra if x.casefold() not in have)


def export_yaml(examples: Iterable[LearnedExample]) -> str:
    """learned.yaml for `examples`, grouped by entry, sorted, so a commit diff stays small."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for example in merged(examples):
        langs = grouped.setdefault(example.entry, {})
        langs.setdefault(example.lang, []).append(example.question)
    items = [{"entry": entry, "examples": {lang: sorted(qs) for lang, qs in sorted(langs.items())}}
             for entry, langs in sorted(grouped.items())]
    header = ("# Learned examples, exported by `owner-bot learned export`: questions people asked\n"
              "# that admins confirmed belong to an entry. Checked by `owner-bot check`.\n")
    return header + yaml.safe_dump(items, allow_unicode=True, sort_keys=False)
