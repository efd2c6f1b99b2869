"""`owner-bot report` and `owner-bot forget` on a real database, with the real encoder."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.clusters import cluster
from bot.config import Settings
from bot.store import SqliteStore

INVOICES = ["发票开错了找谁", "发票抬头写错了要重开", "how do I get an invoice reissued",
            "invoice has the wrong company name", "报销发票丢了怎么办", "我要重开一张发票"]
PARKING = ["公司停车位怎么申请", "where can I park my car at the office", "停车卡在哪里办",
           "parking permit for the garage", "访客停车怎么登记"]
VPN = ["vpn connects but nothing loads", "VPN 连不上公司内网", "远程办公 vpn 账号怎么开",
       "my vpn password expired"]
NOISE = ["周五团建去哪", "what's the wifi password for guests", "饮水机没水了", "黄金价格多少",
         "who won the game last night", "明天下雨吗", "translate hello into french", "电梯坏了"]


def seed(path: Path, rows: list[tuple], votes: list[tuple] = ()) -> None:
    """Rows straight into the store's tables, in one transaction (a fast seed)."""
    SqliteStore(path).close()  # the schema
    with sqlite3.connect(path) as db:
        for ref, question, decision, user, created in rows:
            if decision == "decline":
                db.execute("INSERT INTO declined (ref, question, lang, reason, score, user,"
                           " surface, created_at) VALUES (?, ?, 'zh', 'low_score', 0.3, ?,"
                           " 'dm', ?)", (ref, question, user, created))
            else:
                db.execute("INSERT INTO answers (ref, question, lang, decision, entry, team,"
                           " score, user, surface, created_at) VALUES (?, ?, 'en', ?,"
                           " 'finance-budget', 'finance', 0.9, ?, 'mention', ?)",
                           (ref, question, decision, user, created))
        for ref, user, vote, created in votes:
            db.execute("INSERT INTO votes (ref, user, vote, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?)", (ref, user, vote, created, created))


def now(days_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")


def test_planted_paraphrase_groups_come_out_as_three_clusters(use_encoder):
    texts = INVOICES + PARKING + VPN + NOISE
    groups = cluster(use_encoder.encode_queries(texts))
    named = [{texts[i] for i in g} for g in groups[:3]]
    assert named == [set(INVOICES), set(PARKING), set(VPN)]
    assert all(len(g) == 1 for g in groups[3:])  # the noise stays apart


def test_report_text_and_html_over_ten_thousand_questions(isolated_state: Path,
                                                          tmp_path: Path):
    store = Settings.from_env().store_path
    planted = INVOICES * 4 + PARKING * 3 + VPN * 2 + NOISE
    rows = [(f"d{i}", q, "decline", f"U{i % 50}", now(i % 20)) for i, q in enumerate(planted)]
    rows += [(f"a{i}", f"who owns budget line {i % 300}", "answer" if i % 7 else "ambiguous",
              f"U{i % 50}", now(i % 30)) for i in range(10_000 - len(rows))]
    seed(store, rows, votes=[("a1", "U9", -1, now()), ("a2", "U9", 1, now())])
    html = tmp_path / "report.html"

    started = time.monotonic()
    result = CliRunner().invoke(cli, ["report", "--html", str(html)])
    took = time.monotonic() - started

    assert result.exit_code == 0, result.output
    assert took < 10, took
    text = result.output
    assert "10000 questions" in text and "declined" in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("what it could not"))
    biggest = lines[start + 1]
    assert biggest.split()[0] == str(len(INVOICES) * 4) and any(q in biggest for q in INVOICES)
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 4 and "http" not in page.lower().replace("http-equiv", "")
    assert "发票" in page or "invoice" in page


def test_report_days_limits_the_window(isolated_state: Path):
    seed(Settings.from_env().store_path, [("old", "老问题", "decline", "U1", now(40)),
                                          ("new", "新问题", "decline", "U1", now(1))])
    result = CliRunner().invoke(cli, ["report", "--days", "7"])
    assert result.exit_code == 0 and "1 questions" in result.output


def test_report_without_a_database_is_one_line(isolated_state: Path):
    result = CliRunner().invoke(cli, ["report"])
    assert result.exit_code == 1 and "OWNER_BOT_DATA_DIR" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _raw(path: Path) -> bytes:
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(p.read_bytes() for p in files if p.exists())


def test_forget_leaves_no_trace_in_the_database_file(isolated_state: Path):
    path = Settings.from_env().store_path
    seed(path, [("r1", "Zorblaxian secret plan", "answer", "UFORGET", now()),
                ("r2", "Quenfritish decline", "decline", "UFORGET", now()),
                ("r3", "someone else asks", "answer", "UKEEP", now())],
         votes=[("r3", "UFORGET", 1, now()), ("r1", "UKEEP", -1, now())])
    store = SqliteStore(path)
    store.add_suggestion("Gorfizzle pending pick", "finance-budget", user="UFORGET")
    store.add_suggestion("taught example", "finance-budget", user="UFORGET", approved_by="UA")
    store.close()
    assert b"Zorblaxian" in _raw(path)

    result = CliRunner().invoke(cli, ["forget", "UFORGET"])

    assert result.exit_code == 0, result.output
    raw = _raw(path)
    assert b"Zorblaxian" not in raw and b"Quenfritish" not in raw and b"UFORGET" not in raw
    assert b"Gorfizzle" not in raw
    store = SqliteStore(path)
    assert [r.ref for r in store.asked()] == ["r3"] and store.votes() == []
    [kept] = store.suggestions()  # the learned example stays, without its author
    assert kept.question == "taught example" and kept.user is None


def test_retention_deletes_old_questions_and_votes_without_trace(isolated_state: Path):
    path = Settings.from_env().store_path
    seed(path, [("old", "Plimsoyish old question", "answer", "U1", now(120)),
                ("olddecl", "Vantrellish declined", "decline", "U1", now(95)),
                ("new", "recent question", "answer", "U2", now(3))],
         votes=[("old", "U2", 1, now(120)), ("new", "U1", 1, now(1))])
    deleted = SqliteStore(path).delete_older_than(90)
    assert deleted == 3
    raw = _raw(path)
    assert b"Plimsoyish" not in raw and b"Vantrellish" not in raw
    store = SqliteStore(path)
    assert [r.ref for r in store.asked()] == ["new"] and len(store.votes()) == 1


@pytest.mark.parametrize("bad", ["", "U1 U2"])
def test_forget_needs_one_user_id(bad: str):
    result = CliRunner().invoke(cli, ["forget", bad])
    assert result.exit_code == 1 and "USER_ID" in result.output
