"""Sends Slack turned away for now, sent again when due: no worker sleeps on a 429.

A send answered 429 (or 5xx, or a dropped connection) is parked in its lane, one lane per
(method, channel): the lane waits the Retry-After Slack asked for (after a 5xx, a short backoff),
later sends to that lane queue behind it in order, and every other lane goes on. One thread,
started when something is parked and gone when nothing is, sends each lane's head when it is
due. After `max_retries` retries (or a wait past MAX_WAIT_SECONDS) the send is given up: its
`give_up` records it as failed.

An inbox item is done only once its sends are: the worker runs its handler inside `owing()`,
each send parked meanwhile is counted against the item, and the item's `settled` callback runs
when the handler has returned and no send is left (the inbox renews the item's lease until then).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

MAX_RETRIES = 2  # three attempts in all
BACKOFF_SECONDS = 0.5  # after a 5xx or a dropped connection: 0.5 s, then 1 s, ...
MAX_WAIT_SECONDS = 300.0  # a longer Retry-After: failed now, `owner-bot failed retry` later

Lane = tuple[str, str]  # (method, channel)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: delivered, or why not and whether a later try may succeed."""

    delivered: bool = False
    retryable: bool = False
    retry_after: float | None = None  # Slack's Retry-After (429); None: our backoff
    error: str = ""


DELIVERED = Outcome(delivered=True)


class Owed:
    """The sends one inbox item still waits for. `settled` runs once: when the handler has
    returned (`close`) and every parked send is delivered or given up."""

    def __init__(self, settled: Callable[[], None]):
        self._settled = settled
        self._count, self._closed = 0, False
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self._count += 1

    def release(self) -> None:
        with self._lock:
            self._count -= 1
            now = self._closed and self._count == 0
        if now:
            self._settled()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            now = self._count == 0
        if now:
            self._settled()


_local = threading.local()


@contextmanager
def owing(settled: Callable[[], None]) -> Iterator[Owed]:
    """Sends submitted in this thread meanwhile count against one inbox item (see Owed)."""
    owed = Owed(settled)
    _local.owed = owed
    try:
        yield owed
    finally:
        _local.owed = None
        owed.close()


@dataclass
class Send:
    lane: Lane
    attempt: Callable[[], Outcome]
    give_up: Callable[[str], None]
    then: Send | None = None  # sent once this one is delivered (same lane rules)
    owed: Owed | None = None
    tries: int = 0


@dataclass
class _Queue:
    sends: deque[Send] = field(default_factory=deque)
    due: float = 0.0  # monotonic time the head may be tried


class Scheduler:
    """The lanes, and the one thread that sends their heads when due."""

    def __init__(self, max_retries: int = MAX_RETRIES, max_wait: float = MAX_WAIT_SECONDS):
        self.max_retries, self.max_wait = max_retries, max_wait
        self._queues: dict[Lane, _Queue] = {}
        self._heap: list[tuple[float, int, Lane]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, send: Send) -> bool:
        """Send now, unless its lane is waiting (then it queues behind, in order); parked if
        Slack turned it away for now. False only when it failed for good at once."""
        if send.owed is None:
            send.owed = getattr(_local, "owed", None)
        with self._cond:
            queue = self._queues.get(send.lane)
            if queue is not None:
                self._hold(send)
                queue.sends.append(send)
                return True
        return self._after(send, self._try(send), queued=False)

    def parked(self) -> int:
        """Sends waiting in a lane (for tests and logs)."""
        with self._cond:
            return sum(len(queue.sends) for queue in self._queues.values())

    def _try(self, send: Send) -> Outcome:
        send.tries += 1
        try:
            return send.attempt()
        except Exception as exc:  # our bug in building the request: never worth a retry
            logger.exception("a send to %s failed", send.lane[0])
            return Outcome(error=exc.__class__.__name__)

    def _wait(self, send: Send, outcome: Outcome) -> float | None:
        """Seconds until the next try, or None when it is given up."""
        if not outcome.retryable or send.tries > self.max_retries:
            return None
        wait = (outcome.retry_after if outcome.retry_after is not None
                else BACKOFF_SECONDS * 2 ** (send.tries - 1))
        return wait if wait <= self.max_wait else None

    def _after(self, send: Send, outcome: Outcome, *, queued: bool) -> bool:
        """Settle one attempt: the follow-up, a parked retry, or the record of a failure.
        `queued`: the send is its lane's head (else it was tried outside any lane)."""
        wait = None if outcome.delivered else self._wait(send, outcome)
        if wait is not None:
            self._park(send, wait, outcome, queued)
            return True
        if queued:
            self._next(send.lane)
        if outcome.delivered:
            if send.then is not None:
                send.then.owed = send.owed
                self.submit(send.then)
        else:
            reason = outcome.error or "failed"
            if outcome.retryable:
                reason += f" (after {send.tries} attempts)"
            send.give_up(reason)
        if queued and send.owed is not None:
            send.owed.release()
        return outcome.delivered

    def _hold(self, send: Send) -> None:
        """A send about to wait counts against its inbox item. Call with the lock held."""
        if send.owed is not None:
            send.owed.add()

    def _park(self, send: Send, wait: float, outcome: Outcome, queued: bool) -> None:
        logger.info("%s to %s: %s, tried again in %.1f s (try %d)", send.lane[0],
                    send.lane[1] or "-", outcome.error or "refused", wait, send.tries)
        with self._cond:
            queue = self._queues.get(send.lane)
            if not queued:
                self._hold(send)
                if queue is not None:  # another send parked there meanwhile: behind it
                    queue.sends.append(send)
                    return
                queue = self._queues[send.lane] = _Queue()
                queue.sends.append(send)
            assert queue is not None
            queue.due = time.monotonic() + wait
            self._schedule(send.lane, queue.due)

    def _next(self, lane: Lane) -> None:
        """The lane's head is settled: the next one is due now, or the lane goes."""
        with self._cond:
            queue = self._queues[lane]
            queue.sends.popleft()
            if queue.sends:
                queue.due = time.monotonic()
                self._schedule(lane, queue.due)
            else:
                del self._queues[lane]

    def _schedule(self, lane: Lane, due: float) -> None:
        """Call with the lock held."""
        heapq.heappush(self._heap, (due, next(self._seq), lane))
        self._cond.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="owner-bot-resend",
                                            daemon=True)
            self._thread.start()

    def _due(self) -> Send | None:
        """The next lane head whose time has come, waiting for it; None when nothing is
        parked (the thread then ends). Call with the lock held."""
        while self._heap:
            due, _, lane = self._heap[0]
            queue = self._queues.get(lane)
            if queue is None or queue.due != due:
                heapq.heappop(self._heap)  # superseded
                continue
            left = due - time.monotonic()
            if left <= 0:
                heapq.heappop(self._heap)
                return queue.sends[0]
            self._cond.wait(left)
        self._thread = None
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                send = self._due()
            if send is None:
                return
            try:
                self._after(send, self._try(send), queued=True)
            except Exception:  # a failure recording it: the other lanes still go on
                logger.exception("a parked send to %s could not be settled", send.lane[0])
