"""Knowledge loading and validation: every problem is one line naming file, entry and field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.knowledge import KnowledgeError, load_knowledge

from .support import BUDGET, CODING, SHIPPED_KNOWLEDGE, SMALL_ENTRIES, TEAMS, TESTING


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(folder)
    problems = info.value.problems
    assert problems, "a KnowledgeError must carry at least one problem"
    assert all("\n" not in p for p in problems), "each problem must be one line"
    return problems


def only(problems: list[str], *needles: str) -> str:
    """The single problem line containing every needle."""
    hits = [p for p in problems if all(n in p for n in needles)]
    assert len(hits) == 1, f"expected one problem with {needles}, got {problems}"
    return hits[0]


def with_changes(entry: dict, **changes: object) -> dict:
    out = copy.deepcopy(entry)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- the good path


def test_small_folder_loads(write_knowledge):
    knowledge = load_knowledge(write_knowledge())
    assert [e.id for e in knowledge.entries] == ["coding", "budget", "testing", "office"]
    assert knowledge.team_of(knowledge.entry("budget")).name.get("zh") == "财务团队"
    assert knowledge.fallback.contact.channel == "#ask-product-ops"
    assert knowledge.entry("coding").source.endswith("all.yaml")
    assert len(knowledge.version) == 16


def test_version_changes_with_content(write_knowledge):
    folder = write_knowledge()
    before = load_knowledge(folder).version
    assert load_knowledge(folder).version == before
    write_knowledge(entries={"all.yaml": [with_changes(CODING, keywords=["code"]), BUDGET]})
    assert load_knowledge(folder).version != before


def test_shipped_knowledge_is_valid():
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    assert knowledge.entries
    for entry in knowledge.entries:
        assert entry.team in knowledge.teams
        assert entry.texts()


# --------------------------------------------------------------------------- each error


def test_unknown_team_id(write_knowledge):
    bad = with_changes(BUDGET, team="accounting")
    problems = problems_of(write_knowledge(entries={"money.yaml": [CODING, bad]}))
    line = only(problems, "unknown team id")
    assert "money.yaml" in line
    assert "entry 'budget'" in line
    assert "field 'team'" in line
    assert "'accounting'" in line
    assert "finance" in line  # the known ids are listed to pick from


def test_duplicate_entry_id_across_files(write_knowledge):
    dup = with_changes(BUDGET, id="coding")
    folder = write_knowledge(entries={"a.yaml": [CODING], "b.yaml": [dup]})
    line = only(problems_of(folder), "duplicate entry id")
    assert "b.yaml" in line
    assert "entry 'coding'" in line
    assert "field 'id'" in line
    assert "a.yaml" in line  # where it was first defined


def test_duplicate_entry_id_in_one_file(write_knowledge):
    folder = write_knowledge(entries={"a.yaml": [CODING, with_changes(TESTING, id="coding")]})
    line = only(problems_of(folder), "duplicate entry id")
    assert "a.yaml" in line and "entry 'coding'" in line and "field 'id'" in line


def test_missing_language_in_area(write_knowledge):
    bad = with_changes(CODING, area={"zh": "编写代码"})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "area.en")
    assert "eng.yaml" in line
    assert "entry 'coding'" in line
    assert "field 'area.en'" in line
    assert "missing" in line


def test_missing_language_in_examples(write_knowledge):
    bad = with_changes(CODING, examples={"en": ["Who writes the code?"]})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "examples.zh")
    assert "eng.yaml" in line and "entry 'coding'" in line and "missing" in line


def test_japanese_examples_are_optional_and_matched_like_the_others(write_knowledge):
    examples = {**CODING["examples"], "ja": ["コードを書くのは誰ですか？"]}
    folder = write_knowledge(entries={"eng.yaml": [with_changes(CODING, examples=examples)]})
    coding = load_knowledge(folder).entry("coding")
    assert coding.examples_ja == ("コードを書くのは誰ですか？",)
    assert "コードを書くのは誰ですか？" in coding.texts()
    assert load_knowledge(write_knowledge(entries={"eng.yaml": [CODING]})).entry(
        "coding").examples_ja == ()


def test_an_examples_language_the_bot_does_not_read(write_knowledge):
    examples = {**CODING["examples"], "jp": ["コードを書くのは誰ですか？"]}
    bad = with_changes(CODING, examples=examples)
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "examples.jp")
    assert "entry 'coding'" in line and "zh, en, ja" in line


def test_a_tasks_language_the_bot_does_not_read(write_knowledge):
    bad = with_changes(CODING, tasks={**CODING["tasks"], "eng": ["write code"]})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "tasks.eng")
    assert "entry 'coding'" in line and "use zh, en" in line


def test_japanese_examples_must_be_a_list_of_strings(write_knowledge):
    bad = with_changes(CODING, examples={**CODING["examples"], "ja": "コードは誰？"})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "examples.ja")
    assert "list of strings" in line


def test_japanese_reply_texts_are_optional_and_all_or_nothing(write_knowledge):
    teams = copy.deepcopy(TEAMS)
    for team in (teams["fallback"], *teams["teams"].values()):
        team["name"]["ja"] = "チーム"
    coding = copy.deepcopy(CODING)
    coding["area"]["ja"] = "コードの作成と機能の実装"
    coding["pm_role"]["does"]["ja"] = "要件を決める。"
    coding["pm_role"]["does_not"]["ja"] = "コードは書かない。"
    knowledge = load_knowledge(write_knowledge(entries={"eng.yaml": [coding]}, teams=teams))
    assert knowledge.entry("coding").area.ja == "コードの作成と機能の実装"
    assert knowledge.speaks_japanese and knowledge.japanese_gaps == ()
    del coding["pm_role"]["does_not"]["ja"]
    partial = load_knowledge(write_knowledge(entries={"eng.yaml": [coding]}, teams=teams))
    assert not partial.speaks_japanese
    assert partial.japanese_gaps == ("entry 'coding' pm_role.does_not",)
    plain = load_knowledge(write_knowledge(entries={"eng.yaml": [CODING]}))
    assert not plain.speaks_japanese and "team 'fallback' name" in plain.japanese_gaps


def test_a_text_language_the_bot_does_not_read(write_knowledge):
    bad = with_changes(CODING, area={**CODING["area"], "jp": "コード"})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "area.jp")
    assert "entry 'coding'" in line and "zh, en, ja" in line
    bad = with_changes(CODING, area={**CODING["area"], "ja": ["コード"]})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "area.ja")
    assert "must be a string, got a list" in line


def test_missing_language_in_pm_role(write_knowledge):
    bad = copy.deepcopy(CODING)
    del bad["pm_role"]["does_not"]["zh"]
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "pm_role.does_not.zh")
    assert "eng.yaml" in line and "entry 'coding'" in line and "missing" in line


def test_tasks_as_a_string(write_knowledge):
    bad = with_changes(CODING, tasks="write code")
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'tasks'")
    assert "eng.yaml" in line and "entry 'coding'" in line
    assert "got a string" in line


def test_tasks_language_as_a_string(write_knowledge):
    bad = with_changes(CODING, tasks={"zh": "编写代码", "en": ["write code"]})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'tasks.zh'")
    assert "eng.yaml" in line and "entry 'coding'" in line
    assert "must be a list of strings, got a string" in line


def test_team_as_a_list(write_knowledge):
    bad = with_changes(CODING, team=["engineering", "qa"])
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'team'")
    assert "eng.yaml" in line and "entry 'coding'" in line
    assert "must be a string, got a list" in line


def test_area_as_a_string(write_knowledge):
    bad = with_changes(CODING, area="Writing code")
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'area'")
    assert "entry 'coding'" in line and "got a string" in line


def test_list_item_of_wrong_type(write_knowledge):
    bad = with_changes(CODING, tasks={"zh": ["编写代码", 42], "en": ["write code"]})
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "tasks.zh[1]")
    assert "eng.yaml" in line and "entry 'coding'" in line and "got a number" in line


def test_missing_required_field(write_knowledge):
    bad = with_changes(CODING, pm_role=None)
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'pm_role'")
    assert "eng.yaml" in line and "entry 'coding'" in line and "missing" in line


def test_entry_without_id_is_named_by_position(write_knowledge):
    bad = with_changes(BUDGET, id=None)
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [CODING, bad]})), "field 'id'")
    assert "eng.yaml" in line and "entry #2" in line and "missing" in line


def test_unknown_field(write_knowledge):
    bad = with_changes(CODING, owner="engineering")
    line = only(problems_of(write_knowledge(entries={"eng.yaml": [bad]})), "field 'owner'")
    assert "eng.yaml" in line and "entry 'coding'" in line
    assert "not a known field" in line


def test_broken_yaml_gives_the_line(write_knowledge):
    broken = "- id: coding\n  team: engineering\n  area: {zh: 代码, en: [unclosed\n"
    folder = write_knowledge(entries={"good.yaml": [BUDGET], "broken.yaml": broken})
    line = only(problems_of(folder), "invalid YAML")
    assert "broken.yaml" in line
    assert "line 3" in line or "line 4" in line
    assert "good.yaml" not in line


def test_broken_yaml_tab_indentation_line(write_knowledge):
    broken = "- id: coding\n  team: engineering\n\tarea: x\n"
    line = only(problems_of(write_knowledge(entries={"tabs.yaml": broken})), "invalid YAML")
    assert "tabs.yaml" in line and "line 3" in line


def test_entries_file_not_a_list(write_knowledge):
    line = only(problems_of(write_knowledge(entries={"eng.yaml": CODING})), "eng.yaml")
    assert "must be a list of entries, got a mapping" in line


def test_missing_teams_yaml(write_knowledge):
    line = only(problems_of(write_knowledge(teams=None)), "teams.yaml")
    assert "is missing" in line


def test_missing_fallback(write_knowledge):
    teams = {"teams": TEAMS["teams"]}
    line = only(problems_of(write_knowledge(teams=teams)), "fallback")
    assert "teams.yaml" in line and "missing" in line


def test_team_missing_name_language(write_knowledge):
    teams = copy.deepcopy(TEAMS)
    del teams["teams"]["qa"]["name"]["en"]
    line = only(problems_of(write_knowledge(teams=teams)), "name.en")
    assert "teams.yaml" in line and "team 'qa'" in line and "missing" in line


def test_team_unknown_contact_field(write_knowledge):
    teams = copy.deepcopy(TEAMS)
    teams["teams"]["qa"]["contact"]["slack"] = "#qa"
    line = only(problems_of(write_knowledge(teams=teams)), "contact.slack")
    assert "teams.yaml" in line and "team 'qa'" in line and "not a known field" in line


def test_no_entry_files(tmp_path):
    folder = tmp_path / "kb"
    (folder / "entries").mkdir(parents=True)
    (folder / "teams.yaml").write_text(Path(SHIPPED_KNOWLEDGE / "teams.yaml").read_text("utf-8"))
    line = only(problems_of(folder), "entries")
    assert "no *.yaml files" in line


def test_entry_files_with_no_entries_at_all(write_knowledge):
    """An empty list loads nothing to match against: that is a problem, not a crash later."""
    line = only(problems_of(write_knowledge(entries={"eng.yaml": []})), "no entries")
    assert "entries" in line


def test_not_a_folder(tmp_path):
    line = only(problems_of(tmp_path / "nowhere"), "not a folder")
    assert "nowhere" in line


def test_all_problems_are_collected(write_knowledge):
    bad_team = with_changes(BUDGET, team="accounting")
    bad_type = with_changes(TESTING, tasks="write tests")
    folder = write_knowledge(entries={"a.yaml": [CODING, bad_team], "b.yaml": [bad_type]})
    problems = problems_of(folder)
    assert len(problems) == 2
    only(problems, "a.yaml", "entry 'budget'", "field 'team'")
    only(problems, "b.yaml", "entry 'testing'", "field 'tasks'")


# --------------------------------------------------------------------------- owner-bot check


def run_check(*args: str):
    return CliRunner().invoke(cli, ["check", *args])


def test_check_shipped_knowledge_passes():
    result = run_check(str(SHIPPED_KNOWLEDGE))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")
    assert "entries" in result.stdout


def test_check_defaults_to_env_folder(write_knowledge, monkeypatch):
    monkeypatch.setenv("OWNER_BOT_KNOWLEDGE", str(write_knowledge()))
    result = run_check()
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.stdout


@pytest.mark.parametrize(
    ("entries", "teams", "needles"),
    [
        ({"x.yaml": [with_changes(BUDGET, team="accounting")]}, TEAMS,
         ("x.yaml", "entry 'budget'", "field 'team'", "unknown team id")),
        ({"a.yaml": [CODING], "x.yaml": [with_changes(BUDGET, id="coding")]}, TEAMS,
         ("x.yaml", "entry 'coding'", "field 'id'", "duplicate entry id")),
        ({"x.yaml": [with_changes(CODING, area={"zh": "代码"})]}, TEAMS,
         ("x.yaml", "entry 'coding'", "field 'area.en'", "missing")),
        ({"x.yaml": [with_changes(CODING, tasks="write code")]}, TEAMS,
         ("x.yaml", "entry 'coding'", "field 'tasks'", "got a string")),
        ({"x.yaml": [with_changes(CODING, team=["engineering"])]}, TEAMS,
         ("x.yaml", "entry 'coding'", "field 'team'", "got a list")),
        ({"x.yaml": "- id: coding\n  team: [engineering\n"}, TEAMS,
         ("x.yaml", "line ", "invalid YAML")),
        ({"x.yaml": [CODING]}, {"teams": TEAMS["teams"]},
         ("teams.yaml", "fallback", "missing")),
        ({"x.yaml": [with_changes(CODING, owner="me")]}, TEAMS,
         ("x.yaml", "entry 'coding'", "field 'owner'", "not a known field")),
    ],
    ids=["unknown-team", "duplicate-id", "missing-language", "tasks-string", "team-list",
         "broken-yaml", "missing-fallback", "unknown-field"],
)
def test_check_reports_each_problem(write_knowledge, entries, teams, needles):
    result = run_check(str(write_knowledge(entries=entries, teams=teams)))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    # one line for the problem, then the count
    assert len(lines) == 2, lines
    assert all(n in lines[0] for n in needles), lines[0]
    assert lines[1].startswith("1 problem(s) in ")


def test_check_missing_teams_yaml(write_knowledge):
    result = run_check(str(write_knowledge(teams=None)))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "teams.yaml" in result.stderr and "is missing" in result.stderr


def test_check_lists_every_problem_one_per_line(write_knowledge):
    folder = write_knowledge(entries={
        "a.yaml": [CODING, with_changes(BUDGET, team="accounting")],
        "b.yaml": [with_changes(TESTING, tasks="write tests")],
        "c.yaml": "- id: [x\n",
    })
    result = run_check(str(folder))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 4, lines
    only(lines, "a.yaml", "entry 'budget'", "field 'team'")
    only(lines, "b.yaml", "entry 'testing'", "field 'tasks'")
    only(lines, "c.yaml", "invalid YAML", "line ")
    assert lines[-1].startswith("3 problem(s)")


def test_check_not_a_folder(tmp_path):
    result = run_check(str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "not a folder" in result.stderr


def test_ask_with_invalid_knowledge_is_an_error_not_a_traceback(write_knowledge):
    folder = write_knowledge(entries={"x.yaml": [with_changes(BUDGET, team="accounting")]})
    result = CliRunner().invoke(cli, ["ask", "--knowledge", str(folder), "Who owns the budget?"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "unknown team id 'accounting'" in result.stderr
    assert result.stderr.startswith("Error: ")


def test_small_entries_are_untouched():
    """The shared fixtures are not mutated by the helpers above."""
    assert SMALL_ENTRIES[1]["team"] == "finance"
    assert "owner" not in SMALL_ENTRIES[0]
