"""The owner-bot CLI: ask (text and JSON lines), eval, and their errors. Real USE encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.evaluation import EvalSetError, load_items
from bot.question import clean

from .support import dump


@pytest.fixture
def small(write_knowledge) -> Path:
    return write_knowledge()


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ask", "check", "eval"):
        assert command in result.stdout


def test_ask_prints_the_human_reply(small):
    result = invoke("ask", "--knowledge", str(small), "谁负责写代码？")
    assert result.exit_code == 0, result.output
    assert "负责团队: 开发团队 (#eng-help · @eng-oncall)" in result.stdout
    assert "产品经理要做的" in result.stdout and "产品经理不做的" in result.stdout
    assert "把握" in result.stdout


def test_ask_english(small):
    result = invoke("ask", "--knowledge", str(small), "Who owns the budget?")
    assert result.exit_code == 0, result.output
    assert "Owning team: Finance (#finance)" in result.stdout
    assert "Confidence:" in result.stdout


def test_ask_knowledge_from_env(small, monkeypatch):
    monkeypatch.setenv("OWNER_BOT_KNOWLEDGE", str(small))
    result = invoke("ask", "Who buys office supplies?")
    assert result.exit_code == 0, result.output
    assert "Administration" in result.stdout


REQUIRED = {
    "question": str,
    "answered": bool,
    "score": float,
    "alternatives": list,
    "reply": str,
}


def test_ask_json_reads_one_question_per_line(small):
    stdin = "谁负责写代码？\nWho owns the budget?\n\n今天中午吃什么\n"
    result = invoke("ask", "--json", "--knowledge", str(small), "-", input=stdin)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # the blank line is skipped
    objects = [json.loads(line) for line in lines]
    for obj in objects:
        for key, kind in REQUIRED.items():
            assert isinstance(obj[key], kind), (key, obj)
        for key in ("entry", "team"):
            assert obj[key] is None or isinstance(obj[key], str)
        for alt in obj["alternatives"]:
            assert set(alt) >= {"entry", "team", "score"}
            assert isinstance(alt["entry"], str) and isinstance(alt["team"], str)
            assert isinstance(alt["score"], float)
        if obj["answered"]:
            assert obj["entry"] is not None and obj["team"] is not None
        else:
            assert obj["entry"] is None and obj["team"] is None
    coding, budget, lunch = objects
    assert coding["question"] == "谁负责写代码？"  # the input line as given, to pair replies
    assert coding["cleaned"] == clean("谁负责写代码？")  # what was matched (NFKC: ？ -> ?)
    assert (coding["answered"], coding["team"], coding["entry"]) == (True, "engineering", "coding")
    assert "开发团队" in coding["reply"]
    assert (budget["team"], budget["entry"]) == ("finance", "budget")
    assert "Finance" in budget["reply"]
    assert lunch["answered"] is False and lunch["team"] is None
    assert "产品运营支持" in lunch["reply"]


def test_ask_json_single_question(small):
    result = invoke("ask", "--json", "--knowledge", str(small), "Who writes the test cases?")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["team"] == "qa" and obj["answered"] is True
    assert all(alt["team"] != "qa" for alt in obj["alternatives"])


def test_ask_text_from_stdin_separates_replies(small):
    stdin = "谁负责写代码\nWho owns the budget?\n"
    result = invoke("ask", "--knowledge", str(small), "-", input=stdin)
    assert result.exit_code == 0, result.output
    replies = [r for r in result.stdout.split("\n\n") if r.strip()]
    assert len(replies) == 2
    assert "开发团队" in replies[0] and "Finance" in replies[1]


def test_ask_emoji_only_is_declined_politely(small):
    result = invoke("ask", "--json", "--knowledge", str(small), "👍👍👍")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["answered"] is False and obj["score"] == 0.0


# --------------------------------------------------------------------------- eval


def write_eval(tmp_path: Path, items) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(items if isinstance(items, str) else dump(items), encoding="utf-8")
    return path


EVAL_ITEMS = [
    {"q": "谁负责写代码？", "team": "engineering", "lang": "zh"},
    {"q": "预算谁来编", "team": "finance", "lang": "zh"},
    {"q": "Who writes the test cases?", "team": "qa", "lang": "en"},
    {"q": "Who buys office supplies?", "team": "admin", "lang": "en"},
    # Deliberately wrong: the coding question "belongs" to finance, so it is a miss.
    {"q": "Who fixes production bugs?", "team": "finance", "lang": "en"},
    {"q": "今天中午吃什么", "team": None, "lang": "zh"},
    {"q": "👍", "team": None, "lang": "en"},
]


def test_eval_prints_accuracy_per_language_declines_and_misses(small, tmp_path):
    path = write_eval(tmp_path, EVAL_ITEMS)
    result = invoke("eval", "--knowledge", str(small), str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "in-scope top-1 team accuracy: 80.0% (4/5)" in out
    assert "zh     100.0% (2/2)" in out
    assert "en     66.7% (2/3)" in out
    assert "out-of-scope declined: 100.0% (2/2)" in out
    assert "misses (1):" in out
    assert "'Who fixes production bugs?': want finance, got engineering" in out


def test_eval_json(small, tmp_path):
    path = write_eval(tmp_path, EVAL_ITEMS)
    result = invoke("eval", "--json", "--knowledge", str(small), str(path))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["in_scope_accuracy"] == pytest.approx(0.8)
    assert figures["per_lang"] == {"zh": 1.0, "en": pytest.approx(2 / 3)}
    assert figures["out_of_scope_declined"] == 1.0
    assert [m["q"] for m in figures["misses"]] == ["Who fixes production bugs?"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("- {q: x, team: [unclosed\n", "invalid YAML"),
        ({"q": "not a list"}, "must be a list"),
        ([{"team": "qa", "lang": "en"}], "item 1: needs a 'q' string"),
        ([{"q": "Who tests?", "lang": "en"}], "item 1: needs 'team'"),
        ([{"q": "Who tests?", "team": ["qa", "engineering"], "lang": "en"}], "item 1: 'team'"),
    ],
    ids=["broken-yaml", "not-a-list", "no-q", "no-team", "team-list"],
)
def test_eval_malformed_file_is_one_line_error(small, tmp_path, content, needle):
    path = write_eval(tmp_path, content)
    result = invoke("eval", "--knowledge", str(small), str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {path}")
    assert needle in lines[0]


def test_eval_broken_yaml_names_the_line(tmp_path):
    path = write_eval(tmp_path, "- {q: a, team: qa, lang: en}\n- {q: b, team: [qa\n")
    with pytest.raises(EvalSetError, match=r"line [23]"):
        load_items(path)


def test_eval_missing_file_is_one_line_error(small, tmp_path):
    result = invoke("eval", "--knowledge", str(small), str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.yaml'}: cannot be read: No such file or directory"
    ]


def test_eval_binary_file_is_one_line_error(small, tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")
    result = invoke("eval", "--knowledge", str(small), str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not UTF-8" in lines[0]
