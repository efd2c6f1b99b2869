"""Two real `owner-bot run --http` processes on one PostgreSQL database, as behind a load
balancer: every event answered once whichever replica gets it and its retries, votes counted
once per user, a learned example approved on one replica served by the other within 5 s, and a
replica SIGKILLed mid-load leaves nothing acked unanswered.

Size: REPLICA_EVENTS (default 500) events, each sent to both replicas and retried on both.
"""

from __future__ import annotations

import json
import os
import random
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from bot_process import BotProcess, warm_data_dir
from hardening_support import REPO_ROOT
from slackfakes import (
    FakeSlack,
    action_payload,
    block_text,
    button_payload,
    dm_event,
    event_body,
    fake_slack_server,
    mention_event,
    post,
)

from bot.slack.blocks import ACTION_VOTE_DOWN, ACTION_VOTE_UP
from bot.slack.home import ACTION_APPROVE, REVIEW_BLOCK_PREFIX
from bot.store import Store, open_store

EVENTS = int(os.environ.get("REPLICA_EVENTS", "500"))
WORKERS = 4
ENV = {"OWNER_BOT_LEASE_SECONDS": "3", "OWNER_BOT_RELOAD_SECONDS": "1",
       "OWNER_BOT_WORKERS": str(WORKERS), "OWNER_BOT_BACKLOG": "5000",
       "OWNER_BOT_ADMINS": "UADMIN"}


