"""Load and validate the YAML knowledge base: teams, responsibility entries, off-topic anchors.

A knowledge folder holds:
  teams.yaml          the owning teams, their names and contacts, and the fallback contact
  entries/*.yaml      responsibility entries (a list per file)
  offtopic.yaml       optional: everyday chat the bot must decline (zh, en; optional ja, zh-Hant);
                      also the negatives the decision rule is fitted on (bot/decide.py)
  learned.yaml        optional: learned examples exported from the store (bot/learned.py)

Every problem is collected (not just the first) so an admin fixes a file in one pass; each is
one line naming the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .bilingual import Text
from .errors import OwnerBotError
from .learned import LEARNED_FILE, parse_learned, with_learned
from .yaml_reader import Problems, Reader, load_yaml, type_name


class KnowledgeError(OwnerBotError):
    """The knowledge folder is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Contact:
    channel: str | None = None  # display name, e.g. "#eng-help"
    channel_id: str | None = None  # e.g. "C0123ABC": lets Slack render a clickable link
    usergroup: str | None = None  # display handle, e.g. "@eng-oncall"
    usergroup_id: str | None = None  # e.g. "S0123ABC": lets Slack render a group mention
    email: str | None = None


@dataclass(frozen=True)
class Team:
    id: str
    name: Text
    contact: Contact


