"""Embedding cache: keyed by encoder id and text hash; unchanged knowledge embeds nothing."""

from __future__ import annotations

import copy
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cache import EmbeddingCache, text_hash
from bot.cli import cli
from bot.config import Settings
from bot.empty_asks import EMPTY_ASKS
from bot.encoders import UseEncoder
from bot.engine import build_matcher
from bot.hanzi import to_simplified
from bot.knowledge import load_knowledge

from .support import BUDGET, CODING, OFFICE, SHIPPED_KNOWLEDGE, TESTING

# These test the cache itself: every one starts empty.
pytestmark = pytest.mark.cold_cache


def rows(path: Path) -> int:
    """Rows of the index: not the texts the decision rule is fitted on ('|fit') nor the fitted
    rule and head ('rule:', 'head:'), which bot/fitting.py keeps beside them."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM embeddings WHERE encoder NOT LIKE '%|fit'"
                          " AND encoder NOT LIKE 'rule:%' AND encoder NOT LIKE 'head:%'"
                          ).fetchone()[0]


def entry_texts(folder: Path) -> int:
    """Distinct entry texts (in simplified script): what the encoder sees as passages cold."""
    return len({to_simplified(t) for e in load_knowledge(folder).entries for t in e.texts()})


def index_texts(folder: Path) -> int:
    """Distinct texts a cold start embeds: entry texts, plus off-topic anchors and the asks
    that name no work (both embedded as queries)."""
    return entry_texts(folder) + anchors(folder)


def anchors(folder: Path) -> int:
    return len({to_simplified(t) for t in load_knowledge(folder).offtopic} | set(EMPTY_ASKS))


def test_text_hash_is_stable_and_distinct():
    assert text_hash("谁负责写代码") == text_hash("谁负责写代码")
    assert text_hash("write code") != text_hash("write  code")
    assert len(text_hash("")) == 64


def test_embed_encodes_only_missing_texts_and_keeps_order(tmp_path, use_encoder):
    cache = EmbeddingCache(tmp_path / "c.sqlite3")
    first = cache.embed(use_encoder.id, ["write code", "预算管理"], use_encoder.encode_passages)
    assert cache.embedded_count == 2
    texts = ["预算管理", "write code", "预算管理", "fix bugs"]
    both = cache.embed(use_encoder.id, texts, use_encoder.encode_passages)
    assert cache.embedded_count == 3  # only "fix bugs" was new; the repeat was embedded once
    assert both.shape == (4, 512) and both.dtype == np.float32
    np.testing.assert_allclose(both[0], first[1], atol=1e-6)
    np.testing.assert_allclose(both[1], first[0], atol=1e-6)
    np.testing.assert_allclose(both[2], first[1], atol=1e-6)
    direct = use_encoder.encode_passages(["fix bugs"])[0]
    np.testing.assert_allclose(both[3], direct, atol=1e-5)


def test_embed_nothing(use_encoder):
    cache = EmbeddingCache(None)
    assert cache.embed(use_encoder.id, [], use_encoder.encode_passages).shape[0] == 0
    assert cache.embedded_count == 0


def test_cache_is_keyed_by_encoder_id(tmp_path, use_encoder):
    path = tmp_path / "c.sqlite3"
    cache = EmbeddingCache(path)
    cache.embed(use_encoder.id, ["write code"], use_encoder.encode_passages)
    cache.embed("another-encoder@1", ["write code"], use_encoder.encode_passages)
    assert cache.embedded_count == 2
    assert rows(path) == 2


def test_restart_with_unchanged_knowledge_embeds_nothing(tmp_path, write_knowledge, use_encoder):
    folder = write_knowledge()
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path / "data")
    first_cache = EmbeddingCache(settings.cache_path)
    first = build_matcher(settings, encoder=use_encoder, cache=first_cache)
    total = index_texts(folder)
    assert first_cache.embedded_count == total > 0
    assert rows(settings.cache_path) == total
    first_cache.close()

    # A restart: a new cache object on the same file, a new matcher.
    second_cache = EmbeddingCache(settings.cache_path)
    second = build_matcher(settings, encoder=use_encoder, cache=second_cache)
    assert second_cache.embedded_count == 0
    assert rows(settings.cache_path) == total
    np.testing.assert_allclose(second.index.matrix, first.index.matrix, atol=1e-6)
    answer = second.match("Who owns the budget?")
    assert answer.best is not None and answer.best.team.id == "finance"


def test_edited_entry_re_embeds_only_its_changed_texts(tmp_path, write_knowledge, use_encoder):
    folder = write_knowledge()
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path / "data")
    build_matcher(settings, encoder=use_encoder, cache=EmbeddingCache(settings.cache_path))
    before_rows = rows(settings.cache_path)

    edited = copy.deepcopy(BUDGET)
    edited["tasks"]["en"] = ["prepare the annual budget", "control costs"]
    edited["examples"]["zh"].append("年度预算谁负责")
    write_knowledge(entries={"all.yaml": [CODING, edited, TESTING, OFFICE]})

    cache = EmbeddingCache(settings.cache_path)
    matcher = build_matcher(settings, encoder=use_encoder, cache=cache)
    assert cache.embedded_count == 2  # the changed task and the new example, nothing else
    assert rows(settings.cache_path) == before_rows + 2
    answer = matcher.match("年度预算谁负责")
    assert answer.best is not None and answer.best.entry.id == "budget"


def test_offtopic_anchors_are_cached_too(tmp_path, write_knowledge, use_encoder):
    folder = write_knowledge(offtopic={"zh": ["今天中午吃什么"], "en": ["What's the weather?"]})
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path / "data")
    first = EmbeddingCache(settings.cache_path)
    build_matcher(settings, encoder=use_encoder, cache=first)
    assert first.embedded_count == index_texts(folder)
    second = EmbeddingCache(settings.cache_path)
    build_matcher(settings, encoder=use_encoder, cache=second)
    assert second.embedded_count == 0


def test_build_matcher_logs_what_it_embedded(tmp_path, write_knowledge, use_encoder, caplog):
    folder = write_knowledge()
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path / "data")
    with caplog.at_level(logging.INFO, logger="bot.engine"):
        build_matcher(settings, encoder=use_encoder)
        build_matcher(settings, encoder=use_encoder)
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.engine"]
    assert messages[0].startswith(f"embedded {index_texts(folder)} knowledge texts")
    assert messages[1].startswith("embedded 0 knowledge texts")


# --------------------------------------------------------------------------- through the CLI


def spy_on(monkeypatch, method: str) -> list[int]:
    """Wrap a real UseEncoder method; returns the list of batch sizes it was given."""
    calls: list[int] = []
    real = getattr(UseEncoder, method)

    def wrapper(self: UseEncoder, texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(UseEncoder, method, wrapper)
    return calls


def shipped_copy(tmp_path: Path) -> Path:
    """A snapshot of the shipped knowledge, so edits made meanwhile cannot race the test."""
    return Path(shutil.copytree(SHIPPED_KNOWLEDGE, tmp_path / "knowledge-copy"))


def test_second_cli_ask_embeds_no_knowledge_text(monkeypatch, isolated_state, tmp_path):
    passages = spy_on(monkeypatch, "encode_passages")
    queries = spy_on(monkeypatch, "encode_queries")
    folder = shipped_copy(tmp_path)
    question = "谁负责写代码？"
    # How many query texts answering this one question takes, once everything is built.
    warm = build_matcher(Settings(knowledge_dir=folder, data_dir=tmp_path / "warm"))
    queries.clear()
    warm.match(question)
    per_question = sum(queries)
    assert per_question >= 1

    runner = CliRunner()
    args = ["ask", "--knowledge", str(folder), question]
    passages.clear()
    queries.clear()
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert sum(passages) == entry_texts(folder)
    # the off-topic anchors (embedded as queries), the work phrases the decision rule is fitted
    # on (bot/fitting.py), and the question itself
    assert sum(queries) > anchors(folder) + per_question
    assert (isolated_state / "embeddings.sqlite3").is_file()

    passages.clear()
    queries.clear()
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert passages == []  # no knowledge text embedded
    assert sum(queries) == per_question  # only the question, no off-topic anchor
    assert second.stdout == first.stdout
    assert "开发团队" in second.stdout


def test_second_cli_process_embeds_no_knowledge_text(tmp_path):
    """Two real `owner-bot ask` processes; a SQLite trigger records every embedding written."""
    data = tmp_path / "data"
    folder = shipped_copy(tmp_path)
    env = {
        **os.environ,
        "OWNER_BOT_DATA_DIR": str(data),
        "OWNER_BOT_KNOWLEDGE": str(folder),
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-c", "from bot.cli import main; main()", "ask", "Who codes?"]

    def run() -> subprocess.CompletedProcess:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    first = run()
    db_path = data / "embeddings.sqlite3"
    assert rows(db_path) == index_texts(folder)
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE written (hash TEXT)")
        db.execute(
            "CREATE TRIGGER log_written AFTER INSERT ON embeddings "
            "BEGIN INSERT INTO written VALUES (new.hash); END"
        )

    second = run()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM written").fetchone()[0] == 0
    assert second.stdout == first.stdout
    assert "Engineering" in second.stdout


def test_an_unusable_data_dir_is_one_line_and_no_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("OWNER_BOT_DATA_DIR", str(blocker / "data"))
    result = CliRunner().invoke(cli, ["ask", "谁负责写代码"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot use the embedding cache")
    assert "OWNER_BOT_DATA_DIR" in lines[0]


def test_a_damaged_cache_file_is_set_aside_and_rebuilt(tmp_path):
    path = tmp_path / "embeddings.sqlite3"
    path.write_bytes(b"this is not an sqlite database" * 100)
    cache = EmbeddingCache(path)
    vectors = cache.embed("enc", ["a", "b"], lambda texts: np.ones((len(texts), 3), np.float32))
    assert vectors.shape == (2, 3) and cache.embedded_count == 2
    assert (tmp_path / "embeddings.sqlite3.corrupt").is_file()
    assert EmbeddingCache(path).get_many("enc", [text_hash("a")])  # the new file works
