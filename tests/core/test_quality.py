"""Matcher quality on the shipped knowledge, through `owner-bot eval`, with the default encoder.

The eval sets are copies under tests/data/eval/ of the project's shared/eval/ (kept identical by
test_eval_copies_match_the_shared_sets wherever shared/ sits beside the clone), so a plain clone
runs these too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

from .support import REPO_ROOT, SHARED_DIR, SHIPPED_KNOWLEDGE

EVAL_COPIES = REPO_ROOT / "tests" / "data" / "eval"
DEV_SET = EVAL_COPIES / "dev.yaml"
REALISTIC_SET = EVAL_COPIES / "realistic.yaml"
DATA_DIR = REPO_ROOT / "tests" / "data"

# The bars the issue sets for the dev set.
DEV_IN_SCOPE = 0.97
DEV_DECLINED = 0.90
# tests/data/dev_holdout*.yaml were once held out; the thresholds were tuned on them, so they are
# development sets now (issue 9), kept as a guard against regressions.
DEV_HOLDOUT_IN_SCOPE = 0.97
DEV_HOLDOUT_DECLINED = 0.95
# Realistic Slack messages (context first, markup, long posts): the bars of issue 9.
REALISTIC_IN_SCOPE = 0.95
REALISTIC_DECLINED = 0.90
REALISTIC_PER_LANG = 0.85


def run_eval(path: Path) -> dict:
    assert path.is_file(), f"question set {path} is missing"
    result = CliRunner().invoke(
        cli, ["eval", "--json", "--knowledge", str(SHIPPED_KNOWLEDGE), str(path)]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    print(f"\n{path.name}: in-scope {figures['in_scope_accuracy']:.1%}, per language "
          + ", ".join(f"{k} {v:.1%}" for k, v in sorted(figures["per_lang"].items()))
          + f", out-of-scope declined {figures['out_of_scope_declined']:.1%}")
    for miss in figures["misses"]:
        print(f"  miss: {miss['q']!r}: want {miss['want'] or 'decline'}, "
              f"got {miss['got'] or 'decline'} ({miss['score']:.3f})")
    return figures


def misses(figures: dict) -> str:
    return "\n".join(f"{m['q']!r}: want {m['want']}, got {m['got']}" for m in figures["misses"])


@pytest.mark.skipif(not (SHARED_DIR / "eval").is_dir(),
                    reason="no shared/ beside this clone: the copies are all there is")
def test_eval_copies_match_the_shared_sets():
    shared = sorted(p.name for p in (SHARED_DIR / "eval").glob("*.yaml"))
    assert shared == sorted(p.name for p in EVAL_COPIES.glob("*.yaml"))
    for name in shared:
        assert (EVAL_COPIES / name).read_bytes() == (SHARED_DIR / "eval" / name).read_bytes(), (
            f"tests/data/eval/{name} differs from shared/eval/{name}: copy it again")


def test_dev_set_accuracy_and_declines():
    figures = run_eval(DEV_SET)
    assert set(figures["per_lang"]) >= {"zh", "en"}
    assert figures["in_scope_accuracy"] >= DEV_IN_SCOPE, misses(figures)
    assert figures["out_of_scope_declined"] >= DEV_DECLINED, misses(figures)


@pytest.mark.parametrize("name", ["dev_holdout.yaml", "dev_holdout2.yaml"])
def test_dev_holdout_set_accuracy_and_declines(name: str):
    figures = run_eval(DATA_DIR / name)
    assert figures["in_scope_accuracy"] >= DEV_HOLDOUT_IN_SCOPE, misses(figures)
    assert figures["out_of_scope_declined"] >= DEV_HOLDOUT_DECLINED, misses(figures)


def test_realistic_set_accuracy_declines_and_every_language():
    figures = run_eval(REALISTIC_SET)
    assert figures["in_scope_accuracy"] >= REALISTIC_IN_SCOPE, misses(figures)
    assert figures["out_of_scope_declined"] >= REALISTIC_DECLINED, misses(figures)
    weak = {k: v for k, v in figures["per_lang"].items() if v < REALISTIC_PER_LANG}
    assert not weak, f"language classes under {REALISTIC_PER_LANG:.0%}: {weak}\n{misses(figures)}"
