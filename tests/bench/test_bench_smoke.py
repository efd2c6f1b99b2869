"""The benchmark's quick mode runs end to end and writes every section: it cannot rot.

Nothing here is timed: only the shape and types of the JSON are checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("meta", "questions", "matcher", "slack_http", "startup", "memory", "scale",
            "comparison", "targets", "table_markdown")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _latency(block: dict) -> None:
    for key in ("n", "p50_ms", "p95_ms", "mean_ms", "max_ms"):
        assert _number(block[key]), (key, block)
    assert block["n"] > 0
    assert block["p50_ms"] <= block["p95_ms"] <= block["max_ms"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    readme = folder / "README.md"
    readme.write_text("# Bench\n<!-- bench:table -->\nPLACEHOLDER-7f3a\n"
                      "<!-- /bench:table -->\ntail\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out), "--readme",
         str(readme)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| measure | value | notes |" in proc.stdout  # the printed table
    text = readme.read_text()
    assert "PLACEHOLDER-7f3a" not in text and "| measure | value | notes |" in text
    assert text.startswith("# Bench\n") and text.endswith("tail\n")
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_section_is_there(results: dict):
    for section in SECTIONS:
        assert section in results, section
    assert results["meta"]["quick"] is True
    assert results["meta"]["machine"]["cpus"] >= 1
    q = results["questions"]
    assert q["total"] == q["zh"] + q["en"] + q["chat"] > 0
    assert sum(q["decisions"].values()) == q["total"]


def test_matcher_and_slack_sections(results: dict):
    _latency(results["matcher"]["use"])
    _latency(results["matcher"]["use_one_thread"])
    assert _number(results["matcher"]["use"]["questions_per_s"])
    if "st" in results["matcher"]:
        _latency(results["matcher"]["st"])
    slack = results["slack_http"]
    if "skipped" not in slack:
        assert "one_blas_thread" not in slack  # measured in full runs only
        for variant in ("default",):
            _latency(slack[variant]["sequential"])
            assert slack[variant]["concurrent"]
            for level in slack[variant]["concurrent"]:
                _latency(level)
                assert level["askers"] > 1 and _number(level["questions_per_s"])
            assert _number(slack[variant]["bot_peak_rss_mb"])


def test_startup_memory_scale_and_targets(results: dict):
    startup = results["startup"]
    assert {"shipped"} <= set(startup)
    assert any(key.startswith("synthetic_") for key in startup)
    for case in startup.values():
        assert _number(case["cold_s"]) and _number(case["warm_s"])
    memory = results["memory"]
    assert _number(memory["use"]["peak_rss_mb"]) and memory["use"]["questions"] > 0
    assert _number(memory["default_encoder_peak_rss_mb"])
    scale = results["scale"]
    assert len(scale["sizes"]) >= 2
    for size in scale["sizes"]:
        assert size["entries"] > 0 and size["texts"] >= size["entries"]
        _latency(size["brute_match"])
        _latency(size["shortlist_semantic_only"])
        assert 0 <= size["shortlist_top1_agrees_with_brute"] <= 1
        assert _number(size["matrix_mb"]) and _number(size["peak_rss_mb"])
    assert len(scale["growth"]["brute_match_p50"]) == len(scale["sizes"]) - 1
    for target in results["targets"]:
        assert {"name", "limit", "unit", "measured", "met"} <= set(target)
        assert isinstance(target["met"], bool)
    comparison = results["comparison"]
    assert "skipped" in comparison or "st_over_use" in comparison
