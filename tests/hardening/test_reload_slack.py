"""Knowledge reload in the running bot: the watcher and `/owner reload`, over the HTTP path."""

from __future__ import annotations

import html
import logging
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hardening_support import running_bot, set_owner
from slackfakes import (
    WAIT_SECONDS,
    FakeSlack,
    block_text,
    command_form,
    dm_event,
    event_body,
    slack_settings,
)

from bot.cli import cli
from bot.config import ConfigError, Settings
from bot.reload import KnowledgeReloader, ReloadResult
from bot.slack.admin import ReloadReporter, start_watching
from bot.slack.answers import reply_to
from bot.slack.app import make_web_client

QUESTION = "Who prepares the balance sheet?"


def shown(call) -> str:
    """The message text as Slack shows it (the bot escapes &, < and > in mrkdwn)."""
    return html.unescape(call.body["text"])


def wait_until(condition, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def ask_dm(bot, question: str, n: int) -> str:
    """Ask by DM over HTTP and return the text of the answer's blocks."""
    before = len(bot.fake.posts("chat.postMessage"))
    bot.send_json(event_body(dm_event(question, ts=f"1700000500.{n:06d}"), f"EvReload{n}"))
    posts = bot.fake.wait_for(lambda c: c.method == "chat.postMessage", count=before + 1)
    return block_text(posts[before].body["blocks"])


def test_watcher_picks_up_a_valid_edit_without_restart(fake_slack: FakeSlack, editable,
                                                      tmp_path: Path):
    folder, serving, reloader = editable
    with running_bot(fake_slack, serving, tmp_path, reloader=reloader) as bot:
        assert "Finance" in ask_dm(bot, QUESTION, 1)
        old = serving.matcher.knowledge.version
        stop = start_watching(reloader, 0.05, make_web_client(bot.settings), frozenset())
        try:
            set_owner(folder, "admin")
            wait_until(lambda: serving.matcher.knowledge.version != old)
        finally:
            stop()
        answer = ask_dm(bot, QUESTION, 2)
        assert "Administration / Office" in answer and "Finance" not in answer


def test_admin_reload_command_and_polite_refusal(fake_slack: FakeSlack, editable,
                                                 tmp_path: Path):
    folder, serving, reloader = editable
    admins = frozenset({"UADMIN"})
    with running_bot(fake_slack, serving, tmp_path, reloader=reloader,
                     admin_user_ids=admins) as bot:
        old = serving.matcher.knowledge.version
        set_owner(folder, "admin")
        bot.send_form(command_form("reload", fake_slack.response_url("en-no"), user="U222"))
        bot.send_form(command_form("重新加载", fake_slack.response_url("zh-no"), user="U222"))
        bot.settle()
        [en_no] = fake_slack.find(lambda c: c.path == "/response/en-no")
        [zh_no] = fake_slack.find(lambda c: c.path == "/response/zh-no")
        assert "only the bot's admins" in en_no.body["text"]
        assert "只有管理员" in zh_no.body["text"]
        assert en_no.body["response_type"] == zh_no.body["response_type"] == "ephemeral"
        assert serving.matcher.knowledge.version == old  # refused: nothing reloaded

        bot.send_form(command_form("reload", fake_slack.response_url("yes"), user="UADMIN"))
        [done] = fake_slack.wait_for(lambda c: c.path == "/response/yes")
        new = serving.matcher.knowledge.version
        assert new != old
        assert shown(done) == f"reloaded: version {old} -> {new}"
        assert done.body["response_type"] == "ephemeral"
        answer = ask_dm(bot, QUESTION, 3)
        assert "Administration / Office" in answer

        bot.send_form(command_form("reload", fake_slack.response_url("again"), user="UADMIN"))
        [again] = fake_slack.wait_for(lambda c: c.path == "/response/again")
        assert shown(again) == f"no change: still serving version {new}"


def test_invalid_edit_is_rejected_reported_to_admins_and_answers_continue(
    fake_slack: FakeSlack, editable, tmp_path: Path, logs,
):
    folder, serving, reloader = editable
    admins = frozenset({"UADMIN", "UADMIN2"})
    with running_bot(fake_slack, serving, tmp_path, reloader=reloader,
                     admin_user_ids=admins) as bot:
        old = serving.matcher.knowledge.version
        stop = start_watching(reloader, 0.05, make_web_client(bot.settings), admins)
        try:
            set_owner(folder, "catering")  # no such team
            dms = fake_slack.wait_for(lambda c: c.method == "chat.postMessage"
                                      and c.body.get("channel") in admins, count=2)
        finally:
            stop()
        check = CliRunner().invoke(cli, ["check", str(folder)])
        assert check.exit_code == 1
        problems = [line for line in check.output.splitlines() if "catering" in line]
        assert problems
        for dm in dms:  # each admin is told, with `owner-bot check`'s lines
            assert "rejected" in shown(dm) and old in shown(dm)
            assert set(problems) <= set(shown(dm).splitlines())
        assert any("rejected" in line and "catering" in line for line in logs.at(logging.WARNING))

        # The admin asks for a reload: the same problems, ephemeral; answers come from the old
        # knowledge meanwhile.
        bot.send_form(command_form("reload", fake_slack.response_url("bad"), user="UADMIN"))
        [bad] = fake_slack.wait_for(lambda c: c.path == "/response/bad")
        lines = shown(bad).splitlines()
        assert lines[0] == (f"knowledge edit rejected, still serving version {old} "
                            f"({len(lines) - 1} problem(s)):")
        assert set(problems) <= set(lines[1:])
        assert serving.matcher.knowledge.version == old
        assert "Finance" in ask_dm(bot, QUESTION, 4)
        assert len([c for c in fake_slack.posts("chat.postMessage")
                    if c.body.get("channel") in admins]) == 2  # reported once per admin


def test_reporter_tells_admins_once_per_bad_edit(fake_slack: FakeSlack, tmp_path: Path):
    client = make_web_client(slack_settings(fake_slack, tmp_path))
    report = ReloadReporter(client, {"UADMIN"})
    bad = ReloadResult(False, "v1", ("a.yaml: entry 'x': field 'team': unknown team id 'y'",))
    worse = ReloadResult(False, "v1", ("a.yaml: line 2: invalid YAML",))
    for result in (bad, bad, worse, worse, ReloadResult(True, "v2"), bad):
        report(result)
    texts = [c.body["text"] for c in fake_slack.posts("chat.postMessage")]
    assert len(texts) == 3  # bad, worse, and bad again after a good version
    assert "unknown team id" in texts[0] and "invalid YAML" in texts[1]


def test_no_reply_mixes_two_versions(fake_slack: FakeSlack, editable, tmp_path: Path):
    """Flip the balance sheet's owner while questions run over HTTP and in threads: each reply
    names the owner of the version it was recorded with."""
    folder, serving, reloader = editable
    owner_by_version: dict[str, tuple[str, str]] = {}
    for team, name in (("admin", "Administration / Office"), ("finance", "Finance")):
        set_owner(folder, team)
        reloader.reload()
        owner_by_version[serving.matcher.knowledge.version] = (team, name)
    assert len(owner_by_version) == 2

    stop = threading.Event()
    seen: list[tuple[str, str, str]] = []  # version, team, reply text

    def ask() -> None:
        while not stop.is_set():
            reply = reply_to(serving.matcher, QUESTION)
            assert reply.match is not None and reply.match.best is not None
            seen.append((reply.match.knowledge.version, reply.match.best.team.id,
                          block_text(reply.blocks) + reply.text))

    def flip(reloader: KnowledgeReloader) -> None:
        i = 0
        while not stop.is_set():
            set_owner(folder, "admin" if i % 2 else "finance")
            reloader.reload()
            i += 1

    with running_bot(fake_slack, serving, tmp_path, reloader=reloader) as bot:
        threads = [threading.Thread(target=ask) for _ in range(2)]
        threads.append(threading.Thread(target=flip, args=(reloader,)))
        for t in threads:
            t.start()
        try:
            for n in range(30):
                bot.send_json(event_body(dm_event(QUESTION, ts=f"1700000600.{n:06d}"),
                                         f"EvMix{n}"))
            # Done when both versions were served, however slow the machine: then the
            # flipping stops, and the listeners finish without it competing for the CPU.
            wait_until(lambda: len({v for v, _, _ in seen}) == 2
                       and len(fake_slack.posts("chat.postMessage")) >= 1)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        bot.settle()

        posts = fake_slack.posts("chat.postMessage")
        assert len(posts) == 30
        for post in posts:
            text = block_text(post.body["blocks"])
            ref = next(e["value"] for b in post.body["blocks"] if b["type"] == "actions"
                       for e in b["elements"] if e["action_id"] == "owner.vote.up")
            record = bot.store.answer(ref)
            assert record is not None
            version = bot.store._db.conn.execute(
                "SELECT knowledge_version FROM answers WHERE ref = ?", (ref,)).fetchone()[0]
            team, name = owner_by_version[version]
            assert record.team == team and name in text
            other = [n for t, n in owner_by_version.values() if t != team][0]
            assert other not in text
    for version, team, text in seen:
        assert team == owner_by_version[version][0]
        assert owner_by_version[version][1] in text


def test_reload_interval_setting(monkeypatch, editable, fake_slack: FakeSlack, tmp_path: Path):
    monkeypatch.delenv("OWNER_BOT_RELOAD_SECONDS", raising=False)
    assert Settings.from_env().reload_seconds == 2
    monkeypatch.setenv("OWNER_BOT_RELOAD_SECONDS", "0.5")
    assert Settings.from_env().reload_seconds == 0.5
    monkeypatch.setenv("OWNER_BOT_RELOAD_SECONDS", "-1")
    with pytest.raises(ConfigError, match="OWNER_BOT_RELOAD_SECONDS"):
        Settings.from_env()
    monkeypatch.setenv("OWNER_BOT_ADMINS", "UADMIN, UOTHER ,")
    monkeypatch.setenv("OWNER_BOT_RELOAD_SECONDS", "0")
    assert Settings.from_env().admin_user_ids == {"UADMIN", "UOTHER"}

    _, _, reloader = editable  # 0: no watcher; an edit waits for /owner reload
    stop = start_watching(reloader, 0, make_web_client(slack_settings(fake_slack, tmp_path)),
                          frozenset())
    assert reloader._thread is None
    stop()
