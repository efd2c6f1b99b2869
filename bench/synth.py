"""Synthetic knowledge for the benchmark: YAML folders for start-up, vector indexes for scale.

Vectors imitate the shipped knowledge under the default encoder: two texts of the same entry have
a cosine of about 0.33, two texts of different entries about 0.12 (measured on the shipped
entries), and an entry has about 22 texts. A question is planted near one text of one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.knowledge import Contact, Entry, Knowledge, Team, Text

# Share of a text's squared norm that is common to all texts / to its entry / its own.
_GLOBAL, _TOPIC = 0.125, 0.205
_QUESTION_TEXT_COS = 0.75  # a question's cosine with the text it paraphrases

TEAM_IDS = (
    "product", "engineering", "architecture", "qa", "design", "data", "marketing",
    "customer-support", "finance", "admin", "hr", "legal",
)

_ZH_VERBS = ("编写", "审核", "维护", "规划", "测试", "发布", "统计", "采购", "培训", "设计",
             "整理", "评估", "跟进", "优化", "汇总", "申请")
_ZH_OBJECTS = ("预算", "合同", "接口", "报表", "海报", "工单", "排期", "服务器", "文档", "流程",
               "活动", "数据看板", "发票", "招聘需求", "供应商", "原型", "用例", "权限")
_EN_VERBS = ("write", "review", "maintain", "plan", "test", "ship", "track", "buy", "train",
             "design", "sort out", "assess", "follow up", "tune", "collect", "request")
_EN_OBJECTS = ("budget", "contract", "API", "report", "poster", "ticket", "schedule", "server",
               "docs", "process", "campaign", "dashboard", "invoice", "job opening", "vendor",
               "prototype", "test case", "access")
# Unique pseudo-words so that every synthetic text is distinct (the cache dedupes equal texts).
_SYLLABLES = ("ka", "lo", "mi", "nu", "ri", "so", "ta", "ve", "zo", "pe", "du", "fa", "gi", "ho")
_ZH_SYLLABLES = "星云河岚松竹梅桥港湾峰谷原林泉川"


def _name(i: int, alphabet: tuple[str, ...] | str) -> str:
    out = []
    i += len(alphabet)  # at least two syllables
    while i:
        i, r = divmod(i, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def _entry_dict(i: int, rng: np.random.Generator, texts_per_entry: int) -> dict:
    code_en, code_zh = _name(i, _SYLLABLES).capitalize(), _name(i, _ZH_SYLLABLES)
    pairs = [(int(a), int(b)) for a, b in zip(
        rng.integers(0, len(_ZH_VERBS), 64), rng.integers(0, len(_ZH_OBJECTS), 64), strict=True)]
    pairs = list(dict.fromkeys(pairs))
    # area zh/en + tasks + examples in both languages, about `texts_per_entry` texts in all.
    n = max(2, (texts_per_entry - 2) // 4)
    tasks_zh = [f"{_ZH_VERBS[v]}{code_zh}项目的{_ZH_OBJECTS[o]}" for v, o in pairs[:n]]
    tasks_en = [f"{_EN_VERBS[v]} the {_EN_OBJECTS[o]} of {code_en}" for v, o in pairs[:n]]
    ex_zh = [f"{code_zh}的{_ZH_OBJECTS[o]}谁来{_ZH_VERBS[v]}" for v, o in pairs[n : 2 * n]]
    ex_en = [f"Who will {_EN_VERBS[v]} the {_EN_OBJECTS[o]} for {code_en}?"
             for v, o in pairs[n : 2 * n]]
    return {
        "id": f"synthetic-{i:06d}",
        "team": TEAM_IDS[i % len(TEAM_IDS)],
        "area": {"zh": f"{code_zh}项目：{_ZH_OBJECTS[pairs[0][1]]}与{_ZH_OBJECTS[pairs[1][1]]}",
                 "en": f"{code_en}: {_EN_OBJECTS[pairs[0][1]]} and {_EN_OBJECTS[pairs[1][1]]}"},
        "tasks": {"zh": tasks_zh, "en": tasks_en},
        "pm_role": {
            "does": {"zh": f"产品经理为{code_zh}提出需求并验收。",
                     "en": f"The PM sets the needs for {code_en} and accepts the result."},
            "does_not": {"zh": f"产品经理不亲自执行{code_zh}的工作。",
                         "en": f"The PM does not do the {code_en} work themselves."},
        },
        "examples": {"zh": ex_zh, "en": ex_en},
        "keywords": [code_zh, code_en.lower()],
    }


def write_knowledge(folder: str | Path, entries: int, texts_per_entry: int = 22,
                    seed: int = 0, per_file: int = 500) -> Path:
    """Write a valid knowledge folder with `entries` synthetic entries; returns the folder."""
    folder = Path(folder)
    (folder / "entries").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    teams = {
        team: {"name": {"zh": f"{team}团队", "en": f"{team} team"},
               "contact": {"channel": f"#{team}"}}
        for team in TEAM_IDS
    }
    (folder / "teams.yaml").write_text(yaml.safe_dump(
        {"fallback": {"name": {"zh": "产品运营支持", "en": "Product operations"},
                      "contact": {"channel": "#ask-product-ops"}},
         "teams": teams}, allow_unicode=True), encoding="utf-8")
    for start in range(0, entries, per_file):
        batch = [_entry_dict(i, rng, texts_per_entry)
                 for i in range(start, min(entries, start + per_file))]
        (folder / "entries" / f"synthetic-{start // per_file:04d}.yaml").write_text(
            yaml.safe_dump(batch, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- vector indexes


@dataclass
class SyntheticIndex:
    knowledge: Knowledge
    matrix: np.ndarray  # (texts, dims) float32, unit rows, grouped by entry
    starts: np.ndarray  # first row of each entry
    docs: list[list[str]]  # lexical documents, one per entry
    questions: list[str]
    vectors: np.ndarray  # (questions, dims): the planted question embeddings
    targets: np.ndarray  # the entry each question was planted near


def _unit(rows: np.ndarray) -> np.ndarray:
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def _words(rng: np.random.Generator, vocab: int, size: int) -> np.ndarray:
    # Zipf-like term frequencies: a few terms appear in many entries, most in a handful.
    return np.minimum(rng.zipf(1.3, size) - 1, vocab - 1)


def synthetic_index(entries: int, dims: int = 512, texts_per_entry: float = 22.0,
                    questions: int = 50, seed: int = 0) -> SyntheticIndex:
    """Random unit vectors shaped like the shipped knowledge, built in chunks (no float64)."""
    rng = np.random.default_rng(seed)
    counts = np.maximum(2, rng.poisson(texts_per_entry, entries)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    total = int(counts.sum())
    common = _unit(rng.standard_normal((1, dims), dtype=np.float32))[0]
    matrix = np.empty((total, dims), dtype=np.float32)
    chunk = 4096  # entries per chunk
    for first in range(0, entries, chunk):
        last = min(entries, first + chunk)
        topics = _unit(rng.standard_normal((last - first, dims), dtype=np.float32))
        lo, hi = int(starts[first]), int(starts[last - 1] + counts[last - 1])
        rows = _unit(rng.standard_normal((hi - lo, dims), dtype=np.float32))
        rows *= np.float32(np.sqrt(1 - _GLOBAL - _TOPIC))
        rows += np.float32(np.sqrt(_TOPIC)) * np.repeat(topics, counts[first:last], axis=0)
        rows += np.float32(np.sqrt(_GLOBAL)) * common
        matrix[lo:hi] = _unit(rows)
    vocab = max(1000, entries * 2)
    doc_words = _words(rng, vocab, entries * 12).reshape(entries, 12)
    docs = [[" ".join(f"w{w}" for w in row)] for row in doc_words]
    targets = rng.integers(0, entries, questions)
    picks = starts[targets] + rng.integers(0, counts[targets])
    noise = _unit(rng.standard_normal((questions, dims), dtype=np.float32))
    vectors = _unit(_QUESTION_TEXT_COS * matrix[picks]
                    + np.float32(np.sqrt(1 - _QUESTION_TEXT_COS**2)) * noise)
    qs = [f"who owns {' '.join(f'w{w}' for w in doc_words[t, :2])} q{i}"
          for i, t in enumerate(targets)]
    teams = {t: Team(t, Text(t, t), Contact(channel=f"#{t}")) for t in TEAM_IDS}
    stub = Text("-", "-")
    knowledge = Knowledge(
        teams=teams,
        entries=tuple(
            Entry(id=f"synthetic-{i:06d}", team=TEAM_IDS[i % len(TEAM_IDS)], area=stub,
                  tasks_zh=(), tasks_en=(), pm_does=stub, pm_does_not=stub, examples_zh=(),
                  examples_en=())
            for i in range(entries)
        ),
        fallback=Team("fallback", stub, Contact()),
        version=f"synthetic-{entries}",
    )
    return SyntheticIndex(knowledge, matrix, starts, docs, qs, vectors.astype(np.float32),
                          targets)
