"""Knowledge reload without restart: picked up, rejected when invalid, never mixed."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml

from bot.cache import EmbeddingCache
from bot.encoders import UseEncoder
from bot.knowledge import load_knowledge
from bot.matcher import Matcher, Thresholds, build_index
from bot.reload import KnowledgeReloader, Serving

TEAMS = {
    "fallback": {"name": {"zh": "运营", "en": "Ops"}, "contact": {"channel": "#ops"}},
    "teams": {
        "engineering": {"name": {"zh": "开发团队", "en": "Engineering"}},
        "finance": {"name": {"zh": "财务团队", "en": "Finance"}},
        "admin": {"name": {"zh": "行政团队", "en": "Administration"}},
    },
}


def entry(entry_id: str, team: str, area_zh: str, area_en: str, examples: list[str]) -> dict:
    return {
        "id": entry_id,
        "team": team,
        "area": {"zh": area_zh, "en": area_en},
        "tasks": {"zh": [area_zh], "en": [area_en]},
        "pm_role": {
            "does": {"zh": "提需求", "en": "Sets requirements"},
            "does_not": {"zh": "不亲自做", "en": "Does not do it"},
        },
        "examples": {"zh": examples, "en": [f"Who handles {area_en.lower()}?"]},
    }


CODING = entry("coding", "engineering", "编写代码", "Writing code", ["谁负责写代码"])
BUDGET = entry("budget", "finance", "预算管理", "Budget management", ["预算谁来编"])
SNACKS_ADMIN = entry("snacks", "admin", "零食和茶水间", "Office snacks and pantry", ["零食谁买"])
SNACKS_FINANCE = {**SNACKS_ADMIN, "team": "finance"}


def write(folder: Path, entries: list[dict]) -> None:
    (folder / "entries").mkdir(parents=True, exist_ok=True)
    (folder / "teams.yaml").write_text(yaml.safe_dump(TEAMS, allow_unicode=True), "utf-8")
    (folder / "entries" / "all.yaml").write_text(
        yaml.safe_dump(entries, allow_unicode=True), "utf-8"
    )


@pytest.fixture(scope="module")
def encoder() -> UseEncoder:
    return UseEncoder()


@pytest.fixture
def served(tmp_path: Path, encoder: UseEncoder):
    folder = tmp_path / "knowledge"
    write(folder, [CODING, BUDGET])
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    matcher = Matcher(
        build_index(load_knowledge(folder), encoder, cache), encoder, Thresholds(answer=0.3)
    )
    serving = Serving(matcher)
    return folder, serving, KnowledgeReloader(serving, folder, cache), cache


def test_valid_edit_is_picked_up_without_restart(served):
    folder, serving, reloader, cache = served
    before = serving.matcher.match("零食和茶水间谁管")
    assert before.best is None or before.best.entry.id != "snacks"
    assert reloader.poll_once() is None  # nothing changed, nothing rebuilt

    embedded = cache.embedded_count
    write(folder, [CODING, BUDGET, SNACKS_ADMIN])
    result = reloader.poll_once()

    assert result is not None and result.changed and result.ok
    after = serving.matcher.match("零食和茶水间谁管")
    assert after.best is not None and after.best.entry.id == "snacks"
    assert after.knowledge.version == result.version != before.knowledge.version
    # Only the new entry's texts were embedded; the unchanged ones came from the cache.
    assert cache.embedded_count - embedded == len(load_knowledge(folder).entry("snacks").texts())


def test_invalid_edit_is_rejected_and_old_knowledge_keeps_serving(served):
    folder, serving, reloader, _ = served
    version = serving.matcher.knowledge.version
    broken = {**SNACKS_ADMIN, "team": "catering"}
    write(folder, [CODING, BUDGET, broken])

    result = reloader.poll_once()

    assert result is not None and not result.ok and not result.changed
    assert result.version == version
    assert any(
        "entry 'snacks'" in p and "field 'team'" in p and "unknown team id 'catering'" in p
        and "all.yaml" in p
        for p in result.problems
    )
    answer = serving.matcher.match("谁负责写代码")
    assert answer.best is not None and answer.best.team.id == "engineering"
    assert answer.knowledge.version == version


def test_broken_yaml_is_rejected_with_its_line(served):
    folder, serving, reloader, _ = served
    version = serving.matcher.knowledge.version
    (folder / "entries" / "all.yaml").write_text("- id: x\n  team: [unclosed\n", "utf-8")

    result = reloader.reload()

    assert not result.ok and serving.matcher.knowledge.version == version
    assert any("all.yaml" in p and "line " in p and "invalid YAML" in p for p in result.problems)


def test_answers_in_flight_never_mix_two_versions(served):
    """Flip one entry between two owners while askers run; each answer is one version's."""
    folder, serving, reloader, _ = served
    owner_by_version: dict[str, str] = {}
    for variant in (SNACKS_ADMIN, SNACKS_FINANCE, SNACKS_ADMIN):
        write(folder, [CODING, BUDGET, variant])
        reloader.reload()
        owner_by_version[serving.matcher.knowledge.version] = variant["team"]

    seen: list[tuple[str, str | None]] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            m = serving.matcher.match("零食和茶水间谁管")
            seen.append((m.knowledge.version, m.best.team.id if m.best else None))

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        # Flip until the askers have really been served both versions (bounded), rather than
        # a fixed 12 flips that can all finish before the askers' threads get to run.
        for i in range(2000):
            write(folder, [CODING, BUDGET, SNACKS_FINANCE if i % 2 else SNACKS_ADMIN])
            reloader.reload()
            if i >= 12 and len({v for v, _ in seen}) == 2:
                break
            time.sleep(0.001)
    finally:
        stop.set()
        for t in askers:
            t.join(timeout=30)

    assert len({v for v, _ in seen}) == 2  # both versions were really served
    for version, team in seen:
        assert team == owner_by_version[version]