@dataclass
class Replicas:
    fake: FakeSlack
    urls: list[str]  # each replica's /slack/events
    processes: list[BotProcess]
    store: Store  # the test's own look at the shared database

    def settle(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while self.store.inbox_backlog() > 0:
            assert time.monotonic() < deadline, (
                f"{self.store.inbox_backlog()} still waiting; the replicas' logs end:\n"
                + "".join(line for p in self.processes for line in p.lines[-15:]))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def replicas(postgres_server, data_dir: Path, matcher, tmp_path_factory) -> Iterator[Replicas]:
    url = postgres_server.new_database("replicas")
    base = tmp_path_factory.mktemp("replicas")
    with fake_slack_server() as fake:
        processes = [BotProcess(fake, warm_data_dir(data_dir, base / name),
                                REPO_ROOT / "knowledge", OWNER_BOT_DATABASE_URL=url, **ENV)
                     for name in ("a", "b")]
        try:
            urls = [p.wait_listening() + "/slack/events" for p in processes]
            store = open_store(url)
            yield Replicas(fake, urls, processes, store)
            store.close()
        finally:
            for process in processes:
                process.kill()


def _send(url: str, body: dict, *, retry: int = 0) -> int:
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
        if retry else None
    try:
        return post(url, json.dumps(body).encode(), "application/json", headers=headers).status
    except OSError:
        return 0  # not acked: Slack would try again


def _click(url: str, payload: dict) -> int:
    form = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return post(url, form, "application/x-www-form-urlencoded").status


def _answers_by_thread(fake: FakeSlack, prefix: str) -> Counter:
    return Counter(str(c.body.get("thread_ts")) for c in fake.posts("chat.postMessage")
                   if str(c.body.get("thread_ts")).startswith(prefix))


def test_an_event_sent_to_both_replicas_and_retried_is_answered_once(replicas: Replicas):
    def deliver(n: int) -> None:
        body = event_body(mention_event(f"谁负责写代码？ {n}", ts=f"1700100000.{n:06d}"),
                          f"EvBoth{n}")
        order = replicas.urls if n % 2 else replicas.urls[::-1]
        for retry, url in enumerate([*order, *order]):  # both, then Slack's retry to both
            assert _send(url, body, retry=retry // 2) == 200

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(deliver, range(EVENTS)))
    replicas.settle()
    warnings = [line for p in replicas.processes for line in p.lines
                if "WARNING" in line or "ERROR" in line]
    assert not warnings, "".join(warnings[:20])
    answers = _answers_by_thread(replicas.fake, "1700100000.")
    assert len(answers) == EVENTS and set(answers.values()) == {1}, \
        Counter(answers.values())


def test_votes_through_either_replica_count_once_per_user(replicas: Replicas):
    [answer] = [c for c in replicas.fake.posts("chat.postMessage")
                if c.body.get("thread_ts") == "1700100000.000007"]
    ref = next(e["value"] for b in answer.body["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e["action_id"] == ACTION_VOTE_UP)

    def click_all(action: str, times: int) -> None:
        for n in range(times):
            for user in range(6):  # each user's clicks alternate between the replicas
                assert _click(replicas.urls[(user + n) % 2], action_payload(
                    action, ref, replicas.fake.response_url(f"vote{user}"), ephemeral=False,
                    user=f"UV{user}")) == 200
        replicas.settle()

    click_all(ACTION_VOTE_UP, 3)
    assert sorted((v.user, v.vote) for v in replicas.store.votes(ref)) == [
        (f"UV{u}", 1) for u in range(6)]
    click_all(ACTION_VOTE_DOWN, 1)  # a change of mind, through the other replica
    assert sorted((v.user, v.vote) for v in replicas.store.votes(ref)) == [
        (f"UV{u}", -1) for u in range(6)]


def test_a_learned_example_approved_on_one_replica_is_served_by_the_other(replicas: Replicas):
    question = "我们的咖啡机合同续签找谁"

    def ask_b(n: int) -> str:
        before = len(replicas.fake.posts("chat.postMessage"))
        assert _send(replicas.urls[1], event_body(dm_event(question, ts=f"1700200000.{n:06d}"),
                                                  f"EvLearn{n}")) == 200
        replicas.fake.wait_for(lambda c: c.method == "chat.postMessage", count=before + 1)
        return block_text(replicas.fake.posts("chat.postMessage")[before].body["blocks"])

    assert "办公用品" not in ask_b(0)
    pending = replicas.store.add_suggestion(question, "admin-office-supplies", user="U222")
    assert _click(replicas.urls[0], button_payload(
        ACTION_APPROVE, f"{REVIEW_BLOCK_PREFIX}{pending}", str(pending), user="UADMIN")) == 200
    approved_at = time.monotonic()
    n = 1
    while "办公用品" not in ask_b(n):
        assert time.monotonic() - approved_at < 5, (
            "the other replica did not serve it in 5 s:\n"
            + "".join(replicas.processes[1].lines[-10:]) + repr(replicas.store.suggestions()))
        n += 1
        time.sleep(0.2)
    print(f"\nlearned example served by the other replica after "
          f"{time.monotonic() - approved_at:.2f} s")


def test_a_replica_killed_mid_load_leaves_no_acked_event_unanswered(replicas: Replicas):
    a, b = replicas.urls
    killed = [False]
    acked: list[str] = []

    def deliver(n: int) -> None:
        ts = f"1700300000.{n:06d}"
        body = event_body(mention_event(f"谁来写测试用例？ {n}", ts=ts), f"EvKill{n}")
        first = random.Random(n).choice((a, b))
        for retry, url in enumerate([first, b, b, b]):  # Slack retries until someone acks
            if _send(url, body, retry=retry) == 200:
                acked.append(ts)
                return
            time.sleep(0.1)
        raise AssertionError(f"event {n} was never acked")

    def kill_soon() -> None:
        while len(acked) < EVENTS // 3:
            time.sleep(0.01)
        replicas.processes[0].kill()  # SIGKILL: no drain
        killed[0] = True

    with ThreadPoolExecutor(9) as pool:
        killer = pool.submit(kill_soon)
        list(pool.map(deliver, range(EVENTS)))
        killer.result(60)
    assert killed[0]
    replicas.settle()  # the dead replica's claims come back after their 3 s lease
    answers = _answers_by_thread(replicas.fake, "1700300000.")
    missing = [ts for ts in acked if answers[ts] == 0]
    assert not missing, f"{len(missing)} of {len(acked)} acked events never answered"
    twice = [ts for ts, count in answers.items() if count > 1]
    assert len(twice) <= WORKERS, twice  # only what the dead replica had in hand
    assert _send(b, event_body(mention_event("谁负责写代码？ after", ts="1700300999.000001"),
                               "EvAfter")) == 200
    replicas.settle()
    assert _answers_by_thread(replicas.fake, "1700300999.")["1700300999.000001"] == 1
