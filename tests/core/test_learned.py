"""The learning loop without Slack: teach, approve, export to learned.yaml, serve at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cache import EmbeddingCache
from bot.cli import cli
from bot.config import Settings
from bot.engine import build_matcher
from bot.knowledge import KnowledgeError, load_knowledge
from bot.reload import KnowledgeReloader, Serving
from bot.store import SqliteStore

from .support import REPO_ROOT, SHIPPED_KNOWLEDGE

QUESTION = "我们的咖啡机合同续签找谁"
PARAPHRASE = "咖啡机的合同要续签了，该找谁"
ENTRY = "admin-office-supplies"


def owner_bot(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OWNER_BOT_")},
           "PYTHONPATH": str(REPO_ROOT), "OWNER_BOT_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", *args],
                          input=stdin, env=env, capture_output=True, text=True, timeout=120,
                          cwd=data_dir.parent)


def asked(result: subprocess.CompletedProcess) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_taught_question_is_answered_in_a_fresh_process_and_survives_export(tmp_path: Path,
                                                                          warm_cache: Path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(warm_cache, data / warm_cache.name)  # the knowledge embedded already
    knowledge = ["--knowledge", str(SHIPPED_KNOWLEDGE)]
    [before] = asked(owner_bot(data, "ask", *knowledge, "--json", "-", stdin=QUESTION + "\n"))
    assert before["entry"] != ENTRY  # the knowledge alone does not know it

    taught = owner_bot(data, "learned", "add", *knowledge, QUESTION, ENTRY)
    assert taught.returncode == 0 and "learned #1" in taught.stdout, taught.stderr
    after = asked(owner_bot(data, "ask", *knowledge, "--json", "-",
                            stdin=f"{QUESTION}\n{PARAPHRASE}\n"))
    assert [a["entry"] for a in after] == [ENTRY, ENTRY]

    folder = tmp_path / "kb"
    shutil.copytree(SHIPPED_KNOWLEDGE, folder)
    exported = owner_bot(data, "learned", "export", *knowledge, str(folder / "learned.yaml"))
    assert exported.returncode == 0 and "1 example" in exported.stdout
    assert owner_bot(data, "check", str(folder)).returncode == 0
    empty = tmp_path / "empty-data"  # no database: only learned.yaml can teach it
    empty.mkdir()
    shutil.copyfile(warm_cache, empty / warm_cache.name)
    [served] = asked(owner_bot(empty, "--knowledge", str(folder), "ask", "--json", "-",
                               stdin=QUESTION + "\n"))
    assert served["entry"] == ENTRY


@pytest.mark.parametrize(("args", "says"), [
    (["learned", "add", QUESTION, "no-such-entry"], "unknown entry id 'no-such-entry'"),
    (["learned", "add", "   ", ENTRY], "the question is empty"),
    (["learned", "approve", "abc"], "not a suggestion id"),
    (["learned", "approve", "999"], "no suggestion with id 999"),
    (["learned", "approve", "1", "--entry", "nope"], "unknown entry id 'nope'"),
])
def test_bad_ids_are_one_line_and_nothing_is_written(args: list[str], says: str,
                                                     isolated_state: Path):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert SqliteStore(Settings.from_env().store_path).suggestions() == []


def test_pending_suggestion_is_listed_then_approved_as_another_entry(isolated_state: Path):
    store = SqliteStore(Settings.from_env().store_path)
    store.add_suggestion(QUESTION, "finance-budget", user="U1")
    listed = CliRunner().invoke(cli, ["learned", "list", "--pending"])
    assert "pending" in listed.output and QUESTION in listed.output
    done = CliRunner().invoke(cli, ["learned", "approve", "1", "--entry", ENTRY])
    assert done.exit_code == 0 and f"approved: {ENTRY}" in done.output
    assert [s.entry for s in store.suggestions("approved")] == [ENTRY]


def test_learned_yaml_is_validated_and_an_example_in_both_places_is_served_once(tmp_path,
                                                                               warm_cache):
    folder = tmp_path / "kb"
    shutil.copytree(SHIPPED_KNOWLEDGE, folder)
    (folder / "learned.yaml").write_text(
        f"- entry: no-such\n  examples: {{zh: [x]}}\n- entry: {ENTRY}\n"
        f"  examples: {{zh: [{QUESTION}]}}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    assert any("learned.yaml" in p and "unknown entry id 'no-such'" in p
               for p in caught.value.problems)

    (folder / "learned.yaml").write_text(f"- entry: {ENTRY}\n  examples: {{zh: [{QUESTION}]}}\n",
                                         encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(warm_cache, data / warm_cache.name)
    SqliteStore(Settings(data_dir=data).store_path).add_suggestion(QUESTION, ENTRY,
                                                                   approved_by="UADMIN")
    matcher = build_matcher(Settings(knowledge_dir=folder, data_dir=data))
    texts = matcher.knowledge.entry(ENTRY).texts()
    assert texts.count(QUESTION) == 1


def test_an_approved_example_is_served_by_the_running_matcher_without_restart(
        isolated_state: Path, use_encoder):
    settings = Settings(knowledge_dir=SHIPPED_KNOWLEDGE, data_dir=isolated_state)
    store = SqliteStore(settings.store_path)
    cache = EmbeddingCache(settings.cache_path)
    serving = Serving(build_matcher(settings, encoder=use_encoder, cache=cache))
    reloader = KnowledgeReloader(serving, SHIPPED_KNOWLEDGE, cache, store=store)
    assert reloader.poll_once() is None
    before = serving.matcher.match(QUESTION)
    assert before.best is None or before.best.entry.id != ENTRY

    store.add_suggestion(QUESTION, ENTRY, approved_by="UADMIN")
    embedded, rows = cache.embedded_count, serving.matcher.index.matrix.shape[0]
    result = reloader.poll_once()

    assert result is not None and result.changed
    assert serving.matcher.index.matrix.shape[0] == rows + 1  # one new knowledge text
    # Embedded: that text, and the decision rule's views of it (refitted on the new version);
    # nothing else of the knowledge again.
    assert 1 <= cache.embedded_count - embedded <= 4
    assert serving.matcher.match(PARAPHRASE).best.entry.id == ENTRY