@dataclass(frozen=True)
class Entry:
    id: str
    team: str
    area: Text
    tasks_zh: tuple[str, ...]
    tasks_en: tuple[str, ...]
    pm_does: Text
    pm_does_not: Text
    examples_zh: tuple[str, ...]
    examples_en: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    source: str = ""  # file the entry came from, for error messages
    # Optional questions in Japanese: matched like the others, so a Japanese asker is compared
    # with Japanese phrasings and not only across languages (examples: {zh, en, ja}).
    examples_ja: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Every text that represents this entry in the index, deduplicated, order kept."""
        seen: dict[str, None] = {}
        for text in (
            self.area.zh,
            # area.ja is a reply text only: indexed, it moved no Japanese question and cost two
            # others (3,431 -> 3,429 of 3,546 in scope on the development sets)
            self.area.en,
            *self.tasks_zh,
            *self.tasks_en,
            *self.examples_zh,
            *self.examples_en,
            *self.examples_ja,
        ):
            seen.setdefault(text.strip(), None)
        seen.pop("", None)
        return list(seen)


@dataclass(frozen=True)
class Knowledge:
    teams: dict[str, Team]
    entries: tuple[Entry, ...]
    fallback: Team
    offtopic: tuple[str, ...] = ()
    version: str = ""  # content hash: changes whenever any knowledge file changes

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def team_of(self, entry: Entry) -> Team:
        return self.teams[entry.team]

    def reply_texts(self) -> list[tuple[str, Text]]:
        """Every text a reply shows, named as an admin finds it ("entry 'x' area")."""
        texts = [(f"team '{team.id}' name", team.name)
                 for team in (*self.teams.values(), self.fallback)]
        for entry in self.entries:
            texts += [(f"entry '{entry.id}' area", entry.area),
                      (f"entry '{entry.id}' pm_role.does", entry.pm_does),
                      (f"entry '{entry.id}' pm_role.does_not", entry.pm_does_not)]
        return texts

    @cached_property
    def japanese_gaps(self) -> tuple[str, ...]:
        """The reply texts without a `ja`.

        Japanese askers are answered in Japanese only when there are none: a reply that mixes
        Japanese labels with English areas reads worse than one in English throughout."""
        return tuple(label for label, text in self.reply_texts() if not text.ja)

    @property
    def speaks_japanese(self) -> bool:
        return not self.japanese_gaps


def _contact(reader: Reader) -> Contact:
    raw = reader.data.get("contact")
    if raw is None:
        return Contact()
    if not isinstance(raw, dict):
        reader._bad("contact", f"must be a mapping (channel, usergroup...), got {type_name(raw)}")
        return Contact()
    sub = Reader(reader.problems, reader.file, reader.where, raw)
    sub._bad = lambda f, m: reader._bad(f"contact.{f}", m)  # type: ignore[method-assign]
    known = {"channel", "channel_id", "usergroup", "usergroup_id", "email"}
    for key in raw:
        if key not in known:
            reader._bad(f"contact.{key}", f"is not a known field (use one of {sorted(known)})")
    return Contact(**{k: sub.string(k, required=False) for k in known})


def _parse_team(problems: Problems, file: Path, team_id: str, raw: Any) -> Team | None:
    where = f"team '{team_id}'"
    if not isinstance(raw, dict):
        problems.add(file, where, f"must be a mapping with name and contact, got {type_name(raw)}")
        return None
    reader = Reader(problems, file, where, raw)
    name = reader.bilingual("name")
    contact = _contact(reader)
    return Team(team_id, name, contact) if name else None


def _parse_teams(root: Path, problems: Problems) -> tuple[dict[str, Team], Team | None]:
    file = root / "teams.yaml"
    if not file.is_file():
        problems.add(file, "", "is missing: a knowledge folder needs teams.yaml")
        return {}, None
    data = load_yaml(file, problems)
    if data is None:
        return {}, None
    if not isinstance(data, dict) or not isinstance(data.get("teams"), dict):
        problems.add(file, "", "must be a mapping with a 'teams' mapping (team id -> team)")
        return {}, None
    teams = {}
    for team_id, raw in data["teams"].items():
        team = _parse_team(problems, file, str(team_id), raw)
        if team:
            teams[team.id] = team
    fallback = None
    if data.get("fallback") is None:
        problems.add(file, "", "field 'fallback' is missing: who to ask when the bot is unsure")
    else:
        fallback = _parse_team(problems, file, "fallback", data["fallback"])
    return teams, fallback


_ENTRY_FIELDS = {"id", "team", "area", "tasks", "pm_role", "examples", "keywords"}


def _parse_entry(
    problems: Problems, file: Path, index: int, raw: Any, teams: dict[str, Team]
) -> Entry | None:
    if not isinstance(raw, dict):
        problems.add(file, f"entry #{index + 1}", f"must be a mapping, got {type_name(raw)}")
        return None
    entry_id = raw.get("id")
    where = f"entry '{entry_id}'" if isinstance(entry_id, str) else f"entry #{index + 1}"
    reader = Reader(problems, file, where, raw)
    for key in raw:
        if key not in _ENTRY_FIELDS:
            reader._bad(str(key), f"is not a known field (use one of {sorted(_ENTRY_FIELDS)})")
    entry_id = reader.string("id")
    team = reader.string("team")
    if team and teams and team not in teams:
        reader._bad("team", f"unknown team id '{team}' (known: {', '.join(sorted(teams))})")
        team = None
    area = reader.bilingual("area")
    tasks_zh, tasks_en = reader.bilingual_list("tasks")
    examples_zh, examples_en, examples_ja = reader.bilingual_list("examples", optional=("ja",))
    keywords = reader.string_list("keywords", required=False)
    pm = raw.get("pm_role")
    pm_does = pm_does_not = None
    if not isinstance(pm, dict):
        reader._bad(
            "pm_role",
            "is missing (give does: {zh, en} and does_not: {zh, en})"
            if pm is None
            else f"must be a mapping with 'does' and 'does_not', got {type_name(pm)}",
        )
    else:
        sub = Reader(problems, file, where, pm)
        sub._bad = lambda f, m: reader._bad(f"pm_role.{f}", m)  # type: ignore[method-assign]
        pm_does = sub.bilingual("does")
        pm_does_not = sub.bilingual("does_not")
    if None in (entry_id, team, area, pm_does, pm_does_not):
        return None
    return Entry(
        id=entry_id,
        team=team,
        area=area,
        tasks_zh=tasks_zh,
        tasks_en=tasks_en,
        pm_does=pm_does,
        pm_does_not=pm_does_not,
        examples_zh=examples_zh,
        examples_en=examples_en,
        examples_ja=examples_ja,
        keywords=keywords,
        source=str(file),
    )


def _entry_files(root: Path) -> list[Path]:
    folder = root / "entries"
    if folder.is_dir():
        return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return []


_OFFTOPIC_EXTRA = ("ja", "zh-Hant")


def _parse_offtopic(root: Path, problems: Problems) -> tuple[str, ...]:
    file = root / "offtopic.yaml"
    if not file.is_file():
        return ()
    data = load_yaml(file, problems)
    if data is None:
        return ()
    if not isinstance(data, dict):
        problems.add(file, "", "must be a mapping with 'zh' and 'en' lists of off-topic phrases")
        return ()
    reader = Reader(problems, file, "offtopic", data)
    # zh and en are required; other languages the encoder reads (ja, zh-Hant) are optional.
    extra = [reader.string_list(k, required=False) for k in _OFFTOPIC_EXTRA if k in data]
    return tuple(reader.string_list("zh") + reader.string_list("en") + sum(extra, ()))


def _source_files(root: Path) -> list[Path]:
    return [root / "teams.yaml", root / "offtopic.yaml", root / LEARNED_FILE,
            *_entry_files(root)]


def source_fingerprint(root: str | Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the knowledge files: cheap to poll for edits."""
    root = Path(root)
    out = []
    for path in _source_files(root):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def _content_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _source_files(root):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_knowledge(root: str | Path) -> Knowledge:
    """Load a knowledge folder, or raise KnowledgeError listing every problem found."""
    root = Path(root)
    problems = Problems()
    if not root.is_dir():
        raise KnowledgeError([f"{root}: is not a folder: point the bot at a knowledge folder"])
    teams, fallback = _parse_teams(root, problems)
    files = _entry_files(root)
    if not files:
        problems.add(root / "entries", "", "has no *.yaml files: add at least one entry file")
    entries: list[Entry] = []
    first_seen: dict[str, str] = {}
    for file in files:
        data = load_yaml(file, problems)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.add(file, "", f"must be a list of entries, got {type_name(data)}")
            continue
        for index, raw in enumerate(data):
            entry = _parse_entry(problems, file, index, raw, teams)
            if entry is None:
                continue
            if entry.id in first_seen:
                problems.add(
                    file,
                    f"entry '{entry.id}': field 'id'",
                    f"duplicate entry id (first defined in {first_seen[entry.id]})",
                )
                continue
            first_seen[entry.id] = str(file)
            entries.append(entry)
    offtopic = _parse_offtopic(root, problems)
    learned = parse_learned(root, first_seen, problems)
    if files and not entries and not problems.items:
        problems.add(root / "entries", "", "has no entries: add at least one to match against")
    if problems.items:
        raise KnowledgeError(problems.items)
    assert fallback is not None
    knowledge = Knowledge(
        teams=teams,
        entries=tuple(entries),
        fallback=fallback,
        offtopic=offtopic,
        version=_content_hash(root),
    )
    return with_learned(knowledge, learned)
