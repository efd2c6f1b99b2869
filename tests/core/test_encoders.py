"""Encoders: the default USE and the sentence-transformers backend, both real and offline."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cache import EmbeddingCache
from bot.cli import cli
from bot.config import Settings
from bot.encoders import EncoderError, SentenceTransformerEncoder, load_encoder
from bot.engine import build_matcher
from bot.matcher import Matcher

from .support import SHIPPED_KNOWLEDGE, st_model_path


def cosine(encoder, a: str, b: str) -> float:
    va, vb = encoder.encode_queries([a, b])
    return float(va @ vb)


# --------------------------------------------------------------------------- USE (default)


def test_use_shapes_and_normalised(use_encoder):
    vectors = use_encoder.encode_passages(["write code", "谁负责写代码", "誰負責寫程式"])
    assert vectors.shape == (3, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use_encoder.encode_queries([]).shape == (0, 512)
    assert use_encoder.id.startswith("use-m3@")
    assert use_encoder.family == "use"


def test_use_is_deterministic(use_encoder):
    a = use_encoder.encode_queries(["Who owns the budget?"])
    b = use_encoder.encode_queries(["Who owns the budget?"])
    np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize(
    ("question", "paraphrase", "unrelated"),
    [
        ("Who writes the code?", "Which team does the programming?", "Who buys office supplies?"),
        ("谁负责写代码", "编程工作由哪个团队做", "办公用品谁采购"),
        ("预算谁来编", "谁负责编制预算", "测试用例谁来写"),
        ("谁负责写代码", "Who writes the code?", "Who buys office supplies?"),  # cross-lingual
    ],
)
def test_use_paraphrase_closer_than_unrelated(use_encoder, question, paraphrase, unrelated):
    assert cosine(use_encoder, question, paraphrase) > cosine(use_encoder, question, unrelated)


def test_load_encoder_default_is_use():
    assert load_encoder().family == "use"
    assert load_encoder("use").family == "use"


# --------------------------------------------------------------------------- sentence-transformers


def test_st_encoder_real_model_offline(st_encoder):
    assert st_encoder.family == "st"
    assert st_encoder.id.startswith("st:") and ":384:" in st_encoder.id
    vectors = st_encoder.encode_passages(["write code", "prepare the budget"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert st_encoder.encode_queries([]).shape == (0, 384)
    assert cosine(st_encoder, "Who writes the code?", "Which team does the programming?") > (
        cosine(st_encoder, "Who writes the code?", "Who buys office supplies?")
    )


def test_st_backend_through_settings_and_matcher(tmp_path, write_knowledge):
    """The spec string in Settings loads the packaged model; the same Matcher API answers."""
    settings = Settings(
        knowledge_dir=write_knowledge(), encoder=f"st:{st_model_path()}", data_dir=tmp_path / "d"
    )
    matcher = build_matcher(settings)
    assert isinstance(matcher.encoder, SentenceTransformerEncoder)
    assert matcher.index.matrix.shape[1] == 384
    for question, team in [
        ("Who writes the code?", "engineering"),
        ("Who owns the budget?", "finance"),
        ("Who writes the test cases?", "qa"),
        ("Who buys office supplies?", "admin"),
    ]:
        match = matcher.match(question)
        assert match.answered, (question, match)
        assert match.best.team.id == team, (question, match.best.entry.id)
        assert match.lang == "en"


@pytest.fixture(scope="module")
def st_shipped_matcher(st_encoder) -> Matcher:
    settings = Settings(knowledge_dir=SHIPPED_KNOWLEDGE, encoder=f"st:{st_model_path()}")
    return build_matcher(settings, encoder=st_encoder, cache=EmbeddingCache(None))


def test_st_backend_on_shipped_knowledge(st_shipped_matcher):
    match = st_shipped_matcher.match("Who writes the code?")
    assert match.answered
    assert match.best.team.id == "engineering"
    assert 0.0 < match.score <= 2.0
    assert all(c.team.id != "engineering" for c in match.alternatives)


def test_st_and_use_caches_do_not_mix(tmp_path, write_knowledge, use_encoder, st_encoder):
    folder = write_knowledge()
    path = tmp_path / "shared.sqlite3"
    settings = Settings(knowledge_dir=folder, data_dir=tmp_path)
    use_cache = EmbeddingCache(path)
    build_matcher(settings, encoder=use_encoder, cache=use_cache)
    st_cache = EmbeddingCache(path)
    matcher = build_matcher(settings, encoder=st_encoder, cache=st_cache)
    assert st_cache.embedded_count == use_cache.embedded_count > 0
    assert matcher.index.matrix.shape[1] == 384


# --------------------------------------------------------------------------- errors: one line


def one_line_error(spec: str) -> str:
    with pytest.raises(EncoderError) as info:
        load_encoder(spec)
    message = str(info.value)
    assert message and "\n" not in message
    assert "Traceback" not in message
    return message


def test_unknown_model_name_is_one_line():
    message = one_line_error("st:no-such-model-anywhere-xyz")
    assert "no-such-model-anywhere-xyz" in message
    assert "cannot load" in message


def test_unknown_hub_style_name_is_one_line():
    message = one_line_error("st:nobody-here/not-a-model")
    assert "nobody-here/not-a-model" in message


def test_nonexistent_path_is_one_line(tmp_path):
    missing = tmp_path / "no" / "model"
    message = one_line_error(f"st:{missing}")
    assert str(missing) in message
    assert "does not exist" in message


def test_folder_that_is_not_a_model_is_one_line(tmp_path):
    (tmp_path / "junk.txt").write_text("not a model")
    message = one_line_error(f"st:{tmp_path}")
    assert str(tmp_path) in message


def test_empty_st_name_is_one_line():
    assert "model name or path" in one_line_error("st:")


def test_unknown_encoder_spec_is_one_line():
    message = one_line_error("word2vec")
    assert "unknown encoder 'word2vec'" in message
    assert "st:<model name or path>" in message


@pytest.mark.parametrize("spec", ["st:/nonexistent/model", "st:no-such-model-xyz", "bogus"])
def test_cli_bad_encoder_is_one_line_error(spec):
    result = CliRunner().invoke(cli, ["ask", "--encoder", spec, "Who writes the code?"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")


def test_cli_bad_encoder_from_env(monkeypatch):
    monkeypatch.setenv("OWNER_BOT_ENCODER", "st:/nonexistent")
    result = CliRunner().invoke(cli, ["ask", "Who writes the code?"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: model folder /nonexistent does not exist: give an existing path"
    )


def test_cli_ask_with_st_encoder(write_knowledge):
    result = CliRunner().invoke(
        cli,
        ["ask", "--json", "--knowledge", str(write_knowledge()), "--encoder",
         f"st:{st_model_path()}", "Who writes the code?"],
    )
    assert result.exit_code == 0, result.output
    assert '"team": "engineering"' in result.stdout
