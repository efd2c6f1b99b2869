"""The storage contract: every test here runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
import time

import pytest

from bot.store import Store


def test_answers_and_declines_are_kept_by_ref(store: Store, make_match):
    store.record_answer(make_match("who writes the PRD?"), "R1", user="U1", channel="C1",
                        surface="mention")
    store.record_decline(make_match("what's for lunch", decision="decline", score=0.1), "R2",
                         user="U2", surface="dm")
    record = store.answer("R1")
    assert record is not None and (record.question, record.user, record.channel) == (
        "who writes the PRD?", "U1", "C1")
    assert store.answer("R2") is None  # a decline is not an answer...
    assert store.question("R2") == ("what's for lunch", "en")  # ...but its question is kept
    assert store.question("nope") is None
    [declined] = store.declined()
    assert (declined["ref"], declined["user"], declined["reason"]) == ("R2", "U2", "low_score")
    store.record_answer(make_match("who writes the PRD, again?"), "R1", user="U1")
    assert store.answer("R1").question == "who writes the PRD, again?"  # type: ignore[union-attr]


def test_text_any_backend_refuses_is_stored_as_replacement(store: Store, make_match):
    store.record_answer(make_match("bad \udc80 and nul \x00 here"), "R1")
    stored = store.answer("R1").question  # type: ignore[union-attr]
    assert stored.startswith("bad \ufffd") and stored.endswith("and nul \ufffd here")


def test_one_vote_per_user_and_a_second_click_changes_it(store: Store, make_match):
    store.record_answer(make_match(), "R1", user="U1")
    store.vote("R1", "U2", 1, "C1")
    store.vote("R1", "U2", -1, "C1")
    store.vote("R1", "U3", 1)
    assert sorted((v.user, v.vote) for v in store.votes("R1")) == [("U2", -1), ("U3", 1)]
    assert store.votes("R1")[0].question == "who writes the PRD?"
    with pytest.raises(ValueError):
        store.vote("R1", "U2", 0)


def test_votes_from_two_openings_of_one_store_are_counted_once_per_user(open_same, make_match):
    first, second = open_same(), open_same()  # two replicas on one database
    first.record_answer(make_match(), "R", user="U0")

    def click(store: Store, n: int) -> None:
        for i in range(20):
            store.vote("R", f"U{i % 5}", 1 if (i + n) % 2 else -1)

    threads = [threading.Thread(target=click, args=(s, n))
               for n, s in enumerate([first, second, first, second])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(v.user for v in second.votes("R")) == [f"U{i}" for i in range(5)]


def test_failed_replies_keep_where_to_deliver_and_are_marked_delivered(store: Store):
    store.record_failed_reply("who owns QA?", "chat.postMessage", "HTTP 500", ref="R1",
                              surface="mention", user="U1", channel="C1", thread_ts="1.2",
                              event_id="Ev1", request='{"channel": "C1"}')
    [row] = store.failed_replies(pending_only=True)
    assert (row["channel"], row["thread_ts"], row["event_id"], row["user"]) == (
        "C1", "1.2", "Ev1", "U1")
    store.failed_reply_delivered(int(str(row["id"])))
    assert store.failed_replies(pending_only=True) == []
    assert store.failed_replies()[0]["delivered_at"]


def test_inbox_keeps_each_key_once_across_restarts_and_bounds_the_backlog(open_same):
    store = open_same()
    assert store.inbox_add("event:Ev1", "event", "{}", limit=2) == "added"
    assert store.inbox_add("event:Ev1", "event", "{}", limit=2) == "duplicate"
    assert store.inbox_add("event:Ev2", "event", "{}", limit=2) == "added"
    assert store.inbox_add("event:Ev3", "event", "{}", limit=2) == "full"
    assert store.inbox_add("event:Ev1", "event", "{}", limit=2) == "duplicate"  # even when full
    first = store.inbox_claim("w1", lease_seconds=60)
    assert first is not None and first.key == "event:Ev1" and first.attempts == 1
    store.inbox_done(first.id)
    again = open_same()  # a restart, or the other replica
    assert again.inbox_add("event:Ev1", "event", "{}", limit=2) == "duplicate"
    assert again.inbox_backlog() == 1 and again.writable()
    second = again.inbox_claim("w2", lease_seconds=60)
    assert second is not None and second.key == "event:Ev2"


def test_a_claim_is_exclusive_until_its_lease_runs_out(open_same):
    a, b = open_same(), open_same()
    a.inbox_add("event:E", "event", '{"x": 1}', limit=10)
    held = a.inbox_claim("dead-replica", lease_seconds=0.5)
    assert held is not None and held.payload == '{"x": 1}'
    assert b.inbox_claim("live-replica", lease_seconds=60) is None
    time.sleep(0.7)
    retaken = b.inbox_claim("live-replica", lease_seconds=60)
    assert retaken is not None and retaken.id == held.id and retaken.attempts == 2
    b.inbox_done(retaken.id)
    assert a.inbox_backlog() == 0 and a.inbox_claim("w", 60) is None


def test_concurrent_claims_from_two_openings_never_take_one_item_twice(open_same):
    stores = [open_same(), open_same()]
    for n in range(200):
        stores[0].inbox_add(f"event:{n}", "event", "{}", limit=1000)
    taken: list[int] = []
    lock = threading.Lock()

    def work(store: Store, name: str) -> None:
        while (item := store.inbox_claim(name, lease_seconds=60)) is not None:
            with lock:
                taken.append(item.id)
            store.inbox_done(item.id)

    threads = [threading.Thread(target=work, args=(stores[n % 2], f"w{n}")) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(taken) == 200 and len(set(taken)) == 200
    assert stores[1].inbox_backlog() == 0


def test_answered_keys_are_pruned_after_they_are_kept_long_enough(store: Store):
    store.inbox_add("event:old", "event", "{}", limit=10)
    item = store.inbox_claim("w", 60)
    assert item is not None
    store.inbox_done(item.id)
    assert store.inbox_prune(keep_seconds=3600) == 0
    time.sleep(0.05)
    assert store.inbox_prune(keep_seconds=0.01) == 1
    assert store.inbox_add("event:old", "event", "{}", limit=10) == "added"


def test_rate_windows_slide_and_refusals_do_not_count(store: Store):
    assert [store.rate_take("U1", 3, 60, now=1000 + i) for i in range(3)] == [0.0] * 3
    assert store.rate_take("U1", 3, 60, now=1010) == pytest.approx(50)
    assert store.rate_take("U2", 3, 60, now=1010) == 0.0  # per key
    assert store.rate_take("U1", 3, 60, now=1059) == pytest.approx(1)  # still full
    assert store.rate_take("U1", 3, 60, now=1060.5) == 0.0  # the first left the window
    assert store.rate_prune(now=1060 + 2 * 24 * 3600) >= 2


def test_rate_windows_are_exact_across_two_openings_and_threads(open_same):
    stores = [open_same(), open_same()]
    allowed: list[bool] = []
    lock = threading.Lock()

    def ask(store: Store) -> None:
        for _ in range(25):
            ok = store.rate_take("U1", 30, 3600) == 0.0
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=ask, args=(stores[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert allowed.count(True) == 30 and len(allowed) == 150


def test_suggestions_become_learned_examples_and_the_state_moves(store: Store):
    before = store.sync_state()
    pending = store.add_suggestion("谁来定价？", "marketing-pricing", user="U1",
                                   corrects_ref="R9")
    taught = store.add_suggestion("who signs NDAs?", "legal", approved_by="UADMIN")
    assert [s.status for s in store.suggestions()] == ["pending", "approved"]
    assert [s.id for s in store.suggestions("pending")] == [pending]
    assert store.learned_state()[0] == 1 and store.sync_state() != before
    moved = store.decide_suggestion(pending, "approved", "UADMIN", entry="product-pricing")
    assert moved is not None and (moved.entry, moved.status, moved.decided_by) == (
        "product-pricing", "approved", "UADMIN")
    assert store.learned_state()[0] == 2
    assert store.decide_suggestion(9999, "rejected", "UADMIN") is None
    assert {s.id for s in store.suggestions("approved")} == {pending, taught}


def test_a_signal_reaches_every_opening(open_same):
    a, b = open_same(), open_same()
    seen = b.sync_state()
    assert a.signal("reload") == 1 and a.signal("reload") == 2
    assert b.sync_state() != seen and dict(b.sync_state()[1])["reload"] == 2


def test_the_report_reads_questions_with_their_votes(store: Store, make_match):
    store.record_answer(make_match("q1"), "R1", user="U1", surface="dm")
    store.vote("R1", "U2", 1)
    store.vote("R1", "U3", -1)
    store.vote("R1", "U4", 1)
    store.record_decline(make_match("q2", decision="decline"), "R2", user="U1")
    asked = store.asked()
    assert [(a.question, a.decision, a.up, a.down) for a in asked] == [
        ("q1", "answer", 2, 1), ("q2", "decline", 0, 0)]
    assert store.asked(days=1) == asked
    assert sorted(store.asked_by("U1")) == [("q1", "answer", asked[0].entry),
                                            ("q2", "decline", None)]


def test_forgetting_a_person_leaves_nothing_of_theirs(store: Store, make_match):
    store.record_answer(make_match("mine"), "R1", user="U1")
    store.vote("R1", "U2", 1)  # another's vote on my answer goes too
    store.record_answer(make_match("theirs"), "R2", user="U2")
    store.vote("R2", "U1", 1)
    store.record_decline(make_match("mine too", decision="decline"), "R3", user="U1")
    store.record_failed_reply("mine", "chat.postMessage", "HTTP 500", user="U1")
    store.rate_take("U1", 5, 60)
    store.add_suggestion("mine", "product-prd", user="U1")
    kept = store.add_suggestion("taught", "product-prd", user="U1", approved_by="U1")
    assert store.forget_user("U1") >= 7
    assert store.asked_by("U1") == [] and store.declined() == [] and store.failed_replies() == []
    assert [v.ref for v in store.votes()] == []
    [learned] = store.suggestions()
    assert learned.id == kept and learned.user is None and learned.decided_by is None
    assert store.answer("R2") is not None


def test_retention_deletes_old_rows_and_keeps_learned_examples(store: Store, make_match):
    store.record_answer(make_match(), "R1", user="U1")
    store.add_suggestion("taught", "product-prd", approved_by="U9")
    assert store.delete_older_than(1) == 0
    assert store.delete_older_than(-1) >= 1  # everything is "older" than tomorrow
    assert store.asked() == [] and len(store.suggestions("approved")) == 1


def test_migrations_run_once_and_a_reopen_finds_nothing_to_do(open_same):
    first = open_same()
    assert first.migrated == [1, 2]
    assert open_same().migrated == []


def test_a_renewed_lease_is_not_taken_over_and_only_its_holder_renews_it(open_same):
    a, b = open_same(), open_same()
    a.inbox_add("event:slow", "event", "{}", limit=10)
    held = a.inbox_claim("slow-worker", lease_seconds=0.5)
    assert held is not None
    for _ in range(4):
        time.sleep(0.25)
        assert a.inbox_extend([held.id], "slow-worker", 0.5) == 1
        assert b.inbox_claim("other", lease_seconds=60) is None
    assert b.inbox_extend([held.id], "other", 60) == 0  # not the holder
    time.sleep(0.7)
    assert b.inbox_claim("other", lease_seconds=60) is not None  # its holder stopped renewing
