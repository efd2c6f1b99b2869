"""The codebase stays livable and the README tells the truth.

- No module in bot/ over 400 lines, no function over 60 (DESIGN.md's habits).
- The README's command-line examples are what the bot prints: each `$ owner-bot ...` line of
  a console block is run and its output compared with the lines under it.
"""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

from .support import REPO_ROOT

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
BOT = REPO_ROOT / "bot"


def _modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_no_module_over_400_lines():
    long = {str(p.relative_to(REPO_ROOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, long


def test_no_function_over_60_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name}"] = lines
    assert not long, long


def readme_examples() -> list[tuple[list[str], str]]:
    """(arguments, expected output) for each `$ owner-bot ask|check` line in a console block."""
    examples, command, output, in_console = [], None, [], False
    for line in (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_console = line.strip() == "```console"
        if (not in_console or line.startswith("$ ")) and command is not None:
            examples.append((command, "\n".join(output).strip()))
            command, output = None, []
        if in_console and line.startswith("$ owner-bot "):
            args = shlex.split(line[2:].split("  #")[0])[1:]
            if args[0] in ("ask", "check"):
                command = args
        elif command is not None:
            output.append(line)
    return examples


def test_the_readme_has_examples():
    assert len(readme_examples()) >= 3


@pytest.mark.parametrize(("args", "expected"), readme_examples(),
                         ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_readme_example_is_what_the_bot_prints(args: list[str], expected: str,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO_ROOT)  # `owner-bot check` reads ./knowledge, as in the README
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = result.output.strip().replace(str(REPO_ROOT) + "/", "")
    assert shown == expected


def test_the_wheel_carries_the_default_knowledge(tmp_path: Path):
    """`pip install .` gives a bot that starts from any folder: the knowledge is package data."""
    import shutil
    import subprocess
    import sys
    import zipfile

    # Built from a copy: setuptools leaves build/ and *.egg-info beside the sources.
    source = tmp_path / "src"
    for name in ("bot", "knowledge"):
        shutil.copytree(REPO_ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO_ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(tmp_path)], check=True,
                   capture_output=True)
    [wheel] = tmp_path.glob("owner_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"bot/knowledge_data/{p.relative_to(REPO_ROOT / 'knowledge')}"
               for p in (REPO_ROOT / "knowledge").rglob("*.yaml")}
    assert "bot/knowledge_data/teams.yaml" in shipped and shipped <= names
