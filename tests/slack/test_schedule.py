"""The delivery scheduler without Slack: lanes, Retry-After, backoff, the retry budget, follow-ups,
and the inbox item that is done only once its parked replies are."""

from __future__ import annotations

import threading
import time

from bot.slack import schedule
from bot.slack.schedule import DELIVERED, Outcome, Scheduler, Send, owing

WAIT = 10.0


class Script:
    """Answers each attempt of a lane from a list of outcomes; records when each try ran."""

    def __init__(self, *outcomes: Outcome):
        self.outcomes = list(outcomes)
        self.tries: list[float] = []
        self.done = threading.Event()

    def __call__(self) -> Outcome:
        self.tries.append(time.monotonic())
        outcome = self.outcomes.pop(0) if self.outcomes else DELIVERED
        if outcome.delivered:
            self.done.set()
        return outcome


def _send(lane: str, script: Script, failures: list[str] | None = None, **kw) -> Send:
    return Send(("chat.postMessage", lane), script,
                lambda why: (failures if failures is not None else []).append(why), **kw)


def rate_limited(seconds: float) -> Outcome:
    return Outcome(retryable=True, retry_after=seconds, error="HTTP 429")


def test_a_rate_limited_lane_waits_in_order_while_other_lanes_go_on():
    scheduler = Scheduler()
    first, second, other = Script(rate_limited(0.5)), Script(), Script()
    start = time.monotonic()
    assert scheduler.submit(_send("C1", first))  # 429: parked, the caller goes on at once
    assert time.monotonic() - start < 0.2
    assert scheduler.submit(_send("C1", second))  # queued behind it, not tried yet
    assert scheduler.submit(_send("C2", other))  # another channel: sent now
    assert other.tries and other.tries[0] - start < 0.2 and not second.tries
    assert second.done.wait(WAIT) and first.done.is_set()
    assert first.tries[1] - first.tries[0] >= 0.5  # the Retry-After Slack asked for
    assert second.tries[0] >= first.tries[1]  # in order, after the first went
    assert scheduler.parked() == 0


def test_server_errors_back_off_and_the_budget_ends_in_a_recorded_failure(monkeypatch):
    monkeypatch.setattr(schedule, "BACKOFF_SECONDS", 0.05)
    scheduler = Scheduler(max_retries=2)
    server_error = Outcome(retryable=True, error="HTTP 500")
    recovers, failures = Script(server_error), []
    scheduler.submit(_send("C1", recovers, failures))
    assert recovers.done.wait(WAIT) and failures == []
    gone, given_up = Script(server_error, server_error, server_error), threading.Event()
    scheduler.submit(Send(("chat.postMessage", "C2"), gone,
                          lambda why: (failures.append(why), given_up.set())))
    assert given_up.wait(WAIT)
    assert len(gone.tries) == 3 and failures == ["HTTP 500 (after 3 attempts)"]
    assert gone.tries[2] - gone.tries[1] >= gone.tries[1] - gone.tries[0]  # backing off


def test_a_failure_slack_will_not_change_is_recorded_at_once():
    failures: list[str] = []
    assert not Scheduler().submit(_send("C1", Script(Outcome(error="HTTP 200 not_in_channel")),
                                        failures))
    assert failures == ["HTTP 200 not_in_channel"]


def test_a_retry_after_past_the_longest_wait_is_a_failure_now():
    failures: list[str] = []
    Scheduler(max_wait=60).submit(_send("C1", Script(rate_limited(3600)), failures))
    assert failures and "429" in failures[0]


def test_the_follow_up_goes_only_after_its_send_is_delivered():
    scheduler = Scheduler()
    share, delete = Script(rate_limited(0.2)), Script()
    scheduler.submit(_send("C1", share, then=_send("C1", delete)))
    assert not delete.tries
    assert delete.done.wait(WAIT) and delete.tries[0] >= share.tries[1]
    failed_share, never = Script(Outcome(error="HTTP 404")), Script()
    scheduler.submit(_send("C2", failed_share, then=_send("C2", never)))
    assert not never.tries


def test_the_inbox_item_is_settled_only_once_its_parked_replies_are():
    scheduler, settled = Scheduler(), threading.Event()
    slow = Script(rate_limited(0.3))
    with owing(settled.set):
        scheduler.submit(_send("C1", slow))
        scheduler.submit(_send("C2", Script()))  # delivered at once: nothing owed
    assert not settled.is_set()
    assert settled.wait(WAIT) and slow.done.is_set()
    quick = threading.Event()
    with owing(quick.set):
        scheduler.submit(_send("C3", Script()))
    assert quick.is_set()  # nothing parked: done when the handler returns