def test_watcher_thread_picks_up_an_edit(served):
    folder, serving, reloader, _ = served
    reloader.start(interval=0.05)
    try:
        write(folder, [CODING, BUDGET, SNACKS_ADMIN])
        for _ in range(200):  # up to 10 s
            if serving.matcher.knowledge.entry("snacks") is not None:
                break
            time.sleep(0.05)
        assert serving.matcher.knowledge.entry("snacks") is not None
    finally:
        reloader.stop()


def test_another_replicas_reload_and_learned_example_reach_this_one(served, tmp_path: Path):
    """Two replicas on one store: a `/owner reload` (a signal) or an approved example made on
    the other one shows up at this one's next look."""
    from bot.store import SqliteStore

    folder, serving, _, cache = served
    store = SqliteStore(tmp_path / "shared.sqlite3")
    here = KnowledgeReloader(serving, folder, cache, store=store)
    assert here.poll_once() is None
    there = SqliteStore(tmp_path / "shared.sqlite3")  # the other replica's opening
    there.signal("reload")
    assert here.poll_once() is not None  # looked again (nothing new in the files: unchanged)
    there.add_suggestion("零食和茶水间谁管", "budget", approved_by="UADMIN")
    result = here.poll_once()
    assert result is not None and result.changed
    assert serving.matcher.match("零食和茶水间谁管").best.entry.id == "budget"
    there.close()
    store.close()


def test_a_learned_example_alone_keeps_the_fitted_rule(tmp_path: Path, encoder: UseEncoder):
    """Refitting took seconds that every other replica would wait; one example more barely moves
    the rule, so only a change of the files refits it."""
    from bot.store import SqliteStore

    folder = tmp_path / "acme"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "acme_knowledge", folder)
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    store = SqliteStore(tmp_path / "store.sqlite3")
    serving = Serving(Matcher(build_index(load_knowledge(folder), encoder, cache), encoder,
                              Thresholds()))
    rule = serving.matcher.index.rule
    assert rule is not None  # the made-up company's folder has enough examples to fit one
    reloader = KnowledgeReloader(serving, folder, cache, store=store)
    entry = load_knowledge(folder).entries[0].id
    store.add_suggestion("who looks after the sourdough starter?", entry, approved_by="U1")
    assert reloader.poll_once().changed  # type: ignore[union-attr]
    assert serving.matcher.index.rule is rule
    store.close()
